import { describe, expect, it, vi } from 'vitest';
import { parseLimits } from '../app/src/limits.js';
import { createStore } from '../app/src/state/store.js';
import {
  channelSections,
  currentChannel,
  initialState,
  isAdmin,
  myName,
  orderedChannels,
  pageTitle,
  pickChannel,
  reduce,
} from '../app/src/state/workspace.js';

/** @param {number} id @param {string} name @param {Partial<import('../app/src/state/workspace.js').Channel>} [extra] */
const channel = (id, name, extra = {}) => ({ id, name, type: 'text', letter: String.fromCharCode(64 + id), position: id, category_id: null, ...extra });
/** @param {number} userId @param {string} role @param {string} [display] */
const member = (userId, role, display) => ({ id: userId * 10, user_id: userId, role, login: `u${userId}`, display_name: display ?? null, status: 'online' });

const detail = () => ({
  id: 1,
  title: 'Lab',
  slug: 'lab',
  current_role: 'member',
  channels: [channel(1, 'general'), channel(2, 'lounge', { type: 'voice' }), channel(3, 'plans', { category_id: 9, position: 0 })],
  categories: [{ id: 9, name: 'Work', position: 0 }],
  members: [member(1, 'member', 'Ann'), member(2, 'owner')],
  invitations: [],
});

/** A state with the room "lab" open and channel 1 selected. */
function opened() {
  let state = reduce(initialState(1), { type: 'rooms', rooms: [{ id: 1, title: 'Lab', slug: 'lab' }] });
  state = reduce(state, { type: 'room-opened', room: detail() });
  return reduce(state, { type: 'channel-selected', channelId: 1 });
}

describe('the workspace state', () => {
  it('opens a room with its channels, categories and members and selects a channel', () => {
    const state = opened();
    expect(state.room?.title).toBe('Lab');
    expect(state.connection).toBe('connecting');
    expect(currentChannel(state)?.name).toBe('general');
    expect(pageTitle(state)).toBe('#general · Lab · Charge');
    expect(myName(state)).toBe('Ann');
  });

  it('ignores selecting a channel that is not in the room', () => {
    const state = opened();
    expect(reduce(state, { type: 'channel-selected', channelId: 99 })).toBe(state);
  });

  it('follows a channel rename from the room socket', () => {
    const state = reduce(opened(), { type: 'room-frame', slug: 'lab', frame: { type: 'channel_updated', channel: channel(1, 'news') } });
    expect(currentChannel(state)?.name).toBe('news');
    expect(pageTitle(state)).toBe('#news · Lab · Charge');
  });

  it('ignores events for another room and malformed frames', () => {
    const state = opened();
    expect(reduce(state, { type: 'room-frame', slug: 'other', frame: { type: 'channel_deleted', channel_id: 1 } })).toBe(state);
    expect(reduce(state, { type: 'room-frame', slug: 'lab', frame: null })).toBe(state);
    expect(reduce(state, { type: 'room-frame', slug: 'lab', frame: { type: 'channel_created' } })).toBe(state);
    expect(reduce(state, { type: 'room-frame', slug: 'lab', frame: { type: 'something_new' } })).toBe(state);
  });

  it('drops the selection when the open channel is deleted', () => {
    const state = reduce(opened(), { type: 'room-frame', slug: 'lab', frame: { type: 'channel_deleted', channel_id: 1 } });
    expect(state.channelId).toBeNull();
    expect(state.room?.channels.map((c) => c.id)).toEqual([2, 3]);
  });

  it('adds created channels once, even when the reply and the event both arrive', () => {
    let state = reduce(opened(), { type: 'channel-saved', channel: channel(4, 'new') });
    state = reduce(state, { type: 'room-frame', slug: 'lab', frame: { type: 'channel_created', channel: channel(4, 'new') } });
    expect(state.room?.channels.filter((c) => c.id === 4)).toHaveLength(1);
  });

  it('takes the whole member list from member events and follows the user’s own role', () => {
    const state = reduce(opened(), { type: 'room-frame', slug: 'lab', frame: { type: 'member_updated', members: [member(1, 'admin', 'Ann'), member(2, 'owner')] } });
    expect(state.room?.current_role).toBe('admin');
    expect(isAdmin(state.room)).toBe(true);
  });

  it('applies category events and keeps channels of a deleted category outside any category', () => {
    let state = reduce(opened(), { type: 'room-frame', slug: 'lab', frame: { type: 'category_created', categories: [{ id: 9, name: 'Work', position: 1 }, { id: 10, name: 'Fun', position: 0 }] } });
    expect(channelSections(state.room).map((s) => s.category?.name ?? null)).toEqual([null, 'Fun', 'Work']);
    state = reduce(state, { type: 'category-removed', categoryId: 9 });
    expect(state.room?.channels.find((c) => c.id === 3)?.category_id).toBeNull();
    expect(channelSections(state.room).map((s) => s.category?.name ?? null)).toEqual([null, 'Fun']);
  });

  it('orders channels outside categories first, then by category position, position and name', () => {
    const room = { ...detail(), channels: [channel(1, 'b', { position: 0 }), channel(2, 'a', { position: 0 }), channel(3, 'in-cat', { category_id: 9 }), channel(4, 'orphan', { category_id: 77, position: 5 })] };
    expect(orderedChannels(/** @type {any} */ (room)).map((c) => c.name)).toEqual(['a', 'b', 'orphan', 'in-cat']);
  });

  it('picks the wanted channel, else the current one, else the first text channel', () => {
    const room = /** @type {any} */ (detail());
    expect(pickChannel(room, 2, null)?.id).toBe(2);
    expect(pickChannel(room, 99, 3)?.id).toBe(3);
    expect(pickChannel(room, null, null)?.id).toBe(1);
    expect(pickChannel({ ...room, channels: [] }, null, null)).toBeNull();
  });

  it('keeps the profile and prefers it for the user’s name', () => {
    const state = reduce(opened(), { type: 'profile', profile: { id: 1, login: 'u1', display_name: 'Annie', status: 'dnd' } });
    expect(myName(state)).toBe('Annie');
    expect(state.profile?.status).toBe('dnd');
    const mine = state.room?.members.find((m) => m.user_id === 1);
    expect([mine?.display_name, mine?.status]).toEqual(['Annie', 'dnd']);
  });

  it('follows the room connection and the voice place', () => {
    let state = reduce(opened(), { type: 'connection', status: 'open' });
    expect(state.connection).toBe('open');
    expect(reduce(state, { type: 'connection', status: 'open' })).toBe(state);
    state = reduce(state, { type: 'voice', place: { slug: 'lab', title: 'Lab', channelId: 2 } });
    expect(state.voice?.channelId).toBe(2);
  });

  it('adds and removes invitations', () => {
    const invitation = { id: 5, code: 'abc', role: 'member' };
    let state = reduce(opened(), { type: 'invitation-saved', invitation });
    state = reduce(state, { type: 'room-frame', slug: 'lab', frame: { type: 'invite_created', invitation } });
    expect(state.room?.invitations).toHaveLength(1);
    state = reduce(state, { type: 'room-frame', slug: 'lab', frame: { type: 'invite_deleted', invitation_id: 5 } });
    expect(state.room?.invitations).toHaveLength(0);
  });
});

