// What the workspace's fixed buttons and the channel list's own buttons open,
// and reordering the channel list by dragging (or Alt+Shift+↑/↓).

import {
  createCategoryDialog,
  createChannelDialog,
  deleteCategoryDialog,
  deleteChannelDialog,
  editChannelDialog,
  renameCategoryDialog,
} from './channel-dialogs.js';
import { byId } from './dom.js';
import { inviteDialog, manageInvitationsDialog } from './invite-dialogs.js';
import { channelPermissionsDialog, roleLevelsDialog } from './permission-dialogs.js';
import { saveCollapsed } from './preferences.js';
import { createRoomDialog, joinDialog, profileDialog } from './room-dialogs.js';
import { settingsDialog } from './settings-dialog.js';
import { categoryMoves, channelMoves } from './state/reorder.js';
import { channelSections, isAdmin } from './state/workspace.js';
import { enableChannelDrag } from './views/channel-drag.js';
import { toast } from './views/dialogs.js';

/** @typedef {import('./room-dialogs.js').WorkspaceContext} WorkspaceContext */

/**
 * @param {WorkspaceContext} ctx
 * @returns {import('./views/channel-list.js').ChannelActions}
 */
export function channelActionsFor(ctx) {
  return {
    openChannel: ctx.openChannel,
    editChannel: (ch) => editChannelDialog(ctx, ch),
    channelPermissions: (ch) => void channelPermissionsDialog(ctx, ch),
    deleteChannel: (ch) => deleteChannelDialog(ctx, ch),
    toggleCategory: (id) => {
      ctx.store.dispatch({ type: 'category-toggled', categoryId: id });
      const { room, collapsed } = ctx.store.state;
      if (room) saveCollapsed(room.slug, collapsed);
    },
    createChannelIn: (category) => createChannelDialog(ctx, 'text', category.id),
    renameCategory: (category) => renameCategoryDialog(ctx, category),
    deleteCategory: (category) => deleteCategoryDialog(ctx, category),
  };
}

/** The buttons of workspace.html that open dialogs. @param {WorkspaceContext} ctx */
export function wireDialogButtons(ctx) {
  byId('btn-new-room').addEventListener('click', () => createRoomDialog(ctx));
  byId('btn-join').addEventListener('click', () => joinDialog(ctx));
  byId('btn-profile').addEventListener('click', () => profileDialog(ctx));
  byId('btn-settings').addEventListener('click', () => settingsDialog());
  byId('btn-invite').addEventListener('click', () => inviteDialog(ctx));
  byId('btn-invitations').addEventListener('click', () => void manageInvitationsDialog(ctx));
  byId('btn-add-text').addEventListener('click', () => createChannelDialog(ctx, 'text'));
  byId('btn-add-voice').addEventListener('click', () => createChannelDialog(ctx, 'voice'));
  byId('btn-add-category').addEventListener('click', () => createCategoryDialog(ctx));
  byId('btn-roles').addEventListener('click', () => void roleLevelsDialog(ctx));
}

/** @param {WorkspaceContext} ctx @param {string} slug @param {unknown} err */
function reorderFailed(ctx, slug, err) {
  toast(`The new order was not saved: ${/** @type {Error} */ (err).message}`, 'error');
  void ctx.api
    .getRoom(slug)
    .then((room) => ctx.store.dispatch({ type: 'room-opened', room }))
    .catch(() => {});
}

/**
 * Moves a channel and saves the order (shown at once, put back on failure).
 * @param {WorkspaceContext} ctx
 * @param {number} id
 * @param {{ categoryId: number | null, beforeId: number | null }} target
 */
export function moveChannel(ctx, id, target) {
  const room = ctx.store.state.room;
  if (!room) return;
  const moves = channelMoves(room, id, target);
  if (!moves.length) return;
  const channels = moves.map((m) => ({ .../** @type {import('./state/workspace.js').Channel} */ (room.channels.find((c) => c.id === m.id)), category_id: m.category_id, position: m.position }));
  ctx.store.dispatch({ type: 'room-frame', slug: room.slug, frame: { type: 'channel_reordered', channels } });
  ctx.api.reorderChannels(room.slug, moves).catch((err) => reorderFailed(ctx, room.slug, err));
}

/** @param {WorkspaceContext} ctx @param {number} id @param {number | null} beforeId */
export function moveCategory(ctx, id, beforeId) {
  const room = ctx.store.state.room;
  if (!room) return;
  const moves = categoryMoves(room, id, beforeId);
  if (!moves.length) return;
  const categories = room.categories.map((c) => ({ ...c, position: moves.find((m) => m.id === c.id)?.position ?? c.position }));
  ctx.store.dispatch({ type: 'room-frame', slug: room.slug, frame: { type: 'categories_reordered', categories } });
  ctx.api.reorderCategories(room.slug, moves).catch((err) => reorderFailed(ctx, room.slug, err));
}

/**
 * Dragging in the channel list, and Alt+Shift+↑/↓ on a focused channel to
 * move it one place within its section (admins).
 * @param {WorkspaceContext} ctx
 * @param {HTMLElement} container
 */
export function wireChannelReorder(ctx, container) {
  const enabled = () => isAdmin(ctx.store.state.room);
  enableChannelDrag(container, {
    enabled,
    moveChannel: (id, target) => moveChannel(ctx, id, target),
    moveCategory: (id, beforeId) => moveCategory(ctx, id, beforeId),
  });
  container.addEventListener('keydown', (e) => {
    if (!e.altKey || !e.shiftKey || (e.key !== 'ArrowUp' && e.key !== 'ArrowDown') || !enabled()) return;
    const item = /** @type {HTMLElement} */ (e.target).closest?.('.channel-item');
    const room = ctx.store.state.room;
    if (!(item instanceof HTMLElement) || !room) return;
    e.preventDefault();
    e.stopPropagation();
    const id = Number(item.dataset.channelId);
    const section = channelSections(room).find((s) => s.channels.some((c) => c.id === id));
    if (!section) return;
    const order = section.channels;
    const index = order.findIndex((c) => c.id === id);
    const beforeIndex = e.key === 'ArrowUp' ? index - 1 : index + 2;
    if (beforeIndex < 0 || (e.key === 'ArrowDown' && index === order.length - 1)) return;
    moveChannel(ctx, id, { categoryId: section.category?.id ?? null, beforeId: order[beforeIndex]?.id ?? null });
    /** @type {HTMLElement | null} */ (container.querySelector(`.channel-item[data-channel-id="${id}"] .channel-link`))?.focus();
  });
}
