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
    writeFileSync(
      join(dist, 'index.html'),
      '<!doctype html><div id="root"></div><script src="/assets/app-1a2b3c.js"></script>',
    );
    writeFileSync(join(dist, 'assets', 'app-1a2b3c.js'), bundle);
    app = await startTestApp({ WEB_DIST_DIR: dist });
  });
  afterAll(async () => {
    await app.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves the app shell at / and at every client-side route, always revalidated', async () => {
    for (const path of ['/', '/login', '/join/AB12CD', '/s/some-session-id', '/s/some-session-id/present']) {
      const response = await fetch(`${app.url}${path}`);
      expect({ path, status: response.status, type: response.headers.get('content-type') }).toEqual({
        path,
        status: 200,
        type: expect.stringContaining('text/html'),
      });
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

  it('sends security headers: a Content-Security-Policy without inline script, no framing, no sniffing', async () => {
    const page = await fetch(`${app.url}/`);
    const policy = page.headers.get('content-security-policy') ?? '';
    expect(policy).toContain("default-src 'self'");
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toMatch(/script-src[^;]*(unsafe|\*)/);
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).toContain("object-src 'none'");
    expect(policy).toMatch(/connect-src 'self' ws:\/\/127\.0\.0\.1:\d+ wss:\/\/127\.0\.0\.1:\d+/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-powered-by')).toBeNull();
    // Every answer says which request it was (the id on its log lines); a caller's own id is kept.
    expect(page.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      (await fetch(`${app.url}/health`, { headers: { 'x-request-id': 'lb-1234' } })).headers.get('x-request-id'),
    ).toBe('lb-1234');
    expect(
      (await fetch(`${app.url}/health`, { headers: { 'x-request-id': 'bad id <script>' } })).headers.get(
        'x-request-id',
      ),
    ).toMatch(/^[0-9a-f-]{36}$/);
    // The API answers carry the headers too; the OpenAPI page keeps Swagger UI's own scripts.
    expect((await fetch(`${app.url}/health`)).headers.get('content-security-policy')).toContain("default-src 'self'");
    const docs = await fetch(`${app.url}/docs`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-security-policy')).toBeNull();
    expect(docs.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
