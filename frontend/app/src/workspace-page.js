// workspace.html: rooms, channels, the channel view, and the live sockets.

import { ApiClient } from './api.js';
import { apiBase, wsBase } from './config.js';
import { byId, h, hueFor, initials, setChildren } from './dom.js';
import { icon } from './icons.js';
import { ReconnectingSocket } from './socket.js';
import { goToSignIn, loadToken, savedLogin, tokenUserId } from './session.js';
import { TextChannelSession } from './text-channel.js';
import { VoiceSession } from './voice.js';
import { copyPanel, openForm, toast } from './views/dialogs.js';
import { TextView } from './views/text-view.js';
import { VoiceView } from './views/voice-view.js';

const TEXT_TYPES = new Set(['text', 'announcements', 'forums', 'events']);
const VOICE_TYPES = new Set(['voice', 'stage']);

/**
 * @typedef {{ id: number, name: string, type: string, letter: string, position: number, category_id?: number | null }} Channel
 * @typedef {{ id: number, user_id: number, role: string, login: string, display_name?: string | null, status?: string }} Member
 * @typedef {{ id: number, title: string, slug: string }} Room
 * @typedef {Room & { channels: Channel[], members: Member[], invitations: any[], current_role?: string | null }} RoomDetail
 */

const storedToken = loadToken();
if (!storedToken) {
  goToSignIn(localStorage.getItem('charge.token') ? 'expired' : undefined);
  // Stop here while the browser leaves the page.
  await new Promise(() => {});
}
const token = /** @type {string} */ (storedToken);

const meId = tokenUserId(token);
let signingOut = false;

function sessionEnded() {
  if (signingOut) return;
  signingOut = true;
  state.voice?.leave();
  goToSignIn('expired');
}

const { base } = await apiBase();
const api = new ApiClient({ base, token, onUnauthorized: sessionEnded });

/** @param {string} path */
const socketUrl = (path) => () => `${wsBase(base)}${path}?token=${encodeURIComponent(token)}`;

const state = {
  /** @type {Room[]} */
  rooms: [],
  /** @type {RoomDetail | null} */
  room: null,
  /** @type {number | null} */
  channelId: null,
  /** @type {ReconnectingSocket | null} */
  roomSocket: null,
  /** @type {TextChannelSession | null} */
  text: null,
  /** @type {TextView | VoiceView | null} */
  view: null,
  /** @type {VoiceSession | null} */
  voice: null,
  /** @type {{ slug: string, title: string, channelId: number } | null} */
  voiceWhere: null,
};

/** For debugging and browser tests. */
Object.defineProperty(window, 'charge', {
  value: {
    get state() {
      return state;
    },
    voice: () => state.voice?.snapshot() ?? null,
  },
});

const els = {
  app: byId('app'),
  roomList: byId('room-list'),
  roomTitle: byId('room-title'),
  roomRole: byId('room-role'),
  roomAdmin: byId('room-admin'),
  textChannels: byId('text-channels'),
  voiceChannels: byId('voice-channels'),
  memberList: byId('member-list'),
  addText: /** @type {HTMLButtonElement} */ (byId('btn-add-text')),
  addVoice: /** @type {HTMLButtonElement} */ (byId('btn-add-voice')),
  view: byId('channel-view'),
  meName: byId('me-name'),
  meAvatar: byId('me-avatar'),
  roomConn: byId('room-conn'),
  voiceDock: byId('voice-dock'),
  drawerBtn: byId('btn-drawer'),
  scrim: byId('scrim'),
  mobileTitle: byId('mobile-title'),
};

// ---------------------------------------------------------------- helpers

/** @param {RoomDetail | null} room */
function isAdmin(room) {
  return !!room && (room.current_role === 'owner' || room.current_role === 'admin');
}

