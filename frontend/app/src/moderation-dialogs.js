// Moderation (decision 25): what a moderator can do to a member (kick, time
// out, ban), the room menu (rename, slow mode, bans, audit log, hand over,
// delete, leave), the ban list and the audit log. Each calls the API; the
// room's socket brings the result to everyone, this user included.

import { h, setChildren } from './dom.js';
import { canModerate, currentChannel, isAdmin, isVoice, memberName, timeoutEnd } from './state/workspace.js';
import { slowModeWords } from './views/composer.js';
import { openForm, toast } from './views/dialogs.js';
import { nameLimit } from './room-dialogs.js';

/**
 * @typedef {import('./room-dialogs.js').WorkspaceContext & { leftRoom: (slug: string, reason: string) => void }} ModerationContext
 * @typedef {import('./state/workspace.js').Member} Member
 */

/** Timeouts offered, in seconds. @type {[number, string][]} */
const TIMEOUTS = [
  [60, '1 minute'],
  [300, '5 minutes'],
  [600, '10 minutes'],
  [3600, '1 hour'],
  [86_400, '1 day'],
  [604_800, '1 week'],
];

/** Slow-mode steps offered, in seconds (0 is off). */
const SLOW_MODES = [0, 5, 10, 30, 60, 120, 300, 900, 3600, 21_600];

const dialogEl = () => /** @type {HTMLDialogElement} */ (document.getElementById('dialog'));

/**
 * Kick, time out (or lift a timeout) or ban a member the user outranks.
 * @param {ModerationContext} ctx
 * @param {Member} member
 */
export function memberActionsDialog(ctx, member) {
  const { room, meId } = ctx.store.state;
  if (!room || !canModerate(room, member, meId)) return;
  const name = memberName(member);
  const timedOut = timeoutEnd(member) != null;
  const limits = ctx.store.state.limits;
  const lengths = TIMEOUTS.filter(([s]) => !limits || s <= limits.timeout_max_seconds);
  openForm({
    title: `Moderate ${name}`,
    description: 'A kick removes them until they are invited again; a ban keeps them out; a timeout lets them read but not send, react or speak.',
    fields: [
      {
        name: 'action',
        label: 'Action',
        type: 'radio',
        value: 'timeout',
        options: [
          { value: 'timeout', label: 'Time out' },
          ...(timedOut ? [{ value: 'untimeout', label: 'Lift the timeout' }] : []),
          { value: 'kick', label: 'Kick from the room' },
          { value: 'ban', label: 'Ban from the room' },
        ],
      },
      { name: 'duration', label: 'Timeout length', type: 'select', value: '600', options: lengths.map(([s, label]) => ({ value: String(s), label })) },
      { name: 'reason', label: 'Ban reason (optional)', maxLength: limits?.ban_reason_max_length, placeholder: 'Shown in the ban list' },
    ],
    submitLabel: 'Apply',
    danger: true,
    submit: async (values) => {
      const slug = room.slug;
      switch (values.action) {
        case 'kick':
          await ctx.api.kickMember(slug, member.user_id);
          toast(`${name} was removed from the room.`, 'ok');
          break;
        case 'ban':
          await ctx.api.banUser(slug, member.user_id, values.reason?.trim() || null);
          toast(`${name} was banned.`, 'ok');
          break;
        case 'untimeout':
          await ctx.api.timeoutMember(slug, member.user_id, null);
          toast(`${name} can talk again.`, 'ok');
          break;
        default: {
          const seconds = Number(values.duration) || 600;
          const until = new Date(Date.now() + seconds * 1000).toISOString();
          await ctx.api.timeoutMember(slug, member.user_id, until);
          toast(`${name} is timed out.`, 'ok');
        }
      }
    },
  });
}

/**
 * The room menu: what this user may do to the room.
 * @param {ModerationContext} ctx
 */
export function roomMenuDialog(ctx) {
  const state = ctx.store.state;
  const room = state.room;
  if (!room) return;
  const admin = isAdmin(room);
  const owner = room.current_role === 'owner';
  const channel = currentChannel(state);
  const dialog = dialogEl();
  /** @param {string} label @param {() => void} run @param {string} [cls] */
  const item = (label, run, cls = '') =>
    h('li', null, h('button', { class: `btn btn-ghost menu-item ${cls}`, type: 'button', onclick: run }, label));
  const items = [
    admin ? item('Rename the room', () => renameRoomDialog(ctx)) : null,
    admin && channel && !isVoice(channel) ? item(`Slow mode in #${channel.name}`, () => slowModeDialog(ctx, channel)) : null,
    admin ? item('Bans', () => void bansDialog(ctx)) : null,
    admin ? item('Audit log', () => void auditLogDialog(ctx)) : null,
    owner ? item('Transfer ownership', () => transferDialog(ctx)) : null,
    owner ? item('Delete the room', () => deleteRoomDialog(ctx), 'danger') : null,
    item('Leave the room', () => leaveRoomDialog(ctx), 'danger'),
  ];
  setChildren(
    dialog,
    h(
      'div',
      { class: 'stack room-menu' },
      h('h2', { id: 'dialog-title' }, room.title),
      h('ul', { class: 'menu-list' }, items),
      h('div', { class: 'row end' }, h('button', { class: 'btn btn-ghost', type: 'button', onclick: () => dialog.close() }, 'Close')),
    ),
  );
  if (!dialog.open) dialog.showModal();
  /** @type {HTMLElement | null} */ (dialog.querySelector('.menu-item'))?.focus();
}

