/**
 * Personal data in a message: phone numbers, e-mail addresses and street addresses.
 * Deliberately narrow: a number is a phone number only when it is written like one
 * (a + and country code, grouped digits, or after "call/text me", "my number"), so a
 * student's arithmetic ("what is 123456789 times 2?") is neither flagged nor masked.
 */
const EMAIL = /[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+/g;
// +44 20 7946 0958, (555) 123-4567, 555-123-4567, 555.123.4567, 0612 345 678
const PHONE_FORMATTED = /(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?|\d{2,4}[\s.-])\d{3,4}[\s.-]\d{3,4}\b/g;
// "call me on 5551234567", "my number is 0612345678", "text me at 555 1234"
const PHONE_IN_CONTEXT =
  /\b(?:call|text|phone|ring|whatsapp|message)\s+me(?:\s+(?:on|at))?\s*:?\s*(\+?\d[\d\s.-]{5,16}\d)|\b(?:my|his|her|their)\s+(?:phone\s+)?(?:number|cell|mobile)\s+is\s*:?\s*(\+?\d[\d\s.-]{5,16}\d)/gi;
const STREET_WORDS =
  'street|st|avenue|ave|road|rd|lane|ln|drive|dr|boulevard|blvd|court|ct|way|place|pl|terrace|close|crescent|calle|avenida';
// 12 Secret Lane, 221B Baker Street, 1600 Pennsylvania Avenue NW
const STREET = new RegExp(`\\b\\d{1,5}[a-z]?\\s+(?:[a-z][\\w'-]*\\s+){1,3}(?:${STREET_WORDS})\\b\\.?`, 'gi');
// "I live at ..." followed by something with a digit
const LIVE_AT = /\b(?:i|we)\s+live\s+(?:at|on)\s+(\d[^,.!?\n]{3,60})/gi;

export interface PersonalDataSpan {
  kind: 'phone' | 'email' | 'address';
  start: number;
  end: number;
}

function spans(text: string): PersonalDataSpan[] {
  const found: PersonalDataSpan[] = [];
  const add = (kind: PersonalDataSpan['kind'], re: RegExp, group?: number) => {
    re.lastIndex = 0;
    for (const m of text.matchAll(re)) {
      const value = group !== undefined ? (m[group] ?? m[group + 1]) : m[0];
      if (!value) continue;
      const start = m.index + m[0].indexOf(value);
      if (kind === 'phone' && value.replace(/\D/g, '').length < 7) continue;
      found.push({ kind, start, end: start + value.length });
    }
  };
  add('email', EMAIL);
  add('phone', PHONE_FORMATTED);
  add('phone', PHONE_IN_CONTEXT, 1);
  add('address', STREET);
  add('address', LIVE_AT, 1);
  // Overlaps: keep the first-starting, longest one.
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: PersonalDataSpan[] = [];
  for (const s of found) if (!kept.length || s.start >= kept[kept.length - 1].end) kept.push(s);
  return kept;
}

export function findPersonalData(text: string): PersonalDataSpan[] {
  return spans(text);
}

const MASK: Record<PersonalDataSpan['kind'], string> = {
  phone: '[phone number]',
  email: '[e-mail address]',
  address: '[address]',
};

/** The text with every phone number, e-mail and street address replaced by a placeholder. */
export function redactPersonalData(text: string): string {
  const found = spans(text);
  if (found.length === 0) return text;
  let out = '';
  let at = 0;
  for (const s of found) {
    out += text.slice(at, s.start) + MASK[s.kind];
    at = s.end;
  }
  return out + text.slice(at);
}