/** @param {Channel} a @param {Channel} b */
function channelOrder(a, b) {
  const ca = a.category_id ?? -1;
  const cb = b.category_id ?? -1;
  if (ca !== cb) return ca - cb;
  if (a.position !== b.position) return a.position - b.position;
  return a.name.toLowerCase().localeCompare(b.name.toLowerCase());
}

/** @param {Member} m */
function memberName(m) {
  return (m.display_name && m.display_name.trim()) || m.login;
}

function parseHash() {
  const match = /^#\/r\/([^/]+)(?:\/(\d+))?/.exec(location.hash);
  if (!match) return { slug: null, channelId: null };
  return { slug: decodeURIComponent(match[1]), channelId: match[2] ? Number(match[2]) : null };
}

/** @param {string} slug @param {number | null} channelId */
function writeHash(slug, channelId) {
  const next = `#/r/${encodeURIComponent(slug)}${channelId != null ? `/${channelId}` : ''}`;
  if (location.hash !== next) history.replaceState(null, '', next);
}

/** @param {boolean} open */
function setDrawer(open) {
  els.app.dataset.drawer = open ? 'open' : 'closed';
  els.drawerBtn.setAttribute('aria-expanded', String(open));
  els.scrim.hidden = !open;
}

els.drawerBtn.addEventListener('click', () => setDrawer(els.app.dataset.drawer !== 'open'));
els.scrim.addEventListener('click', () => setDrawer(false));
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && els.app.dataset.drawer === 'open') setDrawer(false);
});

// ---------------------------------------------------------------- tab title

let baseTitle = document.title;
let unseenWhileHidden = 0;

function showTitle() {
  document.title = unseenWhileHidden ? `(${unseenWhileHidden}) ${baseTitle}` : baseTitle;
}

/** @param {number} n */
function addUnseen(n) {
  unseenWhileHidden += n;
  showTitle();
}

document.addEventListener('visibilitychange', () => {
  if (!document.hidden && unseenWhileHidden) {
    unseenWhileHidden = 0;
    showTitle();
  }
});

// ---------------------------------------------------------------- rendering

function renderRooms() {
  setChildren(
    els.roomList,
    state.rooms.map((room) => {
      const current = state.room?.slug === room.slug;
      return h(
        'li',
        null,
        h(
          'button',
          {
            class: `rail-btn room-btn${current ? ' active' : ''}`,
            type: 'button',
            title: room.title,
            'aria-label': room.title,
            'aria-current': current ? 'page' : null,
            style: `--hue:${hueFor(room.title)}`,
            dataset: { slug: room.slug },
            onclick: () => void openRoom(room.slug),
          },
          h('span', { 'aria-hidden': 'true' }, initials(room.title)),
        ),
      );
    }),
  );
}

function renderRoomPane() {
  const room = state.room;
  const admin = isAdmin(room);
  els.roomTitle.textContent = room ? room.title : state.rooms.length ? 'Pick a room' : 'No room yet';
  els.roomRole.hidden = !room?.current_role;
  els.roomRole.textContent = room?.current_role ?? '';
  els.roomAdmin.hidden = !admin;
  els.addText.hidden = !admin;
  els.addVoice.hidden = !admin;
  for (const group of document.querySelectorAll('.channel-group')) /** @type {HTMLElement} */ (group).hidden = !room;
  renderChannels();
  renderMembers();
}

