// Invitations: create one (role and expiry) and share its link or code;
// list a room's invitations with copy and revoke. Links open the sign-in
// page, which brings a signed-out visitor into the room after they sign in
// or create an account.

import { byId, copyText, formatTime, h, setChildren } from './dom.js';
import { isAdmin } from './state/workspace.js';
import { openForm, toast } from './views/dialogs.js';

/** @typedef {import('./room-dialogs.js').WorkspaceContext} WorkspaceContext */
/** @typedef {import('./state/workspace.js').Invitation} Invitation */

/** Expiry choices: label and hours (0 = never). */
export const EXPIRY_CHOICES = /** @type {const} */ ([
  ['Never', 0],
  ['1 hour', 1],
  ['1 day', 24],
  ['7 days', 24 * 7],
]);

/**
 * The link that brings someone into the room with `code`.
 * @param {string} code
 * @param {string} [pageUrl]
 */
export function inviteLink(code, pageUrl = globalThis.location.href) {
  // The server answers /invite/CODE with the sign-in page for that code.
  return new URL(`./invite/${encodeURIComponent(code)}`, pageUrl).toString();
}

/** @param {string} hours @param {number} [now] */
export function expiryFor(hours, now = Date.now()) {
  const n = Number(hours);
  return n > 0 ? new Date(now + n * 3600 * 1000).toISOString() : null;
}

/** "expires in 3 h", "expired", "never expires". @param {Invitation} inv @param {number} [now] */
export function expiryText(inv, now = Date.now()) {
  if (!inv.expires_at) return 'never expires';
  const at = Date.parse(inv.expires_at);
  if (Number.isNaN(at)) return 'expires';
  if (at <= now) return 'expired';
  return `expires ${formatTime(at, now)}`;
}

/** @param {string} label @param {string} value @param {string} id */
function copyRow(label, value, id) {
  const input = h('input', { readonly: true, value, class: 'mono', 'aria-label': label, id });
  const status = h('span', { class: 'hint', role: 'status' });
  const button = h(
    'button',
    {
      class: 'btn',
      type: 'button',
      'aria-label': `Copy the ${label.toLowerCase()}`,
      onclick: async () => {
        const ok = await copyText(value, input);
        status.textContent = ok ? 'Copied.' : 'Select it and copy it.';
      },
    },
    'Copy',
  );
  return h('div', { class: 'stack tight' }, h('span', { class: 'field-label' }, label), h('div', { class: 'row' }, input, button), status);
}

/** @param {WorkspaceContext} ctx */
export function inviteDialog(ctx) {
  const room = ctx.store.state.room;
  if (!room) return;
  const roles = [
    { value: 'member', label: 'Member' },
    { value: 'guest', label: 'Guest' },
  ];
  if (isAdmin(room)) roles.push({ value: 'admin', label: 'Admin' });
  openForm({
    title: `Invite people to ${room.title}`,
    description: 'Create an invitation and share its link. Anyone with the link or code can join until it expires or is revoked.',
    fields: [
      { name: 'role', label: 'They join as', type: 'select', value: 'member', options: roles },
      { name: 'expires', label: 'Expires', type: 'select', value: '168', options: EXPIRY_CHOICES.map(([label, hours]) => ({ value: String(hours), label })) },
    ],
    submitLabel: 'Create invitation',
    submit: async (values) => {
      const invitation = await ctx.api.createInvitation(room.slug, values.role || 'member', expiryFor(values.expires ?? '0'));
      ctx.store.dispatch({ type: 'invitation-saved', invitation });
      const dialog = /** @type {HTMLDialogElement} */ (byId('dialog'));
      return h(
        'div',
        { class: 'stack' },
        h('h2', { id: 'dialog-title' }, 'Invitation ready'),
        h('p', { class: 'muted' }, `They join as ${invitation.role}; the invitation ${expiryText(invitation)}.`),
        copyRow('Invitation link', inviteLink(invitation.code), 'dlg-copy-link'),
        copyRow('Invitation code', invitation.code, 'dlg-copy-value'),
        h(
          'div',
          { class: 'row end' },
          h('button', { class: 'btn btn-ghost', type: 'button', onclick: () => manageInvitationsDialog(ctx) }, 'All invitations'),
          h('button', { class: 'btn btn-ghost', type: 'button', onclick: () => dialog.close() }, 'Done'),
        ),
      );
    },
  });
}

