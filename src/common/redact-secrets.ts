/** Removes what must never reach a log: API keys, bearer tokens and credentials in URLs. */
export function redactSecrets(text: string): string {
  return text
    .replace(/\b(sk|rk|pk)-[A-Za-z0-9_-]{6,}/g, '$1-[redacted]')
    .replace(/(bearer\s+)[A-Za-z0-9._~+/=-]+/gi, '$1[redacted]')
    .replace(/(\w+:\/\/)[^\s/@:]+(:[^\s/@]*)?@/g, '$1[redacted]@');
}
