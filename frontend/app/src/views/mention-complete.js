// `@` autocomplete in the composer: typing `@` and the start of a login or
// display name lists matching room members (and @everyone, @here); ↑/↓ move,
// Enter or Tab inserts `@login `, Escape closes. The text area is the
// combobox, the list a listbox, so screen readers follow the active option.

import { h, hueFor, initials, setChildren } from '../dom.js';

/** @typedef {{ user_id: number, login: string, display_name?: string | null }} Person */
/** @typedef {{ login: string, label: string, hint: string, userId: number | null }} Suggestion */

const SPECIAL = [
  { login: 'everyone', label: 'everyone', hint: 'Notify everyone in the room', userId: null },
  { login: 'here', label: 'here', hint: 'Notify everyone online', userId: null },
];

/**
 * The `@word` being typed at the caret, or null.
 * @param {string} text
 * @param {number} caret
 * @returns {{ start: number, query: string } | null}
 */
export function mentionQuery(text, caret) {
  const before = text.slice(0, caret);
  const match = /(^|[\s(])@([\p{L}\p{N}_.-]{0,64})$/u.exec(before);
  if (!match) return null;
  return { start: caret - match[2].length - 1, query: match[2] };
}

/**
 * Members (and @everyone/@here) matching `query`: logins and display names
 * that start with it first, then those with a word that does.
 * @param {Person[]} people
 * @param {string} query
 * @param {number} [limit]
 * @returns {Suggestion[]}
 */
export function mentionMatches(people, query, limit = 8) {
  const q = query.toLowerCase();
  /** @type {{ s: Suggestion, rank: number }[]} */
  const found = [];
  for (const p of people) {
    const name = p.display_name?.trim() || p.login;
    const login = p.login.toLowerCase();
    const lower = name.toLowerCase();
    let rank = -1;
    if (login.startsWith(q)) rank = 0;
    else if (lower.startsWith(q)) rank = 1;
    else if (lower.split(/\s+/).some((w) => w.startsWith(q))) rank = 2;
    if (rank >= 0) found.push({ s: { login: p.login, label: name, hint: `@${p.login}`, userId: p.user_id }, rank });
  }
  found.sort((a, b) => a.rank - b.rank || a.s.label.localeCompare(b.s.label));
  const specials = SPECIAL.filter((s) => s.login.startsWith(q)).map((s) => ({ s, rank: 3 }));
  return [...found, ...specials].slice(0, limit).map((f) => f.s);
}

let lists = 0;

export class MentionComplete {
  /**
   * @param {HTMLTextAreaElement} input
   * @param {() => Person[]} people
   * @param {() => void} [onInsert] after a mention was inserted
   */
  constructor(input, people, onInsert) {
    this.input = input;
    this.people = people;
    this.onInsert = onInsert;
    this.id = `mention-list-${(lists += 1)}`;
    /** @type {Suggestion[]} */
    this.items = [];
    this.active = 0;
    /** @type {{ start: number, query: string } | null} */
    this.at = null;
    this.el = h('ul', { class: 'mention-list', id: this.id, role: 'listbox', 'aria-label': 'People to mention', hidden: true });
    input.setAttribute('role', 'combobox');
    input.setAttribute('aria-autocomplete', 'list');
    input.setAttribute('aria-controls', this.id);
    input.setAttribute('aria-expanded', 'false');
    input.addEventListener('input', () => this.refresh());
    input.addEventListener('click', () => this.refresh());
    input.addEventListener('blur', () => this.close());
  }

  get isOpen() {
    return !this.el.hidden;
  }

  refresh() {
    const at = mentionQuery(this.input.value, this.input.selectionStart ?? this.input.value.length);
    const items = at ? mentionMatches(this.people(), at.query) : [];
    if (!at || !items.length) {
      this.close();
      return;
    }
    this.at = at;
    this.items = items;
    this.active = 0;
    this.render();
  }

  render() {
    setChildren(
      this.el,
      this.items.map((s, i) =>
        h(
          'li',
          {
            id: `${this.id}-${i}`,
            class: 'mention-option',
            role: 'option',
            'aria-selected': String(i === this.active),
            dataset: { login: s.login },
            // Keep focus in the text area.
            onmousedown: (/** @type {MouseEvent} */ e) => e.preventDefault(),
            onclick: () => this.pick(i),
          },
          s.userId != null ? h('span', { class: 'avatar tiny', style: `--hue:${hueFor(s.label)}`, 'aria-hidden': 'true' }, initials(s.label)) : h('span', { class: 'mention-at', 'aria-hidden': 'true' }, '@'),
          h('span', { class: 'mention-name' }, s.label),
          h('span', { class: 'mention-hint' }, s.hint),
        ),
      ),
    );
    this.el.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
    this.input.setAttribute('aria-activedescendant', `${this.id}-${this.active}`);
    this.el.children[this.active]?.scrollIntoView?.({ block: 'nearest' });
  }

  close() {
    this.el.hidden = true;
    this.items = [];
    this.at = null;
    this.input.setAttribute('aria-expanded', 'false');
    this.input.removeAttribute('aria-activedescendant');
  }

  /** @param {number} index */
  pick(index) {
    const s = this.items[index];
    const at = this.at;
    if (!s || !at) return;
    const value = this.input.value;
    const caret = at.start + 1 + at.query.length;
    const insert = `@${s.login} `;
    const rest = value.slice(caret).replace(/^ /, '');
    this.input.value = value.slice(0, at.start) + insert + rest;
    const pos = at.start + insert.length;
    this.input.setSelectionRange(pos, pos);
    this.close();
    this.onInsert?.();
  }

  /**
   * Handles a key while the list is open; true when the key was used.
   * @param {KeyboardEvent} e
   */
  handleKey(e) {
    if (!this.isOpen || e.isComposing) return false;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      const n = this.items.length;
      this.active = (this.active + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
      this.render();
    } else if ((e.key === 'Enter' && !e.shiftKey) || e.key === 'Tab') this.pick(this.active);
    else if (e.key === 'Escape') this.close();
    else return false;
    e.preventDefault();
    e.stopPropagation();
    return true;
  }
}
