// The profile picture part of the profile dialog: the current picture, a
// button to choose a new one (uploaded at once, re-encoded by the server)
// and one to remove it.

import { h } from './dom.js';
import { removeAvatar, uploadAvatar } from './files.js';
import { avatar } from './views/avatar.js';
import { toast } from './views/dialogs.js';

/** Types the server accepts for avatars. */
const PICTURE_TYPES = 'image/png,image/jpeg,image/webp,image/gif';

/**
 * @param {import('./room-dialogs.js').WorkspaceContext} ctx
 */
export function avatarPicker(ctx) {
  const profile = ctx.store.state.profile;
  const name = profile?.display_name || profile?.login || '?';
  const preview = h('span', { class: 'avatar-preview' }, avatar(name, profile?.avatar_url, 'large'));
  const input = /** @type {HTMLInputElement} */ (h('input', { type: 'file', accept: PICTURE_TYPES, hidden: true, class: 'avatar-input', 'aria-label': 'Choose a profile picture' }));
  const removeBtn = h('button', { class: 'btn btn-ghost small', type: 'button', hidden: !profile?.avatar_url }, 'Remove');
  const status = h('span', { class: 'muted avatar-status', 'aria-live': 'polite' });

  /** @param {any} saved */
  const show = (saved) => {
    ctx.store.dispatch({ type: 'profile', profile: saved });
    preview.replaceChildren(avatar(saved.display_name || saved.login, saved.avatar_url, 'large'));
    removeBtn.hidden = !saved.avatar_url;
  };
  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    status.textContent = 'Uploading…';
    try {
      show(await uploadAvatar(ctx.api, file));
      status.textContent = 'Picture saved.';
    } catch (err) {
      status.textContent = '';
      toast(/** @type {any} */ (err)?.message || 'Could not save the picture.', 'error');
    }
  });
  removeBtn.addEventListener('click', async () => {
    try {
      show(await removeAvatar(ctx.api));
      status.textContent = 'Picture removed.';
    } catch (err) {
      toast(/** @type {any} */ (err)?.message || 'Could not remove the picture.', 'error');
    }
  });
  return h(
    'div',
    { class: 'avatar-picker' },
    preview,
    h(
      'div',
      { class: 'stack tight' },
      h('span', null, 'Profile picture'),
      h('div', { class: 'row' }, h('button', { class: 'btn small choose-avatar', type: 'button', onclick: () => input.click() }, 'Choose picture'), removeBtn, input),
      h('small', { class: 'hint' }, 'PNG, JPEG, WebP or GIF. Shown to everyone next to your name.'),
      status,
    ),
  );
}
