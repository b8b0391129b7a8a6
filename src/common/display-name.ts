import { remove as foldConfusables } from 'confusables';

/** Longest display name, in characters, after cleaning. */
export const MAX_DISPLAY_NAME_LENGTH = 60;

// Line breaks, NUL, bell and the other C0/C1 controls; then invisible and
// direction-changing characters (zero-width space and joiners, bidi overrides
// and isolates, the BOM, soft hyphen, ...): Unicode's "format" category.
const CONTROL = /[\p{Cc}\u2028\u2029]/u;
const INVISIBLE = /\p{Cf}/u;
// Brackets would let a name imitate the server's attribution headers.
const BRACKETS = /[[\]<>{}]/;

/**
 * The shape a display name is stored in: Unicode NFKC (so full-width and
 * styled letters become plain ones) with every run of visible spacing
 * (no-break space, em space, ...) one ordinary space, trimmed. Line breaks are
 * left alone here, so that the check below refuses them rather than hiding them.
 */
export function normalizeDisplayName(raw: string): string {
  return raw
    .normalize('NFKC')
    .replace(/\p{Zs}+/gu, ' ')
    .trim();
}

/** Why a (normalized) display name is refused, or null when it is acceptable. */
export function displayNameProblem(name: string): string | null {
  if (name.length === 0 || name.length > MAX_DISPLAY_NAME_LENGTH)
    return `display_name must be 1 to ${MAX_DISPLAY_NAME_LENGTH} characters`;
  if (CONTROL.test(name)) return 'display_name must be one line without control characters';
  if (INVISIBLE.test(name)) return 'display_name must not contain invisible or text-direction characters';
  if (BRACKETS.test(name)) return 'display_name must not contain brackets ([ ] < > { })';
  return null;
}

/**
 * What two names look like to a person: look-alike letters folded to one
 * (Cyrillic "М" and Latin "M", "𝓂" and "m"), case and spacing ignored. Two
 * names with the same skeleton are the same name to the eye.
 */
export function nameSkeleton(name: string): string {
  return foldConfusables(normalizeDisplayName(name))
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[\s._-]+/g, '');
}

/**
 * A name nobody in `taken` can be confused with: the wanted one, or the
 * wanted one with the first free " 2", " 3", ... after it ("Amira", "Amira 2").
 */
export function uniqueDisplayName(wanted: string, taken: Iterable<string>): string {
  const skeletons = new Set<string>();
  for (const name of taken) skeletons.add(nameSkeleton(name));
  if (!skeletons.has(nameSkeleton(wanted))) return wanted;
  for (let n = 2; ; n++) {
    const suffix = ` ${n}`;
    const candidate = wanted.slice(0, MAX_DISPLAY_NAME_LENGTH - suffix.length).trimEnd() + suffix;
    if (!skeletons.has(nameSkeleton(candidate))) return candidate;
  }
}

/**
 * The first acceptable display name among what another system says about a person (an identity
 * provider's or an LMS's claims, in order of preference), cleaned and cut to length; `fallback`
 * when none is usable.
 */
export function firstDisplayName(candidates: unknown[], fallback = 'Member'): string {
  return (
    candidates
      .filter((c): c is string => typeof c === 'string' && c.trim() !== '')
      .map((c) => normalizeDisplayName(c).slice(0, MAX_DISPLAY_NAME_LENGTH))
      .find((c) => displayNameProblem(c) === null) ?? fallback
  );
}
