// The workspace's state (rooms, the open room's channels, categories and
// members, the signed-in profile, limits, live connection) and the pure
// functions that update it from API replies and /ws/rooms events.

/**
 * @typedef {{ id: number, name: string, type: string, letter: string, position: number, category_id?: number | null, created_at?: string, slow_mode_seconds?: number }} Channel
 * @typedef {{ id: number, name: string, position: number, created_at?: string }} Category
 * @typedef {{ id: number, user_id: number, role: string, login: string, display_name?: string | null, avatar_url?: string | null, status?: string, timed_out_until?: string | null }} Member
 * @typedef {{ id: number, code: string, role: string, expires_at?: string | null, created_at?: string, created_by_id?: number | null }} Invitation
 * @typedef {{ id: number, title: string, slug: string }} Room
 * @typedef {{ role: string, level: number }} RoleLevel
 * @typedef {Room & { channels: Channel[], categories: Category[], members: Member[], invitations: Invitation[], role_hierarchy: RoleLevel[], current_role?: string | null }} RoomDetail
 * @typedef {{ id: number, login: string, display_name?: string | null, avatar_url?: string | null, status?: string }} Profile
 * @typedef {{ slug: string, title: string, channelId: number }} VoicePlace
 * @typedef {'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed'} Connection
 *
 * @typedef {{
 *   meId: number | null,
 *   profile: Profile | null,
 *   limits: import('../limits.js').Limits | null,
 *   rooms: Room[],
 *   roomsLoaded: boolean,
 *   room: RoomDetail | null,
 *   channelId: number | null,
 *   connection: Connection,
 *   voice: VoicePlace | null,
 *   collapsed: number[],
 *   unread: Record<number, 'message' | 'mention'>,
 *   readStates: Record<number, ReadState>,
 * }} WorkspaceState
 *
 * @typedef {{ channel_id: number, room_id: number, last_read_message_id: number, unread_count: number, mention_count: number }} ReadState
 *
 * @typedef {
 *   | { type: 'limits', limits: import('../limits.js').Limits }
 *   | { type: 'profile', profile: Profile }
 *   | { type: 'rooms', rooms: Room[] }
 *   | { type: 'room-opened', room: any }
 *   | { type: 'room-closed' }
 *   | { type: 'room-left', slug: string }
 *   | { type: 'room-frame', slug: string, frame: any }
 *   | { type: 'channel-selected', channelId: number | null }
 *   | { type: 'unread', channelId: number, mention: boolean }
 *   | { type: 'read-states', states: ReadState[] }
 *   | { type: 'channel-saved', channel: Channel }
 *   | { type: 'channel-removed', channelId: number }
 *   | { type: 'category-saved', category: Category }
 *   | { type: 'category-removed', categoryId: number }
 *   | { type: 'invitation-saved', invitation: Invitation }
 *   | { type: 'invitation-removed', invitationId: number }
 *   | { type: 'member-role', userId: number, role: string }
 *   | { type: 'connection', status: Connection }
 *   | { type: 'voice', place: VoicePlace | null }
 *   | { type: 'collapsed', ids: number[] }
 *   | { type: 'category-toggled', categoryId: number }
 * } WorkspaceAction
 */

export const TEXT_TYPES = new Set(['text', 'announcements', 'forums', 'events']);
export const VOICE_TYPES = new Set(['voice', 'stage']);

/** @param {number | null} meId @returns {WorkspaceState} */
export function initialState(meId) {
  return { meId, profile: null, limits: null, rooms: [], roomsLoaded: false, room: null, channelId: null, connection: 'idle', voice: null, collapsed: [], unread: {}, readStates: {} };
}

// ---------------------------------------------------------------- selectors

/** @param {{ type: string }} channel */
export const isVoice = (channel) => VOICE_TYPES.has(channel.type);

/** @param {{ current_role?: string | null } | null} room */
export function isAdmin(room) {
  return !!room && (room.current_role === 'owner' || room.current_role === 'admin');
}

/** @param {{ display_name?: string | null, login: string }} who */
export function memberName(who) {
  return (who.display_name && who.display_name.trim()) || who.login;
}

/** @param {string} a @param {string} b */
const byName = (a, b) => a.toLowerCase().localeCompare(b.toLowerCase());

