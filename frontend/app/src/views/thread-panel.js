// A thread: the message it starts from and every reply in it, oldest first,
// with a box to reply in the thread. New replies arrive through the
// channel's live messages.

import { h, setChildren } from '../dom.js';
import { mergeMessages } from '../messages.js';
import { messageCard, panelShell } from './side-panel.js';

/** @typedef {import('../messages.js').Message} Message */

/** The thread a message belongs to. @param {Message} m */
export const threadRootOf = (m) => m.thread_root_id ?? m.id;

export class ThreadPanel {
  /**
   * @param {{
   *   api: Pick<import('../api.js').ApiClient, 'thread'>,
   *   channelId: number,
   *   rootId: number,
   *   live: () => Message[],
   *   send: (text: string, parentId: number) => string | null,
   *   jumpTo: (id: number) => void,
   *   onError: (text: string) => void,
   *   close: () => void,
   * }} options
   */
  constructor(options) {
    this.options = options;
    this.rootId = options.rootId;
    /** @type {Message[]} */
    this.messages = [];
    this.list = h('ol', { class: 'card-list', 'aria-label': 'Messages in this thread' });
    this.status = h('p', { class: 'muted panel-status' }, 'Loading the thread…');
    this.input = h('textarea', { class: 'thread-input', rows: 2, placeholder: 'Reply in thread', 'aria-label': 'Reply in thread' });
    this.form = h('form', { class: 'thread-reply', novalidate: true }, this.input, h('button', { class: 'btn btn-primary btn-small', type: 'submit' }, 'Reply'));
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.reply();
    });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.reply();
      }
    });
    this.el = panelShell('Thread', options.close, this.status, this.list, this.form);
    this.el.classList.add('thread-panel');
    this.el.dataset.root = String(this.rootId);
  }

  async load() {
    try {
      const items = await this.options.api.thread(this.options.channelId, this.rootId);
      this.messages = mergeMessages(this.messages, Array.isArray(items) ? items : []);
      this.refresh();
    } catch (err) {
      this.status.textContent = /** @type {Error} */ (err).message;
    }
  }

  /** Takes in the channel's live messages that belong to this thread. */
  refresh() {
    const mine = this.options.live().filter((m) => m.id === this.rootId || threadRootOf(m) === this.rootId || m.parent_id === this.rootId);
    this.messages = mergeMessages(this.messages, mine);
    this.render();
  }

  render() {
    const replies = Math.max(0, this.messages.length - 1);
    this.status.textContent = this.messages.length ? `${replies} ${replies === 1 ? 'reply' : 'replies'}` : this.status.textContent;
    setChildren(
      this.list,
      this.messages.map((m) => messageCard(m, [], [h('button', { class: 'link-btn', type: 'button', onclick: () => this.options.jumpTo(m.id) }, 'Jump')])),
    );
  }

  reply() {
    const problem = this.options.send(this.input.value, this.rootId);
    if (problem) {
      if (this.input.value.trim()) this.options.onError(problem);
      return;
    }
    this.input.value = '';
  }
}
