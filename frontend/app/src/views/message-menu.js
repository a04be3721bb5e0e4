// A message's context menu: opened by a right-click on the message, its "…"
// button, or the keyboard (Enter, Shift+F10 or the Menu key on a focused
// message). Arrows, Home and End move through it; Escape closes it and
// gives focus back.

import { h } from '../dom.js';
import { isDeleted, isModerated } from '../messages.js';
import { closeEmojiPicker } from './emoji-picker.js';

/** @typedef {import('../messages.js').Message} Message */
/** @typedef {import('./message-item.js').MessageActions} MessageActions */

/**
 * The entries of a message's menu, in order.
 * @param {Message} m
 * @param {{ meId: number | null, isAdmin: boolean }} who
 * @returns {{ id: string, label: string, danger?: boolean }[]}
 */
export function menuEntries(m, who) {
  const authorId = m.author?.id ?? m.author_id;
  const own = authorId != null && authorId === who.meId;
  if (isDeleted(m)) return [{ id: 'copy-link', label: 'Copy link' }];
  const hidden = isModerated(m);
  /** @type {({ id: string, label: string, danger?: boolean } | false)[]} */
  const entries = [
    { id: 'reply', label: 'Reply' },
    !hidden && { id: 'react', label: 'Add reaction' },
    { id: 'thread', label: 'Open thread' },
    own && !hidden && { id: 'edit', label: 'Edit' },
    who.isAdmin && !hidden && (m.pinned_at ? { id: 'unpin', label: 'Unpin' } : { id: 'pin', label: 'Pin' }),
    !hidden && { id: 'copy-text', label: 'Copy text' },
    { id: 'copy-link', label: 'Copy link' },
    (own || who.isAdmin) && { id: 'delete', label: 'Delete', danger: true },
  ];
  return /** @type {{ id: string, label: string, danger?: boolean }[]} */ (entries.filter(Boolean));
}

/** @type {{ el: HTMLElement, returnTo: HTMLElement | null } | null} */
let open = null;

/** Closes the open menu, if any. @param {boolean} [restoreFocus] */
export function closeMessageMenu(restoreFocus = false) {
  const current = open;
  open = null;
  if (!current) return;
  current.el.remove();
  if (restoreFocus) current.returnTo?.focus();
}

/**
 * Opens the menu of `m` at a point (right-click) or below an element.
 * @param {Message} m
 * @param {{ meId: number | null, isAdmin: boolean, actions: MessageActions }} ctx
 * @param {{ x: number, y: number } | HTMLElement} at
 * @param {HTMLElement | null} returnTo where focus goes when the menu closes
 */
export function openMessageMenu(m, ctx, at, returnTo) {
  closeMessageMenu();
  closeEmojiPicker();
  /** @type {HTMLButtonElement[]} */
  const items = [];
  const run = (/** @type {string} */ id) => {
    // Focus goes back first, so a dialog the action opens returns it there too.
    closeMessageMenu(true);
    const a = ctx.actions;
    if (id === 'reply') a.reply(m);
    else if (id === 'react') a.pickReaction(m, returnTo ?? document.body);
    else if (id === 'thread') a.thread(m);
    else if (id === 'edit') a.edit(m);
    else if (id === 'pin') a.pin(m);
    else if (id === 'unpin') a.unpin(m);
    else if (id === 'copy-text') a.copyText(m);
    else if (id === 'copy-link') a.copyLink(m);
    else if (id === 'delete') a.remove(m);
  };
  const menu = h(
    'div',
    { class: 'context-menu', role: 'menu', 'aria-label': 'Message actions', dataset: { messageId: m.id } },
    menuEntries(m, ctx).map((entry) => {
      const item = h(
        'button',
        { class: `menu-item${entry.danger ? ' danger' : ''}`, type: 'button', role: 'menuitem', tabindex: '-1', dataset: { action: entry.id }, onclick: () => run(entry.id) },
        entry.label,
      );
      items.push(item);
      return item;
    }),
  );
  menu.addEventListener('keydown', (e) => {
    const index = items.indexOf(/** @type {HTMLButtonElement} */ (document.activeElement));
    /** @type {number | null} */
    let next = null;
    if (e.key === 'ArrowDown') next = (index + 1) % items.length;
    else if (e.key === 'ArrowUp') next = (index - 1 + items.length) % items.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = items.length - 1;
    else if (e.key === 'Escape' || e.key === 'Tab') {
      e.preventDefault();
      e.stopPropagation();
      closeMessageMenu(true);
      return;
    }
    if (next != null) {
      e.preventDefault();
      items[next].focus();
    }
  });
  document.body.append(menu);
  open = { el: menu, returnTo };
  place(menu, at);
  items[0]?.focus();
  setTimeout(() => {
    const outside = (/** @type {MouseEvent} */ e) => {
      if (open?.el !== menu) return document.removeEventListener('mousedown', outside, true);
      if (!menu.contains(/** @type {Node} */ (e.target))) {
        closeMessageMenu();
        document.removeEventListener('mousedown', outside, true);
      }
    };
    document.addEventListener('mousedown', outside, true);
  });
  return menu;
}

/** Keeps the menu inside the window. @param {HTMLElement} menu @param {{ x: number, y: number } | HTMLElement} at */
function place(menu, at) {
  const width = menu.offsetWidth || 200;
  const height = menu.offsetHeight || 280;
  let x;
  let y;
  if (at instanceof HTMLElement) {
    const r = at.getBoundingClientRect();
    x = r.right - width;
    y = r.bottom + 4;
  } else ({ x, y } = at);
  if (y + height > window.innerHeight - 8) y = Math.max(8, y - height);
  menu.style.left = `${Math.max(8, Math.min(window.innerWidth - width - 8, x))}px`;
  menu.style.top = `${Math.max(8, y)}px`;
}
