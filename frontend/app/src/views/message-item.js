// One message in the list: author, time, body, reply reference, reactions
// and the hover actions. User text only ever becomes text nodes (markdown
// builds elements around them, never HTML).

import { formatTime, h } from '../dom.js';
import { icon } from '../icons.js';
import { renderMarkdown } from '../markdown.js';
import { authorName, isDeleted, isModerated, parseTimestamp } from '../messages.js';
import { attachmentList } from './attachments.js';
import { avatar } from './avatar.js';

/** @typedef {import('../messages.js').Message} Message */

/**
 * @typedef {{
 *   reply: (m: Message) => void,
 *   react: (m: Message, emoji: string, operation: 'add' | 'remove') => void,
 *   pickReaction: (m: Message, anchor: HTMLElement) => void,
 *   pin: (m: Message) => void,
 *   thread: (m: Message) => void,
 *   unpin: (m: Message) => void,
 *   edit: (m: Message) => void,
 *   remove: (m: Message) => void,
 *   jumpTo: (id: number) => void,
 *   copyText: (m: Message) => void,
 *   copyLink: (m: Message) => void,
 *   openMenu: (m: Message, at: { x: number, y: number } | HTMLElement, returnTo: HTMLElement | null) => void,
 * }} MessageActions
 */

/**
 * @typedef {{
 *   meId: number | null,
 *   isAdmin: boolean,
 *   grouped: boolean,
 *   parent?: Message,
 *   replies?: number,
 *   dayBreak?: string,
 *   actions: MessageActions,
 * }} MessageContext
 */

/** @param {Message} m */
export function messageBody(m) {
  if (isDeleted(m)) return [h('em', { class: 'muted' }, 'This message was deleted.')];
  if (isModerated(m)) return [h('em', { class: 'muted' }, 'This message was hidden by a moderator.')];
  return renderMarkdown(m.content ?? '');
}

/** A short, safe preview of a message. @param {Message} m @param {number} length */
export function snippet(m, length) {
  return isDeleted(m) || isModerated(m) ? 'hidden message' : (m.content ?? '').slice(0, length);
}

/** @param {Message} m @param {Message | undefined} parent @param {MessageActions} actions */
function replyReference(m, parent, actions) {
  if (m.parent_id == null) return null;
  return h(
    'button',
    { class: 'reply-ref', type: 'button', onclick: () => actions.jumpTo(m.parent_id ?? 0) },
    h('span', { 'aria-hidden': 'true' }, '↪ '),
    parent ? h('strong', null, authorName(parent)) : 'a message',
    parent ? h('span', { class: 'reply-snippet' }, ` ${snippet(parent, 100)}`) : null,
  );
}

/** @param {Message} m @param {MessageContext} ctx */
function reactionRow(m, ctx) {
  if (!m.reactions || !m.reactions.length || isDeleted(m)) return null;
  return h(
    'div',
    { class: 'reactions' },
    m.reactions.map((r) => {
      const mine = ctx.meId != null && !!r.user_ids?.includes(ctx.meId);
      return h(
        'button',
        {
          class: `reaction${mine ? ' mine' : ''}`,
          type: 'button',
          'aria-pressed': String(mine),
          'aria-label': `${r.emoji} ${r.count}`,
          onclick: () => ctx.actions.react(m, r.emoji, mine ? 'remove' : 'add'),
        },
        `${r.emoji} ${r.count}`,
      );
    }),
  );
}

/**
 * @param {Message} m
 * @param {MessageContext} ctx
 * @param {boolean} own
 */
function actionBar(m, ctx, own) {
  if (isDeleted(m)) return h('div', { class: 'msg-actions', role: 'group', 'aria-label': 'Message actions' });
  const name = authorName(m);
  const button = (/** @type {string} */ title, /** @type {string} */ label, /** @type {string} */ iconName, /** @type {(e: MouseEvent) => void} */ click, danger = false) =>
    h('button', { class: `icon-btn small${danger ? ' danger' : ''}`, type: 'button', title, 'aria-label': label, onclick: click }, icon(iconName, 16));
  return h(
    'div',
    { class: 'msg-actions', role: 'group', 'aria-label': 'Message actions' },
    button('Reply', `Reply to ${name}`, 'reply', () => ctx.actions.reply(m)),
    button('Thread', `Open the thread of ${name}’s message`, 'thread', () => ctx.actions.thread(m)),
    button('React', 'Add a reaction', 'smile', (e) => ctx.actions.pickReaction(m, /** @type {HTMLElement} */ (e.currentTarget))),
    ctx.isAdmin && !isModerated(m) ? (m.pinned_at ? button('Unpin', 'Unpin message', 'pin', () => ctx.actions.unpin(m)) : button('Pin', 'Pin message', 'pin', () => ctx.actions.pin(m))) : null,
    own ? button('Edit', 'Edit message', 'edit', () => ctx.actions.edit(m)) : null,
    own || ctx.isAdmin ? button('Delete', 'Delete message', 'trash', () => ctx.actions.remove(m), true) : null,
    h(
      'button',
      {
        class: 'icon-btn small msg-more',
        type: 'button',
        title: 'More',
        'aria-label': 'More actions',
        'aria-haspopup': 'menu',
        onclick: (/** @type {MouseEvent} */ e) => {
          const anchor = /** @type {HTMLElement} */ (e.currentTarget);
          ctx.actions.openMenu(m, anchor, anchor);
        },
      },
      icon('more', 16),
    ),
  );
}

