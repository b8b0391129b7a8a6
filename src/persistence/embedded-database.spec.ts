import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMBEDDED_SHARED_BUFFERS, openEmbeddedDatabase } from './database-connection.js';

// The embedded database's buffer pool is most of the server's memory before anyone connects
// (PGlite's WebAssembly memory never shrinks): it runs with the smaller pool, and with PGlite's own
// settings otherwise (search_path, fsync off, no parallel workers).
it('the embedded database runs with its smaller buffer pool and PGlite’s own settings', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'roundtable-embedded-'));
  const db = await openEmbeddedDatabase(dir);
  try {
    const setting = (name: string) =>
      db.withConnection(async (sql) => (await sql.query<Record<string, string>>(`SHOW ${name}`))[0][name]);
    expect(await setting('shared_buffers')).toBe(EMBEDDED_SHARED_BUFFERS);
    expect(await setting('search_path')).toBe('public');
    expect(await setting('max_parallel_workers_per_gather')).toBe('0');
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
