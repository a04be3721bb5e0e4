// The message composer: a growing text area, the length counter (from the
// server's limit), the reply bar, Enter to send and ↑ to edit.

import { h, setChildren } from '../dom.js';
import { icon } from '../icons.js';
import { authorName } from '../messages.js';
import { MentionComplete } from './mention-complete.js';
import { snippet } from './message-item.js';
import { counterText } from './text-format.js';

/** @typedef {import('../messages.js').Message} Message */

export class Composer {
  /**
   * @param {{
   *   channelName: string,
   *   maxLength: number,
   *   send: (text: string, parentId: number | null, attachments: number[]) => string | null,
   *   uploads?: import('./upload-tray.js').UploadTray,
   *   typing: (active: boolean) => void,
   *   editLast: () => boolean,
   *   onError: (text: string) => void,
   *   onSent?: () => void,
   *   draft?: { load: () => string, save: (text: string) => void },
   *   members?: () => import('./mention-complete.js').Person[],
   * }} options
   */
  constructor(options) {
    this.options = options;
    /** @type {Message | null} */
    this.replyTo = null;
    this.replyBar = h('div', { class: 'reply-bar', hidden: true });
    this.input = h('textarea', { class: 'composer-input', rows: 1 });
    this.counter = h('span', { class: 'counter', 'aria-live': 'polite' });
    this.mentions = new MentionComplete(this.input, () => options.members?.() ?? [], () => this.onTextChanged());
    this.sendBtn = h('button', { class: 'btn btn-primary send-btn', type: 'submit', 'aria-label': 'Send message' }, 'Send');
    this.uploads = options.uploads ?? null;
    this.picker = /** @type {HTMLInputElement} */ (h('input', { type: 'file', multiple: true, hidden: true, class: 'file-picker', 'aria-label': 'Attach files' }));
    this.attachBtn = this.uploads
      ? h('button', { class: 'icon-btn attach-btn', type: 'button', title: 'Attach files', 'aria-label': 'Attach files', onclick: () => this.picker.click() }, icon('paperclip', 18))
      : null;
    this.el = h(
      'form',
      { class: 'composer', novalidate: true },
      this.replyBar,
      this.mentions.el,
      this.uploads?.el ?? null,
      h('div', { class: 'composer-row' }, this.attachBtn, this.picker, this.input, this.counter, this.sendBtn),
      h('p', { class: 'composer-help' }, 'Enter to send · Shift+Enter for a new line · ↑ to edit your last message · @ to mention someone'),
    );
    this.setChannelName(options.channelName);
    this.input.value = options.draft?.load() ?? '';
    this.setMaxLength(options.maxLength);
    this.el.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    this.input.addEventListener('keydown', (e) => this.onKey(e));
    this.input.addEventListener('input', () => this.onTextChanged());
    if (this.uploads) this.acceptFiles(this.uploads);
  }

  /**
   * Files come by the picker, by dropping them on the composer, or by pasting.
   * @param {import('./upload-tray.js').UploadTray} uploads
   */
  acceptFiles(uploads) {
    this.picker.addEventListener('change', () => {
      uploads.add(this.picker.files ?? []);
      this.picker.value = '';
      this.input.focus();
    });
    this.el.addEventListener('dragover', (e) => {
      if (!e.dataTransfer?.types.includes('Files')) return;
      e.preventDefault();
      this.el.classList.add('dropping');
    });
    this.el.addEventListener('dragleave', () => this.el.classList.remove('dropping'));
    this.el.addEventListener('drop', (e) => {
      this.el.classList.remove('dropping');
      if (!e.dataTransfer?.files.length) return;
      e.preventDefault();
      uploads.add(e.dataTransfer.files);
    });
    this.input.addEventListener('paste', (e) => {
      const files = e.clipboardData?.files;
      if (!files?.length) return;
      e.preventDefault();
      uploads.add(files);
    });
  }

  onTextChanged() {
    this.autosize();
    this.updateCounter();
    this.options.draft?.save(this.input.value);
    this.options.typing(this.input.value.trim().length > 0);
  }

  /** @param {string} name */
  setChannelName(name) {
    this.input.placeholder = `Message #${name}`;
    this.input.setAttribute('aria-label', `Message #${name}`);
  }

  /** @param {number} max */
  setMaxLength(max) {
    this.maxLength = max;
    // A little room past the limit, so a paste is not cut silently: the
    // counter and the send check explain what is too long.
    this.input.maxLength = max + 500;
    this.updateCounter();
  }

  /** @param {KeyboardEvent} e */
  onKey(e) {
    if (this.mentions.handleKey(e)) return;
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.submit();
    } else if (e.key === 'ArrowUp' && !this.input.value) {
      if (this.options.editLast()) e.preventDefault();
    } else if (e.key === 'Escape' && this.replyTo) {
      e.preventDefault();
      this.setReply(null);
    }
  }

  focus() {
    this.input.focus();
    if (this.input.value) this.autosize();
  }

  autosize() {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight, 220)}px`;
  }

  updateCounter() {
    const { text, over } = counterText(this.input.value, this.maxLength ?? Infinity);
    this.counter.textContent = text;
    this.counter.classList.toggle('over', over);
  }

  submit() {
    if (this.uploads?.busy()) {
      this.options.onError('Wait until the files have finished uploading.');
      return;
    }
    const files = this.uploads?.ids() ?? [];
    const problem = this.options.send(this.input.value, this.replyTo?.id ?? null, files);
    if (problem) {
      if (this.input.value.trim() || files.length) this.options.onError(problem);
      return;
    }
    this.uploads?.clear();
    this.input.value = '';
    this.options.draft?.save('');
    this.autosize();
    this.updateCounter();
    this.mentions.close();
    this.setReply(null);
    this.options.onSent?.();
  }

  /** @param {Message | null} m */
  setReply(m) {
    this.replyTo = m;
    if (!m) {
      this.replyBar.hidden = true;
      setChildren(this.replyBar);
      return;
    }
    setChildren(
      this.replyBar,
      h('span', null, 'Replying to ', h('strong', null, authorName(m))),
      h('span', { class: 'reply-snippet' }, snippet(m, 120)),
      h('button', { class: 'icon-btn small', type: 'button', 'aria-label': 'Cancel reply', onclick: () => this.setReply(null) }, icon('x', 14)),
    );
    this.replyBar.hidden = false;
    this.input.focus();
  }
}