describe('roles', () => {
  it('lets admins give lower roles to members below them, and owners any role to non-owners', async () => {
    const { assignableRoles } = await import('../app/src/state/workspace.js');
    const room = /** @type {any} */ ({ ...detail(), current_role: 'admin', role_hierarchy: [{ role: 'owner', level: 400 }, { role: 'admin', level: 300 }, { role: 'member', level: 200 }, { role: 'guest', level: 100 }] });
    const bob = member(3, 'member');
    expect(assignableRoles(room, bob, 1)).toEqual(['member', 'guest']);
    expect(assignableRoles(room, member(2, 'owner'), 1)).toEqual([]);
    expect(assignableRoles(room, member(4, 'admin'), 1)).toEqual([]);
    expect(assignableRoles({ ...room, current_role: 'owner' }, bob, 1)).toEqual(['owner', 'admin', 'member', 'guest']);
    expect(assignableRoles({ ...room, current_role: 'owner' }, member(1, 'owner'), 1)).toEqual([]);
    expect(assignableRoles({ ...room, current_role: 'member' }, member(5, 'guest'), 1)).toEqual([]);
  });

  it('follows the room’s own role levels', async () => {
    const { roleLevel } = await import('../app/src/state/workspace.js');
    const room = /** @type {any} */ ({ ...detail(), role_hierarchy: [{ role: 'member', level: 350 }] });
    expect(roleLevel(room, 'member')).toBe(350);
    expect(roleLevel(room, 'admin')).toBe(300);
  });
});

describe('the store', () => {
  it('tells listeners about changes only', () => {
    const store = createStore(reduce, initialState(1));
    const listener = vi.fn();
    const stop = store.subscribe(listener);
    store.dispatch({ type: 'connection', status: 'idle' });
    expect(listener).not.toHaveBeenCalled();
    store.dispatch({ type: 'connection', status: 'open' });
    expect(listener).toHaveBeenCalledTimes(1);
    expect(listener.mock.calls[0][0].connection).toBe('open');
    expect(listener.mock.calls[0][2].connection).toBe('idle');
    stop();
    store.dispatch({ type: 'connection', status: 'closed' });
    expect(listener).toHaveBeenCalledTimes(1);
  });
});

describe('limits from the server', () => {
  const good = {
    message_max_length: 2000,
    history_default_limit: 50,
    history_max_limit: 100,
    typing_ttl_seconds: 8,
    pins_per_channel: 250,
    pin_note_max_length: 255,
    categories_per_room: 50,
    name_max_length: 128,
    json_body_max_bytes: 1048576,
    ws_frame_max_bytes: 65536,
    slow_mode_max_seconds: 21600,
    timeout_max_seconds: 2419200,
    ban_reason_max_length: 512,
  };

  it('accepts the server’s answer', () => {
    expect(parseLimits({ ...good, extra: 'ignored' })).toEqual(good);
    expect(parseLimits({ ...good, typing_ttl_seconds: 2.5 }).typing_ttl_seconds).toBe(2.5);
  });

  it('refuses a missing or unusable limit with a clear message', () => {
    expect(() => parseLimits(null)).toThrow('The server sent no limits.');
    expect(() => parseLimits({ ...good, message_max_length: '2000' })).toThrow(/message_max_length/);
    expect(() => parseLimits({ ...good, history_max_limit: 0 })).toThrow(/history_max_limit/);
    expect(() => parseLimits({ ...good, message_max_length: 1999.5 })).toThrow(/message_max_length/);
    const { name_max_length: _gone, ...rest } = good;
    expect(() => parseLimits(rest)).toThrow(/name_max_length is null/);
  });
});
