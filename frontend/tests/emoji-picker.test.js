// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EMOJI, closeEmojiPicker, openEmojiPicker } from '../app/src/views/emoji-picker.js';

afterEach(() => {
  closeEmojiPicker();
  document.body.replaceChildren();
});

function anchor() {
  const button = document.createElement('button');
  document.body.append(button);
  return button;
}

describe('the emoji picker', () => {
  it('offers named emoji in groups and picks one', () => {
    const onPick = vi.fn();
    const picker = openEmojiPicker(anchor(), onPick);
    expect(picker.querySelectorAll('[role="group"]')).toHaveLength(EMOJI.length);
    const party = /** @type {HTMLButtonElement} */ (picker.querySelector('[data-emoji="🎉"]'));
    expect(party.getAttribute('aria-label')).toBe('party popper');
    party.click();
    expect(onPick).toHaveBeenCalledWith('🎉');
    expect(document.querySelector('.emoji-picker')).toBeNull();
  });

  it('moves with the arrow keys and closes on Escape without picking', () => {
    const onPick = vi.fn();
    const a = anchor();
    const picker = openEmojiPicker(a, onPick);
    expect(document.activeElement?.getAttribute('data-emoji')).toBe('👍');
    picker.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    expect(document.activeElement?.getAttribute('data-emoji')).toBe('👎');
    picker.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }));
    expect(document.activeElement?.getAttribute('data-emoji')).toBe('🔥');
    picker.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(document.querySelector('.emoji-picker')).toBeNull();
    expect(onPick).not.toHaveBeenCalled();
  });

  it('keeps only one picker open', () => {
    openEmojiPicker(anchor(), vi.fn());
    openEmojiPicker(anchor(), vi.fn());
    expect(document.querySelectorAll('.emoji-picker')).toHaveLength(1);
  });
});
