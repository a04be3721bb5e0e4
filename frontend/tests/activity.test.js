// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChannelWatcher, mentionsUser } from '../app/src/activity.js';
import { loadSeen } from '../app/src/preferences.js';
import { initialState, reduce } from '../app/src/state/workspace.js';
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

describe('the channel watcher', () => {
  /** @param {Record<number, { id: number, author_id: number, content: string }[]>} channels */
  const fakeApi = (channels) => ({
    history: vi.fn(async (/** @type {number} */ id, /** @type {any} */ q) => {
      const all = channels[id] ?? [];
      if (q.after != null) return { items: all.filter((m) => m.id > q.after).slice(0, q.limit) };
      return { items: all.slice(-q.limit) };
    }),
  });

  it('takes what is there as read, then reports newer messages of channels not on screen', async () => {
    const channels = { 1: [{ id: 1, author_id: 2, content: 'old' }], 2: [], 3: [{ id: 3, author_id: 2, content: 'x' }] };
    const api = fakeApi(channels);
    const onNew = vi.fn();
    const watcher = new ChannelWatcher({ api: /** @type {any} */ (api), userId: 5, onNew });
    watcher.setChannels([1, 2, 3], 3);
    await watcher.tick();
    expect(onNew).not.toHaveBeenCalled();
    expect(api.history).toHaveBeenCalledTimes(2);
    expect(loadSeen(5)).toEqual({ 1: 1, 2: 0 });

    channels[1].push({ id: 10, author_id: 2, content: 'new @bob' });
    channels[2].push({ id: 11, author_id: 2, content: 'first' });
    await watcher.tick();
    expect(onNew).toHaveBeenCalledWith(1, [expect.objectContaining({ id: 10 })]);
    expect(onNew).toHaveBeenCalledWith(2, [expect.objectContaining({ id: 11 })]);
    expect(loadSeen(5)).toEqual({ 1: 10, 2: 11 });

    onNew.mockClear();
    await watcher.tick();
    expect(onNew).not.toHaveBeenCalled();
    watcher.markSeen(3, 30);
    expect(loadSeen(5)[3]).toBe(30);
    watcher.stop();
  });

  it('starts over for a channel whose last message is gone', async () => {
    const api = { history: vi.fn(async () => Promise.reject(new Error('Message not found'))) };
    localStorage.setItem('charge.seen.5', JSON.stringify({ 1: 4 }));
    const watcher = new ChannelWatcher({ api: /** @type {any} */ (api), userId: 5, onNew: vi.fn() });
    watcher.setChannels([1], null);
    await watcher.tick();
    expect(watcher.seen).toEqual({});
    watcher.stop();
  });
});