/**
 * The room's invitations, newest first, with copy and revoke.
 * @param {WorkspaceContext} ctx
 */
export async function manageInvitationsDialog(ctx) {
  const room = ctx.store.state.room;
  if (!room) return;
  const dialog = /** @type {HTMLDialogElement} */ (byId('dialog'));
  const status = h('p', { class: 'muted', role: 'status' }, 'Loading invitations…');
  const list = h('ul', { class: 'invite-list', 'aria-label': 'Invitations' });
  const render = (/** @type {Invitation[]} */ items) => {
    status.textContent = items.length ? `${items.length} invitation${items.length === 1 ? '' : 's'}` : 'No invitations. Create one to bring people in.';
    setChildren(
      list,
      items.map((inv) =>
        h(
          'li',
          { class: 'invite-row', dataset: { code: inv.code } },
          h('span', { class: 'mono invite-code' }, inv.code),
          h('span', { class: 'muted' }, `${inv.role} · ${expiryText(inv)}`),
          h(
            'span',
            { class: 'row' },
            h(
              'button',
              {
                class: 'btn btn-small',
                type: 'button',
                'aria-label': `Copy link of invitation ${inv.code}`,
                onclick: async () => toast((await copyText(inviteLink(inv.code))) ? 'Link copied.' : inviteLink(inv.code), 'ok'),
              },
              'Copy link',
            ),
            h('button', { class: 'btn btn-small btn-danger', type: 'button', 'aria-label': `Revoke invitation ${inv.code}`, onclick: () => void revoke(inv) }, 'Revoke'),
          ),
        ),
      ),
    );
  };
  /** @param {Invitation} inv */
  const revoke = async (inv) => {
    try {
      await ctx.api.deleteInvitation(room.slug, inv.id);
      ctx.store.dispatch({ type: 'invitation-removed', invitationId: inv.id });
      render(ctx.store.state.room?.invitations ?? []);
      toast(`Invitation ${inv.code} revoked.`, 'ok');
    } catch (err) {
      toast(/** @type {Error} */ (err).message, 'error');
    }
  };
  setChildren(
    dialog,
    h(
      'div',
      { class: 'stack' },
      h('h2', { id: 'dialog-title' }, `Invitations to ${room.title}`),
      status,
      list,
      h(
        'div',
        { class: 'row end' },
        h('button', { class: 'btn', type: 'button', onclick: () => inviteDialog(ctx) }, 'New invitation'),
        h('button', { class: 'btn btn-ghost', type: 'button', onclick: () => dialog.close() }, 'Done'),
      ),
    ),
  );
  if (!dialog.open) dialog.showModal();
  try {
    const items = await ctx.api.listInvitations(room.slug);
    const invitations = Array.isArray(items) ? items : [];
    // The list is the server's: bring the store in step with it.
    for (const inv of [...invitations].reverse()) ctx.store.dispatch({ type: 'invitation-saved', invitation: inv });
    render(invitations);
  } catch (err) {
    status.textContent = /** @type {Error} */ (err).message;
  }
}

/**
 * Joins with an invitation from a link (#/invite/CODE) and opens the room;
 * false (with a message) when the code does not work.
 * @param {import('./room-dialogs.js').WorkspaceContext} ctx
 * @param {string} code
 */
export async function acceptInviteLink(ctx, code) {
  try {
    const detail = await ctx.api.acceptInvite(code);
    await ctx.loadRooms();
    await ctx.openRoom(detail.slug);
    toast(`You joined ${detail.title}.`, 'ok');
    return true;
  } catch (err) {
    toast(`That invitation did not work: ${/** @type {Error} */ (err).message}`, 'error');
    history.replaceState(null, '', location.pathname + location.search);
    return false;
  }
}
