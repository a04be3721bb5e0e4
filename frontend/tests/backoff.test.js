import { describe, expect, it } from 'vitest';
import { Backoff, backoffDelay } from '../app/src/backoff.js';

describe('backoffDelay', () => {
  it('grows exponentially up to the cap without jitter', () => {
    const opts = { base: 500, factor: 2, max: 8000, jitter: 0 };
    expect([0, 1, 2, 3, 4, 5, 10].map((n) => backoffDelay(n, opts))).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });
  it('keeps jittered delays within [ceiling*(1-jitter), ceiling]', () => {
    const opts = { base: 1000, max: 16000, jitter: 0.5 };
    expect(backoffDelay(2, opts, () => 0)).toBe(2000);
    expect(backoffDelay(2, opts, () => 0.999999)).toBe(4000);
    for (let i = 0; i < 200; i += 1) {
      const d = backoffDelay(3, opts);
      expect(d).toBeGreaterThanOrEqual(4000);
      expect(d).toBeLessThanOrEqual(8000);
    }
  });
  it('survives silly inputs', () => {
    expect(backoffDelay(-3, { jitter: 0 })).toBe(500);
    expect(backoffDelay(1e9, { jitter: 0, max: 15000 })).toBe(15000);
  });
});

describe('Backoff', () => {
  it('counts attempts and resets', () => {
    const b = new Backoff({ base: 100, jitter: 0 });
    expect([b.next(), b.next(), b.next()]).toEqual([100, 200, 400]);
    b.reset();
    expect(b.next()).toBe(100);
  });
});
