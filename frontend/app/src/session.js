// The signed-in session: the bearer token (and what it tells about the user)
// and the refresh token that renews it (see token-keeper.js).

export const STORAGE_TOKEN = 'charge.token';
export const STORAGE_REFRESH = 'charge.refresh';
export const STORAGE_LOGIN = 'charge.login';

/** @returns {Storage | null} */
function storage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/**
 * Decodes a JWT's payload without verifying it (the server does that).
 * @param {string | null | undefined} token
 * @returns {Record<string, any> | null}
 */
export function decodeToken(token) {
  if (typeof token !== 'string') return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    let b64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    while (b64.length % 4) b64 += '=';
    const binary = atob(b64);
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const json = new TextDecoder().decode(bytes);
    const payload = JSON.parse(json);
    return payload && typeof payload === 'object' ? payload : null;
  } catch {
    return null;
  }
}

/**
 * @param {string | null | undefined} token
 * @param {number} [now] milliseconds
 */
export function tokenExpired(token, now = Date.now()) {
  const payload = decodeToken(token);
  if (!payload) return true;
  if (typeof payload.exp !== 'number') return false;
  return payload.exp * 1000 <= now;
}

/** @param {string | null | undefined} token @returns {number | null} */
export function tokenUserId(token) {
  const payload = decodeToken(token);
  if (!payload) return null;
  const id = Number(payload.sub);
  return Number.isInteger(id) ? id : null;
}

export function loadToken() {
  const token = storage()?.getItem(STORAGE_TOKEN) ?? null;
  if (!token || tokenExpired(token)) return null;
  return token;
}

/** The stored access token even when expired (a refresh may renew it). */
export function storedToken() {
  return storage()?.getItem(STORAGE_TOKEN) ?? null;
}

export function loadRefreshToken() {
  return storage()?.getItem(STORAGE_REFRESH) ?? null;
}

/** Whether this browser holds a sign-in: a live access token, or a refresh token to renew one. */
export function hasSession() {
  return Boolean(loadToken() || (storedToken() && loadRefreshToken()));
}

/** @param {string} token @param {string} [login] @param {string | null} [refreshToken] */
export function saveToken(token, login, refreshToken) {
  const s = storage();
  if (!s) return;
  s.setItem(STORAGE_TOKEN, token);
  if (refreshToken) s.setItem(STORAGE_REFRESH, refreshToken);
  if (login) s.setItem(STORAGE_LOGIN, login);
}

export function savedLogin() {
  return storage()?.getItem(STORAGE_LOGIN) ?? '';
}

/** Forgets the sign-in (drafts and preferences stay). */
export function clearToken() {
  storage()?.removeItem(STORAGE_TOKEN);
  storage()?.removeItem(STORAGE_REFRESH);
}

/**
 * Sends the browser to the sign-in page, remembering why.
 * @param {string} [reason]
 */
export function goToSignIn(reason) {
  clearToken();
  const url = new URL('./index.html', globalThis.location.href);
  if (reason) url.searchParams.set('reason', reason);
  globalThis.location.replace(url.toString());
}
