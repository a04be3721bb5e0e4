// workspace.html: starts the workspace (token, server, limits, profile),
// keeps the store in step with the API and the room socket, and renders the
// sidebar and the open channel from the store.

import { applySavedTheme } from './theme.js';
import { ApiClient } from './api.js';
import { apiBase, wsBase } from './config.js';
import { byId, setChildren } from './dom.js';
import { arrowNavigation, channelShortcuts } from './keyboard.js';
import { startActivity } from './workspace-activity.js';
import { loadLimits } from './limits.js';
import { createChannelDialog } from './channel-dialogs.js';
import { loadCollapsed } from './preferences.js';
import { changeRoleDialog, createRoomDialog, joinDialog } from './room-dialogs.js';
import { memberActionsDialog, roomMenuDialog } from './moderation-dialogs.js';
import { acceptInviteLink } from './invite-dialogs.js';
import { channelActionsFor, wireChannelReorder, wireDialogButtons } from './workspace-buttons.js';
import { goToSignIn, loadToken, savedLogin, tokenUserId } from './session.js';
import { REMOVAL_WORDS, ReconnectingSocket } from './socket.js';
import { createStore } from './state/store.js';
import { channelLabel, currentChannel, initialState, isAdmin, isVoice, myMember, pageTitle, pickChannel, reduce, timeoutEnd } from './state/workspace.js';
import { TextChannelSession } from './text-channel.js';
import { loadSendPermission, reasonFromError, reasonFromNames } from './send-permission.js';
import { VoiceSession } from './voice.js';
import { renderChannelList } from './views/channel-list.js';
import { toast } from './views/dialogs.js';
import { emptyView, failureView } from './views/empty-view.js';
import { renderMemberList, renderRoomHead, renderRoomsRail, renderUserPanel } from './views/sidebar.js';
import { TextView } from './views/text-view.js';
import { renderCallPill, renderVoiceDock } from './views/voice-dock.js';
import { VoiceView } from './views/voice-view.js';
import { Drawer, TitleCounter, hashFor, parseHash, writeHash } from './workspace-chrome.js';

applySavedTheme();

const storedToken = loadToken();
if (!storedToken) {
  const { invite } = parseHash(location.hash);
  if (invite) location.replace(new URL(`./index.html?invite=${encodeURIComponent(invite)}`, location.href).toString());
  else goToSignIn(localStorage.getItem('charge.token') ? 'expired' : undefined);
  // Stop here while the browser leaves the page.
  await new Promise(() => {});
}
const token = /** @type {string} */ (storedToken);
const meId = tokenUserId(token);
const fallbackName = savedLogin() || (meId != null ? `User ${meId}` : 'You');

let signingOut = false;
function sessionEnded() {
  if (signingOut) return;
  signingOut = true;
  live.voice?.leave();
  goToSignIn('expired');
}

const { base } = await apiBase();
const api = new ApiClient({ base, token, onUnauthorized: sessionEnded });
/** @param {string} path */
const socketUrl = (path) => () => `${wsBase(base)}${path}?token=${encodeURIComponent(token)}`;

const store = createStore(reduce, initialState(meId));

/** Live objects that are not state: sockets, sessions and the mounted view. */
const live = {
  /** @type {ReconnectingSocket | null} */
  roomSocket: null,
  /** @type {TextChannelSession | null} */
  text: null,
  /** @type {TextView | VoiceView | null} */
  view: null,
  /** @type {number | null} the channel the mounted view shows */
  viewChannelId: null,
  /** @type {VoiceSession | null} */
  voice: null,
};

/** For debugging and browser tests. */
Object.defineProperty(window, 'charge', {
  value: {
    get state() {
      return store.state;
    },
    voice: () => live.voice?.snapshot() ?? null,
  },
});

const els = {
  app: byId('app'),
  roomList: byId('room-list'),
  textChannels: byId('text-channels'),
  voiceChannels: byId('voice-channels'),
  categoryGroups: byId('category-groups'),
  memberList: byId('member-list'),
  view: byId('channel-view'),
  voiceDock: byId('voice-dock'),
  mobileTitle: byId('mobile-title'),
  callPill: /** @type {HTMLButtonElement} */ (byId('call-pill')),
};
const headEls = {
  title: byId('room-title'),
  role: byId('room-role'),
  adminOnly: [byId('room-admin'), byId('btn-add-text'), byId('btn-add-voice')],
  groups: /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll('.channel-group')),
};
const panelEls = { name: byId('me-name'), avatar: byId('me-avatar'), status: byId('me-status'), statusText: byId('me-status-text'), conn: byId('room-conn') };