/**
 * @param {Message} m
 * @param {MessageContext} ctx
 */
export function renderMessageItem(m, ctx) {
  const name = authorName(m);
  const authorId = m.author?.id ?? m.author_id;
  const own = authorId != null && authorId === ctx.meId;
  const deleted = isDeleted(m);
  const created = parseTimestamp(m.created_at);
  const time = h('time', { datetime: new Date(created || 0).toISOString(), title: created ? new Date(created).toLocaleString() : '' }, formatTime(created));

  const classes = ['msg'];
  if (ctx.grouped) classes.push('grouped');
  if (own) classes.push('own');
  if (deleted) classes.push('deleted');
  if (isModerated(m)) classes.push('moderated');

  const item = h(
    'li',
    { class: classes.join(' '), id: `msg-${m.id}`, tabindex: '-1', dataset: { id: m.id, author: authorId ?? '' } },
    ctx.dayBreak ? h('div', { class: 'day-divider', role: 'separator', 'aria-label': ctx.dayBreak }, h('span', null, ctx.dayBreak)) : null,
    ctx.grouped
      ? h('span', { class: 'gutter-time', 'aria-hidden': 'true' }, created ? new Date(created).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }) : '')
      : avatar(name, m.author?.avatar_url),
    h(
      'div',
      { class: 'msg-main' },
      replyReference(m, ctx.parent, ctx.actions),
      ctx.grouped ? null : h('div', { class: 'msg-head' }, h('span', { class: 'author' }, name), time),
      m.pinned_at && !deleted ? h('div', { class: 'pinned-mark' }, icon('pin', 12), ' Pinned') : null,
      h('div', { class: 'msg-body' }, messageBody(m), m.edited_at && !deleted ? h('span', { class: 'edited' }, ' (edited)') : null),
      attachmentList(m),
      reactionRow(m, ctx),
      ctx.replies && !deleted
        ? h('button', { class: 'thread-link link-btn', type: 'button', onclick: () => ctx.actions.thread(m) }, `${ctx.replies} ${ctx.replies === 1 ? 'reply' : 'replies'} in thread`)
        : null,
    ),
    actionBar(m, ctx, own),
  );
  if (!deleted) {
    item.addEventListener('contextmenu', (e) => {
      // A link keeps the browser's own menu.
      if (/** @type {HTMLElement} */ (e.target).closest('a[href]')) return;
      e.preventDefault();
      ctx.actions.openMenu(m, { x: e.clientX, y: e.clientY }, item);
    });
    item.addEventListener('keydown', (e) => {
      if (e.target !== item) return;
      if (e.key === 'Enter' || e.key === 'ContextMenu' || (e.key === 'F10' && e.shiftKey)) {
        e.preventDefault();
        ctx.actions.openMenu(m, item, item);
      }
    });
  }
  // One Tab stop per message: its buttons and links join the tab order only
  // while the message has focus (see `rovingMessageFocus`).
  for (const el of item.querySelectorAll('button, a[href]')) /** @type {HTMLElement} */ (el).tabIndex = -1;
  return item;
}

/**
 * Lets Tab reach the buttons and links of the message that has focus, and
 * takes them out of the tab order again when focus leaves it.
 * @param {HTMLElement} list
 */
export function rovingMessageFocus(list) {
  const controls = (/** @type {Element} */ item) => /** @type {NodeListOf<HTMLElement>} */ (item.querySelectorAll('button, a[href]'));
  list.addEventListener('focusin', (event) => {
    const item = /** @type {HTMLElement} */ (event.target).closest?.('li.msg');
    if (item) for (const el of controls(item)) el.tabIndex = 0;
  });
  list.addEventListener('focusout', (event) => {
    const item = /** @type {HTMLElement} */ (event.target).closest?.('li.msg');
    const next = /** @type {Node | null} */ (event.relatedTarget);
    if (item && !(next && item.contains(next))) for (const el of controls(item)) el.tabIndex = -1;
  });
}
