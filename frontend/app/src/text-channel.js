// A text channel: history, live frames, scroll-back, catch-up after reconnects,
// typing and presence. No DOM here; the view subscribes with onChange.

import { ReconnectingSocket } from './socket.js';
import { lastMessageId, mergeMessages, newNonce, oldestMessageId } from './messages.js';

/** @typedef {import('./messages.js').Message} Message */

export const TYPING_THROTTLE_MS = 3000;

/**
 * @typedef {{
 *   localId: number,
 *   content: string,
 *   parentId: number | null,
 *   afterId: number,
 *   nonce: string,
 *   via: 'ws' | 'http',
 *   failed: string | null,
 * }} PendingMessage
 */

/**
 * Fetches everything after `afterId`, page by page, until the server says
 * there is nothing newer.
 * @param {{ history: (id: number, q: { after?: number, limit?: number }) => Promise<any> }} api
 * @param {number} channelId
 * @param {number} afterId
 * @param {{ limit: number, maxPages?: number }} options page size (the server's history_max_limit)
 * @returns {Promise<Message[]>}
 */
export async function fetchMissed(api, channelId, afterId, options) {
  const limit = options.limit;
  const maxPages = options.maxPages ?? 1000;
  /** @type {Message[]} */
  let collected = [];
  let after = afterId;
  for (let page = 0; page < maxPages; page += 1) {
    const result = await api.history(channelId, { after, limit });
    const items = Array.isArray(result?.items) ? result.items : [];
    collected = mergeMessages(collected, items);
    const newest = lastMessageId(items);
    if (!result?.has_more_forward || newest === null || newest <= after) break;
    after = newest;
  }
  return collected;
}

/**
 * Whether a stored message is the one we sent (the server may trim or
 * normalise the text).
 * @param {string} sent
 * @param {unknown} stored
 */
export function sameText(sent, stored) {
  if (typeof stored !== 'string') return false;
  return sent.normalize('NFC').trim() === stored.normalize('NFC').trim();
}

export class TextChannelSession {
  /**
   * @param {{
   *   api: import('./api.js').ApiClient,
   *   channelId: number,
   *   meId: number | null,
   *   limits: Pick<import('./limits.js').Limits, 'message_max_length' | 'history_default_limit' | 'history_max_limit' | 'typing_ttl_seconds'>,
   *   url: () => string | Promise<string>,
   *   WebSocketImpl?: typeof WebSocket,
   *   onChange?: (session: TextChannelSession, what: string) => void,
   *   onAuthError?: () => void,
   *   onGone?: (reason: string) => void,
   *   onError?: (detail: string) => void,
   *   onPermissions?: (names: string[]) => void,
   *   pingInterval?: number,
   *   backoff?: import('./backoff.js').BackoffOptions,
   * }} options
   */
  constructor(options) {
    this.options = options;
    this.api = options.api;
    this.channelId = options.channelId;
    this.meId = options.meId;
    this.limits = options.limits;
    /** @type {Message[]} */
    this.messages = [];
    this.loaded = false;
    this.hasMoreBackward = false;
    this.loadingOlder = false;
    /** @type {Promise<boolean> | null} */
    this.olderLoad = null;
    this.syncing = false;
    /** @type {{ id: number, display_name: string, status?: string, avatar_url?: string | null }[]} */
    this.online = [];
    /** @type {{ id: number, display_name: string }[]} */
    this.typing = [];
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.typingTimer = null;
    this.lastTypingSent = 0;
    /** @type {PendingMessage[]} */
    this.pending = [];
    this.nextLocalId = 1;
    /** Highest id seen before the connection dropped: the catch-up pivot. */
    /** @type {number | null} */
    this.resumeAfter = null;
    /** @type {import('./socket.js').SocketStatus} */
    this.status = 'idle';
    this.statusInfo = { attempt: 0, retryIn: /** @type {number | null} */ (null), reason: '' };
    this.stopped = false;
    this.httpLoading = false;

    this.socket = new ReconnectingSocket({
      url: options.url,
      WebSocketImpl: options.WebSocketImpl,
      pingInterval: options.pingInterval,
      backoff: options.backoff,
      onStatus: (status, info) => {
        if (status !== 'open' && this.status === 'open') this.resumeAfter = lastMessageId(this.messages);
        this.status = status;
        this.statusInfo = info;
        if (status !== 'open') {
          this.online = [];
          this.setTypingUsers([], 0);
        }
        // The live connection is not there yet: show the history over HTTP
        // meanwhile (the socket's history frame is merged in when it opens).
        if (status === 'reconnecting' && !this.loaded && !this.httpLoading) void this.loadOverHttp();
        this.emit('status');
      },
      onFrame: (frame) => this.handleFrame(frame),
      onFatal: (kind, reason) => {
        if (kind === 'auth') this.options.onAuthError?.();
        else this.options.onGone?.(reason);
      },
      onRepeatedFailure: () => {
        // The socket keeps failing before it opens: check whether the token
        // still works (a 401 ends the session through the API client).
        this.api.listRooms().catch(() => {});
      },
    });
  }

