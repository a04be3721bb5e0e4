// The side panels of a text channel and the header buttons that open them.
// One panel shows at a time; opening it again closes it.

import { h } from '../dom.js';
import { icon } from '../icons.js';

/**
 * @typedef {{ el: HTMLElement, load?: () => Promise<void> | void, refresh?: () => void }} Panel
 */

export class ChannelPanels {
  /**
   * @param {Record<string, { label: string, icon: 'pin' | 'search' | 'thread', make: () => Panel }>} kinds
   */
  constructor(kinds) {
    this.kinds = kinds;
    /** @type {string | null} */
    this.kind = null;
    /** @type {Panel | null} */
    this.panel = null;
    this.el = h('div', { class: 'side-slot', hidden: true });
    /** @type {Record<string, HTMLButtonElement>} */
    this.buttonsByKind = {};
    this.buttons = Object.entries(kinds).map(([kind, spec]) => {
      const button = h(
        'button',
        { class: 'icon-btn', type: 'button', 'aria-label': spec.label, title: spec.label, 'aria-pressed': 'false', dataset: { panel: kind }, onclick: () => this.toggle(kind) },
        icon(spec.icon, 20),
      );
      this.buttonsByKind[kind] = button;
      return button;
    });
  }

  /** @param {string} kind */
  toggle(kind) {
    if (this.kind === kind) this.close();
    else this.open(kind);
  }

  /**
   * Shows a panel; `panel` replaces the kind's default one (e.g. a thread).
   * @param {string} kind
   * @param {Panel} [panel]
   */
  open(kind, panel) {
    const made = panel ?? this.kinds[kind]?.make();
    if (!made) return;
    this.kind = kind;
    this.panel = made;
    this.el.replaceChildren(made.el);
    this.el.hidden = false;
    for (const [k, button] of Object.entries(this.buttonsByKind)) button.setAttribute('aria-pressed', String(k === kind));
    void made.load?.();
  }

  close() {
    this.kind = null;
    this.panel = null;
    this.el.replaceChildren();
    this.el.hidden = true;
    for (const button of Object.values(this.buttonsByKind)) button.setAttribute('aria-pressed', 'false');
  }

  /** Lets the open panel follow the channel's messages. */
  refresh() {
    this.panel?.refresh?.();
  }
}
