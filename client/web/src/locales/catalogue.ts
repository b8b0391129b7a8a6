/** The shape of a catalogue: nested groups of strings (plural forms as `key_one`, `key_other`, …). */
export interface Catalogue {
  [key: string]: string | Catalogue;
}
