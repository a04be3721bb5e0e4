// Keyboard movement through lists (channels, messages) and the workspace's
// shortcuts. Focus moves between items with the arrow keys, Home and End;
// Alt+↑/↓ opens the previous or next channel from anywhere.

/**
 * The item focus should move to, or null when the key does not move it.
 * @template T
 * @param {T[]} items
 * @param {number} index of the focused item, -1 when none is
 * @param {string} key
 * @returns {T | null}
 */
export function itemAfterKey(items, index, key) {
  if (!items.length) return null;
  if (key === 'Home') return items[0];
  if (key === 'End') return items[items.length - 1];
  if (key === 'ArrowUp') return index < 0 ? items[items.length - 1] : items[Math.max(0, index - 1)];
  if (key === 'ArrowDown') return index < 0 ? items[0] : items[Math.min(items.length - 1, index + 1)];
  return null;
}

/**
 * Arrow keys inside `container` move focus between the elements matching
 * `selector`. `onEscape` runs on Escape.
 * @param {HTMLElement} container
 * @param {string} selector
 * @param {{ onEscape?: () => void }} [options]
 */
export function arrowNavigation(container, selector, options = {}) {
  container.addEventListener('keydown', (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const target = /** @type {HTMLElement} */ (event.target);
    if (target.closest('input, textarea, select, [contenteditable="true"]')) return;
    if (event.key === 'Escape' && options.onEscape) {
      event.preventDefault();
      options.onEscape();
      return;
    }
    const items = /** @type {HTMLElement[]} */ ([...container.querySelectorAll(selector)]);
    const current = items.findIndex((el) => el === target || el.contains(target));
    // Keys inside an item's own buttons stay with them, except from the item itself.
    if (current >= 0 && items[current] !== target && event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
    const next = itemAfterKey(items, current, event.key);
    if (!next) return;
    event.preventDefault();
    next.focus();
    next.scrollIntoView?.({ block: 'nearest' });
  });
}

/**
 * Alt+↑ / Alt+↓ anywhere: open the previous or next channel in the sidebar.
 * @param {HTMLElement} sidebar
 */
export function channelShortcuts(sidebar) {
  document.addEventListener('keydown', (event) => {
    if (!event.altKey || event.shiftKey || (event.key !== 'ArrowUp' && event.key !== 'ArrowDown')) return;
    const links = /** @type {HTMLAnchorElement[]} */ ([...sidebar.querySelectorAll('.channel-link')]);
    const current = links.findIndex((a) => a.getAttribute('aria-current') === 'page');
    const next = links[current + (event.key === 'ArrowUp' ? -1 : 1)];
    if (!next) return;
    event.preventDefault();
    next.click();
  });
}