/** Within one category: by position, then name. @param {Channel} a @param {Channel} b */
export function channelOrder(a, b) {
  return a.position !== b.position ? a.position - b.position : byName(a.name, b.name);
}

/** @param {Category} a @param {Category} b */
export function categoryOrder(a, b) {
  return a.position !== b.position ? a.position - b.position : byName(a.name, b.name);
}

/**
 * The channel list as shown: channels outside any category first, then each
 * category in its order with its channels.
 * @param {RoomDetail | null} room
 * @returns {{ category: Category | null, channels: Channel[] }[]}
 */
export function channelSections(room) {
  if (!room) return [];
  const categories = [...(room.categories ?? [])].sort(categoryOrder);
  const known = new Set(categories.map((c) => c.id));
  /** @param {number | null} id */
  const inCategory = (id) =>
    room.channels.filter((ch) => (id === null ? ch.category_id == null || !known.has(ch.category_id) : ch.category_id === id)).sort(channelOrder);
  return [{ category: null, channels: inCategory(null) }, ...categories.map((category) => ({ category, channels: inCategory(category.id) }))];
}

/** Names of the roles, highest first (the room's hierarchy decides). */
export const ROLES = ['owner', 'admin', 'member', 'guest'];

/**
 * A role's level in the room: from the room's hierarchy when it has one,
 * otherwise the order of ROLES.
 * @param {RoomDetail | null} room
 * @param {string} role
 */
export function roleLevel(room, role) {
  const entry = room?.role_hierarchy?.find((r) => r.role === role);
  if (entry) return entry.level;
  const index = ROLES.indexOf(role);
  return index === -1 ? 0 : (ROLES.length - index) * 100;
}

/**
 * The roles the signed-in user may give `member`, or none when they may not
 * manage them: they must outrank the member's role, and (unless they are
 * an owner) the role they give.
 * @param {RoomDetail | null} room
 * @param {Member} member
 * @param {number | null} meId
 */
export function assignableRoles(room, member, meId) {
  const mine = room?.current_role;
  if (!room || !mine || member.user_id === meId || !isAdmin(room)) return [];
  const myLevel = roleLevel(room, mine);
  if (myLevel <= roleLevel(room, member.role)) return [];
  return ROLES.filter((role) => mine === 'owner' || roleLevel(room, role) < myLevel);
}

/**
 * Whether the signed-in user may kick, ban or time out `member`: admin or
 * owner, and outranking them.
 * @param {RoomDetail | null} room
 * @param {Member} member
 * @param {number | null} meId
 */
export function canModerate(room, member, meId) {
  const mine = room?.current_role;
  if (!room || !mine || member.user_id === meId || !isAdmin(room)) return false;
  return roleLevel(room, mine) > roleLevel(room, member.role);
}

/** When a member's timeout ends, if it has not yet. @param {Member | null | undefined} member @param {number} [now] */
export function timeoutEnd(member, now = Date.now()) {
  const until = member?.timed_out_until ? Date.parse(member.timed_out_until) : NaN;
  return Number.isFinite(until) && until > now ? until : null;
}

/** The signed-in user's own member entry in the open room. @param {WorkspaceState} state */
export function myMember(state) {
  return state.room?.members.find((m) => m.user_id === state.meId) ?? null;
}

/** The next free position at the end of a list. @param {{ position: number }[]} items */
export function nextPosition(items) {
  return items.reduce((max, x) => Math.max(max, x.position + 1), 0);
}

/** Every channel in display order. @param {RoomDetail | null} room */
export function orderedChannels(room) {
  return channelSections(room).flatMap((s) => s.channels);
}

/** @param {WorkspaceState} state */
export function currentChannel(state) {
  return state.room?.channels.find((c) => c.id === state.channelId) ?? null;
}

/** "#general" for text channels, "Lounge" for voice. @param {Channel} channel */
export function channelLabel(channel) {
  return `${isVoice(channel) ? '' : '#'}${channel.name}`;
}

/** @param {WorkspaceState} state */
export function pageTitle(state) {
  const channel = currentChannel(state);
  if (state.room && channel) return `${channelLabel(channel)} · ${state.room.title} · Charge`;
  if (state.room) return `${state.room.title} · Charge`;
  return 'Charge';
}

