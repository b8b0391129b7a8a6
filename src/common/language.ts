/** The class's language, as a BCP 47 tag (es, ar, pt-BR): checked and named with the runtime's ICU data. */

const NAMES = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });

/** The canonical form of a language tag (ES → es, pt-br → pt-BR), or null when it is not one. */
export function canonicalLanguage(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > 35) return null;
  try {
    const [tag] = Intl.getCanonicalLocales(value);
    return tag && NAMES.of(tag) ? tag : null;
  } catch {
    return null;
  }
}

/** The language's English name, for the tutor's instructions ("Spanish", "Arabic", "Brazilian Portuguese"). */
export function languageName(tag: string): string {
  return NAMES.of(tag) ?? tag;
}
