// The text channel view: message list, composer, typing line, online list.

import { formatTime, h, hueFor, initials, linkify, setChildren } from '../dom.js';
import { icon } from '../icons.js';
import { authorName, continuesGroup, isDeleted, isModerated, parseTimestamp } from '../messages.js';
import { MAX_MESSAGE_LENGTH } from '../text-channel.js';
import { openForm, toast } from './dialogs.js';

/** @typedef {import('../messages.js').Message} Message */
/** @typedef {import('../text-channel.js').TextChannelSession} TextChannelSession */

/**
 * "Ann is typing…" in plain words.
 * @param {{ display_name: string }[]} users
 */
export function typingText(users) {
  const names = users.map((u) => u.display_name || 'Someone');
  if (!names.length) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  if (names.length === 3) return `${names[0]}, ${names[1]} and ${names[2]} are typing…`;
  return 'Several people are typing…';
}

/**
 * Status line for the connection.
 * @param {{ status: string, syncing: boolean, statusInfo: { retryIn: number | null } }} s
 */
export function connectionText(s) {
  if (s.status === 'open') return s.syncing ? 'Catching up…' : 'Connected';
  if (s.status === 'connecting' || s.status === 'idle') return 'Connecting…';
  if (s.status === 'reconnecting') {
    const secs = s.statusInfo.retryIn != null ? Math.max(1, Math.round(s.statusInfo.retryIn / 1000)) : null;
    return secs ? `Connection lost. Retrying in ${secs}s…` : 'Reconnecting…';
  }
  return 'Disconnected';
}

/**
 * "Today", "Yesterday" or a date, for the dividers between days.
 * @param {number} ms
 * @param {number} [now]
 */
export function dayLabel(ms, now = Date.now()) {
  if (!ms) return '';
  const d = new Date(ms);
  const today = new Date(now);
  const start = (/** @type {Date} */ x) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const days = Math.round((start(today) - start(d)) / 86400000);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  return d.toLocaleDateString(undefined, { weekday: 'long', month: 'long', day: 'numeric', year: d.getFullYear() === today.getFullYear() ? undefined : 'numeric' });
}

/** @param {Message} m */
function signature(m) {
  return JSON.stringify([m.content, m.updated_at, m.edited_at, m.deleted_at, m.moderated_at, m.reactions, m.author]);
}

