// The pinned messages of a text channel: newest pin first, with its note,
// a jump to the message and, for admins and owners, unpin.

import { h, setChildren } from '../dom.js';
import { messageCard, panelShell } from './side-panel.js';

/** @typedef {import('../messages.js').Message} Message */
/** @typedef {{ id: number, message_id: number, message: Message, note?: string | null, pinned_by?: { login: string, display_name?: string | null } | null }} Pin */

export class PinsPanel {
  /**
   * @param {{
   *   api: Pick<import('../api.js').ApiClient, 'pins' | 'unpin'>,
   *   channelId: number,
   *   canManage: () => boolean,
   *   jumpTo: (id: number) => void,
   *   onUnpinned: (messageId: number) => void,
   *   onError: (text: string) => void,
   *   close: () => void,
   * }} options
   */
  constructor(options) {
    this.options = options;
    /** @type {Pin[]} */
    this.pins = [];
    this.list = h('ol', { class: 'card-list', 'aria-label': 'Pinned messages' });
    this.status = h('p', { class: 'muted panel-status' }, 'Loading pinned messages…');
    this.el = panelShell('Pinned messages', options.close, this.status, this.list);
    this.el.classList.add('pins-panel');
  }

  async load() {
    try {
      const pins = await this.options.api.pins(this.options.channelId);
      this.pins = Array.isArray(pins) ? pins : [];
      this.render();
    } catch (err) {
      this.status.textContent = /** @type {Error} */ (err).message;
    }
  }

  render() {
    this.status.textContent = this.pins.length ? '' : 'Nothing is pinned in this channel yet.';
    this.status.hidden = !!this.pins.length;
    setChildren(
      this.list,
      this.pins.map((pin) =>
        messageCard(
          pin.message,
          [pin.note ? h('p', { class: 'pin-note' }, `Note: ${pin.note}`) : null],
          [
            h('button', { class: 'link-btn', type: 'button', onclick: () => this.options.jumpTo(pin.message_id) }, 'Jump'),
            this.options.canManage() ? h('button', { class: 'link-btn danger', type: 'button', onclick: () => void this.unpin(pin) }, 'Unpin') : null,
          ],
        ),
      ),
    );
  }

  /** @param {Pin} pin */
  async unpin(pin) {
    try {
      await this.options.api.unpin(this.options.channelId, pin.message_id);
      this.pins = this.pins.filter((p) => p.message_id !== pin.message_id);
      this.render();
      this.options.onUnpinned(pin.message_id);
    } catch (err) {
      this.options.onError(/** @type {Error} */ (err).message);
    }
  }
}
