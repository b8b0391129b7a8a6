// The web client's languages: every string people read comes from a catalogue in
// client/web/src/locales (i18next with react-i18next). English is the source; Spanish
// and Arabic ship with it, and a unit test (locales.spec.ts) fails when a shipped
// catalogue misses a key, a plural form its language needs, or a placeholder.
//
// The language follows the browser (navigator.languages, so es-MX and ar-EG find es
// and ar) until someone picks one in the header; the pick is remembered in this
// browser. The page's `lang` and `dir` follow the language (Arabic is right to left:
// the stylesheet uses logical properties, so the layout mirrors by itself).
import i18next from 'i18next';
import LanguageDetector from 'i18next-browser-languagedetector';
import { initReactI18next } from 'react-i18next';
import ar from '../locales/ar.js';
import en from '../locales/en.js';
import es from '../locales/es.js';

/** The product's name: the same in every language. */
export const PRODUCT_NAME = 'Roundtable';

/** The shipped languages, each named in itself for the picker. */
export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'es', name: 'Español' },
  { code: 'ar', name: 'العربية' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];

/** Where a picked language is remembered (nothing stored: the browser's language). */
export const LANGUAGE_KEY = 'roundtable.language';

export const resources = { en: { translation: en }, es: { translation: es }, ar: { translation: ar } } as const;

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof en };
  }
}

const inBrowser = typeof window !== 'undefined';

export const i18n = i18next.createInstance();
if (inBrowser) i18n.use(LanguageDetector);
void i18n.use(initReactI18next).init({
  resources,
  supportedLngs: LANGUAGES.map((l) => l.code),
  // es-MX reads the Spanish catalogue; a language not shipped reads English.
  nonExplicitSupportedLngs: true,
  load: 'languageOnly',
  fallbackLng: 'en',
  // Outside a browser (the unit tests of the room's state): English.
  ...(inBrowser ? {} : { lng: 'en' }),
  // The catalogues are bundled: ready before the first render.
  initAsync: false,
  // React escapes what it renders; the catalogues hold text, never markup.
  interpolation: { escapeValue: false },
  detection: {
    order: ['localStorage', 'navigator'],
    lookupLocalStorage: LANGUAGE_KEY,
    // Only a pick is remembered (setLanguage): a browser's language is followed, not frozen.
    caches: [],
  },
  react: { useSuspense: false },
});

/** The language the page is in now (a shipped one). */
export function currentLanguage(): Language {
  const resolved = i18n.resolvedLanguage ?? 'en';
  return (LANGUAGES.some((l) => l.code === resolved) ? resolved : 'en') as Language;
}

/** The shipped language the browser asks for first (English when it asks for none of them). */
export function browserLanguage(): Language {
  const asked = inBrowser ? navigator.languages : [];
  for (const tag of asked) {
    const primary = tag.toLowerCase().split('-')[0];
    const found = LANGUAGES.find((l) => l.code === primary);
    if (found) return found.code;
  }
  return 'en';
}

/** The language picked in this browser, if one was (null: the browser's language is followed). */
export function pickedLanguage(): Language | null {
  try {
    const picked = localStorage.getItem(LANGUAGE_KEY);
    return LANGUAGES.find((l) => l.code === picked)?.code ?? null;
  } catch {
    return null; // no storage (a private window in some browsers): nothing was picked
  }
}

/** Picks a language and remembers it in this browser; null goes back to the browser's language. */
export function setLanguage(language: Language | null): void {
  try {
    if (language) localStorage.setItem(LANGUAGE_KEY, language);
    else localStorage.removeItem(LANGUAGE_KEY);
  } catch {
    // Storage may be off (a private window in some browsers): the pick lasts for this page.
  }
  void i18n.changeLanguage(language ?? browserLanguage());
}

/** The page's `lang` and `dir` follow the language. */
function followLanguage() {
  if (!inBrowser) return;
  const language = currentLanguage();
  document.documentElement.lang = language;
  document.documentElement.dir = i18n.dir(language);
}
// `{{count, number}}` in a catalogue writes the number as the page's locale does (Egypt's Arabic
// uses its own digits, as do the dates and times beside it).
i18n.services.formatter?.add('number', (value: unknown) => formatNumber(Number(value)));

i18n.on('languageChanged', followLanguage);
followLanguage();

/** Translation outside React (the room's state, announcements, the error helper): read at call time. */
export const t: typeof i18n.t = i18n.t.bind(i18n);

/**
 * The locale for dates and numbers: the browser's own when it speaks the page's language
 * (es-MX writes dates the Mexican way), else the page's language.
 */
export function formatLocale(): string {
  const language = currentLanguage();
  const browser = inBrowser ? navigator.languages : [];
  return browser.find((tag) => tag.toLowerCase().split('-')[0] === language) ?? language;
}

/** A time of day in the page's language ("14:05", "2:05 PM", "٢:٠٥ م"). */
export function formatTime(iso: string): string {
  return new Date(iso).toLocaleTimeString(formatLocale(), { hour: '2-digit', minute: '2-digit' });
}

/** A day and time in the page's language ("Thu, 3 Dec, 14:05"). */
export function formatDay(iso: string): string {
  return new Date(iso).toLocaleString(formatLocale(), {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** A date in the page's language. */
export function formatDate(iso: string): string {
  return new Date(iso).toLocaleDateString(formatLocale());
}

/** A number in the page's language (Arabic uses its own digits). */
export function formatNumber(value: number, options?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(formatLocale(), options).format(value);
}

/** A list of names in the page's language ("Ana, Ben and Chen", "Ana, Ben y Chen"). */
export function formatList(items: string[]): string {
  return new Intl.ListFormat(formatLocale(), { style: 'long', type: 'conjunction' }).format(items);
}