/** The signed-in user's display name, from the profile or the room's member list. @param {WorkspaceState} state */
export function myName(state) {
  if (state.profile) return memberName(state.profile);
  const mine = state.room?.members.find((m) => m.user_id === state.meId);
  return mine ? memberName(mine) : null;
}

/** The channel to show when a room opens. @param {RoomDetail} room @param {number | null} wanted @param {number | null} current */
export function pickChannel(room, wanted, current) {
  const channels = orderedChannels(room);
  return (
    (wanted != null && channels.find((c) => c.id === wanted)) ||
    (current != null && channels.find((c) => c.id === current)) ||
    channels.find((c) => TEXT_TYPES.has(c.type)) ||
    channels[0] ||
    null
  );
}

// ---------------------------------------------------------------- updates

/** @param {any} raw @returns {RoomDetail} */
export function normalizeRoom(raw) {
  return {
    ...raw,
    channels: Array.isArray(raw?.channels) ? raw.channels : [],
    categories: Array.isArray(raw?.categories) ? raw.categories : [],
    members: Array.isArray(raw?.members) ? raw.members : [],
    invitations: Array.isArray(raw?.invitations) ? raw.invitations : [],
    role_hierarchy: Array.isArray(raw?.role_hierarchy) ? raw.role_hierarchy : [],
  };
}

/**
 * @template {{ id: number }} T
 * @param {T[]} list
 * @param {T} item
 */
function upsert(list, item) {
  return list.some((x) => x.id === item.id) ? list.map((x) => (x.id === item.id ? { ...x, ...item } : x)) : [...list, item];
}

/**
 * The signed-in user's role follows their member entry.
 * @param {RoomDetail} room
 * @param {number | null} meId
 */
function withMembers(room, meId) {
  const mine = room.members.find((m) => m.user_id === meId);
  return mine && mine.role !== room.current_role ? { ...room, current_role: mine.role } : room;
}

/**
 * Applies one /ws/rooms event to the open room.
 * @param {RoomDetail} room
 * @param {any} frame
 * @param {number | null} meId
 * @returns {RoomDetail}
 */
export function applyRoomFrame(room, frame, meId) {
  switch (frame.type) {
    case 'workspace_snapshot': {
      const next = { ...room };
      if (Array.isArray(frame.channels)) next.channels = frame.channels;
      if (Array.isArray(frame.categories)) next.categories = frame.categories;
      if (Array.isArray(frame.members)) next.members = frame.members;
      return withMembers(next, meId);
    }
    case 'channel_created':
    case 'channel_updated':
      return frame.channel && typeof frame.channel.id === 'number' ? { ...room, channels: upsert(room.channels, frame.channel) } : room;
    case 'channel_deleted': {
      const id = Number(frame.channel_id);
      return { ...room, channels: room.channels.filter((c) => c.id !== id) };
    }
    case 'channel_reordered':
    case 'channels_reordered': {
      if (!Array.isArray(frame.channels)) return room;
      /** @type {Map<number, Channel>} */
      const updated = new Map(frame.channels.map((/** @type {Channel} */ c) => [c.id, c]));
      return { ...room, channels: room.channels.map((c) => updated.get(c.id) ?? c) };
    }
    case 'category_created':
    case 'category_updated':
    case 'categories_reordered':
    case 'category_deleted': {
      const next = { ...room };
      if (Array.isArray(frame.categories)) next.categories = frame.categories;
      else if (frame.category && typeof frame.category.id === 'number') next.categories = upsert(room.categories, frame.category);
      if (Array.isArray(frame.channels)) next.channels = frame.channels;
      if (frame.type === 'category_deleted' && !Array.isArray(frame.channels) && frame.category_id != null) {
        const gone = Number(frame.category_id);
        next.categories = next.categories.filter((c) => c.id !== gone);
        next.channels = room.channels.map((c) => (c.category_id === gone ? { ...c, category_id: null } : c));
      }
      return next;
    }
    case 'invite_created':
      return frame.invitation && typeof frame.invitation.id === 'number'
        ? { ...room, invitations: [frame.invitation, ...room.invitations.filter((i) => i.id !== frame.invitation.id)] }
        : room;
    case 'invite_deleted':
      return { ...room, invitations: room.invitations.filter((i) => i.id !== Number(frame.invitation_id)) };
    case 'member_joined':
    case 'member_updated':
      return Array.isArray(frame.members) ? withMembers({ ...room, members: frame.members }, meId) : room;
    case 'room_updated':
      return typeof frame.title === 'string' ? { ...room, title: frame.title } : room;
    case 'member_left':
      if (Array.isArray(frame.members)) return withMembers({ ...room, members: frame.members }, meId);
      if (frame.user_id != null) return { ...room, members: room.members.filter((m) => m.user_id !== Number(frame.user_id)) };
      return room;
    default:
      return room;
  }
}

