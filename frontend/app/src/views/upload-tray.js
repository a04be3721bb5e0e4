// Files on their way into a message: each upload's name, a progress bar and
// a cancel button; the ids of the finished ones go out with the message.

import { h } from '../dom.js';
import { formatBytes, uploadFile } from '../files.js';
import { icon } from '../icons.js';

/**
 * @typedef {{
 *   file: File,
 *   el: HTMLElement,
 *   bar: HTMLProgressElement,
 *   id: number | null,
 *   cancel: () => void,
 * }} Upload
 */

export class UploadTray {
  /**
   * @param {{
   *   api: () => { base: string, token: string | null },
   *   channelId: number,
   *   maxFiles: number,
   *   maxBytes: number,
   *   onError: (text: string) => void,
   * }} options
   */
  constructor(options) {
    this.options = options;
    /** @type {Upload[]} */
    this.uploads = [];
    this.el = h('ul', { class: 'upload-tray', 'aria-label': 'Files to send', hidden: true });
  }

  /** @param {Iterable<File>} files */
  add(files) {
    for (const file of files) {
      if (this.uploads.length >= this.options.maxFiles) {
        this.options.onError(`A message can carry at most ${this.options.maxFiles} files.`);
        break;
      }
      if (file.size > this.options.maxBytes) {
        this.options.onError(`${file.name} is too large (the limit is ${formatBytes(this.options.maxBytes)}).`);
        continue;
      }
      this.start(file);
    }
    this.render();
  }

  /** @param {File} file */
  start(file) {
    const bar = /** @type {HTMLProgressElement} */ (h('progress', { max: 1, value: 0, 'aria-label': `Uploading ${file.name}` }));
    /** @type {Upload} */
    const upload = { file, el: h('li', { class: 'upload' }), bar, id: null, cancel: () => {} };
    const task = uploadFile(this.options.api(), this.options.channelId, file, (fraction) => {
      bar.value = fraction;
    });
    upload.cancel = task.cancel;
    upload.el.append(
      icon('file', 16),
      h('span', { class: 'upload-name' }, file.name),
      h('span', { class: 'upload-size muted' }, formatBytes(file.size)),
      bar,
      h('button', { class: 'icon-btn small', type: 'button', 'aria-label': `Remove ${file.name}`, title: 'Remove', onclick: () => this.remove(upload) }, icon('x', 14)),
    );
    this.uploads.push(upload);
    task.done.then(
      (attachment) => {
        upload.id = attachment.id;
        upload.el.classList.add('done');
        bar.setAttribute('aria-label', `${file.name} uploaded`);
      },
      (err) => {
        if (/** @type {any} */ (err)?.name !== 'AbortError') this.options.onError(`${file.name}: ${/** @type {any} */ (err)?.message || 'upload failed'}`);
        this.remove(upload);
      },
    );
  }

  /** @param {Upload} upload */
  remove(upload) {
    if (upload.id == null) upload.cancel();
    this.uploads = this.uploads.filter((u) => u !== upload);
    this.render();
  }

  render() {
    this.el.replaceChildren(...this.uploads.map((u) => u.el));
    this.el.hidden = this.uploads.length === 0;
  }

  /** Whether an upload is still running. */
  busy() {
    return this.uploads.some((u) => u.id == null);
  }

  /** Ids of the finished uploads, in the order they were added. */
  ids() {
    return this.uploads.flatMap((u) => (u.id == null ? [] : [u.id]));
  }

  /** Forgets the uploads (they were sent). */
  clear() {
    this.uploads = [];
    this.render();
  }
}
