// Helpers for the browser tests: the real server, coturn, Chromium, API shortcuts.

import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const ARTIFACTS = process.env.CHARGE_E2E_ARTIFACTS ?? join(process.cwd(), 'test-artifacts');
export const IN_NETNS = !!process.env.CHARGE_E2E_NETNS;

/** @returns {Promise<number>} */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/** @param {number} ms */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `check` until it returns a truthy value or the time is up.
 * @template T
 * @param {() => Promise<T> | T} check
 * @param {{ timeout?: number, interval?: number, what?: string }} [options]
 * @returns {Promise<T>}
 */
export async function until(check, options = {}) {
  const deadline = Date.now() + (options.timeout ?? 15000);
  /** @type {unknown} */
  let lastError;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    await sleep(options.interval ?? 200);
  }
  throw new Error(`Timed out waiting for ${options.what ?? 'a condition'}${lastError ? `: ${lastError}` : ''}`);
}

let serverCount = 0;

/**
 * The Charge server on a free loopback port with a fresh SQLite database.
 * `restart()` stops it and starts it again on the same port and database.
 * @param {{ env?: Record<string, string> }} [options]
 */
export async function startServer(options = {}) {
  const bin = process.env.CHARGE_BIN;
  if (!bin) throw new Error('CHARGE_BIN is not set (run the tests with npm run test:e2e)');
  const dir = mkdtempSync(join(tmpdir(), 'charge-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? dir,
    HOST: '127.0.0.1',
    PORT: String(port),
    DATABASE_URL: `sqlite://${dir}/charge.db?mode=rwc`,
    WEB_CLIENT_DIR: process.env.CHARGE_E2E_WEB_DIR ?? '',
    JWT_SECRET_KEY: 'e2e-secret-key-that-is-long-enough-0123456789',
    ENVIRONMENT: 'test',
    RUST_LOG: process.env.RUST_LOG ?? 'info',
    MEDIA_ROOT: join(dir, 'uploads'),
    // The tests seed conversations through the API faster than a person types.
    CHAT_RATE_LIMIT_PER_SECOND: '0',
    ...options.env,
  };
  const id = ++serverCount;
  /** @type {import('node:child_process').ChildProcess | null} */
  let proc = null;
  let starts = 0;

  async function start() {
    starts += 1;
    const logFile = createWriteStream(join(ARTIFACTS, `server-${id}-${starts}.log`));
    proc = spawn(bin, [], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout?.pipe(logFile);
    proc.stderr?.pipe(logFile);
    const exited = new Promise((_, reject) => proc?.once('exit', (code) => reject(new Error(`server exited early with ${code}; see ${logFile.path}`))));
    exited.catch(() => {});
    await Promise.race([
      until(
        async () => {
          const res = await fetch(`${url}/health`);
          const body = await res.json();
          return res.ok && body.status === 'ok';
        },
        { timeout: 30000, interval: 150, what: `${url}/health` },
      ),
      exited,
    ]);
  }

  async function stop() {
    const p = proc;
    proc = null;
    if (!p || p.exitCode !== null) return;
    const done = new Promise((r) => p.once('exit', r));
    p.kill('SIGTERM');
    const killed = await Promise.race([done.then(() => true), sleep(10000).then(() => false)]);
    if (!killed) {
      p.kill('SIGKILL');
      await done;
    }
  }

  await start();
  return {
    url,
    port,
    dir,
    api: new Api(url),
    start,
    stop,
    async restart() {
      await stop();
      await start();
    },
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * coturn on loopback with a long-term credential.
 * @param {{ user: string, password: string }} cred
 */
export async function startCoturn(cred) {
  const port = await freePort();
  const minPort = 40000 + Math.floor(Math.random() * 5000);
  const dir = mkdtempSync(join(tmpdir(), 'charge-turn-'));
  const args = [
    '-n',
    '-v',
    `--pidfile=${join(dir, 'turnserver.pid')}`,
    `--userdb=${join(dir, 'turndb')}`,
    '--listening-ip=127.0.0.1',
    '--relay-ip=127.0.0.1',
    `--listening-port=${port}`,
    `--min-port=${minPort}`,
    `--max-port=${minPort + 200}`,
    '--lt-cred-mech',
    `--user=${cred.user}:${cred.password}`,
    '--realm=charge.test',
    '--no-tls',
    '--no-dtls',
    '--allow-loopback-peers',
    '--no-cli',
    '--log-file=stdout',
    '--simple-log',
  ];
  const logFile = createWriteStream(join(ARTIFACTS, 'turnserver.log'));
  const proc = spawn('turnserver', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout?.on('data', (d) => {
    output += d;
  });
  proc.stdout?.pipe(logFile);
  proc.stderr?.pipe(logFile);
  await until(() => /listener opened on|Total (General|UDP) servers/i.test(output) || proc.exitCode !== null, {
    timeout: 10000,
    what: 'turnserver to start',
  });
  if (proc.exitCode !== null) throw new Error(`turnserver exited: ${output.slice(-2000)}`);
  await sleep(300);
  return {
    port,
    url: `turn:127.0.0.1:${port}?transport=udp`,
    log: () => output,
    async stop() {
      if (proc.exitCode !== null) return;
      const done = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await Promise.race([done, sleep(5000).then(() => proc.kill('SIGKILL'))]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
      '--allow-loopback-in-peer-connection',
    ],
  });
}

/**
 * Collects page errors and console errors, so a test can assert there were none.
 * @param {import('playwright-core').Page} page
 * @param {string} name
 */
export function watchPage(page, name) {
  /** @type {string[]} */
  const errors = [];
  page.on('pageerror', (err) => errors.push(`[${name}] ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`[${name}] console: ${msg.text()}`);
  });
  return errors;
}

/** Direct API calls for test setup and checks. */
export class Api {
  /** @param {string} base */
  constructor(base) {
    this.base = base;
  }
  /**
   * @param {string} path
   * @param {{ method?: string, body?: any, token?: string, form?: FormData }} [o]
   */
  async call(path, o = {}) {
    /** @type {Record<string, string>} */
    const headers = {};
    if (o.token) headers.Authorization = `Bearer ${o.token}`;
    let body;
    if (o.form) body = o.form;
    else if (o.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(o.body);
    }
    const method = o.method ?? (body ? 'POST' : 'GET');
    const res = await fetch(`${this.base}${path}`, { method, headers, body });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status} ${text}`);
    const data = text ? JSON.parse(text) : null;
    return data;
  }
  /** @param {string} login @param {string} password @param {string} [display] */
  async account(login, password, display) {
    await this.call('/api/auth/register', { body: { login, password, ...(display ? { display_name: display } : {}) } });
    const { access_token } = await this.call('/api/auth/login', { body: { login, password } });
    return /** @type {string} */ (access_token);
  }
  /** @param {string} token @param {number} channelId @param {string} content */
  post(token, channelId, content) {
    const form = new FormData();
    form.set('channel_id', String(channelId));
    form.set('content', content);
    return this.call('/api/messages', { token, form });
  }
  /** @param {string} token @param {number} channelId */
  async allMessages(token, channelId) {
    /** @type {any[]} */
    let all = [];
    let page = await this.call(`/api/channels/${channelId}/history?limit=100`, { token });
    all = page.items;
    while (page.has_more_backward && page.items.length) {
      page = await this.call(`/api/channels/${channelId}/history?limit=100&before=${all[0].id}`, { token });
      all = [...page.items, ...all];
    }
    return all;
  }
}

/** Unique-enough names per run. */
export function uniq(/** @type {string} */ prefix) {
  return `${prefix}${Date.now().toString(36).slice(-4)}${Math.floor(Math.random() * 1e4)}`;
}
