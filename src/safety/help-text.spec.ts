import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DEFAULT_HELP_TEXT, DEFAULT_HELP_TEXTS, loadConfig } from '../config/app-config.js';
import { helpTextIn } from './safety.service.js';

describe("the help text a student who wrote about hurting themselves reads, in the class's language", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'roundtable-help-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const safety = (env: Record<string, string> = {}) => loadConfig({ DATA_DIR: dir, ...env }).safety;

  it('built in: English, Spanish and Arabic; another language or none reads English', () => {
    expect(helpTextIn(safety(), 'es')).toBe(DEFAULT_HELP_TEXTS.es);
    expect(helpTextIn(safety(), 'es-MX')).toBe(DEFAULT_HELP_TEXTS.es);
    expect(helpTextIn(safety(), 'ar')).toBe(DEFAULT_HELP_TEXTS.ar);
    expect(helpTextIn(safety(), 'fr')).toBe(DEFAULT_HELP_TEXT);
    expect(helpTextIn(safety(), null)).toBe(DEFAULT_HELP_TEXT);
  });

  it("the school's SAFETY_HELP_TEXT wins over the built-in words, and SAFETY_HELP_TEXT_<LANGUAGE> wins for its language", () => {
    const school = safety({
      SAFETY_HELP_TEXT: 'Talk to Ms Lee in room 12, or call 555-0100.',
      SAFETY_HELP_TEXT_ES: 'Habla con la Sra. Lee en el aula 12, o llama al 555-0100.',
    });
    expect(helpTextIn(school, 'es')).toBe('Habla con la Sra. Lee en el aula 12, o llama al 555-0100.');
    expect(helpTextIn(school, 'ar')).toBe('Talk to Ms Lee in room 12, or call 555-0100.');
    expect(helpTextIn(school, null)).toBe('Talk to Ms Lee in room 12, or call 555-0100.');
  });

  it('refuses a per-language help text longer than the one for everyone may be', () => {
    expect(() => safety({ SAFETY_HELP_TEXT_ES: 'x'.repeat(2001) })).toThrow(ConfigError);
  });
});
