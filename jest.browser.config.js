// Browser tests (`npm run test:browser`): the built web client in Debian's Chromium,
// driven by playwright-core against the real app. Kept out of `npm test`.
import base from './jest.config.js';

export default {
  ...base,
  testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
  globalSetup: '<rootDir>/test/browser/support/global-setup.mjs',
  testTimeout: 120000,
  maxWorkers: 1,
};
