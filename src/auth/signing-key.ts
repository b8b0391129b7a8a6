import { createSecretKey, type KeyObject } from 'node:crypto';

const keys = new Map<string, KeyObject>();

/**
 * The access tokens' HMAC key as a KeyObject, made once. Given the secret as a string,
 * jsonwebtoken first tries it as a PEM public (or private) key and builds a secret key from it
 * only after that throws, on every token it signs or checks: in a join storm that was a tenth of
 * the server's CPU (bench/RESULTS.md). A KeyObject skips both.
 */
export function signingKey(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) keys.set(secret, (key = createSecretKey(Buffer.from(secret, 'utf8'))));
  return key;
}
