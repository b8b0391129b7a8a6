// Every shipped catalogue is complete: each key English has, in every plural form its
// language needs (Intl.PluralRules: Arabic has six), with the same placeholders, and no
// key English does not have. A key the code uses but English lacks fails the typecheck
// (lib/i18n.ts types `t` by the English catalogue); this test covers the other languages.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LANGUAGES, resources } from '../lib/i18n.js';
import type { Catalogue } from './catalogue.js';

const PLURAL = /_(ordinal_)?(zero|one|two|few|many|other)$/;

function flatten(catalogue: Catalogue, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(catalogue)) {
    if (typeof value === 'string') out.set(prefix + key, value);
    else for (const [k, v] of flatten(value, `${prefix}${key}.`)) out.set(k, v);
  }
  return out;
}

/** Keys as the code asks for them: "home.people" for home.people_one and home.people_other. */
function groups(flat: Map<string, string>): Map<string, { ordinal: boolean; forms: Map<string, string> }> {
  const out = new Map<string, { ordinal: boolean; forms: Map<string, string> }>();
  for (const [key, value] of flat) {
    const plural = PLURAL.exec(key);
    const base = plural ? key.slice(0, plural.index) : key;
    const group = out.get(base) ?? { ordinal: !!plural?.[1], forms: new Map<string, string>() };
    group.forms.set(plural ? plural[2] : '', value);
    out.set(base, group);
  }
  return out;
}

const placeholders = (text: string) =>
  new Set([...text.matchAll(/\{\{\s*([\w.]+)\s*(?:,[^}]*)?\}\}/g)].map((m) => m[1]));
const tags = (text: string) => [...text.matchAll(/<\/?(\w+)>/g)].map((m) => m[0]).sort();

const english = groups(flatten(resources.en.translation));
const shipped = LANGUAGES.map((l) => l.code);

describe('the web client’s catalogues', () => {
  it('ships English, Spanish and Arabic, and nothing in the folder is left out', () => {
    expect(shipped).toEqual(['en', 'es', 'ar']);
    const folder = dirname(fileURLToPath(import.meta.url));
    const files = readdirSync(folder).filter((f) => /^[a-z]{2}\.ts$/.test(f));
    expect(files.map((f) => f.slice(0, 2)).sort()).toEqual([...shipped].sort());
  });

  it.each(shipped)('%s has every key, every plural form its language needs, and the same placeholders', (lng) => {
    const catalogue = groups(flatten(resources[lng].translation as Catalogue));
    const problems: string[] = [];
    const cardinal = new Intl.PluralRules(lng).resolvedOptions().pluralCategories;
    const ordinal = new Intl.PluralRules(lng, { type: 'ordinal' }).resolvedOptions().pluralCategories;
    for (const [key, source] of english) {
      const translated = catalogue.get(key);
      if (!translated) {
        problems.push(`${key}: missing`);
        continue;
      }
      const isPlural = source.forms.has('other');
      const needed = isPlural ? (source.ordinal ? ordinal : cardinal) : [''];
      for (const form of needed) if (!translated.forms.has(form)) problems.push(`${key}: no "${form}" form`);
      const wanted = new Set([...source.forms.values()].flatMap((v) => [...placeholders(v)]));
      const wantedTags = tags([...source.forms.values()][0]);
      for (const [form, text] of translated.forms) {
        if (!text.trim()) problems.push(`${key}_${form}: empty`);
        for (const name of placeholders(text))
          if (!wanted.has(name)) problems.push(`${key}_${form}: {{${name}}} is not in English`);
        // A plural form may say its number in words ("شخصان"); every other placeholder stays (zero may say "nobody").
        for (const name of wanted)
          if (name !== 'count' && form !== 'zero' && !placeholders(text).has(name))
            problems.push(`${key}_${form}: lost {{${name}}}`);
        if (tags(text).join() !== wantedTags.join()) problems.push(`${key}_${form}: markup differs from English`);
      }
    }
    for (const key of catalogue.keys()) if (!english.has(key)) problems.push(`${key}: not in English`);
    expect(problems).toEqual([]);
  });

  it('the placeholder check catches a lost or misspelt placeholder', () => {
    expect(placeholders('Muted {{name}} for {{count, number}} minutes')).toEqual(new Set(['name', 'count']));
    expect(placeholders('Silenciado {{nombre}}').has('name')).toBe(false);
    expect(tags('Signed in as <name>{{name}}</name>')).toEqual(['</name>', '<name>']);
  });

  it('translations are translations: Spanish and Arabic differ from English in most strings', () => {
    for (const lng of ['es', 'ar'] as const) {
      const flat = flatten(resources[lng].translation as Catalogue);
      const same = [...flatten(resources.en.translation)].filter(([k, v]) => flat.get(k) === v);
      // Some strings are the same in every language: a placeholder alone, "{{count}} s", "Tokens".
      expect(same.length / flat.size).toBeLessThan(0.08);
    }
  });

  it('the source of each catalogue is a plain object literal (no code a translator could break)', () => {
    const folder = dirname(fileURLToPath(import.meta.url));
    for (const lng of shipped) {
      const source = readFileSync(join(folder, `${lng}.ts`), 'utf8');
      expect(source).not.toMatch(/\$\{|=>|function\s/);
    }
  });
});
