// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderMessageItem } from '../app/src/views/message-item.js';
import { closeMessageMenu, menuEntries, openMessageMenu } from '../app/src/views/message-menu.js';

const message = (over = {}) => ({ id: 7, channel_id: 1, author_id: 2, author: { id: 2, login: 'bob', display_name: 'Bob' }, content: 'hello', created_at: '2026-01-01T10:00:00Z', ...over });
const actions = () => ({
  reply: vi.fn(),
  react: vi.fn(),
  pickReaction: vi.fn(),
  pin: vi.fn(),
  unpin: vi.fn(),
  thread: vi.fn(),
  edit: vi.fn(),
  remove: vi.fn(),
  jumpTo: vi.fn(),
  copyText: vi.fn(),
  copyLink: vi.fn(),
  openMenu: vi.fn(),
});

afterEach(() => closeMessageMenu());

describe('the message menu', () => {
  it('offers edit and delete on your own messages, pin to admins', () => {
    const ids = (/** @type {any} */ m, /** @type {number} */ meId, /** @type {boolean} */ isAdmin) => menuEntries(m, { meId, isAdmin }).map((e) => e.id);
    expect(ids(message(), 2, false)).toEqual(['reply', 'react', 'thread', 'edit', 'copy-text', 'copy-link', 'delete']);
    expect(ids(message(), 3, false)).toEqual(['reply', 'react', 'thread', 'copy-text', 'copy-link']);
    expect(ids(message(), 3, true)).toEqual(['reply', 'react', 'thread', 'pin', 'copy-text', 'copy-link', 'delete']);
    expect(ids(message({ pinned_at: '2026-01-01T11:00:00Z' }), 3, true)).toContain('unpin');
    expect(ids(message({ deleted_at: '2026-01-01T11:00:00Z', content: null }), 2, true)).toEqual(['copy-link']);
  });

  it('opens with the first item focused, moves with arrows and runs an action', () => {
    const a = actions();
    const opener = document.createElement('button');
    document.body.append(opener);
    const menu = openMessageMenu(message(), { meId: 2, isAdmin: false, actions: a }, { x: 10, y: 10 }, opener);
    expect(menu.getAttribute('role')).toBe('menu');
    expect(document.activeElement?.textContent).toBe('Reply');
    const press = (/** @type {string} */ key) => document.activeElement?.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
    press('ArrowUp');
    expect(document.activeElement?.textContent).toBe('Delete');
    press('Home');
    press('ArrowDown');
    expect(document.activeElement?.textContent).toBe('Add reaction');
    /** @type {HTMLElement} */ (menu.querySelector('[data-action="copy-text"]')).click();
    expect(a.copyText).toHaveBeenCalledOnce();
    expect(document.querySelector('.context-menu')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it('closes on Escape and gives focus back', () => {
    const opener = document.createElement('button');
    document.body.append(opener);
    openMessageMenu(message(), { meId: 2, isAdmin: false, actions: actions() }, opener, opener);
    document.activeElement?.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(document.querySelector('.context-menu')).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it('is reached by right-click, the … button and the keyboard', () => {
    const a = actions();
    const item = renderMessageItem(message(), { meId: 2, isAdmin: false, grouped: false, actions: a });
    item.dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, cancelable: true, clientX: 5, clientY: 6 }));
    expect(a.openMenu).toHaveBeenLastCalledWith(expect.objectContaining({ id: 7 }), { x: 5, y: 6 }, item);
    /** @type {HTMLElement} */ (item.querySelector('button[aria-label="More actions"]')).click();
    expect(a.openMenu).toHaveBeenCalledTimes(2);
    item.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    item.dispatchEvent(new KeyboardEvent('keydown', { key: 'F10', shiftKey: true, bubbles: true }));
    expect(a.openMenu).toHaveBeenCalledTimes(4);
  });
});
