// How the server hands out the web client (built by Vite into client/web/dist):
// the app shell at / and at client-side routes, bundles cached for good and
// compressed, and the API untouched. A stand-in build keeps this browser-free.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestApp, type TestApp } from './support/test-app.js';

describe('serving the web client', () => {
  let app: TestApp;
  let dist: string;
  const bundle = `console.log(${JSON.stringify('roundtable '.repeat(500))});`;

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'roundtable-web-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="root"></div><script src="/assets/app-1a2b3c.js"></script>');
    writeFileSync(join(dist, 'assets', 'app-1a2b3c.js'), bundle);
    app = await startTestApp({ WEB_DIST_DIR: dist });
  });
  afterAll(async () => {
    await app.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves the app shell at / and at every client-side route, always revalidated', async () => {
    for (const path of ['/', '/login', '/join/AB12CD', '/s/some-session-id']) {
      const response = await fetch(`${app.url}${path}`);
      expect({ path, status: response.status, type: response.headers.get('content-type') }).toEqual({ path, status: 200, type: expect.stringContaining('text/html') });
      expect(await response.text()).toContain('<div id="root">');
    }
    expect((await fetch(`${app.url}/`)).headers.get('cache-control')).toBe('no-cache');
  });

  it('content-hashed bundles are cached for good and compressed', async () => {
    const response = await fetch(`${app.url}/assets/app-1a2b3c.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(response.headers.get('content-encoding')).toBe('gzip');
    expect(await response.text()).toBe(bundle); // fetch undoes the gzip
  });

  it('leaves the API and unknown paths alone', async () => {
    expect((await fetch(`${app.url}/health`)).status).toBe(200);
    const missing = await fetch(`${app.url}/no/such/page`);
    expect(missing.status).toBe(404);
    const api = await fetch(`${app.url}/sessions`);
    expect(api.status).toBe(401);
  });
});
