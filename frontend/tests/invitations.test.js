import { describe, expect, it } from 'vitest';
import { expiryFor, expiryText, inviteLink } from '../app/src/invite-dialogs.js';
import { invitationCode } from '../app/src/room-dialogs.js';
import { parseHash } from '../app/src/workspace-chrome.js';

describe('invitation links', () => {
  it('point at the sign-in page next to the workspace', () => {
    expect(inviteLink('aB3_-x', 'https://chat.example.org/app/workspace.html#/r/lab/2')).toBe('https://chat.example.org/app/invite/aB3_-x');
  });

  it('give back their code from a link, a workspace address or a plain code', () => {
    expect(invitationCode('  aB3_-x ')).toBe('aB3_-x');
    expect(invitationCode('https://chat.example.org/index.html?invite=aB3_-x')).toBe('aB3_-x');
    expect(invitationCode('https://chat.example.org/workspace.html#/invite/aB3_-x')).toBe('aB3_-x');
    expect(invitationCode('https://chat.example.org/invite/aB3_-x')).toBe('aB3_-x');
  });

  it('are read from the workspace address', () => {
    expect(parseHash('#/invite/aB3_-x')).toEqual({ slug: null, channelId: null, messageId: null, invite: 'aB3_-x' });
    expect(parseHash('#/r/lab/7')).toEqual({ slug: 'lab', channelId: 7, messageId: null, invite: null });
    expect(parseHash('#/r/lab/7/m/42')).toEqual({ slug: 'lab', channelId: 7, messageId: 42, invite: null });
    expect(parseHash('#/r/%E0%A4%A')).toEqual({ slug: null, channelId: null, messageId: null, invite: null });
  });
});

describe('invitation expiry', () => {
  const now = Date.UTC(2026, 10, 24, 12, 0, 0);

  it('turns a choice into a timestamp, or none for never', () => {
    expect(expiryFor('24', now)).toBe('2026-11-25T12:00:00.000Z');
    expect(expiryFor('0', now)).toBeNull();
  });

  it('says whether an invitation still works', () => {
    expect(expiryText({ id: 1, code: 'a', role: 'member', expires_at: null }, now)).toBe('never expires');
    expect(expiryText({ id: 1, code: 'a', role: 'member', expires_at: '2026-11-24T11:00:00Z' }, now)).toBe('expired');
    expect(expiryText({ id: 1, code: 'a', role: 'member', expires_at: '2026-11-24T13:00:00Z' }, now)).toMatch(/^expires /);
  });
});