function renderChannels() {
  const room = state.room;
  const channels = room ? [...room.channels].sort(channelOrder) : [];
  const admin = isAdmin(room);
  /** @param {Channel} ch */
  const item = (ch) => {
    const voice = VOICE_TYPES.has(ch.type);
    const current = ch.id === state.channelId;
    const inVoiceHere = voice && state.voiceWhere?.channelId === ch.id && state.voiceWhere.slug === room?.slug;
    const voiceCount = inVoiceHere && state.voice ? state.voice.participants.length : 0;
    const voiceMembers = inVoiceHere && state.voice ? voiceMemberList(state.voice) : null;
    return h(
      'li',
      { class: `channel-item${current ? ' active' : ''}${voiceMembers ? ' has-members' : ''}`, dataset: { channelId: ch.id, type: ch.type } },
      h(
        'a',
        {
          class: 'channel-link',
          href: `#/r/${encodeURIComponent(room?.slug ?? '')}/${ch.id}`,
          'aria-current': current ? 'page' : null,
          onclick: (/** @type {MouseEvent} */ e) => {
            e.preventDefault();
            openChannel(ch.id);
          },
        },
        h('span', { class: 'channel-icon', 'aria-hidden': 'true' }, icon(voice ? 'speaker' : 'hash', 16)),
        h('span', { class: 'channel-name' }, ch.name),
        voiceCount ? h('span', { class: 'count', title: 'People in voice' }, String(voiceCount)) : null,
      ),
      admin
        ? h(
            'button',
            {
              class: 'icon-btn small channel-delete',
              type: 'button',
              'aria-label': `Delete channel ${ch.name}`,
              title: 'Delete channel',
              onclick: () => confirmDeleteChannel(ch),
            },
            icon('x', 14),
          )
        : null,
      voiceMembers,
    );
  };
  const text = channels.filter((c) => !VOICE_TYPES.has(c.type));
  const voice = channels.filter((c) => VOICE_TYPES.has(c.type));
  setChildren(els.textChannels, text.length ? text.map(item) : h('li', { class: 'empty' }, room ? 'No text channels yet' : ''));
  setChildren(els.voiceChannels, voice.length ? voice.map(item) : h('li', { class: 'empty' }, room ? 'No voice channels yet' : ''));
}

/**
 * People in voice, shown under the voice channel.
 * @param {VoiceSession} voice
 */
function voiceMemberList(voice) {
  const meVoiceId = voice.me?.id;
  return h(
    'ul',
    { class: 'voice-members', 'aria-label': 'In voice' },
    voice.participants.map((p) => {
      const name = p.displayName || `User ${p.id}`;
      const speaking = p.id === meVoiceId ? voice.selfSpeaking : !!voice.peers.get(p.id)?.speaking;
      return h(
        'li',
        { class: speaking ? 'speaking' : '' },
        h('span', { class: 'avatar tiny', style: `--hue:${hueFor(name)}`, 'aria-hidden': 'true' }, initials(name)),
        h('span', { class: 'name' }, name),
        p.muted ? icon('micOff', 13) : null,
        p.deafened ? icon('headphonesOff', 13) : null,
      );
    }),
  );
}

function renderMembers() {
  const members = state.room ? [...state.room.members] : [];
  const me = members.find((m) => m.user_id === meId);
  if (me) setMe(memberName(me));
  members.sort((a, b) => memberName(a).toLowerCase().localeCompare(memberName(b).toLowerCase()));
  setChildren(
    els.memberList,
    members.map((m) => {
      const name = memberName(m);
      return h(
        'li',
        { dataset: { userId: m.user_id } },
        h('span', { class: 'avatar small', style: `--hue:${hueFor(name)}`, 'aria-hidden': 'true' }, initials(name)),
        h('span', { class: 'name' }, name),
        m.role !== 'member' ? h('span', { class: 'role-tag' }, m.role) : null,
      );
    }),
  );
}

