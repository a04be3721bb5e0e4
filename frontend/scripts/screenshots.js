#!/usr/bin/env node
// Regenerates docs/screenshots/: runs the browser-test suites that take the
// screenshots (e2e/screenshots.js lists them) through e2e/run.js, which
// copies them into docs/screenshots/ when the run is green. Old copies are
// removed first, so a screenshot that was not taken again is noticed.
// Needs what the browser tests need (Chromium; root for the voice suite).

import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCREENSHOTS } from '../e2e/screenshots.js';

const frontend = resolve(dirname(fileURLToPath(import.meta.url)), '..');
for (const { file } of SCREENSHOTS) rmSync(join(frontend, 'test-artifacts', file), { force: true });
const suites = [...new Set(SCREENSHOTS.map((s) => join('e2e', s.suite)))];
const result = spawnSync(process.execPath, [join(frontend, 'e2e', 'run.js'), ...suites], { cwd: frontend, stdio: 'inherit' });
process.exit(result.status ?? 1);
