import { describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError, formatApiError, parseRetryAfter } from '../app/src/api.js';

describe('formatApiError', () => {
  it('shows a plain detail string', () => {
    expect(formatApiError(400, { detail: 'Login is already taken' })).toBe('Login is already taken');
    expect(formatApiError(401, { detail: 'Incorrect login or password' })).toBe('Incorrect login or password');
  });
  it('turns a validation list into sentences', () => {
    const body = {
      detail: [
        { type: 'string_too_short', loc: ['body', 'password'], msg: 'String should have at least 8 characters', input: 'x', ctx: { min_length: 8 } },
        { type: 'missing', loc: ['body', 'login'], msg: 'Field required' },
      ],
    };
    expect(formatApiError(422, body)).toBe('Password must be at least 8 characters long. Username is required.');
  });
  it('handles odd validation entries', () => {
    expect(formatApiError(422, { detail: [{ type: 'json_invalid', loc: ['body', 12], msg: 'JSON decode error' }] })).toBe(
      'The request was not valid JSON.',
    );
    expect(formatApiError(422, { detail: [{ loc: ['body'], msg: 'Value error, At least one of delivered or read must be provided' }] })).toBe(
      'At least one of delivered or read must be provided.',
    );
    expect(formatApiError(422, { detail: [{ loc: ['query', 'before_id'], msg: 'Input should be a valid integer' }] })).toBe(
      'Before id input should be a valid integer.',
    );
  });
  it('mentions Retry-After for 429', () => {
    expect(formatApiError(429, { detail: 'Too many login attempts' }, { retryAfter: 30 })).toBe('Too many login attempts. Try again in 30 seconds.');
    expect(formatApiError(429, null, { retryAfter: 1 })).toBe('Too many attempts. Try again in 1 second.');
    expect(formatApiError(429, null, {})).toBe('Too many attempts. Try again in a moment.');
  });
  it('has words for bodies without detail', () => {
    expect(formatApiError(500, 'Internal Server Error')).toBe('The server had a problem (500). Try again later.');
    expect(formatApiError(503, null)).toBe('The service is temporarily unavailable. Try again shortly.');
    expect(formatApiError(401, null)).toBe('Your session has ended. Please sign in again.');
    expect(formatApiError(418, null)).toBe('Request failed (418).');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and dates', () => {
    expect(parseRetryAfter('12')).toBe(12);
    expect(parseRetryAfter('1.2')).toBe(2);
    const now = Date.parse('2026-11-27T00:00:00Z');
    expect(parseRetryAfter('Fri, 27 Nov 2026 00:00:10 GMT', now)).toBe(10);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
  });
});

describe('ApiClient', () => {
  it('sends the bearer token and JSON', async () => {
    const fetchImpl = vi.fn(async () => new Response(JSON.stringify({ id: 1, title: 'A', slug: 'a' }), { status: 201 }));
    const api = new ApiClient({ base: 'http://h:1', token: 'T', fetchImpl: /** @type {any} */ (fetchImpl) });
    await expect(api.createRoom('A')).resolves.toEqual({ id: 1, title: 'A', slug: 'a' });
    const [url, init] = /** @type {any} */ (fetchImpl.mock.calls[0]);
    expect(url).toBe('http://h:1/api/rooms');
    expect(init.method).toBe('POST');
    expect(init.headers.Authorization).toBe('Bearer T');
    expect(JSON.parse(init.body)).toEqual({ title: 'A' });
  });
  it('does not send the token to login', async () => {
    const fetchImpl = vi.fn(async () => new Response('{"access_token":"x","token_type":"bearer"}', { status: 200 }));
    const api = new ApiClient({ base: 'http://h', token: 'OLD', fetchImpl: /** @type {any} */ (fetchImpl) });
    await api.login({ login: 'abc', password: 'password1' });
    expect(/** @type {any} */ (fetchImpl.mock.calls[0])[1].headers.Authorization).toBeUndefined();
  });
  it('throws ApiError with plain words, Retry-After, and reports 401', async () => {
    const onUnauthorized = vi.fn();
    const responses = [
      new Response('{"detail":"Too many requests"}', { status: 429, headers: { 'Retry-After': '7' } }),
      new Response('{"detail":"Could not validate credentials"}', { status: 401 }),
    ];
    const fetchImpl = vi.fn(async () => /** @type {Response} */ (responses.shift()));
    const api = new ApiClient({ base: 'http://h', token: 'T', fetchImpl: /** @type {any} */ (fetchImpl), onUnauthorized });
    const e1 = await api.listRooms().catch((e) => e);
    expect(e1).toBeInstanceOf(ApiError);
    expect(e1.status).toBe(429);
    expect(e1.retryAfter).toBe(7);
    expect(e1.message).toBe('Too many requests. Try again in 7 seconds.');
    const e2 = await api.listRooms().catch((e) => e);
    expect(e2.status).toBe(401);
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });
  it('explains network failures', async () => {
    const api = new ApiClient({
      base: 'http://nowhere:8000',
      fetchImpl: /** @type {any} */ (async () => {
        throw new TypeError('Failed to fetch');
      }),
    });
    const err = await api.listRooms().catch((e) => e);
    expect(err.network).toBe(true);
    expect(err.message).toContain('Cannot reach the server at http://nowhere:8000');
  });
  it('builds history queries and multipart messages', async () => {
    const fetchImpl = vi.fn(async () => new Response('{"items":[]}', { status: 200 }));
    const api = new ApiClient({ base: 'http://h', token: 'T', fetchImpl: /** @type {any} */ (fetchImpl) });
    await api.history(5, { after: 10, limit: 100 });
    expect(/** @type {any} */ (fetchImpl.mock.calls[0])[0]).toBe('http://h/api/channels/5/history?after=10&limit=100');
    await api.postMessage(5, 'hi', 3);
    const init = /** @type {any} */ (fetchImpl.mock.calls[1])[1];
    expect(init.body).toBeInstanceOf(FormData);
    expect(init.body.get('channel_id')).toBe('5');
    expect(init.body.get('parent_id')).toBe('3');
    expect(init.headers['Content-Type']).toBeUndefined();
  });
});