function renderVoiceDock() {
  const where = state.voiceWhere;
  const voice = state.voice;
  if (!where || !voice) {
    els.voiceDock.hidden = true;
    setChildren(els.voiceDock);
    return;
  }
  els.voiceDock.hidden = false;
  const ch = state.room?.slug === where.slug ? state.room.channels.find((c) => c.id === where.channelId) : null;
  setChildren(
    els.voiceDock,
    h(
      'div',
      { class: 'dock-info' },
      h('strong', { class: `dock-status s-${voice.status}` }, voice.status === 'open' ? 'Voice connected' : 'Voice: connecting…'),
      h('span', { class: 'muted' }, `${ch ? ch.name : 'voice'} · ${where.title}`),
    ),
    h(
      'div',
      { class: 'dock-buttons' },
      h('button', { class: 'icon-btn', type: 'button', 'aria-pressed': String(voice.muted), 'aria-label': voice.muted ? 'Unmute' : 'Mute', title: voice.muted ? 'Unmute' : 'Mute', onclick: () => voice.setMuted(!voice.muted) }, icon(voice.muted ? 'micOff' : 'mic')),
      h('button', { class: 'icon-btn', type: 'button', 'aria-pressed': String(voice.deafened), 'aria-label': voice.deafened ? 'Undeafen' : 'Deafen', title: voice.deafened ? 'Undeafen' : 'Deafen', onclick: () => voice.setDeafened(!voice.deafened) }, icon(voice.deafened ? 'headphonesOff' : 'headphones')),
      h('button', { class: 'icon-btn danger', type: 'button', 'aria-label': 'Leave voice', title: 'Leave voice', onclick: () => leaveVoice() }, icon('leave')),
    ),
  );
}

function renderEmptyView() {
  closeView();
  const room = state.room;
  /** @type {Node[]} */
  let content;
  if (!state.rooms.length) {
    content = [
      h('h2', null, 'Welcome to Charge'),
      h('p', { class: 'muted' }, 'Create a room for your community, or join one with an invitation code.'),
      h(
        'div',
        { class: 'row center' },
        h('button', { class: 'btn btn-primary', type: 'button', onclick: () => createRoomDialog() }, 'Create a room'),
        h('button', { class: 'btn', type: 'button', onclick: () => joinDialog() }, 'Join with a code'),
      ),
    ];
  } else if (room) {
    content = [
      h('h2', null, room.title),
      h('p', { class: 'muted' }, isAdmin(room) ? 'This room has no channels yet. Create the first one.' : 'Pick a channel on the left.'),
      isAdmin(room)
        ? h('div', { class: 'row center' }, h('button', { class: 'btn btn-primary', type: 'button', onclick: () => createChannelDialog('text') }, 'Create a text channel'))
        : null,
    ].filter((n) => n !== null);
  } else {
    content = [h('p', { class: 'muted' }, 'Loading…')];
  }
  setChildren(els.view, h('div', { class: 'empty-view' }, content));
}

// ---------------------------------------------------------------- rooms

async function loadRooms() {
  state.rooms = await api.listRooms();
  renderRooms();
}

/** @param {string} slug @param {number | null} [channelId] */
async function openRoom(slug, channelId = null) {
  setDrawer(channelId == null ? els.app.dataset.drawer === 'open' : false);
  if (state.room?.slug !== slug) {
    state.roomSocket?.close();
    state.roomSocket = null;
    try {
      state.room = await api.getRoom(slug);
    } catch (err) {
      toast(/** @type {Error} */ (err).message, 'error');
      state.room = null;
      renderRooms();
      renderRoomPane();
      renderEmptyView();
      return;
    }
    connectRoomSocket(slug);
  }
  renderRooms();
  renderRoomPane();
  const room = /** @type {RoomDetail} */ (state.room);
  const channels = [...room.channels].sort(channelOrder);
  const target =
    (channelId != null && channels.find((c) => c.id === channelId)) ||
    channels.find((c) => c.id === state.channelId) ||
    channels.find((c) => TEXT_TYPES.has(c.type)) ||
    channels[0];
  if (target) openChannel(target.id);
  else {
    state.channelId = null;
    writeHash(room.slug, null);
    renderEmptyView();
  }
  els.mobileTitle.textContent = room.title;
}

