import { describe, expect, it, vi } from 'vitest';
import { fallbackBase, isChargeHealth, normalizeBase, probeOrigin, resolveApiBase, wsBase } from '../app/src/config.js';

const loc = { protocol: 'http:', hostname: 'chat.local' };

describe('normalizeBase', () => {
  it('trims, adds a scheme and drops trailing slashes', () => {
    expect(normalizeBase('  http://10.0.0.5:8000/  ')).toBe('http://10.0.0.5:8000');
    expect(normalizeBase('192.168.0.42:8000')).toBe('http://192.168.0.42:8000');
    expect(normalizeBase('https://api.example.org/charge/')).toBe('https://api.example.org/charge');
  });
  it('rejects what is not an http(s) URL', () => {
    expect(normalizeBase('')).toBeNull();
    expect(normalizeBase('   ')).toBeNull();
    expect(normalizeBase('ftp://x')).toBeNull();
    expect(normalizeBase('http://')).toBeNull();
    expect(normalizeBase(null)).toBeNull();
  });
});

describe('resolveApiBase', () => {
  it('prefers a saved base', () => {
    expect(resolveApiBase({ saved: 'http://saved:1', buildTime: 'http://built:2', origin: 'http://o', originIsCharge: true, location: loc })).toEqual({
      base: 'http://saved:1',
      source: 'saved',
    });
  });
  it('then the build-time base', () => {
    expect(resolveApiBase({ saved: null, buildTime: 'https://api.charvi.example/', origin: 'http://o', originIsCharge: true, location: loc })).toEqual({
      base: 'https://api.charvi.example',
      source: 'build',
    });
  });
  it('then the page origin when it is a Charge server', () => {
    expect(resolveApiBase({ origin: 'http://127.0.0.1:41234', originIsCharge: true, location: loc })).toEqual({
      base: 'http://127.0.0.1:41234',
      source: 'origin',
    });
  });
  it('falls back to the current host on port 8000', () => {
    expect(resolveApiBase({ origin: 'http://chat.local:5173', originIsCharge: false, location: loc })).toEqual({
      base: 'http://chat.local:8000',
      source: 'fallback',
    });
    expect(resolveApiBase({ saved: 'not a url at all ::', location: loc }).source).toBe('fallback');
  });
  it('keeps https and brackets IPv6 hosts in the fallback', () => {
    expect(fallbackBase({ protocol: 'https:', hostname: 'x.org' })).toBe('https://x.org:8000');
    expect(fallbackBase({ protocol: 'file:', hostname: '' })).toBe('http://localhost:8000');
    expect(fallbackBase({ protocol: 'http:', hostname: '::1' })).toBe('http://[::1]:8000');
  });
});

describe('probeOrigin', () => {
  it('accepts a Charge health answer', async () => {
    const fetchImpl = vi.fn(async () => new Response(JSON.stringify({ status: 'ok', environment: 'development' }), { status: 200 }));
    await expect(probeOrigin('http://127.0.0.1:9', /** @type {any} */ (fetchImpl))).resolves.toBe(true);
    expect(fetchImpl).toHaveBeenCalledWith('http://127.0.0.1:9/health', expect.any(Object));
  });
  it('rejects other answers and failures', async () => {
    const html = vi.fn(async () => new Response('<html></html>', { status: 200 }));
    await expect(probeOrigin('http://x', /** @type {any} */ (html))).resolves.toBe(false);
    const notFound = vi.fn(async () => new Response('{"detail":"Not Found"}', { status: 404 }));
    await expect(probeOrigin('http://x', /** @type {any} */ (notFound))).resolves.toBe(false);
    const down = vi.fn(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(probeOrigin('http://x', /** @type {any} */ (down))).resolves.toBe(false);
  });
  it('recognises the health body', () => {
    expect(isChargeHealth({ status: 'ok' })).toBe(true);
    expect(isChargeHealth({ status: 'down' })).toBe(false);
    expect(isChargeHealth(null)).toBe(false);
  });
});

describe('wsBase', () => {
  it('maps http to ws and https to wss', () => {
    expect(wsBase('http://a:1')).toBe('ws://a:1');
    expect(wsBase('https://a/b')).toBe('wss://a/b');
  });
});
