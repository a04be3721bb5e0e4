// The workspace's side of unread channels and mention notifications: runs
// the channel watcher for the open room, marks channels unread in the store
// and notifies about mentions while the tab is hidden.

import { ChannelWatcher, mentionsUser, notificationsAllowed, showNotification } from './activity.js';
import { authorName } from './messages.js';
import { isVoice } from './state/workspace.js';

/** @typedef {import('./messages.js').Message} Message */

/**
 * @param {{
 *   api: import('./api.js').ApiClient,
 *   store: import('./state/store.js').Store<import('./state/workspace.js').WorkspaceState, import('./state/workspace.js').WorkspaceAction>,
 *   meId: number | null,
 *   open: (channelId: number, messageId: number) => void,
 * }} ctx
 */
export function startActivity(ctx) {
  const { store } = ctx;
  /** @type {string | null} */
  let roomSlug = null;

  /** @param {number} channelId @param {Message[]} messages */
  function arrived(channelId, messages) {
    const login = store.state.profile?.login;
    const others = messages.filter((m) => (m.author?.id ?? m.author_id) !== ctx.meId);
    if (!others.length) return;
    const mention = others.find((m) => !m.deleted_at && mentionsUser(m.content, login));
    if (channelId !== store.state.channelId || document.hidden) store.dispatch({ type: 'unread', channelId, mention: !!mention });
    if (!mention || !document.hidden || !notificationsAllowed()) return;
    const room = store.state.room;
    const channel = room?.channels.find((c) => c.id === channelId);
    showNotification({
      title: `${authorName(mention)} mentioned you in #${channel?.name ?? 'a channel'}`,
      body: (mention.content ?? '').slice(0, 200),
      tag: `charge-mention-${mention.id}`,
      onClick: () => ctx.open(channelId, mention.id),
    });
  }

  const watcher = new ChannelWatcher({ api: ctx.api, userId: ctx.meId, onNew: arrived });

  return {
    /** Keeps the watcher on the open room's text channels. @param {import('./state/workspace.js').WorkspaceState} state */
    sync(state) {
      const room = state.room;
      if (!room) {
        watcher.stop();
        roomSlug = null;
        return;
      }
      watcher.setChannels(
        room.channels.filter((c) => !isVoice(c)).map((c) => c.id),
        state.channelId,
      );
      if (roomSlug !== room.slug) {
        roomSlug = room.slug;
        watcher.stop();
        watcher.start();
      }
    },
    /** Messages that reached the open channel live. */
    incoming: arrived,
    /** The open channel was seen up to `messageId`. @param {number} channelId @param {number} messageId */
    seen: (channelId, messageId) => watcher.markSeen(channelId, messageId),
  };
}