/**
 * @param {WorkspaceState} state
 * @param {(room: RoomDetail) => RoomDetail} change
 * @returns {WorkspaceState}
 */
function changeRoom(state, change) {
  if (!state.room) return state;
  const room = change(state.room);
  if (room === state.room) return state;
  const channelGone = state.channelId != null && !room.channels.some((c) => c.id === state.channelId);
  return { ...state, room, channelId: channelGone ? null : state.channelId };
}

/** @template T @param {Record<number, T>} record @param {number | null} key */
function withoutKey(record, key) {
  if (key == null || !(key in record)) return record;
  const next = { ...record };
  delete next[key];
  return next;
}

/**
 * @param {WorkspaceState} state
 * @param {WorkspaceAction} action
 * @returns {WorkspaceState}
 */
export function reduce(state, action) {
  switch (action.type) {
    case 'limits':
      return { ...state, limits: action.limits };
    case 'profile': {
      const profile = { ...state.profile, ...action.profile };
      // The user's own entry in the member list shows the same name and status.
      const next = { ...state, profile };
      if (!state.room || state.meId == null) return next;
      const members = state.room.members.map((m) =>
        m.user_id === state.meId ? { ...m, display_name: profile.display_name ?? m.display_name, status: profile.status ?? m.status } : m,
      );
      return { ...next, room: { ...state.room, members } };
    }
    case 'rooms': {
      const rooms = [...action.rooms];
      const room = state.room;
      // A room renamed elsewhere keeps its open detail in step.
      const listed = room ? rooms.find((r) => r.slug === room.slug) : null;
      return { ...state, rooms, roomsLoaded: true, room: room && listed && listed.title !== room.title ? { ...room, title: listed.title } : room };
    }
    case 'room-opened': {
      const room = withMembers(normalizeRoom(action.room), state.meId);
      const rooms = state.rooms.some((r) => r.slug === room.slug)
        ? state.rooms
        : [...state.rooms, { id: room.id, title: room.title, slug: room.slug }].sort((a, b) => byName(a.title, b.title));
      const sameRoom = state.room?.slug === room.slug;
      /** @type {WorkspaceState} */
      const opened = {
        ...state,
        rooms,
        room,
        channelId: sameRoom ? state.channelId : null,
        connection: sameRoom ? state.connection : 'connecting',
        collapsed: sameRoom ? state.collapsed : [],
        unread: sameRoom ? state.unread : {},
      };
      return Array.isArray(action.room?.read_states) ? withReadStates(opened, action.room.read_states) : opened;
    }
    case 'room-closed':
      return { ...state, room: null, channelId: null, connection: 'idle' };
    case 'room-left': {
      // Left, removed, banned, or the room was deleted: it goes from the rail too.
      const rooms = state.rooms.filter((r) => r.slug !== action.slug);
      if (state.room?.slug !== action.slug) return { ...state, rooms };
      return { ...state, rooms, room: null, channelId: null, connection: 'idle' };
    }
    case 'read-states':
      return withReadStates(state, action.states);
    case 'room-frame': {
      // A read state may be of any room (the user's own, from another tab or device).
      if (action.frame?.type === 'read_state' && action.frame.state) return withReadStates(state, [action.frame.state]);
      if (!state.room || state.room.slug !== action.slug || !action.frame || typeof action.frame !== 'object') return state;
      const next = changeRoom(state, (room) => applyRoomFrame(room, action.frame, state.meId));
      // A rename shows in the rooms rail as well.
      if (action.frame.type !== 'room_updated' || !next.room) return next;
      const title = next.room.title;
      return { ...next, rooms: next.rooms.map((r) => (r.slug === action.slug ? { ...r, title } : r)) };
    }
    case 'channel-selected':
      if (action.channelId != null && !state.room?.channels.some((c) => c.id === action.channelId)) return state;
      return action.channelId === state.channelId ? state : { ...state, channelId: action.channelId, unread: withoutKey(state.unread, action.channelId) };
    case 'unread': {
      // The open channel is being read; a mention outranks a plain message.
      if (action.channelId === state.channelId || !state.room?.channels.some((c) => c.id === action.channelId)) return state;
      const kind = action.mention || state.unread[action.channelId] === 'mention' ? 'mention' : 'message';
      return state.unread[action.channelId] === kind ? state : { ...state, unread: { ...state.unread, [action.channelId]: kind } };
    }
    case 'channel-saved':
      return changeRoom(state, (room) => ({ ...room, channels: upsert(room.channels, action.channel) }));
    case 'channel-removed':
      return changeRoom(state, (room) => ({ ...room, channels: room.channels.filter((c) => c.id !== action.channelId) }));
    case 'category-saved':
      return changeRoom(state, (room) => ({ ...room, categories: upsert(room.categories, action.category) }));
    case 'category-removed':
      return changeRoom(state, (room) => ({
        ...room,
        categories: room.categories.filter((c) => c.id !== action.categoryId),
        channels: room.channels.map((c) => (c.category_id === action.categoryId ? { ...c, category_id: null } : c)),
      }));
    case 'invitation-saved':
      return changeRoom(state, (room) => ({ ...room, invitations: [action.invitation, ...room.invitations.filter((i) => i.id !== action.invitation.id)] }));
    case 'invitation-removed':
      return changeRoom(state, (room) => ({ ...room, invitations: room.invitations.filter((i) => i.id !== action.invitationId) }));
    case 'member-role':
      return changeRoom(state, (room) =>
        withMembers({ ...room, members: room.members.map((m) => (m.user_id === action.userId ? { ...m, role: action.role } : m)) }, state.meId),
      );
    case 'connection':
      return action.status === state.connection ? state : { ...state, connection: action.status };
    case 'voice':
      return { ...state, voice: action.place };
    case 'collapsed':
      return { ...state, collapsed: [...action.ids] };
    case 'category-toggled':
      return {
        ...state,
        collapsed: state.collapsed.includes(action.categoryId) ? state.collapsed.filter((id) => id !== action.categoryId) : [...state.collapsed, action.categoryId],
      };
    default:
      return state;
  }
}

