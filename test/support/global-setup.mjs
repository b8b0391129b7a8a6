// Once before the suite: the real server and the web client are built if missing or stale, so the
// test files that start server processes (in parallel workers) never build at the same time.
import { ensureServerBuilt, ensureWebBuilt } from '../../scripts/build.mjs';

export default function globalSetup() {
  ensureServerBuilt();
  ensureWebBuilt();
}
