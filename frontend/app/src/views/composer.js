// The message composer: a growing text area, the length counter (from the
// server's limit), the reply bar, Enter to send and ↑ to edit; closed while
// the user is timed out, and pacing sends in a slow-mode channel.

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
   *   send: (text: string, parentId: number | null) => string | null,
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
    /** Why the user may not send here (decision 24), shown instead of the help line. */
    this.blockedNote = h('p', { class: 'composer-blocked', role: 'status', hidden: true });
    /** @type {string | null} */
    this.blocked = null;
    /** What the room's moderation asks of this user here (see setRestriction). */
    this.restriction = { timedOutUntil: /** @type {number | null} */ (null), slowModeSeconds: 0, exempt: true };
    /** When slow mode lets the next message go (ms since the epoch). */
    this.nextAllowed = 0;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.restrictionTimer = null;
    this.note = h('p', { class: 'composer-note', 'aria-live': 'polite', hidden: true });
    this.el = h(
      'form',
      { class: 'composer', novalidate: true },
      this.note,
      this.replyBar,
      this.mentions.el,
      h('div', { class: 'composer-row' }, this.input, this.counter, this.sendBtn),
      this.blockedNote,
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
  }

  onTextChanged() {
    this.autosize();
    this.updateCounter();
    this.options.draft?.save(this.input.value);
    this.options.typing(this.input.value.trim().length > 0);
  }

  /** @param {string} name */
  setChannelName(name) {
    this.channelName = name;
    this.input.placeholder = this.blocked ?? `Message #${name}`;
    this.input.setAttribute('aria-label', `Message #${name}`);
  }

  /**
   * Disables the composer with the reason shown (null enables it again).
   * @param {string | null} reason
   */
  setBlocked(reason) {
    if (reason === this.blocked) return;
    this.blocked = reason;
    this.showRestriction();
    this.blockedNote.textContent = reason ?? '';
    this.blockedNote.hidden = !reason;
    this.el.classList.toggle('is-blocked', !!reason);
    this.setChannelName(this.channelName ?? '');
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

  /**
   * Follows the user's timeout and the channel's slow mode.
   * @param {{ timedOutUntil: number | null, slowModeSeconds: number, exempt: boolean }} restriction
   */
  setRestriction(restriction) {
    const r = this.restriction;
    if (r.timedOutUntil === restriction.timedOutUntil && r.slowModeSeconds === restriction.slowModeSeconds && r.exempt === restriction.exempt) return;
    this.restriction = { ...restriction };
    if (!restriction.slowModeSeconds || restriction.exempt) this.nextAllowed = 0;
    this.showRestriction();
  }

  /** Shows the note and opens or closes the input; re-runs when a wait ends. */
  showRestriction() {
    if (this.restrictionTimer) clearTimeout(this.restrictionTimer);
    this.restrictionTimer = null;
    const now = Date.now();
    const { timedOutUntil, slowModeSeconds, exempt } = this.restriction;
    const timedOut = timedOutUntil != null && timedOutUntil > now;
    const waiting = !timedOut && !exempt && slowModeSeconds > 0 && this.nextAllowed > now;
    this.input.disabled = timedOut || !!this.blocked;
    this.sendBtn.disabled = timedOut || waiting || !!this.blocked;
    this.el.classList.toggle('restricted', timedOut);
    let text = '';
    if (timedOut) {
      const at = new Date(/** @type {number} */ (timedOutUntil));
      text = `You are timed out until ${at.toLocaleString([], { dateStyle: 'short', timeStyle: 'short' })}: you can read but not send, react or speak.`;
      this.restrictionTimer = setTimeout(() => this.showRestriction(), Math.min(/** @type {number} */ (timedOutUntil) - now + 50, 60_000));
    } else if (slowModeSeconds > 0) {
      const every = slowModeWords(slowModeSeconds);
      if (exempt) text = `Slow mode is on (one message every ${every}); it does not apply to you.`;
      else if (waiting) {
        text = `Slow mode: you can send again in ${Math.ceil((this.nextAllowed - now) / 1000)} s.`;
        this.restrictionTimer = setTimeout(() => this.showRestriction(), 1000);
      } else text = `Slow mode is on: one message every ${every}.`;
    }
    this.note.textContent = text;
    this.note.hidden = !text;
    this.note.classList.toggle('blocked', timedOut || waiting);
  }

  submit() {
    if (this.blocked || this.input.disabled) return;
    if (this.nextAllowed > Date.now() && !this.restriction.exempt) {
      this.options.onError(`Slow mode: wait ${Math.ceil((this.nextAllowed - Date.now()) / 1000)} s before sending another message.`);
      return;
    }
    const problem = this.options.send(this.input.value, this.replyTo?.id ?? null);
    if (problem) {
      if (this.input.value.trim()) this.options.onError(problem);
      return;
    }
    this.input.value = '';
    this.options.draft?.save('');
    this.autosize();
    this.updateCounter();
    this.mentions.close();
    this.setReply(null);
    const { slowModeSeconds, exempt } = this.restriction;
    if (slowModeSeconds > 0 && !exempt) {
      this.nextAllowed = Date.now() + slowModeSeconds * 1000;
      this.showRestriction();
    }
    this.options.onSent?.();
  }

  destroy() {
    if (this.restrictionTimer) clearTimeout(this.restrictionTimer);
    this.restrictionTimer = null;
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

/** "30 s", "5 min", "1 h". @param {number} seconds */
export function slowModeWords(seconds) {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}
