// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { ChannelPanels } from '../app/src/views/channel-panels.js';
import { renderMessageItem } from '../app/src/views/message-item.js';
import { PinsPanel } from '../app/src/views/pins-panel.js';

/** @param {number} id @param {string} content @param {Record<string, unknown>} [extra] */
const message = (id, content, extra = {}) => ({ id, channel_id: 1, author_id: 2, author: { id: 2, login: 'zed' }, content, created_at: '2026-11-24T19:00:00Z', ...extra });
const actions = { reply: vi.fn(), react: vi.fn(), pickReaction: vi.fn(), pin: vi.fn(), unpin: vi.fn(), thread: vi.fn(), edit: vi.fn(), remove: vi.fn(), jumpTo: vi.fn() };

describe('side panels', () => {
  it('shows one panel at a time and closes it when its button is pressed again', () => {
    const make = () => ({ el: document.createElement('section'), load: vi.fn() });
    const panels = new ChannelPanels({ pins: { label: 'Pinned messages', icon: 'pin', make }, search: { label: 'Search', icon: 'search', make } });
    const [pins, search] = panels.buttons;
    pins.click();
    expect(panels.kind).toBe('pins');
    expect(pins.getAttribute('aria-pressed')).toBe('true');
    search.click();
    expect(panels.kind).toBe('search');
    expect(pins.getAttribute('aria-pressed')).toBe('false');
    expect(panels.el.children).toHaveLength(1);
    search.click();
    expect(panels.kind).toBeNull();
    expect(panels.el.hidden).toBe(true);
  });

  it('lists pins with their notes, jumps to them, and lets admins unpin', async () => {
    const api = {
      pins: vi.fn(async () => [{ id: 1, message_id: 5, message: message(5, 'the **plan**'), note: 'read this' }]),
      unpin: vi.fn(async () => null),
    };
    const jumpTo = vi.fn();
    const onUnpinned = vi.fn();
    let admin = false;
    const panel = new PinsPanel({ api, channelId: 1, canManage: () => admin, jumpTo, onUnpinned, onError: vi.fn(), close: vi.fn() });
    await panel.load();
    expect(panel.el.querySelector('.card-body strong')?.textContent).toBe('plan');
    expect(panel.el.querySelector('.pin-note')?.textContent).toBe('Note: read this');
    expect([...panel.el.querySelectorAll('.card-actions button')].map((b) => b.textContent)).toEqual(['Jump']);
    /** @type {HTMLElement} */ (panel.el.querySelector('.card-actions button')).click();
    expect(jumpTo).toHaveBeenCalledWith(5);
    admin = true;
    panel.render();
    /** @type {HTMLElement} */ (panel.el.querySelectorAll('.card-actions button')[1]).click();
    await vi.waitFor(() => expect(onUnpinned).toHaveBeenCalledWith(5));
    expect(api.unpin).toHaveBeenCalledWith(1, 5);
    expect(panel.el.querySelector('.panel-status')?.textContent).toBe('Nothing is pinned in this channel yet.');
  });

  it('marks pinned messages and offers pin or unpin to admins only', () => {
    const pinned = message(5, 'x', { pinned_at: '2026-11-24T19:01:00Z' });
    const asAdmin = renderMessageItem(pinned, { meId: 1, isAdmin: true, grouped: false, actions });
    expect(asAdmin.querySelector('.pinned-mark')?.textContent).toContain('Pinned');
    expect(asAdmin.querySelector('[title="Unpin"]')).not.toBeNull();
    expect(renderMessageItem(message(6, 'y'), { meId: 1, isAdmin: true, grouped: false, actions }).querySelector('[title="Pin"]')).not.toBeNull();
    expect(renderMessageItem(pinned, { meId: 1, isAdmin: false, grouped: false, actions }).querySelector('[title="Pin"], [title="Unpin"]')).toBeNull();
  });
});

describe('threads', () => {
  it('shows the thread, takes in live replies and replies in the thread', async () => {
    const { ThreadPanel } = await import('../app/src/views/thread-panel.js');
    const root = message(5, 'root', { thread_root_id: 5 });
    /** @type {any[]} */
    let live = [root];
    const send = vi.fn(() => null);
    const panel = new ThreadPanel({
      api: { thread: vi.fn(async () => [root, message(7, 'first reply', { parent_id: 5, thread_root_id: 5 })]) },
      channelId: 1,
      rootId: 5,
      live: () => live,
      send,
      jumpTo: vi.fn(),
      onError: vi.fn(),
      close: vi.fn(),
    });
    await panel.load();
    expect([...panel.el.querySelectorAll('.card-body')].map((b) => b.textContent)).toEqual(['root', 'first reply']);
    expect(panel.status.textContent).toBe('1 reply');
    live = [root, message(8, 'live reply', { parent_id: 7, thread_root_id: 5 }), message(9, 'elsewhere', { thread_root_id: 9 })];
    panel.refresh();
    expect([...panel.el.querySelectorAll('.card-body')].map((b) => b.textContent)).toEqual(['root', 'first reply', 'live reply']);
    panel.input.value = 'my answer';
    panel.reply();
    expect(send).toHaveBeenCalledWith('my answer', 5);
    expect(panel.input.value).toBe('');
  });

  it('shows how many replies a message has and opens its thread', () => {
    const thread = vi.fn();
    const el = renderMessageItem(message(5, 'root'), { meId: 1, isAdmin: false, grouped: false, replies: 3, actions: { ...actions, thread } });
    const link = /** @type {HTMLElement} */ (el.querySelector('.thread-link'));
    expect(link.textContent).toBe('3 replies in thread');
    link.click();
    expect(thread).toHaveBeenCalled();
  });
});

describe('search', () => {
  it('searches by words and author, shows results newest first and jumps to one', async () => {
    const { SearchPanel } = await import('../app/src/views/search-panel.js');
    const api = { search: vi.fn(async () => [message(9, 'lunch at noon'), message(3, 'lunch?')]) };
    const jumpTo = vi.fn();
    const panel = new SearchPanel({
      api,
      channelId: 1,
      limit: 50,
      people: () => [{ user_id: 2, login: 'zed', display_name: null }, { user_id: 3, login: 'ann', display_name: 'Ann' }],
      jumpTo,
      close: vi.fn(),
    });
    expect([...panel.author.options].map((o) => o.textContent)).toEqual(['From anyone', 'From Ann', 'From zed']);
    await panel.run();
    expect(panel.status.textContent).toBe('Type some words or pick a person first.');
    expect(api.search).not.toHaveBeenCalled();
    panel.query.value = ' lunch ';
    panel.author.value = '2';
    await panel.run();
    expect(api.search).toHaveBeenCalledWith(1, { query: 'lunch', author_id: 2, limit: 50 });
    expect(panel.status.textContent).toBe('2 messages, newest first');
    /** @type {HTMLElement} */ (panel.list.querySelector('.link-btn')).click();
    expect(jumpTo).toHaveBeenCalledWith(9);
  });

  it('says when nothing matches and shows errors in words', async () => {
    const { SearchPanel } = await import('../app/src/views/search-panel.js');
    const api = { search: vi.fn(async () => []) };
    const panel = new SearchPanel({ api, channelId: 1, limit: 50, people: () => [], jumpTo: vi.fn(), close: vi.fn() });
    panel.query.value = 'nothing';
    await panel.run();
    expect(panel.status.textContent).toBe('No messages match.');
    api.search.mockRejectedValueOnce(new Error('Cannot reach the server.'));
    await panel.run();
    expect(panel.status.textContent).toBe('Cannot reach the server.');
  });
});