/**
 * @param {Record<number, ReadState>} known
 * @param {ReadState[]} states
 */
function mergeReadStates(known, states) {
  const next = { ...known };
  for (const s of states) if (s && typeof s.channel_id === 'number') next[s.channel_id] = s;
  return next;
}

/**
 * The server's counts: kept per channel (the rooms rail sums them) and shown as
 * the open room's channel dots, except on the channel being read.
 * @param {WorkspaceState} state
 * @param {ReadState[]} states
 * @returns {WorkspaceState}
 */
function withReadStates(state, states) {
  const readStates = mergeReadStates(state.readStates, states);
  let unread = state.unread;
  for (const s of states) {
    if (!state.room?.channels.some((c) => c.id === s.channel_id) || s.channel_id === state.channelId) continue;
    const kind = s.mention_count > 0 ? 'mention' : s.unread_count > 0 ? 'message' : null;
    if (kind) unread = unread[s.channel_id] === kind ? unread : { ...unread, [s.channel_id]: kind };
    else if (unread[s.channel_id]) unread = withoutKey(unread, s.channel_id);
  }
  return { ...state, readStates, unread };
}

/**
 * A room's unread messages and mentions, from the server's counts, leaving out
 * the channel being read.
 * @param {WorkspaceState} state
 * @param {number} roomId
 */
export function roomUnread(state, roomId) {
  let unread = 0;
  let mentions = 0;
  for (const s of Object.values(state.readStates)) {
    if (s.room_id !== roomId || s.channel_id === state.channelId) continue;
    unread += s.unread_count;
    mentions += s.mention_count;
  }
  return { unread, mentions };
}