/** @param {ModerationContext} ctx */
function renameRoomDialog(ctx) {
  const room = ctx.store.state.room;
  if (!room) return;
  openForm({
    title: 'Rename the room',
    description: 'Links to the room keep working: its address does not change.',
    fields: [{ name: 'title', label: 'Room name', value: room.title, maxLength: nameLimit(ctx), required: true }],
    submitLabel: 'Rename',
    submit: async (values) => {
      const title = (values.title ?? '').trim();
      if (!title) throw new Error('Give the room a name.');
      if (title === room.title) return;
      const saved = await ctx.api.renameRoom(room.slug, title);
      ctx.store.dispatch({ type: 'room-frame', slug: room.slug, frame: { type: 'room_updated', room: room.slug, title: saved.title } });
    },
  });
}

/**
 * @param {ModerationContext} ctx
 * @param {import('./state/workspace.js').Channel} channel
 */
export function slowModeDialog(ctx, channel) {
  const current = channel.slow_mode_seconds ?? 0;
  const max = ctx.store.state.limits?.slow_mode_max_seconds ?? Infinity;
  const offered = SLOW_MODES.filter((s) => s <= max);
  const steps = offered.includes(current) ? offered : [...offered, current].sort((a, b) => a - b);
  openForm({
    title: `Slow mode in #${channel.name}`,
    description: 'How long each member waits between two messages. Admins and owners are not slowed down.',
    fields: [{ name: 'seconds', label: 'Wait between messages', type: 'select', value: String(current), options: steps.map((s) => ({ value: String(s), label: s ? slowModeWords(s) : 'Off' })) }],
    submitLabel: 'Save',
    submit: async (values) => {
      const seconds = Number(values.seconds) || 0;
      if (seconds === current) return;
      const saved = await ctx.api.setSlowMode(channel.id, seconds);
      ctx.store.dispatch({ type: 'channel-saved', channel: saved });
      toast(seconds ? `Slow mode: one message every ${slowModeWords(seconds)}.` : 'Slow mode is off.', 'ok');
    },
  });
}

/** The ban list, each with a button to lift it. @param {ModerationContext} ctx */
export async function bansDialog(ctx) {
  const room = ctx.store.state.room;
  if (!room) return;
  const dialog = dialogEl();
  const list = h('ul', { class: 'ban-list' });
  const render = (/** @type {any[]} */ bans) =>
    setChildren(
      list,
      bans.length
        ? bans.map((ban) =>
            h(
              'li',
              { class: 'ban', dataset: { userId: ban.user_id } },
              h('span', { class: 'name' }, memberName(ban)),
              h('span', { class: 'muted' }, ban.reason ? ` — ${ban.reason}` : ''),
              h('button', {
                class: 'btn btn-small btn-ghost',
                type: 'button',
                'aria-label': `Lift the ban of ${memberName(ban)}`,
                onclick: async () => {
                  try {
                    await ctx.api.unbanUser(room.slug, ban.user_id);
                    render(bans.filter((b) => b !== ban));
                    toast(`${memberName(ban)} may be invited again.`, 'ok');
                  } catch (err) {
                    toast(/** @type {Error} */ (err).message, 'error');
                  }
                },
              }, 'Lift ban'),
            ),
          )
        : [h('li', { class: 'muted' }, 'Nobody is banned.')],
    );
  try {
    render(await ctx.api.listBans(room.slug));
  } catch (err) {
    toast(/** @type {Error} */ (err).message, 'error');
    return;
  }
  setChildren(
    dialog,
    h('div', { class: 'stack' }, h('h2', { id: 'dialog-title' }, 'Bans'), list, h('div', { class: 'row end' }, h('button', { class: 'btn btn-ghost', type: 'button', onclick: () => dialog.close() }, 'Done'))),
  );
  if (!dialog.open) dialog.showModal();
}

