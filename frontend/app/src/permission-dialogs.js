// Dialogs for who may do what: a channel's permission overwrites (per role
// and per member: allow, deny or inherit each permission) and the room's role
// levels (owners). The server applies each change at once to everyone.

import { memberName } from './state/workspace.js';
import { choiceOf, overwriteFrom, relevantPermissions } from './state/permissions.js';
import { openForm, toast } from './views/dialogs.js';

/** @typedef {import('./room-dialogs.js').WorkspaceContext} WorkspaceContext */
/** @typedef {import('./state/workspace.js').Channel} Channel */
/** @typedef {import('./state/permissions.js').PermissionSummary} PermissionSummary */

const ROLES = ['guest', 'member', 'admin'];
const ROLE_LABELS = /** @type {Record<string, string>} */ ({ owner: 'Owners', admin: 'Admins', member: 'Members', guest: 'Guests' });

/** @param {string[]} names */
const listed = (names) => (names.length ? names.join(', ') : 'nothing');

/**
 * Who a channel's overwrites name, in words, for the first step's description.
 * @param {PermissionSummary} summary
 * @param {import('./state/workspace.js').Member[]} members
 */
function describe(summary, members) {
  const lines = [
    ...summary.roles.map((o) => `${ROLE_LABELS[o.role] ?? o.role}: allow ${listed(o.allow)}; deny ${listed(o.deny)}`),
    ...summary.users.map((o) => {
      const m = members.find((x) => x.user_id === o.user_id);
      return `${m ? memberName(m) : `User ${o.user_id}`}: allow ${listed(o.allow)}; deny ${listed(o.deny)}`;
    }),
  ];
  return lines.length ? `Current overwrites — ${lines.join(' · ')}` : 'No overwrites yet: everyone has their role’s permissions.';
}

/**
 * Step one: whose permissions to change in a channel.
 * @param {WorkspaceContext} ctx
 * @param {Channel} channel
 */
export async function channelPermissionsDialog(ctx, channel) {
  const room = ctx.store.state.room;
  if (!room) return;
  /** @type {PermissionSummary} */
  let summary;
  try {
    summary = await ctx.api.channelPermissions(channel.id);
  } catch (err) {
    toast(/** @type {Error} */ (err).message, 'error');
    return;
  }
  const members = room.members.filter((m) => m.role !== 'owner');
  openForm({
    title: `Permissions of #${channel.name}`,
    description: describe(summary, room.members),
    fields: [
      {
        name: 'target',
        label: 'Change permissions for',
        type: 'select',
        value: 'role:member',
        options: [
          ...ROLES.map((role) => ({ value: `role:${role}`, label: `Everyone who is ${role === 'admin' ? 'an admin' : `a ${role}`}` })),
          ...members.map((m) => ({ value: `user:${m.user_id}`, label: memberName(m) })),
        ],
        hint: 'Owners always have every permission. A member’s own overwrite wins over their role’s.',
      },
    ],
    submitLabel: 'Next',
    submit: (values) => {
      const [kind, id] = (values.target || 'role:member').split(':');
      const target = kind === 'user' ? { kind: /** @type {const} */ ('users'), id: Number(id) } : { kind: /** @type {const} */ ('roles'), id };
      // The next step takes over the same dialog.
      return overwriteDialog(ctx, channel, summary, target);
    },
  });
}

/**
 * Step two: allow, deny or inherit each permission for one role or member.
 * @param {WorkspaceContext} ctx
 * @param {Channel} channel
 * @param {PermissionSummary} summary
 * @param {{ kind: 'roles', id: string } | { kind: 'users', id: number }} target
 */
function overwriteDialog(ctx, channel, summary, target) {
  const room = ctx.store.state.room;
  if (!room) return null;
  const before =
    target.kind === 'roles' ? summary.roles.find((o) => o.role === target.id) : summary.users.find((o) => o.user_id === target.id);
  const member = target.kind === 'users' ? room.members.find((m) => m.user_id === target.id) : undefined;
  const who = target.kind === 'roles' ? ROLE_LABELS[target.id] ?? target.id : member ? memberName(member) : `User ${target.id}`;
  const shown = relevantPermissions(channel.type);
  return openForm({
    title: `${who} in #${channel.name}`,
    description: 'Inherit keeps what the role (or, for a member, their role’s overwrite) gives.',
    fields: shown.map(([name, label]) => ({
      name,
      label,
      type: 'select',
      value: choiceOf(before, name),
      options: [
        { value: 'inherit', label: 'Inherit' },
        { value: 'allow', label: 'Allow' },
        { value: 'deny', label: 'Deny' },
      ],
    })),
    submitLabel: 'Save permissions',
    submit: async (values) => {
      const next = overwriteFrom(before, values);
      if (!next.allow.length && !next.deny.length) await ctx.api.clearOverwrite(channel.id, target.kind, target.id);
      else await ctx.api.setOverwrite(channel.id, target.kind, target.id, next);
      toast(`Permissions of ${who} in #${channel.name} saved.`, 'ok');
    },
  });
}

/**
 * The room's role levels: a higher level outranks a lower one; admin-level
 * members manage the room. Owners change them; admins see them.
 * @param {WorkspaceContext} ctx
 */
export async function roleLevelsDialog(ctx) {
  const room = ctx.store.state.room;
  if (!room) return;
  /** @type {{ role: string, level: number }[]} */
  let levels;
  try {
    levels = await ctx.api.roleHierarchy(room.slug);
  } catch (err) {
    toast(/** @type {Error} */ (err).message, 'error');
    return;
  }
  const owner = room.current_role === 'owner';
  openForm({
    title: 'Roles and levels',
    description: owner
      ? 'A role outranks the roles below its level. Members at or above the admin level manage the room.'
      : 'Only owners change the levels.',
    fields: levels.map((l) => ({
      name: l.role,
      label: `${ROLE_LABELS[l.role] ?? l.role} — level`,
      value: String(l.level),
      maxLength: 9,
      required: true,
    })),
    submitLabel: owner ? 'Save levels' : 'Close',
    submit: async (values) => {
      if (!owner) return;
      for (const l of levels) {
        const raw = (values[l.role] ?? '').trim();
        const level = Number(raw);
        if (!/^\d+$/.test(raw)) throw new Error(`The level of ${ROLE_LABELS[l.role] ?? l.role} must be a whole number, 0 or more.`);
        if (level !== l.level) await ctx.api.setRoleLevel(room.slug, l.role, level);
      }
      ctx.store.dispatch({ type: 'room-opened', room: await ctx.api.getRoom(room.slug) });
      toast('Role levels saved.', 'ok');
    },
  });
}