/** @param {string} slug */
function connectRoomSocket(slug) {
  const socket = new ReconnectingSocket({
    url: socketUrl(`/ws/rooms/${encodeURIComponent(slug)}`),
    onStatus: (status) => {
      els.roomConn.dataset.status = status;
      els.roomConn.setAttribute('aria-label', `Room updates: ${status === 'open' ? 'connected' : status}`);
    },
    onFrame: (frame) => onRoomFrame(slug, frame),
    onFatal: (kind, reason) => {
      if (kind === 'auth') sessionEnded();
      else toast(`Room updates stopped: ${reason}`, 'error');
    },
    onRepeatedFailure: () => void api.listRooms().catch(() => {}),
  });
  state.roomSocket = socket;
  socket.start();
}

/**
 * @param {string} slug
 * @param {any} frame
 */
function onRoomFrame(slug, frame) {
  const room = state.room;
  if (!room || room.slug !== slug || !frame || typeof frame !== 'object') return;
  switch (frame.type) {
    case 'workspace_snapshot':
      if (Array.isArray(frame.channels)) room.channels = frame.channels;
      if (Array.isArray(frame.members)) room.members = frame.members;
      break;
    case 'channel_created':
    case 'channel_updated':
      if (frame.channel) room.channels = [...room.channels.filter((c) => c.id !== frame.channel.id), frame.channel];
      break;
    case 'channel_deleted': {
      const id = Number(frame.channel_id);
      const gone = room.channels.find((c) => c.id === id);
      room.channels = room.channels.filter((c) => c.id !== id);
      if (state.channelId === id) {
        toast(`The channel ${gone ? `“${gone.name}”` : ''} was deleted.`);
        state.channelId = null;
        void openRoom(room.slug);
      }
      if (state.voiceWhere?.channelId === id) leaveVoice();
      break;
    }
    case 'channel_reordered':
    case 'channels_reordered':
      if (Array.isArray(frame.channels)) {
        /** @type {Map<number, Channel>} */
        const updated = new Map(frame.channels.map((/** @type {Channel} */ c) => [c.id, c]));
        room.channels = room.channels.map((c) => updated.get(c.id) ?? c);
      }
      break;
    case 'member_joined':
    case 'member_updated':
      if (Array.isArray(frame.members)) room.members = frame.members;
      if (frame.type === 'member_updated') {
        const mine = room.members.find((m) => m.user_id === meId);
        if (mine && mine.role !== room.current_role) {
          room.current_role = mine.role;
          renderRoomPane();
        }
      }
      break;
    case 'member_left':
      if (Array.isArray(frame.members)) room.members = frame.members;
      else if (frame.user_id != null) room.members = room.members.filter((m) => m.user_id !== frame.user_id);
      break;
    default:
      return;
  }
  renderRoomPane();
}

// ---------------------------------------------------------------- channels

function closeView() {
  state.text?.stop();
  state.text = null;
  state.view?.destroy();
  state.view = null;
}

/** @param {number} channelId */
function openChannel(channelId) {
  const room = state.room;
  if (!room) return;
  const channel = room.channels.find((c) => c.id === channelId);
  if (!channel) return;
  setDrawer(false);
  if (state.channelId === channelId && state.view) {
    state.view.focus();
    return;
  }
  closeView();
  state.channelId = channelId;
  writeHash(room.slug, channelId);
  renderChannels();
  baseTitle = `${VOICE_TYPES.has(channel.type) ? '' : '#'}${channel.name} · ${room.title} · Charge`;
  showTitle();
  els.mobileTitle.textContent = `${VOICE_TYPES.has(channel.type) ? '' : '#'}${channel.name}`;

  if (VOICE_TYPES.has(channel.type)) {
    const slug = room.slug;
    const view = new VoiceView({
      channel,
      roomTitle: room.title,
      getSession: () => state.voice,
      isHere: () => state.voiceWhere?.slug === slug && state.voiceWhere.channelId === channel.id,
      join: () => void joinVoice(slug, room.title, channel.id),
      leave: () => leaveVoice(),
    });
    state.view = view;
    setChildren(els.view, view.el);
    return;
  }

  const session = new TextChannelSession({
    api,
    channelId,
    meId,
    url: socketUrl(`/ws/text/${channelId}`),
    onChange: (s, what) => {
      if (state.text === s && state.view instanceof TextView) state.view.update(what);
    },
    onAuthError: sessionEnded,
    onGone: (reason) => {
      toast(reason === 'Invalid channel' ? 'This channel no longer exists.' : `Left the channel: ${reason}`, 'error');
    },
    onError: (detail) => toast(detail, 'error'),
  });
  const view = new TextView({ channel, session, meId, isAdmin: isAdmin(room), api, onUnseen: (n) => addUnseen(n) });
  state.text = session;
  state.view = view;
  setChildren(els.view, view.el);
  session.start();
  if (window.matchMedia('(min-width: 761px)').matches) view.focus();
}

