#!/usr/bin/env node
// Runs the browser tests. When possible (root and `ip` available) everything
// runs inside a fresh loopback-only network namespace, so WebRTC traffic
// cannot leave the machine; the namespace is removed afterwards.
//
// Environment:
//   CHARGE_BIN          path of the server binary (default: built with cargo)
//   CHARGE_E2E_WEB      'app' (default, unbundled sources) or 'dist' (the Vite build)
//   CHARGE_E2E_NO_NETNS set to 1 to run without a namespace (voice tests are skipped)
//   CHARGE_E2E_NO_BUILD set to 1 to skip `cargo build`

import { spawnSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCREENSHOTS } from './screenshots.js';

const here = dirname(fileURLToPath(import.meta.url));
const frontend = resolve(here, '..');
const repo = resolve(frontend, '..');

function log(/** @type {string} */ text) {
  process.stderr.write(`[e2e] ${text}\n`);
}

function serverBinary() {
  if (process.env.CHARGE_BIN) return resolve(process.env.CHARGE_BIN);
  const targetDir = process.env.CARGO_TARGET_DIR ? resolve(repo, process.env.CARGO_TARGET_DIR) : join(repo, 'target');
  return join(targetDir, 'debug', 'charge');
}

function buildServer() {
  if (process.env.CHARGE_BIN || process.env.CHARGE_E2E_NO_BUILD === '1') return;
  log('cargo build --bin charge');
  const result = spawnSync('cargo', ['build', '--bin', 'charge'], { cwd: repo, stdio: 'inherit' });
  if (result.status !== 0) {
    log('cargo build failed');
    process.exit(result.status ?? 1);
  }
}

function chromiumPath() {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (p && existsSync(p)) return p;
  }
  return null;
}

function canUseNetns() {
  if (process.env.CHARGE_E2E_NO_NETNS === '1') return false;
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return false;
  return spawnSync('ip', ['netns', 'list'], { stdio: 'ignore' }).status === 0;
}

/** @param {string[]} args */
function ip(...args) {
  return spawnSync('ip', args, { stdio: 'inherit' }).status === 0;
}

buildServer();
const bin = serverBinary();
if (!existsSync(bin)) {
  log(`server binary not found at ${bin}`);
  process.exit(1);
}
const chromium = chromiumPath();
if (!chromium) {
  log('Chromium not found (install the Debian package: apt-get install -y chromium)');
  process.exit(1);
}

const web = process.env.CHARGE_E2E_WEB === 'dist' ? join(frontend, 'dist') : join(frontend, 'app');
if (!existsSync(join(web, 'index.html'))) {
  log(`${web} has no index.html (run npm run build for CHARGE_E2E_WEB=dist)`);
  process.exit(1);
}

const artifacts = join(frontend, 'test-artifacts');
mkdirSync(artifacts, { recursive: true });

const files = process.argv.slice(2).length
  ? process.argv.slice(2)
  : readdirSync(here)
      .filter((f) => f.endsWith('.e2e.test.js'))
      .sort()
      .map((f) => join(here, f));

const env = {
  ...process.env,
  CHARGE_BIN: bin,
  CHROMIUM_PATH: chromium,
  CHARGE_E2E_WEB_DIR: web,
  CHARGE_E2E_ARTIFACTS: artifacts,
};

const nodeArgs = ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files];
let netns = '';
if (canUseNetns()) {
  netns = `charge-e2e-${process.pid}`;
  if (!ip('netns', 'add', netns) || !ip('netns', 'exec', netns, 'ip', 'link', 'set', 'lo', 'up')) {
    log('could not create the network namespace');
    ip('netns', 'del', netns);
    process.exit(1);
  }
  env.CHARGE_E2E_NETNS = netns;
  log(`running inside network namespace ${netns} (loopback only)`);
} else {
  log('no network namespace (needs root and iproute2): voice tests will be skipped');
}

const cleanup = () => {
  if (netns) {
    ip('netns', 'del', netns);
    netns = '';
  }
};

const command = netns ? 'ip' : process.execPath;
const args = netns ? ['netns', 'exec', netns, process.execPath, ...nodeArgs] : nodeArgs;
const child = spawn(command, args, { cwd: frontend, env, stdio: 'inherit' });
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => {
  cleanup();
  const ok = code === 0;
  if (ok) {
    // Publish the current screenshots next to the docs.
    const shots = join(repo, 'docs', 'screenshots');
    mkdirSync(shots, { recursive: true });
    for (const { file } of SCREENSHOTS) {
      const from = join(artifacts, file);
      if (existsSync(from)) copyFileSync(from, join(shots, file));
    }
  }
  process.exit(ok ? 0 : code ?? (signal ? 1 : 1));
});