  /** @param {string} what */
  emit(what) {
    this.options.onChange?.(this, what);
  }

  start() {
    this.stopped = false;
    this.socket.start();
  }

  stop() {
    this.stopped = true;
    if (this.typingTimer) clearTimeout(this.typingTimer);
    this.socket.close();
  }

  /** @param {any} frame */
  handleFrame(frame) {
    if (!frame || typeof frame !== 'object') return;
    switch (frame.type) {
      case 'history':
        void this.onHistory(frame.page);
        break;
      case 'presence':
        if (frame.channel_id == null || frame.channel_id === this.channelId) {
          this.online = Array.isArray(frame.online) ? frame.online : [];
          this.emit('presence');
        }
        break;
      case 'message':
      case 'reaction':
        if (frame.message && typeof frame.message.id === 'number') {
          if (frame.message.channel_id != null && frame.message.channel_id !== this.channelId) return;
          this.absorb([frame.message]);
        }
        break;
      case 'typing':
        this.setTypingUsers(
          (Array.isArray(frame.users) ? frame.users : []).filter((/** @type {any} */ u) => u && u.id !== this.meId),
          typeof frame.expires_in === 'number' ? frame.expires_in : this.limits.typing_ttl_seconds,
        );
        break;
      case 'error':
        this.onServerError(String(frame.detail ?? 'Something went wrong'));
        break;
      case 'permissions':
        if (Array.isArray(frame.permissions)) this.options.onPermissions?.(frame.permissions.map(String));
        break;
      default:
        break;
    }
  }

  /**
   * Adds messages to the list and settles pending sends they confirm.
   * @param {Message[]} items
   */
  absorb(items) {
    if (!items.length) return;
    const before = this.messages;
    this.messages = mergeMessages(this.messages, items);
    if (this.meId != null && this.pending.length) {
      for (const m of items) {
        const authorId = m.author?.id ?? m.author_id;
        if (authorId !== this.meId) continue;
        // The nonce settles a send for sure; a copy read back from history has none.
        let index = m.nonce ? this.pending.findIndex((p) => p.nonce === m.nonce) : -1;
        if (index < 0)
          index = this.pending.findIndex(
            (p) => m.id > p.afterId && sameText(p.content, m.content) && (p.parentId ?? null) === (m.parent_id ?? null),
          );
        if (index >= 0) this.pending.splice(index, 1);
      }
    }
    if (this.messages !== before) this.emit('messages');
    else this.emit('pending');
  }

  /** @param {any} page */
  async onHistory(page) {
    const items = Array.isArray(page?.items) ? page.items : [];
    const first = !this.loaded;
    if (first) this.hasMoreBackward = !!page?.has_more_backward;
    this.loaded = true;
    this.absorb(items);
    if (first) {
      this.emit('loaded');
      return;
    }
    if (this.messages.length === items.length) this.hasMoreBackward = !!page?.has_more_backward;
    await this.catchUp();
  }

  async loadOverHttp() {
    this.httpLoading = true;
    try {
      const page = await this.api.history(this.channelId, { limit: this.limits.history_default_limit });
      if (this.loaded || this.stopped) return;
      await this.onHistory(page);
      // Whatever arrives before the socket opens is fetched on open.
      if (this.status !== 'open') this.resumeAfter = lastMessageId(this.messages) ?? 0;
    } catch {
      /* the socket retries; so will we on its next failure */
    } finally {
      this.httpLoading = false;
    }
  }

  /** Fetches what was missed while disconnected, then resends lost sends. */
  async catchUp() {
    const pivot = this.resumeAfter;
    this.resumeAfter = null;
    if (pivot == null) {
      this.resendLost();
      return;
    }
    this.syncing = true;
    this.emit('status');
    for (let attempt = 0; attempt < 4 && !this.stopped; attempt += 1) {
      try {
        const missed = await fetchMissed(this.api, this.channelId, pivot, { limit: this.limits.history_max_limit });
        this.absorb(missed);
        break;
      } catch (err) {
        const status = /** @type {any} */ (err)?.status;
        if (status === 404 || status === 401 || status === 403) break;
        await new Promise((resolve) => setTimeout(resolve, 1000 * (attempt + 1)));
      }
    }
    this.syncing = false;
    this.emit('status');
    this.resendLost();
  }

  /** Messages sent over a socket that died before the server confirmed them. */
  resendLost() {
    const lost = this.pending.filter((p) => p.via === 'ws' && !p.failed);
    for (const p of lost) {
      p.via = 'http';
      void this.sendHttp(p);
    }
  }