/** @param {Channel} ch */
function confirmDeleteChannel(ch) {
  const room = state.room;
  if (!room) return;
  openForm({
    title: `Delete “${ch.name}”?`,
    description: VOICE_TYPES.has(ch.type)
      ? 'The voice channel will be removed for everyone.'
      : 'All messages in this channel will be deleted for everyone. This cannot be undone.',
    submitLabel: 'Delete channel',
    danger: true,
    submit: async () => {
      await api.deleteChannel(room.slug, ch.letter);
      room.channels = room.channels.filter((c) => c.id !== ch.id);
      if (state.channelId === ch.id) {
        state.channelId = null;
        await openRoom(room.slug);
      } else renderChannels();
      toast(`Deleted “${ch.name}”.`, 'ok');
    },
  });
}

/** @param {'text' | 'voice'} type */
function createChannelDialog(type) {
  const room = state.room;
  if (!room) return;
  openForm({
    title: 'Create a channel',
    fields: [
      {
        name: 'type',
        label: 'Kind',
        type: 'radio',
        value: type,
        options: [
          { value: 'text', label: 'Text — messages and replies' },
          { value: 'voice', label: 'Voice — talk together' },
        ],
      },
      { name: 'name', label: 'Name', placeholder: type === 'voice' ? 'Lounge' : 'general', maxLength: 128, required: true },
    ],
    submitLabel: 'Create channel',
    submit: async (values) => {
      const name = (values.name ?? '').trim();
      if (!name) throw new Error('Give the channel a name.');
      const channel = await api.createChannel(room.slug, { name, type: values.type === 'voice' ? 'voice' : 'text' });
      room.channels = [...room.channels.filter((c) => c.id !== channel.id), channel];
      openChannel(channel.id);
      renderChannels();
    },
  });
}

function inviteDialog() {
  const room = state.room;
  if (!room) return;
  const roles = [
    { value: 'member', label: 'Member' },
    { value: 'guest', label: 'Guest' },
  ];
  if (isAdmin(room)) roles.push({ value: 'admin', label: 'Admin' });
  openForm({
    title: `Invite people to ${room.title}`,
    description: 'Create an invitation code and share it. Anyone with the code can join.',
    fields: [{ name: 'role', label: 'They join as', type: 'select', value: 'member', options: roles }],
    submitLabel: 'Create invitation',
    submit: async (values) => {
      const invitation = await api.createInvitation(room.slug, values.role || 'member');
      return copyPanel('Invitation code', `Share this code. People join with “Join with an invitation code” (the arrow button under the rooms).`, invitation.code);
    },
  });
}

function createRoomDialog() {
  openForm({
    title: 'Create a room',
    description: 'A room holds your community’s channels. You will be its owner.',
    fields: [{ name: 'title', label: 'Room name', placeholder: 'My community', maxLength: 128, required: true }],
    submitLabel: 'Create room',
    submit: async (values) => {
      const title = (values.title ?? '').trim();
      if (!title) throw new Error('Give the room a name.');
      const room = await api.createRoom(title);
      await loadRooms();
      await openRoom(room.slug);
    },
  });
}

