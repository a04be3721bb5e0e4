// The sidebar, rendered from the workspace state: the rooms rail, the room
// header, the member list and the signed-in user's panel.

import { h, hueFor, initials, setChildren } from '../dom.js';
import { ROLES, assignableRoles, canModerate, isAdmin, memberName, myName, roleLevel, roomUnread, timeoutEnd } from '../state/workspace.js';
import { icon } from '../icons.js';

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
      const { unread, mentions } = roomUnread(state, room.id);
      const words = mentions ? `, ${mentions} ${mentions === 1 ? 'mention' : 'mentions'}` : unread ? ', unread messages' : '';
      return h(
        'li',
        { class: 'rail-item' },
        h(
          'button',
          {
            class: `rail-btn room-btn${current ? ' active' : ''}${unread ? ' unread' : ''}`,
            type: 'button',
            title: room.title,
            'aria-label': `${room.title}${words}`,
            // The initials are drawn by CSS, so the button's name is the title alone.
            dataset: { slug: room.slug, initials: initials(room.title) },
            'aria-current': current ? 'page' : null,
            style: `--hue:${hueFor(room.title)}`,
            onclick: () => actions.openRoom(room.slug),
          },
        ),
        mentions
          ? h('span', { class: 'room-badge mention', 'aria-hidden': 'true' }, mentions > 99 ? '99+' : String(mentions))
          : unread
            ? h('span', { class: 'room-badge', 'aria-hidden': 'true' })
            : null,
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

/** Headings of the member list. @param {string} role */
export function roleHeading(role) {
  return { owner: 'Owners', admin: 'Admins', member: 'Members', guest: 'Guests' }[role] ?? role;
}

/**
 * Members grouped by role, highest role first, each group by name; a status
 * dot on each; a role button where the user may change the member's role.
 * @param {HTMLElement} list
 * @param {WorkspaceState} state
 * @param {{ changeRole: (member: import('../state/workspace.js').Member) => void, moderate?: (member: import('../state/workspace.js').Member) => void }} actions
 */
export function renderMemberList(list, state, actions) {
  const room = state.room;
  const members = room ? [...room.members] : [];
  const roles = [...new Set([...ROLES, ...members.map((m) => m.role)])].sort((a, b) => roleLevel(room, b) - roleLevel(room, a));
  const byName = (/** @type {import('../state/workspace.js').Member} */ a, /** @type {import('../state/workspace.js').Member} */ b) =>
    memberName(a).toLowerCase().localeCompare(memberName(b).toLowerCase());
  setChildren(
    list,
    roles.flatMap((role) => {
      const group = members.filter((m) => m.role === role).sort(byName);
      if (!group.length) return [];
      return [
        h('li', { class: 'member-role-head' }, `${roleHeading(role)} — ${group.length}`),
        ...group.map((m) => {
          const name = memberName(m);
          const manage = assignableRoles(room, m, state.meId).length > 0;
          const moderate = !!actions.moderate && canModerate(room, m, state.meId);
          const until = timeoutEnd(m);
          return h(
            'li',
            { class: 'member', dataset: { userId: m.user_id, role: m.role } },
            h('span', { class: 'avatar small', style: `--hue:${hueFor(name)}`, 'aria-hidden': 'true' }, initials(name), h('span', { class: `presence ${m.status ?? 'online'}` })),
            h('span', { class: 'name' }, name),
            m.role !== 'member' ? h('span', { class: 'role-tag' }, m.role) : null,
            until != null
              ? h('span', { class: 'role-tag timed-out', title: `Timed out until ${new Date(until).toLocaleString()}` }, 'timed out')
              : null,
            manage
              ? h('button', { class: 'icon-btn small member-manage', type: 'button', 'aria-label': `Change the role of ${name}`, title: 'Change role', onclick: () => actions.changeRole(m) }, icon('edit', 13))
              : null,
            moderate
              ? h('button', { class: 'icon-btn small member-moderate', type: 'button', 'aria-label': `Moderate ${name}`, title: 'Kick, time out or ban', onclick: () => actions.moderate?.(m) }, icon('more', 13))
              : null,
          );
        }),
      ];
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
