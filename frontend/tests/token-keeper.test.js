// @vitest-environment happy-dom
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../app/src/api.js';
import { loadRefreshToken, saveToken, storedToken } from '../app/src/session.js';
import { SessionOver, TokenKeeper, renewIn } from '../app/src/token-keeper.js';

/** A token-shaped string with the given claims (the client never checks signatures). */
function jwt(/** @type {Record<string, unknown>} */ claims) {
  const part = (/** @type {unknown} */ v) => btoa(JSON.stringify(v)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.sig`;
}

const NOW = 1_800_000_000_000;
const live = (n = 1) => jwt({ sub: '1', sid: 5, iat: NOW / 1000 - 10, exp: NOW / 1000 + 890 + n });
const expired = () => jwt({ sub: '1', sid: 5, iat: NOW / 1000 - 900, exp: NOW / 1000 - 1 });

/** @param {number} status @param {unknown} body */
const reply = (status, body) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

beforeEach(() => localStorage.clear());

describe('renewIn', () => {
  it('renews a quarter of the lifetime before expiry, at most a minute before', () => {
    expect(renewIn(jwt({ iat: 0, exp: 4 }), 0)).toBe(3000);
    expect(renewIn(jwt({ iat: 0, exp: 900 }), 0)).toBe(840_000);
    expect(renewIn(jwt({ iat: 0, exp: 4 }), 10_000)).toBe(0);
    expect(renewIn('not a token', 0)).toBeNull();
  });
});

describe('TokenKeeper', () => {
  it('renews an expired token with the refresh token and stores the new pair', async () => {
    saveToken(expired(), 'alice', 'r1');
    const fresh = live();
    const fetchImpl = vi.fn(async () => reply(200, { access_token: fresh, refresh_token: 'r2', token_type: 'bearer', expires_in: 900 }));
    const keeper = new TokenKeeper({ base: 'http://x', fetchImpl, now: () => NOW });
    expect(await keeper.fresh()).toBe(fresh);
    expect(storedToken()).toBe(fresh);
    expect(loadRefreshToken()).toBe('r2');
    const [url, init] = /** @type {any} */ (fetchImpl.mock.calls[0]);
    expect(url).toBe('http://x/api/auth/refresh');
    expect(JSON.parse(init.body)).toEqual({ refresh_token: 'r1' });
    keeper.stop();
  });

  it('renews once for many callers at the same time', async () => {
    saveToken(expired(), 'alice', 'r1');
    const fetchImpl = vi.fn(async () => reply(200, { access_token: live(), refresh_token: 'r2' }));
    const keeper = new TokenKeeper({ base: '', fetchImpl, now: () => NOW });
    await Promise.all([keeper.fresh(), keeper.fresh(), keeper.fresh()]);
    expect(fetchImpl).toHaveBeenCalledTimes(1);
    keeper.stop();
  });

  it('keeps a token another tab already renewed instead of spending the refresh token', async () => {
    const renewed = live();
    saveToken(renewed, 'alice', 'r2');
    const fetchImpl = vi.fn();
    const keeper = new TokenKeeper({ base: '', fetchImpl, now: () => NOW });
    expect(await keeper.renew(expired())).toBe(renewed);
    expect(fetchImpl).not.toHaveBeenCalled();
  });

  it('ends the sign-in only when the server refuses to renew', async () => {
    saveToken(expired(), 'alice', 'r1');
    const onSessionOver = vi.fn();
    const down = new TokenKeeper({ base: '', fetchImpl: async () => reply(503, { detail: 'Service temporarily unavailable' }), onSessionOver, now: () => NOW });
    await expect(down.fresh()).rejects.not.toBeInstanceOf(SessionOver);
    expect(onSessionOver).not.toHaveBeenCalled();
    const refused = new TokenKeeper({ base: '', fetchImpl: async () => reply(401, { detail: 'Invalid refresh token' }), onSessionOver, now: () => NOW });
    await expect(refused.fresh()).rejects.toBeInstanceOf(SessionOver);
    expect(onSessionOver).toHaveBeenCalledTimes(1);
  });
});

describe('ApiClient with a token keeper', () => {
  it('renews the token after a 401 and retries the request once', async () => {
    const first = live(1);
    const second = live(2);
    saveToken(first, 'alice', 'r1');
    /** @type {string[]} */
    const seen = [];
    const fetchImpl = vi.fn(async (/** @type {string} */ url, /** @type {any} */ init) => {
      if (url.endsWith('/api/auth/refresh')) return reply(200, { access_token: second, refresh_token: 'r2' });
      seen.push(init.headers.Authorization);
      return init.headers.Authorization === `Bearer ${second}` ? reply(200, [{ slug: 'lab' }]) : reply(401, { detail: 'Session has ended' });
    });
    const keeper = new TokenKeeper({ base: '', fetchImpl, now: () => NOW });
    const onUnauthorized = vi.fn();
    const api = new ApiClient({ base: '', tokens: keeper, fetchImpl, onUnauthorized });
    expect(await api.listRooms()).toEqual([{ slug: 'lab' }]);
    expect(seen).toEqual([`Bearer ${first}`, `Bearer ${second}`]);
    expect(onUnauthorized).not.toHaveBeenCalled();
    keeper.stop();
  });

  it('signs out when the renewal after a 401 is refused', async () => {
    saveToken(live(), 'alice', 'r1');
    const fetchImpl = vi.fn(async (/** @type {string} */ url) =>
      url.endsWith('/api/auth/refresh') ? reply(401, { detail: 'Invalid refresh token' }) : reply(401, { detail: 'Session has ended' }),
    );
    const keeper = new TokenKeeper({ base: '', fetchImpl, now: () => NOW });
    const onUnauthorized = vi.fn();
    const api = new ApiClient({ base: '', tokens: keeper, fetchImpl, onUnauthorized });
    await expect(api.listRooms()).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });
});
