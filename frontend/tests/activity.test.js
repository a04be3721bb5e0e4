// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mentionsUser } from '../app/src/activity.js';
import { mentionsMe } from '../app/src/messages.js';
import { initialState, reduce, roomUnread } from '../app/src/state/workspace.js';
import { unreadMark } from '../app/src/views/channel-list.js';

beforeEach(() => localStorage.clear());
afterEach(() => vi.useRealTimers());

describe('mentions of the user', () => {
  it('finds @login, @everyone and @here as whole words', () => {
    expect(mentionsUser('hi @bob', 'bob')).toBe(true);
    expect(mentionsUser('@BOB, look', 'bob')).toBe(true);
    expect(mentionsUser('hey @everyone!', 'bob')).toBe(true);
    expect(mentionsUser('(@here)', 'bob')).toBe(true);
    expect(mentionsUser('hi @bobby', 'bob')).toBe(false);
    expect(mentionsUser('mail bob@example.com', 'bob')).toBe(false);
    expect(mentionsUser('hi bob', 'bob')).toBe(false);
    expect(mentionsUser('@a.b', 'a.b')).toBe(true);
    expect(mentionsUser('@axb', 'a.b')).toBe(false);
    expect(mentionsUser(null, 'bob')).toBe(false);
  });
});

describe('unread channels in the state', () => {
  const room = { id: 1, slug: 'lab', title: 'Lab', channels: [{ id: 1, name: 'general', type: 'text' }, { id: 2, name: 'random', type: 'text' }], categories: [], members: [], invitations: [], role_hierarchy: [] };
  const opened = () => reduce(reduce(initialState(5), { type: 'room-opened', room }), { type: 'channel-selected', channelId: 1 });

  it('marks other channels, keeps a mention, and clears on opening', () => {
    let s = opened();
    s = reduce(s, { type: 'unread', channelId: 1, mention: false });
    expect(s.unread).toEqual({});
    s = reduce(s, { type: 'unread', channelId: 2, mention: true });
    s = reduce(s, { type: 'unread', channelId: 2, mention: false });
    expect(s.unread).toEqual({ 2: 'mention' });
    s = reduce(s, { type: 'unread', channelId: 99, mention: false });
    expect(s.unread).toEqual({ 2: 'mention' });
    s = reduce(s, { type: 'channel-selected', channelId: 2 });
    expect(s.unread).toEqual({});
  });

  it('shows a dot with words for screen readers', () => {
    expect(unreadMark(undefined)).toBeNull();
    const dot = /** @type {HTMLElement} */ (unreadMark('mention'));
    expect(dot.className).toBe('unread-dot mention');
    expect(dot.textContent).toBe(', mentions you');
  });
});

describe('read state from the server', () => {
  const room = { id: 7, slug: 'lab', title: 'Lab', channels: [{ id: 1, name: 'general', type: 'text' }, { id: 2, name: 'random', type: 'text' }], categories: [], members: [], invitations: [], role_hierarchy: [] };
  /** @param {number} channel @param {number} unread @param {number} mentions @param {number} [roomId] */
  const rs = (channel, unread, mentions, roomId = 7) => ({ channel_id: channel, room_id: roomId, last_read_message_id: 0, unread_count: unread, mention_count: mentions });

  it('turns room detail counts into dots, leaving out the channel being read', () => {
    let s = reduce(initialState(5), { type: 'room-opened', room: { ...room, read_states: [rs(1, 3, 0), rs(2, 2, 1)] } });
    expect(s.unread).toEqual({ 1: 'message', 2: 'mention' });
    s = reduce(s, { type: 'channel-selected', channelId: 1 });
    expect(s.unread).toEqual({ 2: 'mention' });
    s = reduce(s, { type: 'read-states', states: [rs(1, 9, 9)] });
    expect(s.unread).toEqual({ 2: 'mention' });
    expect(roomUnread(s, 7)).toEqual({ unread: 2, mentions: 1 });
  });

  it('clears a dot when another tab reads the channel, whatever room the frame came on', () => {
    let s = reduce(initialState(5), { type: 'room-opened', room: { ...room, read_states: [rs(2, 2, 1)] } });
    s = reduce(s, { type: 'read-states', states: [rs(40, 5, 0, 8)] });
    expect(roomUnread(s, 8)).toEqual({ unread: 5, mentions: 0 });
    s = reduce(s, { type: 'room-frame', slug: 'elsewhere', frame: { type: 'read_state', room: 'lab', state: rs(2, 0, 0) } });
    expect(s.unread).toEqual({});
    expect(roomUnread(s, 7)).toEqual({ unread: 0, mentions: 0 });
  });

  it('knows a message mentioning the user by id or everyone', () => {
    expect(mentionsMe(/** @type {any} */ ({ id: 1, content: '', created_at: '', mentions: [5] }), 5)).toBe(true);
    expect(mentionsMe(/** @type {any} */ ({ id: 1, content: '', created_at: '', mention_everyone: true }), 5)).toBe(true);
    expect(mentionsMe(/** @type {any} */ ({ id: 1, content: '@bob', created_at: '', mentions: [6] }), 5)).toBe(false);
  });
});
