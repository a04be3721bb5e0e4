// Where the API lives.
//
// Order, first match wins:
//   1. a base URL the user saved on the sign-in page (localStorage),
//   2. VITE_API_BASE_URL, fixed at build time,
//   3. the page's own origin, when the page is served by a Charge server
//      (a same-origin GET /health answers {"status":"ok"}),
//   4. the current host on port 8000.

export const STORAGE_API_BASE = 'charge.apiBase';
export const DEFAULT_API_PORT = '8000';

/**
 * The build-time base URL. `import.meta.env` only exists when Vite has
 * processed the module; served unbundled it is undefined.
 * @returns {string}
 */
export function buildTimeApiBase() {
  try {
    // Vite replaces `import.meta.env` at build time.
    const env = /** @type {any} */ (import.meta).env;
    const value = env && typeof env.VITE_API_BASE_URL === 'string' ? env.VITE_API_BASE_URL : '';
    return normalizeBase(value) || '';
  } catch {
    return '';
  }
}

/**
 * Normalises a user-typed base URL: trims, adds http:// when the scheme is
 * missing, drops trailing slashes, any path query or fragment is kept except
 * the trailing slash. Returns null when the value is not a usable http(s) URL.
 * @param {string | null | undefined} value
 * @returns {string | null}
 */
export function normalizeBase(value) {
  if (typeof value !== 'string') return null;
  let text = value.trim();
  if (!text) return null;
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) text = `http://${text}`;
  let url;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (!url.hostname) return null;
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${url.host}${path}`;
}

/**
 * The fallback: the page's host on port 8000 (http when the page is not https).
 * @param {{ protocol: string, hostname: string }} location
 * @returns {string}
 */
export function fallbackBase(location) {
  const protocol = location.protocol === 'https:' ? 'https:' : 'http:';
  let host = location.hostname || 'localhost';
  if (host.includes(':') && !host.startsWith('[')) host = `[${host}]`;
  return `${protocol}//${host}:${DEFAULT_API_PORT}`;
}

/**
 * Pure resolution used by the pages and the unit tests.
 * @param {{
 *   saved?: string | null,
 *   buildTime?: string | null,
 *   origin?: string | null,
 *   originIsCharge?: boolean,
 *   location: { protocol: string, hostname: string },
 * }} input
 * @returns {{ base: string, source: 'saved' | 'build' | 'origin' | 'fallback' }}
 */
export function resolveApiBase(input) {
  const saved = normalizeBase(input.saved);
  if (saved) return { base: saved, source: 'saved' };
  const built = normalizeBase(input.buildTime);
  if (built) return { base: built, source: 'build' };
  const origin = normalizeBase(input.origin);
  if (origin && input.originIsCharge) return { base: origin, source: 'origin' };
  return { base: fallbackBase(input.location), source: 'fallback' };
}

/**
 * True when a /health body looks like Charge's.
 * @param {unknown} body
 */
export function isChargeHealth(body) {
  return !!body && typeof body === 'object' && /** @type {any} */ (body).status === 'ok';
}

/**
 * Asks the page's own origin whether it is a Charge server.
 * @param {string} origin
 * @param {typeof fetch} [fetchImpl]
 * @param {number} [timeoutMs]
 * @returns {Promise<boolean>}
 */
export async function probeOrigin(origin, fetchImpl = fetch, timeoutMs = 2500) {
  if (!normalizeBase(origin)) return false;
  const controller = typeof AbortController === 'function' ? new AbortController() : null;
  const timer = controller ? setTimeout(() => controller.abort(), timeoutMs) : null;
  try {
    const response = await fetchImpl(`${origin}/health`, {
      headers: { Accept: 'application/json' },
      signal: controller ? controller.signal : undefined,
      cache: 'no-store',
    });
    if (!response.ok) return false;
    return isChargeHealth(await response.json());
  } catch {
    return false;
  } finally {
    if (timer) clearTimeout(timer);
  }
}

/** @returns {Storage | null} */
function storage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/** @returns {string | null} */
export function savedApiBase() {
  return normalizeBase(storage()?.getItem(STORAGE_API_BASE));
}

/**
 * Saves (or with an empty value, forgets) the user's API base URL.
 * @param {string | null} value
 * @returns {string | null} the normalised value that was saved
 */
export function saveApiBase(value) {
  const store = storage();
  const normal = normalizeBase(value);
  if (!store) return normal;
  if (normal) store.setItem(STORAGE_API_BASE, normal);
  else store.removeItem(STORAGE_API_BASE);
  return normal;
}

/** @type {Promise<{ base: string, source: string }> | null} */
let cached = null;

/**
 * Resolves the API base for this page, probing the origin only when needed.
 * @param {{ refresh?: boolean }} [options]
 * @returns {Promise<{ base: string, source: string }>}
 */
export function apiBase(options = {}) {
  if (cached && !options.refresh) return cached;
  cached = (async () => {
    const loc = globalThis.location;
    const saved = savedApiBase();
    const buildTime = buildTimeApiBase();
    const origin = loc && /^https?:$/.test(loc.protocol) ? loc.origin : null;
    let originIsCharge = false;
    if (!saved && !buildTime && origin) originIsCharge = await probeOrigin(origin);
    return resolveApiBase({
      saved,
      buildTime,
      origin,
      originIsCharge,
      location: loc ?? { protocol: 'http:', hostname: 'localhost' },
    });
  })();
  return cached;
}

/**
 * ws:// or wss:// form of an http(s) base.
 * @param {string} base
 */
export function wsBase(base) {
  return base.replace(/^http(s?):\/\//i, (_m, s) => `ws${s}://`);
}