function joinDialog() {
  openForm({
    title: 'Join a room',
    description: 'Paste the invitation code you were given.',
    fields: [{ name: 'code', label: 'Invitation code', placeholder: 'e.g. a1B2c3D4e5F', maxLength: 200, required: true }],
    submitLabel: 'Join',
    submit: async (values) => {
      let code = (values.code ?? '').trim();
      // Accept a pasted link too: the code is the last path segment.
      if (/^https?:\/\//i.test(code)) code = code.replace(/[?#].*$/, '').split('/').filter(Boolean).pop() ?? '';
      if (!code) throw new Error('Paste an invitation code.');
      const detail = await api.acceptInvite(code);
      await loadRooms();
      await openRoom(detail.slug);
      toast(`You joined ${detail.title}.`, 'ok');
    },
  });
}

// ---------------------------------------------------------------- voice

/**
 * @param {string} slug
 * @param {string} title
 * @param {number} channelId
 */
async function joinVoice(slug, title, channelId) {
  if (state.voice) leaveVoice();
  const voice = new VoiceSession({
    api,
    url: socketUrl(`/ws/signal/${encodeURIComponent(slug)}`),
    onChange: (_session, what) => {
      if (state.voice !== voice) return;
      if (state.view instanceof VoiceView) state.view.render();
      renderVoiceDock();
      if (what !== 'stats') renderChannels();
    },
    onAuthError: sessionEnded,
    onError: (text) => toast(text, 'error'),
  });
  state.voice = voice;
  state.voiceWhere = { slug, title, channelId };
  renderChannels();
  renderVoiceDock();
  if (state.view instanceof VoiceView) state.view.render();
  await voice.join();
  if (state.view instanceof VoiceView) state.view.render();
}

function leaveVoice() {
  const voice = state.voice;
  state.voice = null;
  state.voiceWhere = null;
  voice?.leave();
  renderChannels();
  renderVoiceDock();
  if (state.view instanceof VoiceView) state.view.render();
}

// ---------------------------------------------------------------- wiring

byId('btn-new-room').addEventListener('click', () => createRoomDialog());
byId('btn-join').addEventListener('click', () => joinDialog());
byId('btn-invite').addEventListener('click', () => inviteDialog());
els.addText.addEventListener('click', () => createChannelDialog('text'));
els.addVoice.addEventListener('click', () => createChannelDialog('voice'));
byId('btn-signout').addEventListener('click', () => {
  signingOut = true;
  state.voice?.leave();
  goToSignIn('signedout');
});

window.addEventListener('online', () => {
  state.roomSocket?.reconnectNow();
  state.text?.socket.reconnectNow();
});
window.addEventListener('hashchange', () => {
  const { slug, channelId } = parseHash();
  if (slug && (slug !== state.room?.slug || channelId !== state.channelId)) void openRoom(slug, channelId);
});
window.addEventListener('beforeunload', () => {
  state.voice?.leave();
});

/** @param {string} name */
function setMe(name) {
  if (els.meName.textContent === name) return;
  els.meName.textContent = name;
  els.meAvatar.textContent = initials(name);
  els.meAvatar.setAttribute('style', `--hue:${hueFor(name)}`);
}
setMe(savedLogin() || (meId != null ? `User ${meId}` : 'You'));

async function init() {
  try {
    await loadRooms();
  } catch (err) {
    renderEmptyView();
    setChildren(
      els.view,
      h(
        'div',
        { class: 'empty-view' },
        h('h2', null, 'Cannot load your rooms'),
        h('p', { class: 'muted' }, /** @type {Error} */ (err).message),
        h('button', { class: 'btn btn-primary', type: 'button', onclick: () => void init() }, 'Try again'),
      ),
    );
    return;
  }
  const { slug, channelId } = parseHash();
  const target = (slug && state.rooms.find((r) => r.slug === slug)) || state.rooms[0];
  renderRoomPane();
  if (target) await openRoom(target.slug, slug === target.slug ? channelId : null);
  else renderEmptyView();
  document.body.dataset.ready = 'true';
}

void init();
