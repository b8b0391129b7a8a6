import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'roundtable-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to port 3000, the embedded database and the offline agent', () => {
    const config = loadConfig({ DATA_DIR: dir });
    expect(config).toMatchObject({ port: 3000, host: '0.0.0.0', dataDir: dir, databaseUrl: undefined });
    expect(config.agent.provider).toBe('offline');
  });

  it('generates a JWT secret once, keeps it private in DATA_DIR, and reuses it', () => {
    const first = loadConfig({ DATA_DIR: dir }).jwtSecret;
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(join(dir, 'jwt-secret'), 'utf8').trim()).toBe(first);
    expect(statSync(join(dir, 'jwt-secret')).mode & 0o077).toBe(0);
    expect(loadConfig({ DATA_DIR: dir }).jwtSecret).toBe(first);
    expect(loadConfig({ DATA_DIR: dir, JWT_SECRET: 'an-operator-chosen-secret' }).jwtSecret).toBe(
      'an-operator-chosen-secret',
    );
  });

  it('uses the openai provider when a key or a base URL is set', () => {
    expect(loadConfig({ DATA_DIR: dir, OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' }).agent).toMatchObject({
      provider: 'openai',
      baseUrl: 'http://127.0.0.1:11434/v1',
    });
    expect(loadConfig({ DATA_DIR: dir, OPENAI_API_KEY: 'sk-test', AGENT_MODEL: 'm' }).agent).toMatchObject({
      provider: 'openai',
      model: 'm',
    });
  });

  it('refuses a bad environment, listing every bad key at once', () => {
    const attempt = () => loadConfig({ DATA_DIR: dir, PORT: 'eighty', DATABASE_URL: 'mysql://x', JWT_SECRET: 'short' });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('PORT');
      expect(message).toContain('DATABASE_URL');
      expect(message).toContain('JWT_SECRET');
      expect(message).not.toContain('short'); // a secret's value is never echoed
    }
  });
});
