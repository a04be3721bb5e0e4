// The panel beside a text channel's messages (pins, a thread, search): a
// heading with a close button and a body the caller fills.

import { formatTime, h } from '../dom.js';
import { icon } from '../icons.js';
import { authorName, parseTimestamp } from '../messages.js';
import { messageBody } from './message-item.js';

/** @typedef {import('../messages.js').Message} Message */

/**
 * @param {string} title
 * @param {() => void} onClose
 * @param {...(Node | null)} body
 */
export function panelShell(title, onClose, ...body) {
  return h(
    'aside',
    { class: 'side-panel', 'aria-label': title },
    h(
      'header',
      { class: 'side-head' },
      h('h3', null, title),
      h('button', { class: 'icon-btn small', type: 'button', 'aria-label': `Close ${title.toLowerCase()}`, title: 'Close', onclick: () => onClose() }, icon('x', 16)),
    ),
    h('div', { class: 'side-body' }, body),
  );
}

/**
 * A compact message card for panels: author, time, text, and buttons.
 * @param {Message} m
 * @param {(Node | null)[]} [extra] shown under the text
 * @param {(Node | null)[]} [buttons]
 */
export function messageCard(m, extra = [], buttons = []) {
  const created = parseTimestamp(m.created_at);
  return h(
    'li',
    { class: 'card', dataset: { id: m.id } },
    h('div', { class: 'card-head' }, h('strong', null, authorName(m)), h('time', { datetime: new Date(created || 0).toISOString() }, formatTime(created))),
    h('div', { class: 'card-body msg-body' }, messageBody(m)),
    extra,
    buttons.some(Boolean) ? h('div', { class: 'card-actions' }, buttons) : null,
  );
}
