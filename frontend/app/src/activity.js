// What happens in the channels the user is not looking at: a watcher asks
// each text channel of the room for messages newer than the last one read
// (client-side for now; the room socket carries no messages), so the channel
// list can show an unread dot, and mentions of the user raise a browser
// notification while the tab is hidden.

import { loadSeen, loadSettings, saveSeen } from './preferences.js';

/** @typedef {import('./messages.js').Message} Message */

/**
 * Whether `content` mentions `login`, @everyone or @here.
 * @param {string | null | undefined} content
 * @param {string | null | undefined} login
 */
export function mentionsUser(content, login) {
  if (!content) return false;
  const names = ['everyone', 'here', ...(login ? [login] : [])].map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`(^|[^\\p{L}\\p{N}_.@-])@(${names.join('|')})(?![\\p{L}\\p{N}_-])`, 'iu').test(content);
}

/** @returns {boolean} whether mention notifications can be shown now */
export function notificationsAllowed() {
  return typeof Notification === 'function' && Notification.permission === 'granted' && loadSettings().notifications;
}

/** Asks for permission to notify; call it from a click or key press. */
export function askNotificationPermission() {
  if (typeof Notification === 'function' && Notification.permission === 'default') void Notification.requestPermission().catch(() => {});
}

/**
 * A notification for a mention; a click brings the tab back to the message.
 * @param {{ title: string, body: string, tag: string, onClick: () => void }} note
 */
export function showNotification(note) {
  try {
    const n = new Notification(note.title, { body: note.body, tag: note.tag });
    n.onclick = () => {
      window.focus();
      note.onClick();
      n.close();
    };
  } catch {
    /* notifications unavailable in this context */
  }
}

export class ChannelWatcher {
  /**
   * @param {{
   *   api: Pick<import('./api.js').ApiClient, 'history'>,
   *   userId: number | null,
   *   onNew: (channelId: number, messages: Message[]) => void,
   *   intervalMs?: number,
   * }} options
   */
  constructor(options) {
    this.options = options;
    /** Newest message id known per channel. @type {Record<number, number>} */
    this.seen = loadSeen(options.userId);
    /** @type {number[]} */
    this.channels = [];
    /** @type {number | null} */
    this.openId = null;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.timer = null;
    this.running = false;
    /** Whether rounds repeat on a timer (after start, until stop). */
    this.repeating = false;
  }

  /** @param {number[]} textChannelIds @param {number | null} openId */
  setChannels(textChannelIds, openId) {
    this.channels = textChannelIds;
    this.openId = openId;
  }

  /** The open channel was read up to `messageId`. @param {number} channelId @param {number} messageId */
  markSeen(channelId, messageId) {
    const known = this.seen[channelId];
    if (known != null && known >= messageId) return;
    this.seen = { ...this.seen, [channelId]: messageId };
    saveSeen(this.options.userId, this.seen);
  }

  start() {
    this.repeating = true;
    this.schedule(1000);
  }

  stop() {
    this.repeating = false;
    this.channels = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** @param {number} ms */
  schedule(ms) {
    if (!this.repeating) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  /** One round over the channels not on screen. */
  async tick() {
    if (this.running) return;
    this.running = true;
    try {
      for (const id of [...this.channels]) {
        // The room may have changed meanwhile.
        if (this.channels.includes(id) && id !== this.openId) await this.check(id);
      }
    } finally {
      this.running = false;
      this.schedule(this.options.intervalMs ?? 15000);
    }
  }

  /** @param {number} channelId */
  async check(channelId) {
    const { api } = this.options;
    const known = this.seen[channelId];
    try {
      /** @type {Message[]} */
      let fresh;
      if (known == null) {
        // First sight of this channel: what is there now counts as read.
        const page = await api.history(channelId, { limit: 1 });
        const newest = page.items.at(-1);
        this.markSeen(channelId, newest ? newest.id : 0);
        return;
      }
      if (known === 0) fresh = (await api.history(channelId, { limit: 50 })).items;
      else fresh = (await api.history(channelId, { after: known, limit: 50 })).items;
      if (!fresh.length) return;
      this.markSeen(channelId, Math.max(...fresh.map((m) => m.id)));
      if (channelId !== this.openId) this.options.onNew(channelId, fresh);
    } catch {
      // A vanished pivot message or channel: start again from what is there.
      const { [channelId]: _gone, ...rest } = this.seen;
      this.seen = rest;
    }
  }
}