  /**
   * Fetches the page before the oldest loaded message. A call while one is in flight shares it,
   * so a jump paging back never gives up because a scroll started a load first.
   * @returns {Promise<boolean>} whether older messages arrived
   */
  loadOlder() {
    if (this.olderLoad) return this.olderLoad;
    const before = oldestMessageId(this.messages);
    if (!this.hasMoreBackward || before == null) return Promise.resolve(false);
    this.loadingOlder = true;
    this.emit('older');
    this.olderLoad = this.api
      .history(this.channelId, { before, limit: this.limits.history_default_limit })
      .then((page) => {
        const items = Array.isArray(page?.items) ? page.items : [];
        this.hasMoreBackward = !!page?.has_more_backward && items.length > 0;
        this.absorb(items);
        return items.length > 0;
      })
      .finally(() => {
        this.loadingOlder = false;
        this.olderLoad = null;
        this.emit('older');
      });
    return this.olderLoad;
  }

  /**
   * Sends a message (socket when connected, HTTP otherwise).
   * @param {string} text
   * @param {number | null} [parentId]
   * @returns {string | null} an error for the user, or null
   */
  send(text, parentId = null) {
    const content = text.replace(/\s+$/u, '');
    if (!content.trim()) return 'Write something first.';
    const max = this.limits.message_max_length;
    if (content.length > max) {
      return `Messages can be at most ${max} characters (this one has ${content.length}).`;
    }
    /** @type {PendingMessage} */
    const pending = {
      localId: this.nextLocalId++,
      content,
      parentId: parentId ?? null,
      afterId: lastMessageId(this.messages) ?? 0,
      nonce: newNonce(),
      via: 'ws',
      failed: null,
    };
    this.pending.push(pending);
    this.setTyping(false);
    const sent =
      this.status === 'open' &&
      this.socket.send({ type: 'message', content, parent_id: pending.parentId, attachments: [], nonce: pending.nonce });
    if (!sent) {
      pending.via = 'http';
      void this.sendHttp(pending);
    }
    this.emit('pending');
    return null;
  }

  /** @param {PendingMessage} pending */
  async sendHttp(pending) {
    try {
      const message = await this.api.postMessage(this.channelId, pending.content, pending.parentId, pending.nonce);
      const index = this.pending.indexOf(pending);
      if (index >= 0) this.pending.splice(index, 1);
      if (message && typeof message.id === 'number') this.absorb([message]);
      else this.emit('pending');
    } catch (err) {
      pending.failed = /** @type {any} */ (err)?.message || 'Could not send';
      this.emit('pending');
    }
  }

  /** @param {number} localId */
  retryPending(localId) {
    const p = this.pending.find((x) => x.localId === localId);
    if (!p) return;
    p.failed = null;
    p.via = 'http';
    p.afterId = lastMessageId(this.messages) ?? 0;
    this.emit('pending');
    void this.sendHttp(p);
  }

  /** @param {number} localId */
  discardPending(localId) {
    this.pending = this.pending.filter((x) => x.localId !== localId);
    this.emit('pending');
  }

  /** @param {string} detail */
  onServerError(detail) {
    // Errors about a message we just sent: that send will never be confirmed.
    if (/message|attachment|parent|timed out/i.test(detail)) {
      const p = this.pending.find((x) => x.via === 'ws' && !x.failed);
      if (p) p.failed = detail;
    }
    this.options.onError?.(detail);
    this.emit('pending');
  }

  /**
   * Tells the others whether we are typing (throttled).
   * @param {boolean} active
   * @param {number} [now]
   */
  setTyping(active, now = Date.now()) {
    if (this.status !== 'open') return;
    if (active) {
      if (this.lastTypingSent && now - this.lastTypingSent < TYPING_THROTTLE_MS) return;
      if (this.socket.send({ type: 'typing', is_typing: true })) this.lastTypingSent = now;
    } else if (this.lastTypingSent) {
      this.lastTypingSent = 0;
      this.socket.send({ type: 'typing', is_typing: false });
    }
  }

  /**
   * @param {{ id: number, display_name: string }[]} users
   * @param {number} expiresIn seconds
   */
  setTypingUsers(users, expiresIn) {
    if (this.typingTimer) clearTimeout(this.typingTimer);
    this.typingTimer = null;
    const changed = users.length !== this.typing.length || users.some((u, i) => u.id !== this.typing[i]?.id);
    this.typing = users;
    if (users.length) {
      this.typingTimer = setTimeout(() => {
        this.typingTimer = null;
        this.typing = [];
        this.emit('typing');
      }, Math.max(0.5, expiresIn) * 1000);
    }
    if (changed) this.emit('typing');
  }
}