const drawer = new Drawer(els.app, byId('btn-drawer'), byId('scrim'));
const title = new TitleCounter();

/** @type {import('./moderation-dialogs.js').ModerationContext} */
const ctx = { api, store, loadRooms, openRoom, openChannel, leftRoom };
const channelActions = channelActionsFor(ctx);

// ---------------------------------------------------------------- rendering

function renderVoiceParts() {
  const state = store.state;
  renderChannelList({ text: els.textChannels, voice: els.voiceChannels, categories: els.categoryGroups }, state, live.voice, channelActions);
  renderVoiceDock(els.voiceDock, state, live.voice, { leave: leaveVoice });
  renderCallPill(els.callPill, state, live.voice, { back: (slug, channelId) => void openRoom(slug, channelId) });
  if (live.view instanceof VoiceView) live.view.render();
}

/**
 * @param {import('./state/workspace.js').WorkspaceState} state
 * @param {import('./state/workspace.js').WorkspaceAction | null} action
 * @param {import('./state/workspace.js').WorkspaceState} previous
 */
function render(state, action, previous) {
  renderRoomsRail(els.roomList, state, { openRoom: (slug) => void openRoom(slug) });
  renderRoomHead(headEls, state);
  renderMemberList(els.memberList, state, { changeRole: (m) => changeRoleDialog(ctx, m), moderate: (m) => memberActionsDialog(ctx, m) });
  byId('btn-room-menu').hidden = !state.room;
  renderUserPanel(panelEls, state, fallbackName);
  renderVoiceParts();
  title.setBase(pageTitle(state));
  const channel = currentChannel(state);
  els.mobileTitle.textContent = channel ? channelLabel(channel) : state.room?.title ?? 'Charge';
  if (state.room) writeHash(state.room.slug, state.channelId);
  syncChannelView(state);
  activity.sync(state);
  if (action) afterChange(state, action, previous);
}

/**
 * Follow-ups when the open channel or the voice channel disappears.
 * @param {import('./state/workspace.js').WorkspaceState} state
 * @param {import('./state/workspace.js').WorkspaceAction} action
 * @param {import('./state/workspace.js').WorkspaceState} previous
 */
function afterChange(state, action, previous) {
  const room = state.room;
  if (!room || previous.room?.slug !== room.slug) return;
  const lost = previous.channelId != null && state.channelId == null;
  if (lost) {
    const gone = previous.room.channels.find((c) => c.id === previous.channelId);
    if (action.type === 'room-frame') toast(`The channel ${gone ? `“${gone.name}” ` : ''}was deleted.`);
    const next = pickChannel(room, null, null);
    if (next) queueMicrotask(() => openChannel(next.id));
  }
  const voice = state.voice;
  if (voice && voice.slug === room.slug && !room.channels.some((c) => c.id === voice.channelId)) queueMicrotask(leaveVoice);
}