/** Words for an audit entry. @param {any} entry */
export function auditWords(entry) {
  const who = entry.actor ? memberName(entry.actor) : 'Someone';
  const target = entry.before ?? entry.after ?? {};
  const name = target.title ?? target.name ?? (target.login ? memberName(target) : '');
  const verbs = /** @type {Record<string, string>} */ ({
    'member.kick': 'removed',
    'member.ban': 'banned',
    'member.unban': 'lifted the ban of',
    'member.timeout': 'timed out',
    'member.timeout_clear': 'lifted the timeout of',
    'member.role': 'changed the role of',
    'member.join': 'joined',
    'member.leave': 'left',
    'room.create': 'created the room',
    'room.rename': 'renamed the room',
    'room.transfer_ownership': 'handed the room over',
    'channel.create': 'created the channel',
    'channel.update': 'changed the channel',
    'channel.delete': 'deleted the channel',
    'channel.slow_mode': 'set slow mode in',
    'channel.reorder': 'reordered the channels',
    'category.create': 'created the category',
    'category.update': 'changed the category',
    'category.delete': 'deleted the category',
    'category.reorder': 'reordered the categories',
    'invitation.create': 'created an invitation',
    'invitation.delete': 'revoked an invitation',
  });
  const verb = verbs[entry.action] ?? entry.action;
  let detail = '';
  if (entry.action === 'room.rename') detail = `“${entry.before?.title}” → “${entry.after?.title}”`;
  else if (entry.action === 'member.role') detail = `${entry.before?.role ?? '?'} → ${entry.after?.role ?? '?'}`;
  else if (entry.action === 'channel.slow_mode') detail = `${slowModeWords(entry.after?.slow_mode_seconds ?? 0)}`;
  else if (name) detail = name;
  return `${who} ${verb}${detail ? ` ${detail}` : ''}`;
}

/** The audit log, newest first, with older pages on demand. @param {ModerationContext} ctx */
export async function auditLogDialog(ctx) {
  const room = ctx.store.state.room;
  if (!room) return;
  const dialog = dialogEl();
  const list = h('ol', { class: 'audit-list' });
  const more = h('button', { class: 'btn btn-small btn-ghost', type: 'button', hidden: true }, 'Older entries');
  /** @type {string | null} */
  let cursor = null;
  const load = async () => {
    const page = await ctx.api.auditLog(room.slug, cursor);
    for (const entry of page.items ?? []) {
      const at = new Date(entry.created_at);
      list.append(
        h(
          'li',
          { class: 'audit-entry', dataset: { action: entry.action } },
          h('time', { datetime: entry.created_at, class: 'muted' }, at.toLocaleString([], { dateStyle: 'short', timeStyle: 'short' })),
          ' ',
          h('span', null, auditWords(entry)),
        ),
      );
    }
    cursor = page.next_cursor ?? null;
    more.hidden = !cursor;
  };
  more.addEventListener('click', () => void load().catch((err) => toast(/** @type {Error} */ (err).message, 'error')));
  try {
    await load();
  } catch (err) {
    toast(/** @type {Error} */ (err).message, 'error');
    return;
  }
  setChildren(
    dialog,
    h(
      'div',
      { class: 'stack' },
      h('h2', { id: 'dialog-title' }, 'Audit log'),
      h('p', { class: 'muted' }, 'Every change to the room, its channels, roles, invitations and members, newest first.'),
      h('div', { class: 'audit-scroll' }, list),
      h('div', { class: 'row end' }, more, h('button', { class: 'btn btn-ghost', type: 'button', onclick: () => dialog.close() }, 'Done')),
    ),
  );
  if (!dialog.open) dialog.showModal();
}

/** @param {ModerationContext} ctx */
function transferDialog(ctx) {
  const { room, meId } = ctx.store.state;
  if (!room) return;
  const others = room.members.filter((m) => m.user_id !== meId);
  if (!others.length) {
    toast('Invite someone first: there is nobody to hand the room to.', 'error');
    return;
  }
  openForm({
    title: 'Transfer ownership',
    description: 'The member you pick becomes the owner; you stay on as an admin.',
    fields: [{ name: 'user', label: 'New owner', type: 'select', value: String(others[0].user_id), options: others.map((m) => ({ value: String(m.user_id), label: memberName(m) })) }],
    submitLabel: 'Transfer',
    danger: true,
    submit: async (values) => {
      const detail = await ctx.api.transferOwnership(room.slug, Number(values.user));
      ctx.store.dispatch({ type: 'room-opened', room: detail });
      toast('Ownership transferred.', 'ok');
    },
  });
}

/** @param {ModerationContext} ctx */
function deleteRoomDialog(ctx) {
  const room = ctx.store.state.room;
  if (!room) return;
  openForm({
    title: `Delete “${room.title}”?`,
    description: 'Every channel and message goes, for everyone. This cannot be undone. Type the room’s name to confirm.',
    fields: [{ name: 'confirm', label: 'Room name', placeholder: room.title, maxLength: 200, required: true }],
    submitLabel: 'Delete the room',
    danger: true,
    submit: async (values) => {
      if ((values.confirm ?? '') !== room.title) throw new Error('Type the room’s name exactly as shown.');
      await ctx.api.deleteRoom(room.slug, values.confirm);
      ctx.leftRoom(room.slug, 'Room deleted');
    },
  });
}

/** @param {ModerationContext} ctx */
function leaveRoomDialog(ctx) {
  const room = ctx.store.state.room;
  if (!room) return;
  openForm({
    title: `Leave “${room.title}”?`,
    description: 'You will need a new invitation to come back.',
    submitLabel: 'Leave',
    danger: true,
    submit: async () => {
      await ctx.api.leaveRoom(room.slug);
      ctx.leftRoom(room.slug, 'Left the room');
    },
  });
}
