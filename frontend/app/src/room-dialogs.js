// Dialogs for rooms and people: create or join a room, edit the profile,
// change a member's role. Each one calls the API and puts the reply into
// the store; the views follow from there.

import { assignableRoles, memberName } from './state/workspace.js';
import { roleHeading } from './views/sidebar.js';
import { openForm, toast } from './views/dialogs.js';
import { avatarPicker } from './avatar-picker.js';

/**
 * What the dialogs need from the workspace page.
 * @typedef {{
 *   api: import('./api.js').ApiClient,
 *   store: import('./state/store.js').Store<import('./state/workspace.js').WorkspaceState, import('./state/workspace.js').WorkspaceAction>,
 *   loadRooms: () => Promise<void>,
 *   openRoom: (slug: string, channelId?: number | null) => Promise<void>,
 *   openChannel: (channelId: number) => void,
 *   signOut?: (everywhere: boolean) => Promise<void>,
 * }} WorkspaceContext
 */

/** @param {WorkspaceContext} ctx */
export const nameLimit = (ctx) => ctx.store.state.limits?.name_max_length;

/**
 * Extracts an invitation code from a code or a pasted link.
 * @param {string} input
 */
export function invitationCode(input) {
  const code = input.trim();
  if (!/^https?:\/\//i.test(code)) return code;
  try {
    const url = new URL(code);
    const fromQuery = url.searchParams.get('invite');
    if (fromQuery) return fromQuery;
    const fromHash = /^#\/invite\/([^/?#]+)/.exec(url.hash);
    if (fromHash) return decodeURIComponent(fromHash[1]);
    return url.pathname.split('/').filter(Boolean).pop() ?? '';
  } catch {
    return '';
  }
}

/** @param {WorkspaceContext} ctx */
export function createRoomDialog(ctx) {
  openForm({
    title: 'Create a room',
    description: 'A room holds your community’s channels. You will be its owner.',
    fields: [{ name: 'title', label: 'Room name', placeholder: 'My community', maxLength: nameLimit(ctx), required: true }],
    submitLabel: 'Create room',
    submit: async (values) => {
      const title = (values.title ?? '').trim();
      if (!title) throw new Error('Give the room a name.');
      const room = await ctx.api.createRoom(title);
      await ctx.loadRooms();
      await ctx.openRoom(room.slug);
    },
  });
}

/** @param {WorkspaceContext} ctx */
export function joinDialog(ctx) {
  openForm({
    title: 'Join a room',
    description: 'Paste the invitation code or link you were given.',
    fields: [{ name: 'code', label: 'Invitation code', placeholder: 'e.g. a1B2c3D4e5F', maxLength: 200, required: true }],
    submitLabel: 'Join',
    submit: async (values) => {
      const code = invitationCode(values.code ?? '');
      if (!code) throw new Error('Paste an invitation code.');
      const detail = await ctx.api.acceptInvite(code);
      await ctx.loadRooms();
      await ctx.openRoom(detail.slug);
      toast(`You joined ${detail.title}.`, 'ok');
    },
  });
}

/** @param {WorkspaceContext} ctx */
export function profileDialog(ctx) {
  const profile = ctx.store.state.profile;
  if (!profile) return;
  openForm({
    title: 'Your profile',
    description: `Signed in as ${profile.login}. Others see your display name and status.`,
    extra: avatarPicker(ctx),
    fields: [
      { name: 'display_name', label: 'Display name', value: profile.display_name ?? '', placeholder: profile.login, maxLength: nameLimit(ctx), required: true },
      {
        name: 'status',
        label: 'Status',
        type: 'select',
        value: profile.status ?? 'online',
        options: [
          { value: 'online', label: 'Online' },
          { value: 'idle', label: 'Idle' },
          { value: 'dnd', label: 'Do not disturb' },
        ],
      },
    ],
    submitLabel: 'Save',
    submit: async (values) => {
      const displayName = (values.display_name ?? '').trim();
      if (!displayName) throw new Error('Give yourself a display name.');
      const saved = await ctx.api.updateProfile({ display_name: displayName, status: values.status || 'online' });
      ctx.store.dispatch({ type: 'profile', profile: saved });
      toast('Profile saved.', 'ok');
    },
  });
}

/**
 * @param {WorkspaceContext} ctx
 * @param {import('./state/workspace.js').Member} member
 */
export function changeRoleDialog(ctx, member) {
  const { room, meId } = ctx.store.state;
  if (!room) return;
  const roles = assignableRoles(room, member, meId);
  if (!roles.length) return;
  const singular = (/** @type {string} */ role) => roleHeading(role).replace(/s$/, '');
  openForm({
    title: `Role of ${memberName(member)}`,
    description: 'Owners and admins manage the room; guests can read and talk but not manage anything.',
    fields: [{ name: 'role', label: 'Role', type: 'select', value: member.role, options: roles.map((role) => ({ value: role, label: singular(role) })) }],
    submitLabel: 'Save',
    submit: async (values) => {
      const role = values.role || member.role;
      if (role === member.role) return;
      const saved = await ctx.api.setMemberRole(room.slug, member.user_id, role);
      ctx.store.dispatch({ type: 'member-role', userId: member.user_id, role: saved?.role ?? role });
      toast(`${memberName(member)} is now ${singular(saved?.role ?? role).toLowerCase()}.`, 'ok');
    },
  });
}