export class TextView {
  /**
   * @param {{
   *   channel: { id: number, name: string },
   *   session: TextChannelSession,
   *   meId: number | null,
   *   isAdmin: boolean,
   *   api: import('../api.js').ApiClient,
   *   onUnseen?: (count: number) => void,
   * }} options
   */
  constructor(options) {
    this.options = options;
    this.session = options.session;
    this.channel = options.channel;
    /** @type {Map<number, { el: HTMLElement, sig: string }>} */
    this.rendered = new Map();
    /** @type {Message | null} */
    this.replyTo = null;
    this.unseen = 0;

    this.statusEl = h('span', { class: 'conn-pill', 'data-status': 'connecting', role: 'status' }, 'Connecting…');
    this.retryBtn = h('button', { class: 'btn btn-ghost btn-small', type: 'button', hidden: true, onclick: () => this.session.socket.reconnectNow() }, 'Retry now');
    this.onlineToggle = h(
      'button',
      { class: 'icon-btn', type: 'button', 'aria-label': 'Show who is online', 'aria-pressed': 'false', title: 'Who is online', onclick: () => this.toggleOnline() },
      icon('users', 20),
    );
    this.header = h(
      'header',
      { class: 'channel-head' },
      h('h2', { class: 'channel-title' }, h('span', { class: 'hash' }, icon('hash', 20)), this.channel.name),
      this.statusEl,
      this.retryBtn,
      h('span', { class: 'spacer' }),
      this.onlineToggle,
    );

    this.topEl = h('div', { class: 'history-top' });
    this.listEl = h('ol', { class: 'message-list', 'aria-label': `Messages in #${this.channel.name}` });
    this.pendingEl = h('ol', { class: 'message-list pending-list', 'aria-label': 'Messages being sent' });
    this.scroller = h(
      'div',
      { class: 'messages', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', tabindex: '0', 'aria-label': `#${this.channel.name}` },
      this.topEl,
      this.listEl,
      this.pendingEl,
    );
    this.scroller.addEventListener('scroll', () => this.onScroll(), { passive: true });
    /** Whether the view follows new messages (the reader is at the bottom). */
    this.stick = true;
    // Keep following the bottom when the list area changes size (reply bar,
    // a growing composer, the window).
    if (typeof ResizeObserver === 'function') {
      new ResizeObserver(() => {
        if (this.stick) this.scroller.scrollTop = this.scroller.scrollHeight;
      }).observe(this.scroller);
    }
    this.jumpBtn = h('button', { class: 'jump-latest', type: 'button', hidden: true, onclick: () => this.scrollToBottom(true) }, 'New messages ↓');

    this.onlineList = h('ul', { class: 'online-list' });
    this.onlineHead = h('h3', null, 'Online');
    this.onlinePane = h('aside', { class: 'online-pane', 'aria-label': 'Online in this channel' }, this.onlineHead, this.onlineList);

    this.typingEl = h('div', { class: 'typing-line', 'aria-live': 'polite' });
    this.replyBar = h('div', { class: 'reply-bar', hidden: true });
    this.input = h('textarea', {
      class: 'composer-input',
      rows: 1,
      placeholder: `Message #${this.channel.name}`,
      'aria-label': `Message #${this.channel.name}`,
      maxlength: String(MAX_MESSAGE_LENGTH + 500),
    });
    this.counter = h('span', { class: 'counter', 'aria-live': 'polite' });
    this.sendBtn = h('button', { class: 'btn btn-primary send-btn', type: 'submit', 'aria-label': 'Send message' }, 'Send');
    this.composer = h(
      'form',
      { class: 'composer', novalidate: true },
      this.replyBar,
      h('div', { class: 'composer-row' }, this.input, this.counter, this.sendBtn),
      h('p', { class: 'composer-help' }, 'Enter to send · Shift+Enter for a new line · ↑ to edit your last message'),
    );
    this.composer.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.submit();
      } else if (e.key === 'ArrowUp' && !this.input.value) {
        const mine = [...this.session.messages].reverse().find((m) => (m.author?.id ?? m.author_id) === this.options.meId && !isDeleted(m));
        if (mine) {
          e.preventDefault();
          this.edit(mine);
        }
      } else if (e.key === 'Escape' && this.replyTo) {
        e.preventDefault();
        this.setReply(null);
      }
    });
    this.input.addEventListener('input', () => {
      this.autosize();
      this.updateCounter();
      this.session.setTyping(this.input.value.trim().length > 0);
    });

    this.el = h(
      'div',
      { class: 'text-view', dataset: { channelId: this.channel.id } },
      this.header,
      h('div', { class: 'chat-body' }, h('div', { class: 'chat-main' }, this.scroller, this.jumpBtn, this.typingEl, this.composer), this.onlinePane),
    );
    this.renderAll();
  }

  focus() {
    this.input.focus();
  }

  toggleOnline() {
    const open = this.el.classList.toggle('show-online');
    this.onlineToggle.setAttribute('aria-pressed', String(open));
  }

  autosize() {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight, 220)}px`;
  }

  updateCounter() {
    const n = this.input.value.replace(/\s+$/u, '').length;
    this.counter.textContent = n > MAX_MESSAGE_LENGTH - 200 ? `${n}/${MAX_MESSAGE_LENGTH}` : '';
    this.counter.classList.toggle('over', n > MAX_MESSAGE_LENGTH);
  }

  submit() {
    const problem = this.session.send(this.input.value, this.replyTo?.id ?? null);
    if (problem) {
      if (this.input.value.trim()) toast(problem, 'error');
      return;
    }
    this.input.value = '';
    this.autosize();
    this.updateCounter();
    this.setReply(null);
    this.scrollToBottom();
  }

  /** @param {Message | null} m */
  setReply(m) {
    this.replyTo = m;
    if (!m) {
      this.replyBar.hidden = true;
      setChildren(this.replyBar);
      return;
    }
    setChildren(
      this.replyBar,
      h('span', null, 'Replying to ', h('strong', null, authorName(m))),
      h('span', { class: 'reply-snippet' }, isDeleted(m) || isModerated(m) ? 'hidden message' : (m.content ?? '').slice(0, 120)),
      h('button', { class: 'icon-btn small', type: 'button', 'aria-label': 'Cancel reply', onclick: () => this.setReply(null) }, icon('x', 14)),
    );
    this.replyBar.hidden = false;
    this.input.focus();
  }

  nearBottom() {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 80;
  }

  /** @param {boolean} [smooth] */
  scrollToBottom(smooth = false) {
    this.scroller.scrollTo({ top: this.scroller.scrollHeight, behavior: smooth ? 'smooth' : 'auto' });
    this.stick = true;
    this.unseen = 0;
    this.jumpBtn.hidden = true;
  }

  onScroll() {
    this.stick = this.nearBottom();
    if (this.stick) {
      this.unseen = 0;
      this.jumpBtn.hidden = true;
    }
    if (this.scroller.scrollTop < 120 && this.session.hasMoreBackward && !this.session.loadingOlder) void this.loadOlder();
  }

  async loadOlder() {
    const before = this.scroller.scrollHeight;
    const top = this.scroller.scrollTop;
    try {
      const got = await this.session.loadOlder();
      if (got) this.scroller.scrollTop = top + (this.scroller.scrollHeight - before);
    } catch (err) {
      toast(/** @type {Error} */ (err).message, 'error');
    }
  }

  /** @param {string} what */
  update(what) {
    if (what === 'status') this.renderStatus();
    else if (what === 'presence') this.renderOnline();
    else if (what === 'typing') this.renderTyping();
    else if (what === 'older') this.renderTop();
    else if (what === 'pending') this.renderPending();
    else if (what === 'loaded') {
      this.renderMessages();
      this.renderTop();
      this.scrollToBottom();
    } else this.renderMessages();
  }

  renderAll() {
    this.renderStatus();
    this.renderTop();
    this.renderMessages();
    this.renderPending();
    this.renderOnline();
    this.renderTyping();
  }

  renderStatus() {
    const s = this.session;
    const state = s.status === 'open' ? (s.syncing ? 'syncing' : 'open') : s.status;
    this.statusEl.dataset.status = state;
    this.statusEl.textContent = connectionText(s);
    this.retryBtn.hidden = s.status !== 'reconnecting';
    this.el.dataset.connection = state;
    if (s.status !== 'open') this.renderOnline();
  }

  renderTop() {
    const s = this.session;
    if (!s.loaded) setChildren(this.topEl, h('p', { class: 'muted center' }, 'Loading messages…'));
    else if (s.loadingOlder) setChildren(this.topEl, h('p', { class: 'muted center' }, 'Loading older messages…'));
    else if (s.hasMoreBackward)
      setChildren(this.topEl, h('button', { class: 'btn btn-ghost btn-small', type: 'button', onclick: () => void this.loadOlder() }, 'Load older messages'));
    else
      setChildren(
        this.topEl,
        h('div', { class: 'channel-intro' }, h('h3', null, `Welcome to #${this.channel.name}`), h('p', { class: 'muted' }, 'This is the start of the channel.')),
      );
  }

  renderMessages() {
    const wasAtBottom = this.stick || this.nearBottom();
    const list = this.session.messages;
    /** @type {Map<number, Message>} */
    const byId = new Map(list.map((m) => [m.id, m]));
    /** @type {Set<number>} */
    const keep = new Set();
    let appendedOthers = 0;
    let previousChild = /** @type {Element | null} */ (null);
    for (let i = 0; i < list.length; i += 1) {
      const m = list[i];
      const prev = list[i - 1];
      const day = dayLabel(parseTimestamp(m.created_at));
      const newDay = !prev || dayLabel(parseTimestamp(prev.created_at)) !== day;
      const grouped = !newDay && continuesGroup(prev, m);
      const parent = m.parent_id != null ? byId.get(m.parent_id) : undefined;
      const sig = `${signature(m)}|${grouped}|${newDay ? day : ''}|${parent ? signature(parent) : m.parent_id ?? ''}`;
      let entry = this.rendered.get(m.id);
      if (!entry) {
        const authorId = m.author?.id ?? m.author_id;
        if (authorId !== this.options.meId) appendedOthers += 1;
      }
      if (!entry || entry.sig !== sig) {
        const el = this.renderMessage(m, grouped, parent, newDay ? day : '');
        if (entry) entry.el.replaceWith(el);
        entry = { el, sig };
        this.rendered.set(m.id, entry);
      }
      keep.add(m.id);
      const expected = previousChild ? previousChild.nextElementSibling : this.listEl.firstElementChild;
      if (expected !== entry.el) {
        if (previousChild) previousChild.after(entry.el);
        else this.listEl.prepend(entry.el);
      }
      previousChild = entry.el;
    }
    for (const [id, entry] of this.rendered) {
      if (!keep.has(id)) {
        entry.el.remove();
        this.rendered.delete(id);
      }
    }
    this.el.dataset.messageCount = String(list.length);
    if (appendedOthers && this.session.loaded && typeof document !== 'undefined' && document.hidden) {
      this.options.onUnseen?.(appendedOthers);
    }
    if (wasAtBottom) this.scrollToBottom();
    else if (appendedOthers && this.session.loaded) {
      this.unseen += appendedOthers;
      this.jumpBtn.hidden = false;
      this.jumpBtn.textContent = `${this.unseen} new message${this.unseen === 1 ? '' : 's'} ↓`;
    }
    this.renderPending();
  }

  /**
   * @param {Message} m
   * @param {boolean} grouped
   * @param {Message | undefined} parent
   * @param {string} [dayBreak] a day label when this message starts a new day
   */
  renderMessage(m, grouped, parent, dayBreak = '') {
    const name = authorName(m);
    const authorId = m.author?.id ?? m.author_id;
    const own = authorId != null && authorId === this.options.meId;
    const deleted = isDeleted(m);
    const moderated = isModerated(m);
    const created = parseTimestamp(m.created_at);
    const time = h('time', { datetime: new Date(created || 0).toISOString(), title: created ? new Date(created).toLocaleString() : '' }, formatTime(created));

    /** @type {(Node | string)[]} */
    let body;
    if (deleted) body = [h('em', { class: 'muted' }, 'This message was deleted.')];
    else if (moderated) body = [h('em', { class: 'muted' }, 'This message was hidden by a moderator.')];
    else
      body = linkify(m.content ?? '').map((part) =>
        part.href ? h('a', { href: part.href, target: '_blank', rel: 'noopener noreferrer nofollow' }, part.text) : part.text,
      );

    const replyRef =
      m.parent_id != null
        ? h(
            'button',
            { class: 'reply-ref', type: 'button', onclick: () => this.highlight(m.parent_id ?? 0) },
            h('span', { 'aria-hidden': 'true' }, '↪ '),
            parent ? h('strong', null, authorName(parent)) : 'a message',
            parent ? h('span', { class: 'reply-snippet' }, isDeleted(parent) || isModerated(parent) ? ' hidden message' : ` ${(parent.content ?? '').slice(0, 100)}`) : null,
          )
        : null;

    const reactions =
      m.reactions && m.reactions.length && !deleted
        ? h(
            'div',
            { class: 'reactions' },
            m.reactions.map((r) => {
              const mine = this.options.meId != null && r.user_ids?.includes(this.options.meId);
              return h(
                'button',
                {
                  class: `reaction${mine ? ' mine' : ''}`,
                  type: 'button',
                  'aria-pressed': String(!!mine),
                  'aria-label': `${r.emoji} ${r.count}`,
                  onclick: () => this.session.socket.send({ type: 'reaction', message_id: m.id, emoji: r.emoji, operation: mine ? 'remove' : 'add' }),
                },
                `${r.emoji} ${r.count}`,
              );
            }),
          )
        : null;

    const actions = h(
      'div',
      { class: 'msg-actions', role: 'group', 'aria-label': 'Message actions' },
      !deleted ? h('button', { class: 'icon-btn small', type: 'button', title: 'Reply', 'aria-label': `Reply to ${name}`, onclick: () => this.setReply(m) }, icon('reply', 16)) : null,
      !deleted ? h('button', { class: 'icon-btn small', type: 'button', title: 'React', 'aria-label': 'Add a thumbs-up reaction', onclick: () => this.session.socket.send({ type: 'reaction', message_id: m.id, emoji: '👍', operation: 'add' }) }, icon('smile', 16)) : null,
      own && !deleted ? h('button', { class: 'icon-btn small', type: 'button', title: 'Edit', 'aria-label': 'Edit message', onclick: () => this.edit(m) }, icon('edit', 16)) : null,
      (own || this.options.isAdmin) && !deleted
        ? h('button', { class: 'icon-btn small danger', type: 'button', title: 'Delete', 'aria-label': 'Delete message', onclick: () => this.remove(m) }, icon('trash', 16))
        : null,
    );

    const classes = ['msg'];
    if (grouped) classes.push('grouped');
    if (own) classes.push('own');
    if (deleted) classes.push('deleted');
    if (moderated) classes.push('moderated');

    return h(
      'li',
      { class: classes.join(' '), id: `msg-${m.id}`, dataset: { id: m.id, author: authorId ?? '' } },
      dayBreak ? h('div', { class: 'day-divider', role: 'separator', 'aria-label': dayBreak }, h('span', null, dayBreak)) : null,
      grouped
        ? h('span', { class: 'gutter-time', 'aria-hidden': 'true' }, created ? new Date(created).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }) : '')
        : h('span', { class: 'avatar', style: `--hue:${hueFor(name)}`, 'aria-hidden': 'true' }, initials(name)),
      h(
        'div',
        { class: 'msg-main' },
        replyRef,
        grouped ? null : h('div', { class: 'msg-head' }, h('span', { class: 'author' }, name), time),
        h('div', { class: 'msg-body' }, body, m.edited_at && !deleted ? h('span', { class: 'edited' }, ' (edited)') : null),
        reactions,
      ),
      actions,
    );
  }

  renderPending() {
    const items = this.session.pending;
    setChildren(
      this.pendingEl,
      items.map((p) =>
        h(
          'li',
          { class: `msg own pending${p.failed ? ' failed' : ''}`, dataset: { localId: p.localId } },
          h('span', { class: 'avatar ghost', 'aria-hidden': 'true' }, '…'),
          h(
            'div',
            { class: 'msg-main' },
            h('div', { class: 'msg-body' }, p.content),
            p.failed
              ? h(
                  'div',
                  { class: 'pending-state error' },
                  `Not sent: ${p.failed} `,
                  h('button', { class: 'link-btn', type: 'button', onclick: () => this.session.retryPending(p.localId) }, 'Retry'),
                  ' · ',
                  h('button', { class: 'link-btn', type: 'button', onclick: () => this.session.discardPending(p.localId) }, 'Discard'),
                )
              : h('div', { class: 'pending-state' }, 'Sending…'),
          ),
        ),
      ),
    );
  }

  renderOnline() {
    const users = this.session.status === 'open' ? this.session.online : [];
    this.onlineHead.textContent = `Online — ${users.length}`;
    setChildren(
      this.onlineList,
      users.map((u) => {
        const name = u.display_name || `User ${u.id}`;
        return h(
          'li',
          { dataset: { userId: u.id } },
          h('span', { class: 'avatar small', style: `--hue:${hueFor(name)}`, 'aria-hidden': 'true' }, initials(name), h('span', { class: `presence ${u.status ?? 'online'}` })),
          h('span', { class: 'name' }, name),
        );
      }),
    );
  }

  renderTyping() {
    this.typingEl.textContent = typingText(this.session.typing);
  }

  /** @param {number} id */
  highlight(id) {
    const entry = this.rendered.get(id);
    if (!entry) {
      toast('That message is further back in the history.');
      return;
    }
    entry.el.scrollIntoView({ block: 'center', behavior: 'smooth' });
    entry.el.classList.add('flash');
    setTimeout(() => entry.el.classList.remove('flash'), 1600);
  }

  /** @param {Message} m */
  edit(m) {
    openForm({
      title: 'Edit message',
      fields: [{ name: 'content', label: 'Message', type: 'textarea', value: m.content ?? '', maxLength: MAX_MESSAGE_LENGTH }],
      submitLabel: 'Save',
      submit: async (values) => {
        const content = (values.content ?? '').replace(/\s+$/u, '');
        if (!content) throw new Error('A message cannot be empty. Delete it instead.');
        const updated = await this.options.api.editMessage(m.id, content);
        if (updated) this.session.absorb([updated]);
      },
    });
  }

  /** @param {Message} m */
  remove(m) {
    openForm({
      title: 'Delete message?',
      description: 'Everyone in the channel will see that it was deleted.',
      submitLabel: 'Delete',
      danger: true,
      submit: async () => {
        const updated = await this.options.api.deleteMessage(m.id);
        if (updated) this.session.absorb([updated]);
      },
    });
  }

  destroy() {
    this.el.remove();
  }
}
