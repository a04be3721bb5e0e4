// The text channel view: header, message list, composer, typing line and
// online list, kept in step with a TextChannelSession.

import { copyText, h, setChildren } from '../dom.js';
import { loadDraft, saveDraft } from '../preferences.js';
import { icon } from '../icons.js';
import { arrowNavigation } from '../keyboard.js';
import { continuesGroup, isDeleted, parseTimestamp } from '../messages.js';
import { Composer } from './composer.js';
import { toast } from './dialogs.js';
import { openEmojiPicker } from './emoji-picker.js';
import { deleteMessageDialog, editMessageDialog } from './message-dialogs.js';
import { renderMessageItem, rovingMessageFocus } from './message-item.js';
import { openMessageMenu } from './message-menu.js';
import { EDGE, MessageWindow } from './message-window.js';
import { createPanels, openThread, pinAction, unpinAction } from './text-panels.js';
import { renderOnlineList, renderPendingList } from './text-parts.js';
import { connectionText, dayLabel, messageSignature, replyCounts, typingText } from './text-format.js';

/** @typedef {import('../messages.js').Message} Message */
/** @typedef {import('../text-channel.js').TextChannelSession} TextChannelSession */

export class TextView {
  /**
   * @param {{
   *   channel: { id: number, name: string },
   *   session: TextChannelSession,
   *   meId: number | null,
   *   isAdmin: boolean,
   *   api: Pick<import('../api.js').ApiClient, 'editMessage' | 'deleteMessage' | 'pins' | 'pin' | 'unpin' | 'thread' | 'search'>,
   *   limits: import('../limits.js').Limits,
   *   members?: () => { user_id: number, login: string, display_name?: string | null }[],
   *   onUnseen?: (count: number) => void,
   *   messageLink?: (id: number) => string,
   *   onIncoming?: (messages: Message[]) => void,
   *   onLatest?: (id: number) => void,
   * }} options
   */
  constructor(options) {
    this.options = options;
    this.session = options.session;
    this.channel = options.channel;
    this.isAdmin = options.isAdmin;
    this.unseen = 0;
    /** @type {number | null} the newest message rendered once the history had loaded */
    this.latestId = null;
    /** @type {number | null} a message to show once the history has loaded */
    this.pendingJump = null;
    /** @param {Message} m */
    this.absorb = (m) => this.session.absorb([m]);
    /** @type {import('./message-item.js').MessageActions} */
    this.actions = {
      reply: (m) => this.composer.setReply(m),
      react: (m, emoji, operation) => this.session.socket.send({ type: 'reaction', message_id: m.id, emoji, operation }),
      pickReaction: (m, anchor) =>
        openEmojiPicker(anchor, (emoji) => {
          const mine = m.reactions?.find((r) => r.emoji === emoji)?.user_ids?.includes(this.options.meId ?? -1);
          this.session.socket.send({ type: 'reaction', message_id: m.id, emoji, operation: mine ? 'remove' : 'add' });
        }),
      edit: (m) => editMessageDialog(m, { api: this.options.api, maxLength: this.options.limits.message_max_length, absorb: this.absorb }),
      remove: (m) => deleteMessageDialog(m, { api: this.options.api, absorb: this.absorb }),
      pin: (m) => pinAction(this, m),
      thread: (m) => openThread(this, m),
      unpin: (m) => void unpinAction(this, m),
      jumpTo: (id) => void this.jumpTo(id),
      copyText: (m) => void copyText(m.content ?? '').then((ok) => toast(ok ? 'Message text copied.' : 'Could not copy the text.', ok ? 'ok' : 'error')),
      copyLink: (m) => {
        const link = this.options.messageLink?.(m.id);
        if (link) void copyText(link).then((ok) => toast(ok ? 'Message link copied.' : 'Could not copy the link.', ok ? 'ok' : 'error'));
      },
      openMenu: (m, at, returnTo) => openMessageMenu(m, { meId: this.options.meId, isAdmin: this.isAdmin, actions: this.actions }, at, returnTo),
    };
    this.panels = createPanels(this);

    this.statusEl = h('span', { class: 'conn-pill', 'data-status': 'connecting', role: 'status' }, 'Connecting…');
    this.retryBtn = h('button', { class: 'btn btn-ghost btn-small', type: 'button', hidden: true, onclick: () => this.session.socket.reconnectNow() }, 'Retry now');
    this.onlineToggle = h(
      'button',
      { class: 'icon-btn', type: 'button', 'aria-label': 'Show who is online', 'aria-pressed': 'false', title: 'Who is online', onclick: () => this.toggleOnline() },
      icon('users', 20),
    );
    this.titleName = h('span', { class: 'channel-name' });
    this.header = h(
      'header',
      { class: 'channel-head' },
      h('h2', { class: 'channel-title' }, h('span', { class: 'hash' }, icon('hash', 20)), this.titleName),
      this.statusEl,
      this.retryBtn,
      h('span', { class: 'spacer' }),
      this.panels.buttons,
      this.onlineToggle,
    );

    this.topEl = h('div', { class: 'history-top' });
    this.listEl = h('ol', { class: 'message-list' });
    this.pendingEl = h('ol', { class: 'message-list pending-list', 'aria-label': 'Messages being sent' });
    this.scroller = h('div', { class: 'messages', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', tabindex: '0' }, this.topEl, this.listEl, this.pendingEl);
    this.scroller.addEventListener('scroll', () => this.onScroll(), { passive: true });
    // Only a window of the history is in the DOM (see message-window.js).
    this.window = new MessageWindow({ list: this.listEl, scroller: this.scroller, item: (m, i, all) => this.itemFor(m, i, all) });
    /** @type {Map<number, Message>} */
    this.byId = new Map();
    /** @type {Map<number, number>} */
    this.replies = new Map();
    // ↑/↓ move through the messages once the list has focus; Escape goes back to writing.
    arrowNavigation(this.scroller, '.message-list > li.msg', { onEscape: () => this.focus() });
    rovingMessageFocus(this.scroller);
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
    this.composer = new Composer({
      channelName: this.channel.name,
      maxLength: options.limits.message_max_length,
      send: (text, parentId) => this.session.send(text, parentId),
      typing: (active) => this.session.setTyping(active),
      editLast: () => {
        const mine = [...this.session.messages].reverse().find((m) => (m.author?.id ?? m.author_id) === this.options.meId && !isDeleted(m));
        if (mine) this.actions.edit(mine);
        return !!mine;
      },
      onError: (text) => toast(text, 'error'),
      onSent: () => this.scrollToBottom(),
      draft: { load: () => loadDraft(this.options.meId, this.channel.id), save: (text) => saveDraft(this.options.meId, this.channel.id, text) },
      members: () => this.options.members?.() ?? [],
    });

    this.el = h(
      'div',
      { class: 'text-view', dataset: { channelId: this.channel.id } },
      this.header,
      h('div', { class: 'chat-body' }, h('div', { class: 'chat-main' }, this.scroller, this.jumpBtn, this.typingEl, this.composer.el), this.panels.el, this.onlinePane),
    );
    this.showName();
    this.renderAll();
  }

  /**
   * Follows changes to the channel (a rename) and to the user's role.
   * @param {{ id: number, name: string }} channel
   * @param {{ isAdmin?: boolean, restriction?: { timedOutUntil: number | null, slowModeSeconds: number, exempt: boolean } }} [extra]
   */
  setChannel(channel, extra = {}) {
    if (extra.restriction) this.composer.setRestriction(extra.restriction);
    const renamed = channel.name !== this.channel.name;
    const roleChanged = extra.isAdmin !== undefined && extra.isAdmin !== this.isAdmin;
    this.channel = channel;
    if (extra.isAdmin !== undefined) this.isAdmin = extra.isAdmin;
    if (renamed) {
      this.showName();
      this.renderTop();
    }
    if (roleChanged) {
      this.window.rendered.forEach((entry) => (entry.sig = ''));
      this.renderMessages();
    }
  }

  showName() {
    const name = this.channel.name;
    this.titleName.textContent = name;
    this.listEl.setAttribute('aria-label', `Messages in #${name}`);
    this.scroller.setAttribute('aria-label', `#${name}`);
    this.composer.setChannelName(name);
  }

  focus() {
    this.composer.focus();
  }

  toggleOnline() {
    const open = this.el.classList.toggle('show-online');
    this.onlineToggle.setAttribute('aria-pressed', String(open));
  }

  nearBottom() {
    const s = this.scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 80;
  }

  /** The rendered messages by id. */
  get rendered() {
    return this.window.rendered;
  }

  /** @param {boolean} [smooth] */
  scrollToBottom(smooth = false) {
    if (!this.window.follow || !this.window.atEnd) {
      this.window.followEnd();
      this.window.render(this.session.messages, false);
    }
    this.scroller.scrollTo({ top: this.scroller.scrollHeight, behavior: smooth ? 'smooth' : 'auto' });
    this.stick = true;
    this.unseen = 0;
    this.jumpBtn.hidden = true;
  }

  onScroll() {
    const s = this.scroller;
    const all = this.session.messages;
    // Near an edge of what is rendered: move the window, or fetch older pages.
    if (s.scrollTop < EDGE) {
      if (!this.window.atStart) this.window.shift(all, -1);
      else if (this.session.hasMoreBackward && !this.session.loadingOlder) void this.loadOlder();
    } else if (s.scrollHeight - s.scrollTop - s.clientHeight < EDGE && !this.window.atEnd) this.window.shift(all, 1);
    this.stick = this.window.atEnd && this.nearBottom();
    if (this.stick) {
      this.unseen = 0;
      this.jumpBtn.hidden = true;
    }
  }

  async loadOlder() {
    try {
      // The new page re-renders the list with the top message kept in place;
      // then the window moves onto it if the reader is still near the top.
      const got = await this.session.loadOlder();
      if (got && this.scroller.scrollTop < EDGE) this.window.shift(this.session.messages, -1);
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
      if (this.pendingJump != null) void this.jumpTo(this.pendingJump);
      this.pendingJump = null;
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
    else if (s.hasMoreBackward) setChildren(this.topEl, h('button', { class: 'btn btn-ghost btn-small', type: 'button', onclick: () => void this.loadOlder() }, 'Load older messages'));
    else
      setChildren(
        this.topEl,
        h('div', { class: 'channel-intro' }, h('h3', null, `Welcome to #${this.channel.name}`), h('p', { class: 'muted' }, 'This is the start of the channel.')),
      );
  }

  /**
   * What one message of the list looks like in its place: its signature
   * (re-render when it changes) and how to render it.
   * @param {Message} m
   * @param {number} i
   * @param {Message[]} all
   */
  itemFor(m, i, all) {
    const prev = all[i - 1];
    const day = dayLabel(parseTimestamp(m.created_at));
    const newDay = !prev || dayLabel(parseTimestamp(prev.created_at)) !== day;
    const grouped = !newDay && continuesGroup(prev, m);
    const parent = m.parent_id != null ? this.byId.get(m.parent_id) : undefined;
    const count = Math.max(this.replies.get(m.id) ?? 0, m.id === (m.thread_root_id ?? m.id) ? m.thread_reply_count ?? 0 : 0);
    return {
      sig: `${messageSignature(m)}|${grouped}|${newDay ? day : ''}|${parent ? messageSignature(parent) : m.parent_id ?? ''}|${count}`,
      render: () => renderMessageItem(m, { meId: this.options.meId, isAdmin: this.isAdmin, grouped, parent, replies: count, dayBreak: newDay ? day : '', actions: this.actions }),
    };
  }

  /** Brings the list in step with the session, re-rendering only what changed. */
  renderMessages() {
    const wasAtBottom = this.stick || (this.window.atEnd && this.nearBottom());
    const list = this.session.messages;
    this.byId = new Map(list.map((m) => [m.id, m]));
    this.replies = replyCounts(list);
    this.window.render(list, !wasAtBottom);
    this.el.dataset.messageCount = String(list.length);
    const incoming = this.reportNewest(list);
    if (incoming && typeof document !== 'undefined' && document.hidden) this.options.onUnseen?.(incoming);
    if (wasAtBottom) this.scrollToBottom();
    else if (incoming) {
      this.unseen += incoming;
      this.jumpBtn.hidden = false;
      this.jumpBtn.textContent = `${this.unseen} new message${this.unseen === 1 ? '' : 's'} ↓`;
    }
    this.renderPending();
    this.panels.refresh();
  }

  /**
   * Tells the page about messages from others that arrived since the last
   * render, and how far the channel was seen; returns how many arrived.
   * @param {Message[]} list
   */
  reportNewest(list) {
    const newest = list.at(-1);
    if (!this.session.loaded || !newest) return 0;
    const since = this.latestId;
    let count = 0;
    if (since != null && newest.id > since) {
      const incoming = list.filter((m) => m.id > since && (m.author?.id ?? m.author_id) !== this.options.meId);
      count = incoming.length;
      if (count) this.options.onIncoming?.(incoming);
    }
    if (since == null || newest.id > since) {
      this.latestId = newest.id;
      this.options.onLatest?.(newest.id);
    }
    return count;
  }

  renderPending() {
    renderPendingList(this.pendingEl, this.session.pending, {
      retry: (id) => this.session.retryPending(id),
      discard: (id) => this.session.discardPending(id),
    });
  }

  renderOnline() {
    renderOnlineList(this.onlineHead, this.onlineList, this.session.status === 'open' ? this.session.online : []);
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

  /**
   * Shows a message (from a message link) once the history has loaded.
   * @param {number} id
   */
  showMessage(id) {
    if (this.session.loaded) void this.jumpTo(id);
    else this.pendingJump = id;
  }

  /**
   * Shows a message, paging back through the history when it is not loaded yet.
   * @param {number} id
   */
  async jumpTo(id) {
    const loaded = () => this.session.messages.some((m) => m.id === id);
    for (let pages = 0; !loaded() && this.session.hasMoreBackward && pages < 1000; pages += 1) {
      try {
        if (!(await this.session.loadOlder())) break;
      } catch {
        break;
      }
    }
    if (this.window.showAround(this.session.messages, id)) this.stick = false;
    this.highlight(id);
  }

  destroy() {
    this.composer.destroy();
    this.el.remove();
  }
}
