// What the workspace's fixed buttons and the channel list's own buttons open.

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
import { saveCollapsed } from './preferences.js';
import { createRoomDialog, joinDialog, profileDialog } from './room-dialogs.js';
import { settingsDialog } from './settings-dialog.js';

/** @typedef {import('./room-dialogs.js').WorkspaceContext} WorkspaceContext */

/**
 * @param {WorkspaceContext} ctx
 * @returns {import('./views/channel-list.js').ChannelActions}
 */
export function channelActionsFor(ctx) {
  return {
    openChannel: ctx.openChannel,
    editChannel: (ch) => editChannelDialog(ctx, ch),
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
}