/** Mounts the view of the selected channel, or the empty view. @param {import('./state/workspace.js').WorkspaceState} state */
function syncChannelView(state) {
  const channel = currentChannel(state);
  if (channel && live.viewChannelId === channel.id && live.view) {
    if (live.view instanceof TextView) live.view.setChannel(channel, { isAdmin: isAdmin(state.room), restriction: restrictionFor(state, channel) });
    else live.view.setChannel(channel, { isAdmin: isAdmin(state.room) });
    return;
  }
  closeView();
  if (!channel || !state.room || !state.limits) {
    setChildren(els.view, emptyView(state, { createRoom: () => createRoomDialog(ctx), join: () => joinDialog(ctx), createChannel: (t) => createChannelDialog(ctx, t) }));
    return;
  }
  live.viewChannelId = channel.id;
  const room = state.room;
  if (isVoice(channel)) {
    const slug = room.slug;
    const view = new VoiceView({
      channel,
      roomTitle: room.title,
      getSession: () => live.voice,
      isHere: () => store.state.voice?.slug === slug && store.state.voice.channelId === channel.id,
      join: () => void joinVoice(slug, room.title, channel.id),
      leave: () => leaveVoice(),
    });
    live.view = view;
    setChildren(els.view, view.el);
    return;
  }
  const session = new TextChannelSession({
    api,
    channelId: channel.id,
    meId,
    limits: state.limits,
    url: socketUrl(`/ws/text/${channel.id}`),
    onChange: (s, what) => {
      if (live.text === s && live.view instanceof TextView) live.view.update(what);
    },
    onAuthError: sessionEnded,
    onGone: (reason) => {
      if (REMOVAL_WORDS[reason]) leftRoom(room.slug, reason);
      else if (reason === 'Missing permission: view') toast('You can no longer see this channel.', 'error');
      else toast(reason === 'Invalid channel' ? 'This channel no longer exists.' : `Left the channel: ${reason}`, 'error');
    },
    onError: (detail) => {
      const blocked = reasonFromError(detail);
      if (blocked !== undefined && live.view instanceof TextView) live.view.composer.setBlocked(blocked);
      toast(detail, 'error');
    },
    onPermissions: (names) => {
      if (live.view instanceof TextView) live.view.composer.setBlocked(reasonFromNames(names));
    },
  });
  const view = new TextView({
    channel,
    session,
    meId,
    isAdmin: isAdmin(room),
    api,
    limits: state.limits,
    members: () => store.state.room?.members ?? [],
    onUnseen: (n) => title.addUnseen(n),
    messageLink: (id) => `${location.origin}${location.pathname}${hashFor(room.slug, channel.id)}/m/${id}`,
    onIncoming: (messages) => activity.incoming(channel.id, messages),
    onLatest: (id) => activity.seen(channel.id, id),
  });
  live.text = session;
  live.view = view;
  view.setChannel(channel, { restriction: restrictionFor(state, channel) });
  setChildren(els.view, view.el);
  session.start();
  void loadSendPermission({ api, room: () => store.state.room, channelId: channel.id, meId, apply: (reason) => view.composer.setBlocked(reason) });
  if (window.matchMedia('(min-width: 761px)').matches) view.focus();
}

/**
 * What moderation asks of the signed-in user in a text channel: their
 * timeout, and the channel's slow mode (admins and owners are exempt).
 * @param {import('./state/workspace.js').WorkspaceState} state
 * @param {import('./state/workspace.js').Channel} channel
 */
function restrictionFor(state, channel) {
  return { timedOutUntil: timeoutEnd(myMember(state)), slowModeSeconds: channel.slow_mode_seconds ?? 0, exempt: isAdmin(state.room) };
}

function closeView() {
  live.text?.stop();
  live.text = null;
  live.view?.destroy();
  live.view = null;
  live.viewChannelId = null;
}

const activity = startActivity({
  api,
  store,
  meId,
  open: (channelId, messageId) => {
    openChannel(channelId);
    showMessage(messageId);
  },
});
store.subscribe(render);

// ---------------------------------------------------------------- rooms and channels

async function loadRooms() {
  store.dispatch({ type: 'rooms', rooms: await api.listRooms() });
}

/** @param {string} slug @param {number | null} [channelId] @param {any} [prefetched] the room's detail, when already fetched */
async function openRoom(slug, channelId = null, prefetched = null) {
  drawer.set(channelId == null ? drawer.isOpen : false);
  if (store.state.room?.slug !== slug) {
    live.roomSocket?.close();
    live.roomSocket = null;
    try {
      store.dispatch({ type: 'room-opened', room: prefetched ?? (await api.getRoom(slug)) });
      store.dispatch({ type: 'collapsed', ids: loadCollapsed(slug) });
    } catch (err) {
      toast(/** @type {Error} */ (err).message, 'error');
      store.dispatch({ type: 'room-closed' });
      return;
    }
    connectRoomSocket(slug);
  }
  const room = store.state.room;
  if (!room) return;
  const target = pickChannel(room, channelId, store.state.channelId);
  if (target) openChannel(target.id);
  else store.dispatch({ type: 'channel-selected', channelId: null });
}

/** @param {string} slug */
function connectRoomSocket(slug) {
  const socket = new ReconnectingSocket({
    url: socketUrl(`/ws/rooms/${encodeURIComponent(slug)}`),
    onStatus: (status) => {
      if (live.roomSocket === socket) store.dispatch({ type: 'connection', status });
    },
    onFrame: (frame) => store.dispatch({ type: 'room-frame', slug, frame }),
    onFatal: (kind, reason) => {
      if (kind === 'auth') sessionEnded();
      else if (REMOVAL_WORDS[reason]) leftRoom(slug, reason);
      else toast(`Room updates stopped: ${reason}`, 'error');
    },
    onRepeatedFailure: () => void api.listRooms().catch(() => {}),
  });
  live.roomSocket = socket;
  socket.start();
}

