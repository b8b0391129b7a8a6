import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import bcrypt from 'bcryptjs';

const scrypt = (password: string, salt: Buffer, keylen: number, options: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) =>
    scryptCallback(password, salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key))),
  );

// scrypt runs in libuv's thread pool, so sign-ups and sign-ins take no time from the
// event loop that serves every live room. N = 2^15, r = 8: about 32 MiB and 50-100 ms a hash.
const COST = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;
const PREFIX = 'scrypt';

/**
 * Password hashes: `scrypt$N$r$p$salt$key` (base64url). Hashes made by earlier
 * versions with bcrypt still verify, and are replaced on the next sign-in.
 */
export const passwordHasher = {
  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await scrypt(password, salt, KEY_LENGTH, COST);
    return [PREFIX, COST.N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')].join('$');
  },

  /** Whether `password` matches `stored`, and whether `stored` should be replaced by a current hash. */
  async verify(password: string, stored: string): Promise<{ ok: boolean; rehash: boolean }> {
    if (stored.startsWith('$2')) return { ok: await bcrypt.compare(password, stored), rehash: true };
    const [prefix, n, r, p, salt, key] = stored.split('$');
    if (prefix !== PREFIX || !key) return { ok: false, rehash: false };
    const expected = Buffer.from(key, 'base64url');
    const actual = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, {
      N: Number(n),
      r: Number(r),
      p: Number(p),
      maxmem: COST.maxmem,
    });
    const ok = actual.length === expected.length && timingSafeEqual(actual, expected);
    return { ok, rehash: ok && (Number(n) !== COST.N || Number(r) !== COST.r || Number(p) !== COST.p) };
  },
};
