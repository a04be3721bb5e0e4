// @vitest-environment happy-dom
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { arrowNavigation, itemAfterKey } from '../app/src/keyboard.js';
import { loadSettings, saveSettings } from '../app/src/preferences.js';
import { applySavedTheme, applyTheme } from '../app/src/theme.js';
import { renderMessageItem, rovingMessageFocus } from '../app/src/views/message-item.js';

beforeEach(() => {
  localStorage.clear();
  delete document.documentElement.dataset.theme;
});

describe('settings and theme', () => {
  it('defaults to the system theme with notifications on', () => {
    expect(loadSettings()).toEqual({ theme: 'system', notifications: true });
  });

  it('remembers changes and ignores values it does not know', () => {
    saveSettings({ theme: 'light' });
    saveSettings({ notifications: false });
    expect(loadSettings()).toEqual({ theme: 'light', notifications: false });
    localStorage.setItem('charge.settings', JSON.stringify({ theme: 'purple' }));
    expect(loadSettings().theme).toBe('system');
    localStorage.setItem('charge.settings', '{not json');
    expect(loadSettings()).toEqual({ theme: 'system', notifications: true });
  });

  it('marks <html> with a chosen theme and clears it for the system one', () => {
    applyTheme('dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
    applyTheme('system');
    expect(document.documentElement.dataset.theme).toBeUndefined();
    saveSettings({ theme: 'light' });
    applySavedTheme();
    expect(document.documentElement.dataset.theme).toBe('light');
  });
});

describe('keyboard movement', () => {
  it('picks the next item for arrows, Home and End', () => {
    const items = ['a', 'b', 'c'];
    expect(itemAfterKey(items, 1, 'ArrowUp')).toBe('a');
    expect(itemAfterKey(items, 0, 'ArrowUp')).toBe('a');
    expect(itemAfterKey(items, 2, 'ArrowDown')).toBe('c');
    expect(itemAfterKey(items, -1, 'ArrowUp')).toBe('c');
    expect(itemAfterKey(items, -1, 'ArrowDown')).toBe('a');
    expect(itemAfterKey(items, 1, 'Home')).toBe('a');
    expect(itemAfterKey(items, 1, 'End')).toBe('c');
    expect(itemAfterKey(items, 1, 'x')).toBeNull();
    expect(itemAfterKey([], -1, 'ArrowUp')).toBeNull();
  });

  it('moves focus inside a list and hands Escape back', () => {
    const list = document.createElement('ul');
    list.tabIndex = 0;
    for (const text of ['one', 'two', 'three']) {
      const li = document.createElement('li');
      li.tabIndex = -1;
      li.textContent = text;
      list.append(li);
    }
    document.body.append(list);
    const onEscape = vi.fn();
    arrowNavigation(list, 'li', { onEscape });
    const press = (/** @type {string} */ key) => document.activeElement?.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
    list.focus();
    press('ArrowUp');
    expect(document.activeElement?.textContent).toBe('three');
    press('ArrowUp');
    expect(document.activeElement?.textContent).toBe('two');
    press('Home');
    expect(document.activeElement?.textContent).toBe('one');
    press('Escape');
    expect(onEscape).toHaveBeenCalledOnce();
    list.remove();
  });

  it('keeps a message’s buttons out of the tab order until the message has focus', () => {
    const actions = { reply: vi.fn(), react: vi.fn(), pickReaction: vi.fn(), pin: vi.fn(), unpin: vi.fn(), thread: vi.fn(), edit: vi.fn(), remove: vi.fn(), jumpTo: vi.fn() };
    const list = document.createElement('ol');
    const item = renderMessageItem(
      { id: 1, channel_id: 1, author_id: 2, author: { id: 2, login: 'bob', display_name: 'Bob' }, content: 'see https://example.com', created_at: '2026-01-01T10:00:00Z' },
      { meId: 2, isAdmin: false, grouped: false, actions },
    );
    list.append(item);
    document.body.append(list);
    rovingMessageFocus(list);
    const controls = () => [...item.querySelectorAll('button, a[href]')].map((el) => /** @type {HTMLElement} */ (el).tabIndex);
    expect(item.tabIndex).toBe(-1);
    expect(controls().length).toBeGreaterThan(2);
    expect(controls().every((t) => t === -1)).toBe(true);
    item.focus();
    expect(controls().every((t) => t === 0)).toBe(true);
    item.blur();
    item.dispatchEvent(new FocusEvent('focusout', { bubbles: true, relatedTarget: null }));
    expect(controls().every((t) => t === -1)).toBe(true);
    list.remove();
  });
});
