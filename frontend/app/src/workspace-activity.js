// The workspace's side of read state: the server counts unread messages and
// mentions per channel (room detail, GET /api/read-states, and `read_state`
// frames when the user reads on another tab or device); this marks the open
// channel read while it is on screen, refreshes the counts of channels not on
// screen, and notifies about mentions while the tab is hidden.

import { notificationsAllowed, showNotification } from './activity.js';
import { authorName, mentionsMe } from './messages.js';

/** @typedef {import('./messages.js').Message} Message */
/** @typedef {import('./state/workspace.js').ReadState} ReadState */

/** How often the counts of channels not on screen are refreshed. */
const REFRESH_MS = 10000;
/** Reads are sent at most this often per channel while messages stream in. */
const MARK_DELAY_MS = 400;

/**
 * @param {{
 *   api: import('./api.js').ApiClient,
 *   store: import('./state/store.js').Store<import('./state/workspace.js').WorkspaceState, import('./state/workspace.js').WorkspaceAction>,
 *   meId: number | null,
 *   open: (channelId: number, messageId: number) => void,
 * }} ctx
 */
export function startActivity(ctx) {
  const { store, api } = ctx;
  /** The newest message on screen per channel, not yet sent as read. @type {Map<number, number>} */
  const unsent = new Map();
  /** @type {ReturnType<typeof setTimeout> | null} */
  let markTimer = null;
  /** @type {ReturnType<typeof setTimeout> | null} */
  let refreshTimer = null;
  let started = false;

  /** @param {number} channelId */
  const channelName = (channelId) => store.state.room?.channels.find((c) => c.id === channelId)?.name ?? 'a channel';

  /** @param {number} channelId @param {Message} m */
  function notify(channelId, m) {
    if (!document.hidden || !notificationsAllowed()) return;
    showNotification({
      title: `${authorName(m)} mentioned you in #${channelName(channelId)}`,
      body: (m.content ?? '').slice(0, 200),
      tag: `charge-mention-${m.id}`,
      onClick: () => ctx.open(channelId, m.id),
    });
  }

  /** Messages that reached the open channel live. @param {number} channelId @param {Message[]} messages */
  function arrived(channelId, messages) {
    const mention = messages.find((m) => (m.author?.id ?? m.author_id) !== ctx.meId && !m.deleted_at && mentionsMe(m, ctx.meId));
    if (mention) notify(channelId, mention);
  }

  /**
   * New mentions in a channel not on screen: the newest one after the read
   * position is fetched for the notification's words.
   * @param {ReadState} state
   */
  async function newMention(state) {
    if (!document.hidden || !notificationsAllowed()) return;
    try {
      const page = await api.history(state.channel_id, { after: state.last_read_message_id, limit: 50 });
      /** @type {Message[]} */
      const items = Array.isArray(page?.items) ? page.items : [];
      const m = items.filter((x) => (x.author?.id ?? x.author_id) !== ctx.meId && !x.deleted_at && mentionsMe(x, ctx.meId)).at(-1);
      if (m) notify(state.channel_id, m);
    } catch {
      /* the dot still shows it */
    }
  }

  async function refresh() {
    try {
      /** @type {{ channels: ReadState[] }[]} */
      const rooms = await api.readStates();
      const before = store.state.readStates;
      const states = rooms.flatMap((r) => (Array.isArray(r.channels) ? r.channels : []));
      store.dispatch({ type: 'read-states', states });
      for (const s of states) {
        const known = before[s.channel_id];
        if (known && s.mention_count > known.mention_count && s.channel_id !== store.state.channelId) void newMention(s);
      }
    } catch {
      /* offline for now: the next round tries again */
    } finally {
      if (started) refreshTimer = setTimeout(() => void refresh(), REFRESH_MS);
    }
  }

  function flushReads() {
    markTimer = null;
    if (document.hidden) return;
    for (const [channelId, messageId] of unsent) {
      unsent.delete(channelId);
      const known = store.state.readStates[channelId];
      if (known && known.last_read_message_id >= messageId && known.unread_count === 0) continue;
      api.markRead(channelId, messageId).then(
        (state) => store.dispatch({ type: 'read-states', states: [state] }),
        () => {},
      );
    }
  }

  const onVisible = () => {
    if (!document.hidden && unsent.size && !markTimer) markTimer = setTimeout(flushReads, 0);
  };

  return {
    /** Starts the refreshes once rooms are shown. @param {import('./state/workspace.js').WorkspaceState} state */
    sync(state) {
      if (started || !state.roomsLoaded) return;
      started = true;
      document.addEventListener('visibilitychange', onVisible);
      refreshTimer = setTimeout(() => void refresh(), 0);
    },
    /** Messages that reached the open channel live. */
    incoming: arrived,
    /**
     * The open channel was seen up to `messageId`: it is marked read (once the
     * tab is visible, so a hidden tab does not clear the user's other devices).
     * @param {number} channelId @param {number} messageId
     */
    seen(channelId, messageId) {
      const queued = unsent.get(channelId);
      if (queued != null && queued >= messageId) return;
      unsent.set(channelId, messageId);
      if (!markTimer && !document.hidden) markTimer = setTimeout(flushReads, MARK_DELAY_MS);
    },
    stop() {
      started = false;
      document.removeEventListener('visibilitychange', onVisible);
      if (refreshTimer) clearTimeout(refreshTimer);
      if (markTimer) clearTimeout(markTimer);
    },
  };
}
