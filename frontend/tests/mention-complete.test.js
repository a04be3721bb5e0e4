// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { Composer } from '../app/src/views/composer.js';
import { mentionMatches, mentionQuery } from '../app/src/views/mention-complete.js';

const people = [
  { user_id: 1, login: 'alice', display_name: 'Alice Liddell' },
  { user_id: 2, login: 'bob', display_name: 'Bob' },
  { user_id: 3, login: 'carol99', display_name: 'Carol Ann' },
  { user_id: 4, login: 'hatter', display_name: null },
];

describe('@ mentions', () => {
  it('finds the @word at the caret', () => {
    expect(mentionQuery('hi @al', 6)).toEqual({ start: 3, query: 'al' });
    expect(mentionQuery('@', 1)).toEqual({ start: 0, query: '' });
    expect(mentionQuery('(@bo', 4)).toEqual({ start: 1, query: 'bo' });
    expect(mentionQuery('mail me@example', 15)).toBeNull();
    expect(mentionQuery('hi @al there', 12)).toBeNull();
    expect(mentionQuery('hi @al there', 6)).toEqual({ start: 3, query: 'al' });
  });

  it('matches logins and display names, logins first, with @everyone and @here', () => {
    expect(mentionMatches(people, 'a').map((s) => s.login)).toEqual(['alice', 'carol99']);
    expect(mentionMatches(people, 'ann').map((s) => s.login)).toEqual(['carol99']);
    expect(mentionMatches(people, 'HAT').map((s) => s.label)).toEqual(['hatter']);
    expect(mentionMatches(people, 'e').map((s) => s.login)).toEqual(['everyone']);
    expect(mentionMatches(people, 'he').map((s) => s.login)).toEqual(['here']);
    expect(mentionMatches(people, '').length).toBe(6);
    expect(mentionMatches(people, '', 3).length).toBe(3);
    expect(mentionMatches(people, 'zzz')).toEqual([]);
  });

  it('is driven from the keyboard in the composer', () => {
    const send = vi.fn(() => null);
    const composer = new Composer({ channelName: 'general', maxLength: 2000, send, typing: vi.fn(), editLast: () => false, onError: vi.fn(), members: () => people });
    document.body.append(composer.el);
    const input = composer.input;
    const type = (/** @type {string} */ text) => {
      input.value = text;
      input.setSelectionRange(text.length, text.length);
      input.dispatchEvent(new Event('input'));
    };
    const key = (/** @type {string} */ k) => input.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
    const list = /** @type {HTMLElement} */ (composer.el.querySelector('[role="listbox"]'));

    type('Thanks @a');
    expect(list.hidden).toBe(false);
    expect(input.getAttribute('aria-expanded')).toBe('true');
    expect([...list.querySelectorAll('[role="option"]')].map((o) => o.getAttribute('data-login'))).toEqual(['alice', 'carol99']);
    key('ArrowDown');
    expect(input.getAttribute('aria-activedescendant')).toBe(list.children[1].id);
    expect(list.children[1].getAttribute('aria-selected')).toBe('true');
    key('Enter');
    expect(input.value).toBe('Thanks @carol99 ');
    expect(send).not.toHaveBeenCalled();
    expect(list.hidden).toBe(true);

    type('Thanks @carol99 and @b');
    key('Tab');
    expect(input.value).toBe('Thanks @carol99 and @bob ');

    type('@zz');
    expect(list.hidden).toBe(true);
    type('@h');
    key('Escape');
    expect(list.hidden).toBe(true);
    key('Enter');
    expect(send).toHaveBeenCalledWith('@h', null, []);
    composer.el.remove();
  });
});
