// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { initialState, reduce } from '../app/src/state/workspace.js';
import { renderChannelList } from '../app/src/views/channel-list.js';
import { Composer } from '../app/src/views/composer.js';
import { emptyView } from '../app/src/views/empty-view.js';
import { renderMessageItem } from '../app/src/views/message-item.js';
import { renderMemberList, renderRoomHead, renderRoomsRail, renderUserPanel } from '../app/src/views/sidebar.js';
import { TextView } from '../app/src/views/text-view.js';
import { counterText } from '../app/src/views/text-format.js';
import { renderVoiceDock } from '../app/src/views/voice-dock.js';

const LIMITS = {
  message_max_length: 300,
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

/** @param {number} id @param {string} name @param {string} [type] */
const channel = (id, name, type = 'text') => ({ id, name, type, letter: String.fromCharCode(64 + id), position: id, category_id: null });

/** @param {string} role */
function roomState(role = 'member') {
  let state = reduce(initialState(1), { type: 'rooms', rooms: [{ id: 1, title: 'Lab', slug: 'lab' }, { id: 2, title: 'Attic', slug: 'attic' }] });
  state = reduce(state, {
    type: 'room-opened',
    room: {
      id: 1,
      title: 'Lab',
      slug: 'lab',
      current_role: role,
      channels: [channel(2, 'random'), channel(1, 'general'), channel(3, 'Lounge', 'voice')],
      categories: [],
      members: [
        { id: 1, user_id: 1, role, login: 'ann', display_name: 'Ann' },
        { id: 2, user_id: 2, role: 'owner', login: 'zed', display_name: null },
        { id: 3, user_id: 3, role: 'member', login: 'bob', display_name: 'Bob' },
      ],
      invitations: [],
    },
  });
  return reduce(state, { type: 'channel-selected', channelId: 1 });
}

/** @param {Partial<import('../app/src/messages.js').Message>} extra */
const message = (extra) => ({ id: 1, channel_id: 1, author_id: 2, author: { id: 2, login: 'zed' }, content: 'hi', created_at: '2026-11-24T19:00:00Z', parent_id: null, ...extra });

const channelActionsMock = () => ({
  openChannel: vi.fn(),
  editChannel: vi.fn(),
  deleteChannel: vi.fn(),
  toggleCategory: vi.fn(),
  createChannelIn: vi.fn(),
  renameCategory: vi.fn(),
  deleteCategory: vi.fn(),
});

const noActions = { reply: vi.fn(), react: vi.fn(), pickReaction: vi.fn(), pin: vi.fn(), unpin: vi.fn(), thread: vi.fn(), edit: vi.fn(), remove: vi.fn(), jumpTo: vi.fn() };

describe('the sidebar views', () => {
  it('marks the open room in the rail and opens another on click', () => {
    const list = document.createElement('ul');
    const openRoom = vi.fn();
    renderRoomsRail(list, roomState(), { openRoom });
    const buttons = list.querySelectorAll('button');
    expect([...buttons].map((b) => b.getAttribute('aria-label'))).toEqual(['Lab', 'Attic']);
    expect(buttons[0].getAttribute('aria-current')).toBe('page');
    buttons[1].click();
    expect(openRoom).toHaveBeenCalledWith('attic');
  });

  it('shows the role and hides admin buttons from members', () => {
    const els = { title: document.createElement('h2'), role: document.createElement('span'), adminOnly: [document.createElement('button')], groups: [document.createElement('section')] };
    renderRoomHead(els, roomState('member'));
    expect(els.title.textContent).toBe('Lab');
    expect(els.role.textContent).toBe('member');
    expect(els.adminOnly[0].hidden).toBe(true);
    renderRoomHead(els, roomState('admin'));
    expect(els.adminOnly[0].hidden).toBe(false);
  });

  it('lists members under their role, highest first, with status dots', () => {
    const list = document.createElement('ul');
    renderMemberList(list, roomState(), { changeRole: vi.fn() });
    expect([...list.querySelectorAll('.member-role-head')].map((n) => n.textContent)).toEqual(['Owners — 1', 'Members — 2']);
    expect([...list.querySelectorAll('.name')].map((n) => n.textContent)).toEqual(['zed', 'Ann', 'Bob']);
    expect(list.querySelector('.role-tag')?.textContent).toBe('owner');
    expect(list.querySelector('.member .presence')?.className).toBe('presence online');
    expect(list.querySelector('.member-manage')).toBeNull();
  });

  it('offers role changes only where the user outranks the member', () => {
    const list = document.createElement('ul');
    const changeRole = vi.fn();
    renderMemberList(list, roomState('admin'), { changeRole });
    expect([...list.querySelectorAll('.member-manage')].map((b) => b.getAttribute('aria-label'))).toEqual(['Change the role of Bob']);
    /** @type {HTMLElement} */ (list.querySelector('.member-manage')).click();
    expect(changeRole).toHaveBeenCalledWith(expect.objectContaining({ user_id: 3 }));
  });

  it('lists text and voice channels in order and offers deletion to admins only', () => {
    const lists = { text: document.createElement('ul'), voice: document.createElement('ul'), categories: document.createElement('div') };
    const actions = channelActionsMock();
    renderChannelList(lists, roomState('member'), null, actions);
    expect([...lists.text.querySelectorAll('.channel-name')].map((n) => n.textContent)).toEqual(['general', 'random']);
    expect(lists.voice.querySelector('.channel-name')?.textContent).toBe('Lounge');
    expect(lists.text.querySelector('.channel-item.active .channel-name')?.textContent).toBe('general');
    expect(lists.text.querySelector('.channel-delete')).toBeNull();
    /** @type {HTMLElement} */ (lists.text.querySelectorAll('.channel-link')[1]).click();
    expect(actions.openChannel).toHaveBeenCalledWith(2);
    renderChannelList(lists, roomState('owner'), null, actions);
    /** @type {HTMLElement} */ (lists.text.querySelector('.channel-delete')).click();
    expect(actions.deleteChannel).toHaveBeenCalledWith(expect.objectContaining({ id: 1 }));
  });

  it('shows categories in order, collapses them and keeps the open channel visible', () => {
    const lists = { text: document.createElement('ul'), voice: document.createElement('ul'), categories: document.createElement('div') };
    const actions = { ...channelActionsMock(), toggleCategory: vi.fn() };
    let state = reduce(roomState('owner'), {
      type: 'room-frame',
      slug: 'lab',
      frame: { type: 'category_created', categories: [{ id: 8, name: 'Later', position: 2 }, { id: 9, name: 'Work', position: 1 }] },
    });
    state = reduce(state, { type: 'channel-saved', channel: { ...channel(4, 'plans'), category_id: 9 } });
    state = reduce(state, { type: 'channel-saved', channel: { ...channel(5, 'ideas'), category_id: 9 } });
    renderChannelList(lists, state, null, actions);
    expect([...lists.categories.querySelectorAll('.category-name')].map((n) => n.textContent)).toEqual(['Work', 'Later']);
    expect([...lists.categories.querySelectorAll('section')[0].querySelectorAll('.channel-name')].map((n) => n.textContent)).toEqual(['plans', 'ideas']);
    /** @type {HTMLElement} */ (lists.categories.querySelector('.category-toggle')).click();
    expect(actions.toggleCategory).toHaveBeenCalledWith(9);
    state = reduce(reduce(state, { type: 'category-toggled', categoryId: 9 }), { type: 'channel-selected', channelId: 5 });
    renderChannelList(lists, state, null, actions);
    const work = lists.categories.querySelectorAll('section')[0];
    expect(work.querySelector('.category-toggle')?.getAttribute('aria-expanded')).toBe('false');
    expect([...work.querySelectorAll('.channel-name')].map((n) => n.textContent)).toEqual(['ideas']);
    /** @type {HTMLElement} */ (work.querySelector('[aria-label="Rename category Work"]')).click();
    expect(actions.renameCategory).toHaveBeenCalledWith(expect.objectContaining({ id: 9 }));
    renderChannelList(lists, reduce(state, { type: 'member-role', userId: 1, role: 'member' }), null, actions);
    expect(lists.categories.querySelector('.category-actions')).toBeNull();
  });

  it('shows who is in the voice channel the user is in', () => {
    const lists = { text: document.createElement('ul'), voice: document.createElement('ul'), categories: document.createElement('div') };
    const state = reduce(roomState(), { type: 'voice', place: { slug: 'lab', title: 'Lab', channelId: 3 } });
    const voice = { participants: [{ id: 1, displayName: 'Ann', muted: true }, { id: 2, displayName: 'Zed' }], me: { id: 1 }, selfSpeaking: false, peers: new Map([[2, { speaking: true }]]) };
    renderChannelList(lists, state, voice, channelActionsMock());
    expect(lists.voice.querySelector('.count')?.textContent).toBe('2');
    expect([...lists.voice.querySelectorAll('.voice-members li')].map((li) => li.className)).toEqual(['', 'speaking']);
  });

  it('shows the user’s name and status in the user panel, and a note while updates are not live', () => {
    const els = { name: document.createElement('span'), avatar: document.createElement('span'), status: document.createElement('span'), statusText: document.createElement('span'), conn: document.createElement('span') };
    renderUserPanel(els, reduce(roomState(), { type: 'connection', status: 'open' }), 'fallback');
    expect(els.name.textContent).toBe('Ann');
    expect(els.avatar.textContent).toBe('AN');
    expect(els.status.className).toBe('presence online');
    expect(els.conn.hidden).toBe(true);
    let state = reduce(roomState(), { type: 'profile', profile: { id: 1, login: 'ann', display_name: 'Annie', status: 'dnd' } });
    state = reduce(state, { type: 'connection', status: 'reconnecting' });
    renderUserPanel(els, state, 'fallback');
    expect(els.name.textContent).toBe('Annie');
    expect(els.status.className).toBe('presence dnd');
    expect(els.statusText.textContent).toBe('Do not disturb');
    expect(els.conn.hidden).toBe(false);
    expect(els.conn.textContent).toBe('Reconnecting…');
    renderUserPanel(els, initialState(1), 'fallback');
    expect(els.name.textContent).toBe('fallback');
  });

  it('shows the voice dock only during a call', () => {
    const dock = document.createElement('div');
    renderVoiceDock(dock, roomState(), null, { leave: vi.fn() });
    expect(dock.hidden).toBe(true);
    const state = reduce(roomState(), { type: 'voice', place: { slug: 'lab', title: 'Lab', channelId: 3 } });
    const voice = { status: 'open', muted: false, deafened: false, setMuted: vi.fn(), setDeafened: vi.fn() };
    const leave = vi.fn();
    renderVoiceDock(dock, state, voice, { leave });
    expect(dock.hidden).toBe(false);
    expect(dock.textContent).toContain('Lounge · Lab');
    /** @type {HTMLElement} */ (dock.querySelector('[aria-label="Mute"]')).click();
    expect(voice.setMuted).toHaveBeenCalledWith(true);
    /** @type {HTMLElement} */ (dock.querySelector('[aria-label="Leave voice"]')).click();
    expect(leave).toHaveBeenCalled();
  });

  it('welcomes a user with no rooms', () => {
    const state = reduce(initialState(1), { type: 'rooms', rooms: [] });
    const createRoom = vi.fn();
    const el = emptyView(state, { createRoom, join: vi.fn(), createChannel: vi.fn() });
    expect(el.querySelector('h2')?.textContent).toBe('Welcome to Charge');
    /** @type {HTMLElement} */ (el.querySelector('button')).click();
    expect(createRoom).toHaveBeenCalled();
  });
});

describe('a message', () => {
  it('renders user text as text, never as markup', () => {
    const el = renderMessageItem(message({ content: '<img src=x onerror=alert(1)> <b>bold</b>' }), { meId: 1, isAdmin: false, grouped: false, actions: noActions });
    expect(el.querySelector('img, b')).toBeNull();
    expect(el.querySelector('.msg-body')?.textContent).toBe('<img src=x onerror=alert(1)> <b>bold</b>');
  });

  it('turns web addresses into links that open safely', () => {
    const el = renderMessageItem(message({ content: 'see https://example.org/a.' }), { meId: 1, isAdmin: false, grouped: false, actions: noActions });
    const link = /** @type {HTMLAnchorElement} */ (el.querySelector('a'));
    expect(link.getAttribute('href')).toBe('https://example.org/a');
    expect(link.rel).toContain('noopener');
  });

  it('offers edit and delete on own messages, delete to admins, neither to others', () => {
    const own = renderMessageItem(message({ author_id: 1, author: { id: 1, login: 'ann' } }), { meId: 1, isAdmin: false, grouped: false, actions: noActions });
    expect(own.querySelector('[title="Edit"]')).not.toBeNull();
    expect(own.querySelector('[title="Delete"]')).not.toBeNull();
    const other = renderMessageItem(message({}), { meId: 1, isAdmin: false, grouped: false, actions: noActions });
    expect(other.querySelector('[title="Edit"], [title="Delete"]')).toBeNull();
    const asAdmin = renderMessageItem(message({}), { meId: 1, isAdmin: true, grouped: false, actions: noActions });
    expect(asAdmin.querySelector('[title="Delete"]')).not.toBeNull();
  });

  it('hides deleted text and toggles the user’s own reaction', () => {
    const deleted = renderMessageItem(message({ content: 'secret', deleted_at: '2026-11-24T19:01:00Z' }), { meId: 1, isAdmin: false, grouped: false, actions: noActions });
    expect(deleted.textContent).not.toContain('secret');
    const react = vi.fn();
    const el = renderMessageItem(message({ reactions: [{ emoji: '👍', count: 2, user_ids: [1, 2] }] }), { meId: 1, isAdmin: false, grouped: false, actions: { ...noActions, react } });
    /** @type {HTMLElement} */ (el.querySelector('.reaction')).click();
    expect(react).toHaveBeenCalledWith(expect.objectContaining({ id: 1 }), '👍', 'remove');
  });
});

describe('the composer', () => {
  it('counts toward the server’s limit and sends on Enter', () => {
    const send = vi.fn(() => null);
    const composer = new Composer({ channelName: 'general', maxLength: LIMITS.message_max_length, send, typing: vi.fn(), editLast: () => false, onError: vi.fn() });
    expect(composer.input.placeholder).toBe('Message #general');
    expect(composer.input.maxLength).toBe(800);
    composer.input.value = 'x'.repeat(301);
    composer.input.dispatchEvent(new Event('input'));
    expect(composer.counter.textContent).toBe('301/300');
    expect(composer.counter.classList.contains('over')).toBe(true);
    composer.input.value = 'hello';
    composer.input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    expect(send).toHaveBeenCalledWith('hello', null);
    expect(composer.input.value).toBe('');
  });

  it('keeps the text and reports the problem when sending is refused', () => {
    const onError = vi.fn();
    const composer = new Composer({ channelName: 'general', maxLength: 10, send: () => 'Too long', typing: vi.fn(), editLast: () => false, onError });
    composer.input.value = 'far too long a message';
    composer.submit();
    expect(onError).toHaveBeenCalledWith('Too long');
    expect(composer.input.value).toBe('far too long a message');
  });

  it('starts from the saved draft, saves as it changes and clears it once sent', () => {
    const draft = { load: vi.fn(() => 'saved text'), save: vi.fn() };
    const composer = new Composer({ channelName: 'general', maxLength: 300, send: () => null, typing: vi.fn(), editLast: () => false, onError: vi.fn(), draft });
    expect(composer.input.value).toBe('saved text');
    composer.input.value = 'saved text, more';
    composer.input.dispatchEvent(new Event('input'));
    expect(draft.save).toHaveBeenLastCalledWith('saved text, more');
    composer.submit();
    expect(draft.save).toHaveBeenLastCalledWith('');
  });

  it('shows the counter only near the limit', () => {
    expect(counterText('a'.repeat(10), 2000)).toEqual({ text: '', over: false });
    expect(counterText('a'.repeat(1900), 2000)).toEqual({ text: '1900/2000', over: false });
  });
});

describe('the text channel view', () => {
  function fakeSession() {
    return {
      messages: [message({ id: 1 }), message({ id: 2, content: 'second' })],
      pending: [],
      online: [{ id: 2, display_name: 'Zed', status: 'online' }],
      typing: [{ id: 2, display_name: 'Zed' }],
      status: 'open',
      syncing: false,
      statusInfo: { attempt: 0, retryIn: null, reason: '' },
      loaded: true,
      hasMoreBackward: false,
      loadingOlder: false,
      socket: { send: vi.fn(), reconnectNow: vi.fn() },
      send: vi.fn(() => null),
      setTyping: vi.fn(),
      loadOlder: vi.fn(async () => false),
      absorb: vi.fn(),
      retryPending: vi.fn(),
      discardPending: vi.fn(),
    };
  }

  /** @param {ReturnType<typeof fakeSession>} session */
  const makeView = (session) =>
    new TextView({ channel: { id: 1, name: 'general' }, session: /** @type {any} */ (session), meId: 1, isAdmin: false, api: /** @type {any} */ ({}), limits: LIMITS });

  it('renders the session’s messages, who is online and who is typing', () => {
    const view = makeView(fakeSession());
    expect(view.el.querySelectorAll('.message-list:not(.pending-list) .msg')).toHaveLength(2);
    expect(view.el.dataset.messageCount).toBe('2');
    expect(view.el.querySelector('.online-list')?.textContent).toContain('Zed');
    expect(view.el.querySelector('.typing-line')?.textContent).toBe('Zed is typing…');
    expect(view.el.querySelector('.channel-intro h3')?.textContent).toBe('Welcome to #general');
  });

  it('follows a rename in the header, the composer and the intro', () => {
    const view = makeView(fakeSession());
    view.setChannel({ id: 1, name: 'news' });
    expect(view.el.querySelector('.channel-title')?.textContent).toBe('news');
    expect(view.composer.input.placeholder).toBe('Message #news');
    expect(view.el.querySelector('.channel-intro h3')?.textContent).toBe('Welcome to #news');
  });

  it('re-renders only changed messages and removes vanished ones', () => {
    const session = fakeSession();
    const view = makeView(session);
    const first = view.el.querySelector('#msg-1');
    session.messages = [session.messages[0], message({ id: 2, content: 'edited', edited_at: '2026-11-24T19:05:00Z' })];
    view.update('messages');
    expect(view.el.querySelector('#msg-1')).toBe(first);
    expect(view.el.querySelector('#msg-2 .msg-body')?.textContent).toBe('edited (edited)');
    session.messages = [session.messages[1]];
    view.update('messages');
    expect(view.el.querySelector('#msg-1')).toBeNull();
  });

  it('sends reactions chosen in the picker over the session’s socket', () => {
    const session = fakeSession();
    const view = makeView(session);
    document.body.append(view.el);
    /** @type {HTMLElement} */ (view.el.querySelector('#msg-1 [title="React"]')).click();
    /** @type {HTMLElement} */ (document.querySelector('.emoji-picker [data-emoji="🚀"]')).click();
    expect(session.socket.send).toHaveBeenCalledWith({ type: 'reaction', message_id: 1, emoji: '🚀', operation: 'add' });
    view.el.remove();
  });
});
