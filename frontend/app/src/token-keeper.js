// Keeps the access token fresh: renews it with the refresh token shortly
// before it expires and whenever the server refuses it, one renewal at a
// time for all of this browser's tabs (they share the tokens in storage, and
// a refresh token works once), and says when the server refuses to renew: only
// then is the sign-in over.

import { decodeToken, loadRefreshToken, saveToken, storedToken, STORAGE_TOKEN } from './session.js';

/** The server refused the refresh token: the sign-in has ended. */
export class SessionOver extends Error {
  constructor() {
    super('Your session has ended. Please sign in again.');
    this.name = 'SessionOver';
    this.sessionOver = true;
  }
}

/** How long before a failed renewal (network, server busy) is tried again. */
export const RETRY_MS = 5000;
/** Renew at most this long before expiry… */
const MAX_MARGIN_MS = 60_000;
/** …and at least this long before it. */
const MIN_MARGIN_MS = 500;

/**
 * Milliseconds until a token should be renewed: a quarter of its life before
 * it expires, at most a minute. Null for something that is not a token.
 * @param {string | null} token
 * @param {number} [now]
 */
export function renewIn(token, now = Date.now()) {
  const payload = decodeToken(token);
  if (!payload || typeof payload.exp !== 'number') return null;
  const expires = payload.exp * 1000;
  const life = typeof payload.iat === 'number' ? expires - payload.iat * 1000 : 15 * 60_000;
  const margin = Math.min(MAX_MARGIN_MS, Math.max(MIN_MARGIN_MS, life / 4));
  return Math.max(0, expires - margin - now);
}

/**
 * @typedef {{
 *   base: string,
 *   fetchImpl?: typeof fetch,
 *   onSessionOver?: () => void,
 *   now?: () => number,
 * }} KeeperOptions
 */

export class TokenKeeper {
  /** @param {KeeperOptions} options */
  constructor(options) {
    this.base = options.base;
    this.fetchImpl = options.fetchImpl ?? ((input, init) => fetch(input, init));
    this.onSessionOver = options.onSessionOver ?? null;
    this.now = options.now ?? (() => Date.now());
    /** @type {Promise<string> | null} */
    this.pending = null;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.timer = null;
    this.over = false;
    this.onStorage = (/** @type {StorageEvent} */ event) => {
      // Another tab renewed (or signed out): follow its tokens.
      if (event.key === STORAGE_TOKEN || event.key === null) this.schedule();
    };
  }

  /** The current access token (possibly expired; `fresh` renews it). */
  token() {
    return storedToken();
  }

  /** The access token, renewed first if it is due. */
  async fresh() {
    const token = this.token();
    const due = renewIn(token, this.now());
    if (token && due !== null && due > 0) return token;
    return this.renew(token);
  }

  /**
   * Renews the tokens unless another tab already replaced `stale`.
   * @param {string | null} stale the token the server refused or that is due
   * @returns {Promise<string>}
   */
  renew(stale) {
    if (this.over) return Promise.reject(new SessionOver());
    if (!this.pending) {
      this.pending = withLock(() => this.exchange(stale)).finally(() => {
        this.pending = null;
      });
    }
    return this.pending;
  }

  /** @param {string | null} stale */
  async exchange(stale) {
    const current = this.token();
    const due = renewIn(current, this.now());
    if (current && current !== stale && due !== null && due > 0) return current;
    const refreshToken = loadRefreshToken();
    if (!refreshToken) return this.end();
    const response = await this.fetchImpl(`${this.base}/api/auth/refresh`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ refresh_token: refreshToken }),
    });
    if (response.status === 401 || response.status === 422) return this.end();
    if (!response.ok) throw new Error(`The session could not be renewed (${response.status}).`);
    const body = await response.json();
    if (typeof body?.access_token !== 'string') throw new Error('The server sent an unexpected answer.');
    saveToken(body.access_token, undefined, body.refresh_token);
    this.schedule();
    return body.access_token;
  }

  /** @returns {never} */
  end() {
    this.over = true;
    this.stop();
    this.onSessionOver?.();
    throw new SessionOver();
  }

  /** Renews in the background before each expiry, and follows other tabs. */
  start() {
    globalThis.addEventListener?.('storage', this.onStorage);
    this.schedule();
  }

  stop() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    globalThis.removeEventListener?.('storage', this.onStorage);
  }

  schedule(delay = renewIn(this.token(), this.now())) {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.over || delay === null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.fresh().catch((err) => {
        if (!(err instanceof SessionOver)) this.schedule(RETRY_MS);
      });
    }, delay);
  }
}

/**
 * Runs `work` while holding this origin's renewal lock, so two tabs never
 * present the same refresh token (the second would end the session).
 * @template T
 * @param {() => Promise<T>} work
 * @returns {Promise<T>}
 */
function withLock(work) {
  const locks = /** @type {any} */ (globalThis.navigator)?.locks;
  if (!locks?.request) return work();
  return locks.request('charge.token-renewal', work);
}
