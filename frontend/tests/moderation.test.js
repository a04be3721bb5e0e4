// @vitest-environment happy-dom
import { describe, expect, it, vi } from 'vitest';
import { auditWords } from '../app/src/moderation-dialogs.js';
import { REMOVAL_WORDS, classifyClose } from '../app/src/socket.js';
import { canModerate, initialState, reduce, timeoutEnd } from '../app/src/state/workspace.js';
import { Composer, slowModeWords } from '../app/src/views/composer.js';
import { renderMemberList } from '../app/src/views/sidebar.js';

/** @param {number} userId @param {string} role @param {Record<string, unknown>} [extra] */
const member = (userId, role, extra = {}) => ({ id: userId * 10, user_id: userId, role, login: `u${userId}`, display_name: null, status: 'online', ...extra });

/** @param {string} myRole */
function roomAs(myRole) {
  return {
    id: 1,
    title: 'Guild',
    slug: 'guild',
    channels: [{ id: 5, name: 'general', type: 'text', letter: 'A', position: 0, slow_mode_seconds: 0 }],
    categories: [],
    invitations: [],
    role_hierarchy: [
      { role: 'owner', level: 400 },
      { role: 'admin', level: 300 },
      { role: 'member', level: 200 },
      { role: 'guest', level: 100 },
    ],
    current_role: myRole,
    members: [member(1, myRole), member(2, 'admin'), member(3, 'member', { timed_out_until: new Date(Date.now() + 60_000).toISOString() })],
  };
}

function stateWith(/** @type {string} */ myRole) {
  let state = reduce(initialState(1), { type: 'rooms', rooms: [{ id: 1, title: 'Guild', slug: 'guild' }, { id: 2, title: 'Other', slug: 'other' }] });
  state = reduce(state, { type: 'room-opened', room: roomAs(myRole) });
  return state;
}

describe('moderation state', () => {
  it('a rename reaches the open room and the rooms rail', () => {
    const state = reduce(stateWith('member'), { type: 'room-frame', slug: 'guild', frame: { type: 'room_updated', room: 'guild', title: 'New name' } });
    expect(state.room?.title).toBe('New name');
    expect(state.rooms.find((r) => r.slug === 'guild')?.title).toBe('New name');
  });

  it('leaving a room takes it off the rail and closes it', () => {
    const state = reduce(stateWith('member'), { type: 'room-left', slug: 'guild' });
    expect(state.room).toBeNull();
    expect(state.rooms.map((r) => r.slug)).toEqual(['other']);
  });

  it('only a moderator who outranks a member may moderate them', () => {
    const admin = stateWith('admin').room;
    expect(canModerate(admin, member(3, 'member'), 1)).toBe(true);
    expect(canModerate(admin, member(2, 'admin'), 1)).toBe(false);
    expect(canModerate(admin, member(1, 'admin'), 1)).toBe(false);
    expect(canModerate(stateWith('member').room, member(4, 'guest'), 1)).toBe(false);
    expect(canModerate(stateWith('owner').room, member(2, 'admin'), 1)).toBe(true);
  });

  it('a lapsed timeout counts as none', () => {
    expect(timeoutEnd(member(3, 'member', { timed_out_until: new Date(Date.now() - 1000).toISOString() }))).toBeNull();
    expect(timeoutEnd(member(3, 'member'))).toBeNull();
    expect(timeoutEnd(member(3, 'member', { timed_out_until: '2999-01-01T00:00:00Z' }))).toBe(Date.parse('2999-01-01T00:00:00Z'));
  });

  it('removal closes are final, with words for each', () => {
    for (const reason of Object.keys(REMOVAL_WORDS)) expect(classifyClose(1008, reason)).toBe('gone');
    expect(REMOVAL_WORDS['Banned from the room']).toMatch(/banned/);
  });

  it('audit entries read as sentences', () => {
    expect(auditWords({ action: 'room.rename', actor: { login: 'olga' }, before: { title: 'A' }, after: { title: 'B' } })).toBe('olga renamed the room “A” → “B”');
    expect(auditWords({ action: 'member.kick', actor: { login: 'olga', display_name: 'Olga' }, before: { login: 'mia' } })).toBe('Olga removed mia');
    expect(auditWords({ action: 'channel.slow_mode', actor: null, before: { name: 'general' }, after: { name: 'general', slow_mode_seconds: 30 } })).toBe('Someone set slow mode in 30 s');
    expect(slowModeWords(300)).toBe('5 min');
  });
});

describe('moderation views', () => {
  it('the member list offers moderation only where the user outranks, and shows timeouts', () => {
    const list = document.createElement('ul');
    const moderate = vi.fn();
    renderMemberList(list, stateWith('admin'), { changeRole: () => {}, moderate });
    const buttons = [...list.querySelectorAll('.member-moderate')];
    expect(buttons.map((b) => b.getAttribute('aria-label'))).toEqual(['Moderate u3']);
    /** @type {HTMLButtonElement} */ (buttons[0]).click();
    expect(moderate).toHaveBeenCalledWith(expect.objectContaining({ user_id: 3 }));
    expect(list.querySelector('[data-user-id="3"] .timed-out')?.textContent).toBe('timed out');
  });

  it('a timed-out user cannot type in the composer until the timeout ends', () => {
    const send = vi.fn(() => null);
    const composer = new Composer({ channelName: 'general', maxLength: 100, send, typing: () => {}, editLast: () => false, onError: () => {} });
    composer.setRestriction({ timedOutUntil: Date.now() + 60_000, slowModeSeconds: 0, exempt: false });
    expect(composer.input.disabled).toBe(true);
    expect(composer.note.textContent).toMatch(/timed out until/);
    composer.input.value = 'hi';
    composer.submit();
    expect(send).not.toHaveBeenCalled();
    composer.setRestriction({ timedOutUntil: null, slowModeSeconds: 0, exempt: false });
    expect(composer.input.disabled).toBe(false);
    composer.submit();
    expect(send).toHaveBeenCalledTimes(1);
    composer.destroy();
  });

  it('slow mode paces the composer after a send, except for exempt users', () => {
    const send = vi.fn(() => null);
    const onError = vi.fn();
    const composer = new Composer({ channelName: 'general', maxLength: 100, send, typing: () => {}, editLast: () => false, onError });
    composer.setRestriction({ timedOutUntil: null, slowModeSeconds: 30, exempt: false });
    expect(composer.note.textContent).toBe('Slow mode is on: one message every 30 s.');
    composer.input.value = 'one';
    composer.submit();
    expect(composer.sendBtn.disabled).toBe(true);
    expect(composer.note.textContent).toMatch(/you can send again in 30 s/);
    composer.input.value = 'two';
    composer.submit();
    expect(send).toHaveBeenCalledTimes(1);
    expect(onError).toHaveBeenCalledWith(expect.stringMatching(/^Slow mode: wait \d+ s/));
    composer.setRestriction({ timedOutUntil: null, slowModeSeconds: 30, exempt: true });
    composer.submit();
    expect(send).toHaveBeenCalledTimes(2);
    composer.destroy();
  });
});
