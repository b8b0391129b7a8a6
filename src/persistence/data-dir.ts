import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The data directory holds the embedded database (password hashes, staff
 * notes) and the signing key: only the server's own user may read it. Creates
 * it 0700, tightens an existing tree (directories 0700, files 0600) and sets
 * the process umask so that what PGlite creates later follows. Returns how
 * many entries had to be tightened.
 */
export function secureDataDir(dir: string): number {
  process.umask(0o077);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let tightened = 0;
  const walk = (path: string) => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    const wanted = stat.isDirectory() ? 0o700 : 0o600;
    if ((stat.mode & 0o777) !== wanted) {
      chmodSync(path, wanted);
      tightened++;
    }
    if (stat.isDirectory()) for (const entry of readdirSync(path)) walk(join(path, entry));
  };
  walk(dir);
  return tightened;
}
