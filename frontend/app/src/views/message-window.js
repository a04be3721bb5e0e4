// The message list shows a window of the channel's messages, never all of
// them: at most `size` items are in the DOM however long the history gets.
// Scrolling near either edge moves the window by `step` messages; the
// message at the top of the screen stays where it was while items come and
// go around it (and while older pages are prepended).

/** @typedef {import('../messages.js').Message} Message */

export const WINDOW_SIZE = 150;
export const WINDOW_STEP = 50;
/** How close to an edge of the rendered list (px) scrolling moves the window. */
export const EDGE = 400;

export class MessageWindow {
  /**
   * @param {{
   *   list: HTMLElement,
   *   scroller: HTMLElement,
   *   item: (m: Message, index: number, all: Message[]) => { sig: string, render: () => HTMLElement },
   *   size?: number,
   *   step?: number,
   * }} options
   */
  constructor(options) {
    this.options = options;
    this.size = options.size ?? WINDOW_SIZE;
    this.step = options.step ?? WINDOW_STEP;
    /** @type {Map<number, { el: HTMLElement, sig: string }>} */
    this.rendered = new Map();
    /** Whether the window ends with the newest message (and moves with it). */
    this.follow = true;
    /** @type {number | null} first message of the window when not following */
    this.startId = null;
    this.start = 0;
    this.end = 0;
    this.total = 0;
  }

  /** @param {Message[]} all */
  range(all) {
    if (this.follow || this.startId == null) return { start: Math.max(0, all.length - this.size), end: all.length };
    const id = this.startId;
    let start = all[this.start]?.id === id ? this.start : indexAtOrAfter(all, id);
    if (start < 0) start = Math.max(0, all.length - this.size);
    const end = Math.min(all.length, start + this.size);
    return { start: Math.max(0, Math.min(start, end - this.size)), end };
  }

  /** The window's first and last index in the messages (end exclusive). */
  get atStart() {
    return this.start === 0;
  }

  get atEnd() {
    return this.end >= this.total;
  }

  /**
   * Brings the DOM in step with `all`, re-rendering only what changed.
   * With `keepAnchor`, the message at the top of the screen stays in place.
   * @param {Message[]} all
   * @param {boolean} [keepAnchor]
   */
  render(all, keepAnchor = !this.follow) {
    const anchor = keepAnchor ? this.anchor() : null;
    const { start, end } = this.range(all);
    const listEl = this.options.list;
    /** @type {Set<number>} */
    const keep = new Set();
    let previous = /** @type {Element | null} */ (null);
    for (let i = start; i < end; i += 1) {
      const m = all[i];
      const { sig, render } = this.options.item(m, i, all);
      let entry = this.rendered.get(m.id);
      if (!entry || entry.sig !== sig) {
        const el = render();
        if (entry) entry.el.replaceWith(el);
        entry = { el, sig };
        this.rendered.set(m.id, entry);
      }
      keep.add(m.id);
      const expected = previous ? previous.nextElementSibling : listEl.firstElementChild;
      if (expected !== entry.el) {
        if (previous) previous.after(entry.el);
        else listEl.prepend(entry.el);
      }
      previous = entry.el;
    }
    for (const [id, entry] of this.rendered) {
      if (!keep.has(id)) {
        entry.el.remove();
        this.rendered.delete(id);
      }
    }
    this.start = start;
    this.end = end;
    this.total = all.length;
    this.startId = all[start]?.id ?? null;
    if (anchor) this.restore(anchor);
  }

  /**
   * The first message visible at the top of the scroller, and where it is.
   * By id: the element itself may be replaced while rendering (a message that
   * gains a neighbour loses its day divider).
   */
  anchor() {
    const top = this.options.scroller.getBoundingClientRect().top;
    for (const el of /** @type {HTMLCollectionOf<HTMLElement>} */ (this.options.list.children)) {
      const rect = el.getBoundingClientRect();
      if (rect.bottom > top) return { id: Number(el.dataset.id), offset: rect.top - top };
    }
    return null;
  }

  /** Scrolls so the anchor is where it was. @param {{ id: number, offset: number }} anchor */
  restore(anchor) {
    const el = this.rendered.get(anchor.id)?.el;
    if (!el?.isConnected) return;
    const scroller = this.options.scroller;
    const now = el.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
    scroller.scrollTop += now - anchor.offset;
  }

  /**
   * Moves the window towards older (-1) or newer (+1) messages by a step.
   * Returns whether it moved.
   * @param {Message[]} all
   * @param {-1 | 1} direction
   */
  shift(all, direction) {
    const { start } = this.range(all);
    const next = direction < 0 ? Math.max(0, start - this.step) : Math.min(Math.max(0, all.length - this.size), start + this.step);
    if (next === start) return false;
    this.follow = direction > 0 && next + this.size >= all.length;
    this.startId = all[next]?.id ?? null;
    this.render(all, true);
    return true;
  }

  /** Centres the window on a message. @param {Message[]} all @param {number} id */
  showAround(all, id) {
    const index = all.findIndex((m) => m.id === id);
    if (index < 0) return false;
    const start = Math.max(0, Math.min(index - Math.floor(this.size / 2), all.length - this.size));
    this.follow = start + this.size >= all.length;
    this.startId = all[start]?.id ?? null;
    this.render(all);
    return true;
  }

  followEnd() {
    this.follow = true;
  }
}

/** Index of the first message with an id of at least `id` (ids grow with time). @param {Message[]} all @param {number} id */
function indexAtOrAfter(all, id) {
  let lo = 0;
  let hi = all.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (all[mid].id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo < all.length ? lo : -1;
}
