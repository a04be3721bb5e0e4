// A small emoji picker for reactions: a popover of common emoji by group,
// with keyboard support (arrows move, Enter picks, Escape closes).

import { h } from '../dom.js';

/** @type {{ group: string, items: [string, string][] }[]} */
export const EMOJI = [
  {
    group: 'Reactions',
    items: [
      ['👍', 'thumbs up'],
      ['👎', 'thumbs down'],
      ['❤️', 'red heart'],
      ['😂', 'tears of joy'],
      ['😮', 'surprised'],
      ['😢', 'crying'],
      ['🎉', 'party popper'],
      ['🔥', 'fire'],
      ['👀', 'eyes'],
      ['✅', 'check mark'],
      ['❌', 'cross mark'],
      ['🙏', 'thank you'],
    ],
  },
  {
    group: 'Faces',
    items: [
      ['😀', 'grinning'],
      ['😅', 'sweat smile'],
      ['😉', 'wink'],
      ['😍', 'heart eyes'],
      ['🤔', 'thinking'],
      ['🙄', 'eye roll'],
      ['😴', 'sleeping'],
      ['😎', 'cool'],
      ['🥳', 'celebrating'],
      ['😬', 'grimacing'],
      ['🤯', 'mind blown'],
      ['😡', 'angry'],
    ],
  },
  {
    group: 'Things',
    items: [
      ['💯', 'hundred points'],
      ['⭐', 'star'],
      ['🚀', 'rocket'],
      ['💡', 'light bulb'],
      ['🐛', 'bug'],
      ['☕', 'coffee'],
      ['🍕', 'pizza'],
      ['🎵', 'music'],
      ['👋', 'waving hand'],
      ['👏', 'clapping'],
      ['💪', 'flexed biceps'],
      ['🤝', 'handshake'],
    ],
  },
];

/** @type {HTMLElement | null} */
let openPicker = null;

export function closeEmojiPicker() {
  openPicker?.remove();
  openPicker = null;
}

/**
 * Opens the picker next to `anchor`; `onPick` gets the chosen emoji.
 * @param {HTMLElement} anchor
 * @param {(emoji: string) => void} onPick
 * @returns {HTMLElement} the picker
 */
export function openEmojiPicker(anchor, onPick) {
  closeEmojiPicker();
  /** @type {HTMLButtonElement[]} */
  const buttons = [];
  const pick = (/** @type {string} */ emoji) => {
    closeEmojiPicker();
    anchor.focus();
    onPick(emoji);
  };
  const picker = h(
    'div',
    { class: 'emoji-picker', role: 'dialog', 'aria-label': 'Choose a reaction' },
    EMOJI.map(({ group, items }) =>
      h(
        'div',
        { class: 'emoji-group', role: 'group', 'aria-label': group },
        h('div', { class: 'emoji-group-name', 'aria-hidden': 'true' }, group),
        h(
          'div',
          { class: 'emoji-grid' },
          items.map(([emoji, name]) => {
            const button = h('button', { class: 'emoji-btn', type: 'button', title: name, 'aria-label': name, dataset: { emoji }, onclick: () => pick(emoji) }, emoji);
            buttons.push(button);
            return button;
          }),
        ),
      ),
    ),
  );
  picker.addEventListener('keydown', (e) => {
    const index = buttons.indexOf(/** @type {HTMLButtonElement} */ (document.activeElement));
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 6, ArrowUp: -6 }[e.key];
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      closeEmojiPicker();
      anchor.focus();
    } else if (step && index >= 0) {
      e.preventDefault();
      buttons[Math.min(buttons.length - 1, Math.max(0, index + step))].focus();
    }
  });
  document.body.append(picker);
  openPicker = picker;
  place(picker, anchor);
  buttons[0]?.focus();
  // Close on a click elsewhere (after this click has finished).
  setTimeout(() => {
    const outside = (/** @type {MouseEvent} */ e) => {
      if (openPicker !== picker) return document.removeEventListener('mousedown', outside, true);
      if (!picker.contains(/** @type {Node} */ (e.target))) {
        closeEmojiPicker();
        document.removeEventListener('mousedown', outside, true);
      }
    };
    document.addEventListener('mousedown', outside, true);
  });
  return picker;
}

/** Keeps the popover inside the window, above or below the anchor. @param {HTMLElement} picker @param {HTMLElement} anchor */
function place(picker, anchor) {
  const a = anchor.getBoundingClientRect();
  const width = picker.offsetWidth || 300;
  const height = picker.offsetHeight || 320;
  const left = Math.max(8, Math.min(window.innerWidth - width - 8, a.right - width));
  const below = a.bottom + 6 + height <= window.innerHeight;
  const top = below ? a.bottom + 6 : Math.max(8, a.top - height - 6);
  picker.style.left = `${left}px`;
  picker.style.top = `${top}px`;
}
