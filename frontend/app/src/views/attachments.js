// A message's files: images as thumbnails at their own proportions (space
// reserved before the picture arrives) that open full size, other files as
// cards with their name, size and a download button.

import { h } from '../dom.js';
import { downloadFile, fileAccess, fitInside, formatBytes, privateFileUrl } from '../files.js';
import { icon } from '../icons.js';
import { isDeleted, isModerated } from '../messages.js';
import { toast } from './dialogs.js';

/** @typedef {import('../files.js').Attachment} Attachment */

/** @param {import('../messages.js').Message} m */
export function attachmentList(m) {
  /** @type {Attachment[]} */
  const files = /** @type {any} */ (m).attachments ?? [];
  if (!files.length || isDeleted(m) || isModerated(m)) return null;
  return h(
    'div',
    { class: 'attachments' },
    files.map((f) => (f.thumbnail_url ? imagePreview(f) : fileCard(f))),
  );
}

/** @param {Attachment} f */
function imagePreview(f) {
  const size = fitInside(f.width ?? 0, f.height ?? 0);
  const img = h('img', { class: 'attachment-img', alt: f.file_name, width: size.width, height: size.height, dataset: { attachmentId: f.id } });
  privateFileUrl(fileAccess(), f.thumbnail_url ?? f.download_url)
    .then((url) => {
      /** @type {HTMLImageElement} */ (img).src = url;
    })
    .catch(() => img.classList.add('broken'));
  return h('button', { class: 'attachment-image', type: 'button', title: f.file_name, 'aria-label': `Open image ${f.file_name}`, onclick: () => openImage(f) }, img);
}

/** Shows an image full size over the page; Escape or a click closes it. @param {Attachment} f */
async function openImage(f) {
  let url;
  try {
    url = await privateFileUrl(fileAccess(), f.download_url);
  } catch (err) {
    toast(/** @type {any} */ (err)?.message || 'Could not open the image.', 'error');
    return;
  }
  const dialog = /** @type {HTMLDialogElement} */ (
    h(
      'dialog',
      { class: 'lightbox', 'aria-label': f.file_name },
      h('img', { class: 'lightbox-img', src: url, alt: f.file_name }),
      h(
        'div',
        { class: 'lightbox-bar' },
        h('span', { class: 'file-name' }, f.file_name),
        h('button', { class: 'btn small', type: 'button', onclick: () => void downloadFile(fileAccess(), f) }, icon('download', 14), ' Download'),
        h('button', { class: 'icon-btn small', type: 'button', 'aria-label': 'Close', onclick: () => dialog.close() }, icon('x', 16)),
      ),
    )
  );
  dialog.addEventListener('click', (e) => {
    if (e.target === dialog) dialog.close();
  });
  dialog.addEventListener('close', () => dialog.remove());
  document.body.appendChild(dialog);
  dialog.showModal();
}

/** @param {Attachment} f */
function fileCard(f) {
  return h(
    'div',
    { class: 'file-card', dataset: { attachmentId: f.id } },
    icon('file', 22),
    h('span', { class: 'file-meta' }, h('span', { class: 'file-name' }, f.file_name), h('span', { class: 'file-size muted' }, formatBytes(f.file_size))),
    h(
      'button',
      {
        class: 'icon-btn small file-download',
        type: 'button',
        title: 'Download',
        'aria-label': `Download ${f.file_name}`,
        onclick: () =>
          downloadFile(fileAccess(), f).catch((err) => toast(/** @type {any} */ (err)?.message || 'Could not download the file.', 'error')),
      },
      icon('download', 16),
    ),
  );
}
