// The sidebar, rendered from the workspace state: the rooms rail, the room
// header, the member list and the signed-in user's panel.

import { h, hueFor, initials, setChildren } from '../dom.js';
import { isAdmin, memberName, myName } from '../state/workspace.js';

/** @typedef {import('../state/workspace.js').WorkspaceState} WorkspaceState */

/**
 * @param {HTMLElement} list
 * @param {WorkspaceState} state
 * @param {{ openRoom: (slug: string) => void }} actions
 */
export function renderRoomsRail(list, state, actions) {
  setChildren(
    list,
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
            onclick: () => actions.openRoom(room.slug),
          },
          h('span', { 'aria-hidden': 'true' }, initials(room.title)),
        ),
      );
    }),
  );
}

/**
 * The room's name, the user's role in it and the admin-only buttons.
 * @param {{ title: HTMLElement, role: HTMLElement, adminOnly: HTMLElement[], groups: Iterable<HTMLElement> }} els
 * @param {WorkspaceState} state
 */
export function renderRoomHead(els, state) {
  const room = state.room;
  els.title.textContent = room ? room.title : state.rooms.length ? 'Pick a room' : 'No room yet';
  els.role.hidden = !room?.current_role;
  els.role.textContent = room?.current_role ?? '';
  const admin = isAdmin(room);
  for (const el of els.adminOnly) el.hidden = !admin;
  for (const group of els.groups) group.hidden = !room;
}

/** @param {string} role */
const roleRank = (role) => ({ owner: 0, admin: 1, member: 2, guest: 3 })[role] ?? 4;

/**
 * @param {HTMLElement} list
 * @param {WorkspaceState} state
 */
export function renderMemberList(list, state) {
  const members = state.room ? [...state.room.members] : [];
  members.sort((a, b) => roleRank(a.role) - roleRank(b.role) || memberName(a).toLowerCase().localeCompare(memberName(b).toLowerCase()));
  setChildren(
    list,
    members.map((m) => {
      const name = memberName(m);
      return h(
        'li',
        { dataset: { userId: m.user_id, role: m.role } },
        h('span', { class: 'avatar small', style: `--hue:${hueFor(name)}`, 'aria-hidden': 'true' }, initials(name)),
        h('span', { class: 'name' }, name),
        m.role !== 'member' ? h('span', { class: 'role-tag' }, m.role) : null,
      );
    }),
  );
}

/** Words for a presence status. @param {string | null | undefined} status */
export function statusWords(status) {
  if (status === 'idle') return 'Idle';
  if (status === 'dnd') return 'Do not disturb';
  if (status === 'offline' || status === 'invisible') return 'Offline';
  return 'Online';
}

/** A note while the room's live updates are not flowing. @param {string} status */
export function connectionNote(status) {
  if (status === 'open' || status === 'idle') return '';
  if (status === 'closed') return 'Live updates stopped';
  return status === 'reconnecting' ? 'Reconnecting…' : 'Connecting…';
}

/**
 * The signed-in user's name, avatar and status dot, and a note while the
 * room's updates are not live.
 * @param {{ name: HTMLElement, avatar: HTMLElement, status: HTMLElement, statusText: HTMLElement, conn: HTMLElement }} els
 * @param {WorkspaceState} state
 * @param {string} fallbackName
 */
export function renderUserPanel(els, state, fallbackName) {
  const name = myName(state) ?? fallbackName;
  if (els.name.textContent !== name) {
    els.name.textContent = name;
    els.avatar.textContent = initials(name);
    els.avatar.setAttribute('style', `--hue:${hueFor(name)}`);
  }
  const status = state.profile?.status ?? 'online';
  els.status.className = `presence ${status}`;
  els.statusText.textContent = statusWords(status);
  const note = state.room ? connectionNote(state.connection) : '';
  els.conn.dataset.status = state.connection;
  els.conn.textContent = note;
  els.conn.hidden = !note;
}
