// Builds the web client once before the browser tests, so they test what `npm start` serves.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export default function globalSetup() {
  const result = spawnSync(process.execPath, ['scripts/build.mjs', 'web'], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('the web client did not build');
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(chromium))
    throw new Error(
      `no Chromium at ${chromium}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH`,
    );
}
