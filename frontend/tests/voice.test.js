import { describe, expect, it } from 'vitest';
import { iceServersFromConfig, shouldOffer } from '../app/src/voice-config.js';
import { connectionText, typingText } from '../app/src/views/text-format.js';
import { decodeToken, tokenExpired, tokenUserId } from '../app/src/session.js';
import { linkify, initials } from '../app/src/dom.js';

describe('shouldOffer', () => {
  it('lets exactly one side of each pair offer', () => {
    for (const [a, b] of [
      [1, 2],
      [7, 3],
      [10, 100],
    ]) {
      expect(shouldOffer(a, b)).not.toBe(shouldOffer(b, a));
    }
    expect(shouldOffer(1, 2)).toBe(true);
  });
});

describe('iceServersFromConfig', () => {
  it('keeps credentials and drops duplicates', () => {
    const cfg = {
      iceServers: [
        { urls: ['turn:127.0.0.1:3478?transport=udp'], username: 'u', credential: 'p' },
        { urls: ['turn:127.0.0.1:3478?transport=udp'], username: 'u', credential: 'p' },
        { urls: ['stun:127.0.0.1:3478'], username: null, credential: null },
      ],
      stun: [],
    };
    expect(iceServersFromConfig(cfg)).toEqual([
      { urls: ['turn:127.0.0.1:3478?transport=udp'], username: 'u', credential: 'p' },
      { urls: ['stun:127.0.0.1:3478'] },
    ]);
  });
  it('falls back to the STUN list', () => {
    expect(iceServersFromConfig({ iceServers: [], stun: ['stun:a:1'] })).toEqual([{ urls: ['stun:a:1'] }]);
    expect(iceServersFromConfig(null)).toEqual([]);
  });
});

describe('words', () => {
  it('typing line', () => {
    expect(typingText([])).toBe('');
    expect(typingText([{ display_name: 'Ann' }])).toBe('Ann is typing…');
    expect(typingText([{ display_name: 'Ann' }, { display_name: 'Bo' }])).toBe('Ann and Bo are typing…');
    expect(typingText(Array(5).fill({ display_name: 'x' }))).toBe('Several people are typing…');
  });
  it('connection line', () => {
    expect(connectionText({ status: 'open', syncing: false, statusInfo: { retryIn: null } })).toBe('Connected');
    expect(connectionText({ status: 'open', syncing: true, statusInfo: { retryIn: null } })).toBe('Catching up…');
    expect(connectionText({ status: 'reconnecting', syncing: false, statusInfo: { retryIn: 4200 } })).toBe('Connection lost. Retrying in 4s…');
  });
});

describe('session tokens', () => {
  const b64 = (/** @type {any} */ o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const token = (/** @type {any} */ payload) => `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}.sig`;
  it('reads sub and exp', () => {
    const t = token({ sub: '42', exp: 2000000000 });
    expect(decodeToken(t)?.sub).toBe('42');
    expect(tokenUserId(t)).toBe(42);
    expect(tokenExpired(t, 1000)).toBe(false);
    expect(tokenExpired(t, 2000000000 * 1000)).toBe(true);
    expect(tokenExpired('garbage')).toBe(true);
    expect(tokenUserId(token({ sub: 'x' }))).toBeNull();
  });
});

describe('safe text helpers', () => {
  it('splits links out of text without touching the rest', () => {
    expect(linkify('see https://example.org/a?b=1. <img src=x onerror=alert(1)>')).toEqual([
      { text: 'see ' },
      { text: 'https://example.org/a?b=1', href: 'https://example.org/a?b=1' },
      { text: '. <img src=x onerror=alert(1)>' },
    ]);
    expect(linkify('javascript:alert(1)')).toEqual([{ text: 'javascript:alert(1)' }]);
  });
  it('makes initials from any script', () => {
    expect(initials('Ann Berg')).toBe('AB');
    expect(initials('ёжик')).toBe('ЁЖ');
    expect(initials('😀 party')).toBe('😀P');
    expect(initials('  ')).toBe('?');
  });
});