/**
 * The user is no longer in a room: they left, were removed or banned, or it
 * was deleted. It goes from the rail; another room opens.
 * @param {string} slug
 * @param {string} reason the close reason (see REMOVAL_WORDS)
 */
function leftRoom(slug, reason) {
  const listed = store.state.rooms.find((r) => r.slug === slug);
  const open = store.state.room?.slug === slug;
  if (!listed && !open) return;
  const title = listed?.title ?? store.state.room?.title ?? 'the room';
  if (open) {
    live.roomSocket?.close();
    live.roomSocket = null;
    closeView();
  }
  if (store.state.voice?.slug === slug) leaveVoice();
  store.dispatch({ type: 'room-left', slug });
  toast(`${REMOVAL_WORDS[reason] ?? 'You left'} ${title}.`, reason === 'Left the room' ? 'ok' : 'error');
  const next = store.state.rooms[0];
  if (open && next) void openRoom(next.slug);
}

/** @param {number} channelId */
function openChannel(channelId) {
  if (!store.state.room?.channels.some((c) => c.id === channelId)) return;
  drawer.set(false);
  if (store.state.channelId === channelId && live.view) {
    live.view.focus();
    return;
  }
  store.dispatch({ type: 'channel-selected', channelId });
}

// ---------------------------------------------------------------- voice

/** @param {string} slug @param {string} roomTitle @param {number} channelId */
async function joinVoice(slug, roomTitle, channelId) {
  if (live.voice) leaveVoice();
  const voice = new VoiceSession({
    api,
    url: socketUrl(`/ws/signal/${encodeURIComponent(slug)}`),
    onChange: () => {
      if (live.voice === voice) renderVoiceParts();
    },
    onAuthError: sessionEnded,
    onError: (text) => toast(text, 'error'),
  });
  live.voice = voice;
  store.dispatch({ type: 'voice', place: { slug, title: roomTitle, channelId } });
  await voice.join();
  renderVoiceParts();
}

function leaveVoice() {
  const voice = live.voice;
  live.voice = null;
  voice?.leave();
  store.dispatch({ type: 'voice', place: null });
}

// ---------------------------------------------------------------- wiring

wireDialogButtons(ctx);
byId('btn-room-menu').addEventListener('click', () => roomMenuDialog(ctx));
wireChannelReorder(ctx, byId('channel-sections'));
byId('btn-signout').addEventListener('click', () => {
  signingOut = true;
  live.voice?.leave();
  goToSignIn('signedout');
});

arrowNavigation(byId('channel-sections'), '.channel-link');
channelShortcuts(byId('sidebar'));

window.addEventListener('online', () => {
  live.roomSocket?.reconnectNow();
  live.text?.socket.reconnectNow();
});
window.addEventListener('hashchange', () => {
  const { slug, channelId, messageId, invite } = parseHash(location.hash);
  if (invite) void acceptInviteLink(ctx, invite);
  else if (slug && (slug !== store.state.room?.slug || channelId !== store.state.channelId)) void openRoom(slug, channelId).then(() => showMessage(messageId));
  else showMessage(messageId);
});

/** Shows a message from a message link in the open text channel. @param {number | null} id */
function showMessage(id) {
  if (id != null && live.view instanceof TextView) live.view.showMessage(id);
}
window.addEventListener('beforeunload', () => live.voice?.leave());

async function init() {
  const { slug, channelId, messageId, invite } = parseHash(location.hash);
  /** @type {any} */
  let detail = null;
  try {
    // All at once: the room named in the address is fetched with the rest.
    const [limits, profile, rooms, named] = await Promise.all([
      loadLimits(api),
      api.profile(),
      api.listRooms(),
      slug && !invite ? api.getRoom(slug).catch(() => null) : null,
    ]);
    store.dispatch({ type: 'limits', limits });
    store.dispatch({ type: 'profile', profile });
    store.dispatch({ type: 'rooms', rooms });
    detail = named;
  } catch (err) {
    closeView();
    setChildren(els.view, failureView('Cannot load your rooms', /** @type {Error} */ (err).message, () => void init()));
    return;
  }
  if (invite && (await acceptInviteLink(ctx, invite))) {
    document.body.dataset.ready = 'true';
    return;
  }
  const target = (slug && store.state.rooms.find((r) => r.slug === slug)) || store.state.rooms[0];
  if (target) await openRoom(target.slug, slug === target.slug ? channelId : null, detail?.slug === target.slug ? detail : null);
  if (slug === target?.slug) showMessage(messageId);
  document.body.dataset.ready = 'true';
}

render(store.state, null, store.state);
void init();
