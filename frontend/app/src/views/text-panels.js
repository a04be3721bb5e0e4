// The side panels of a text view (pins, threads, search) and the message
// actions that work with them.

import { ChannelPanels } from './channel-panels.js';
import { toast } from './dialogs.js';
import { pinMessageDialog } from './message-dialogs.js';
import { PinsPanel } from './pins-panel.js';
import { SearchPanel } from './search-panel.js';
import { ThreadPanel, threadRootOf } from './thread-panel.js';

/** @typedef {import('./text-view.js').TextView} TextView */
/** @typedef {import('../messages.js').Message} Message */

/** @param {TextView} view */
export function createPanels(view) {
  return new ChannelPanels({
    pins: {
      label: 'Pinned messages',
      icon: 'pin',
      make: () =>
        new PinsPanel({
          api: view.options.api,
          channelId: view.channel.id,
          canManage: () => view.isAdmin,
          jumpTo: (id) => void view.jumpTo(id),
          onUnpinned: (id) => markUnpinned(view, id),
          onError: (text) => toast(text, 'error'),
          close: () => view.panels.close(),
        }),
    },
    search: {
      label: 'Search this channel',
      icon: 'search',
      make: () =>
        new SearchPanel({
          api: view.options.api,
          channelId: view.channel.id,
          limit: view.options.limits.history_default_limit,
          people: () => view.options.members?.() ?? [],
          jumpTo: (id) => void view.jumpTo(id),
          close: () => view.panels.close(),
        }),
    },
  });
}

/** Opens the thread a message belongs to. @param {TextView} view @param {Message} m */
export function openThread(view, m) {
  const rootId = threadRootOf(m);
  view.panels.open(
    'thread',
    new ThreadPanel({
      api: view.options.api,
      channelId: view.channel.id,
      rootId,
      live: () => view.session.messages,
      send: (text, parentId) => view.session.send(text, parentId),
      jumpTo: (id) => void view.jumpTo(id),
      onError: (text) => toast(text, 'error'),
      close: () => view.panels.close(),
    }),
  );
}

/** @param {TextView} view @param {Message} m */
export function pinAction(view, m) {
  const limits = view.options.limits;
  pinMessageDialog(m, {
    api: view.options.api,
    channelId: view.channel.id,
    noteMax: limits.pin_note_max_length,
    pinsMax: limits.pins_per_channel,
    absorb: view.absorb,
    pinned: () => (view.panels.kind === 'pins' ? view.panels.open('pins') : undefined),
  });
}

/** @param {TextView} view @param {Message} m */
export async function unpinAction(view, m) {
  try {
    await view.options.api.unpin(view.channel.id, m.id);
    markUnpinned(view, m.id);
    if (view.panels.kind === 'pins') view.panels.open('pins');
  } catch (err) {
    toast(/** @type {Error} */ (err).message, 'error');
  }
}

/** The server sends no event for pins: update the local copy. @param {TextView} view @param {number} id */
function markUnpinned(view, id) {
  const m = view.session.messages.find((x) => x.id === id);
  if (m) view.absorb({ ...m, pinned_at: null, pinned_by: null });
}
