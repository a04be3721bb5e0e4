// The colour theme: light or dark as the system asks, unless the user chose
// one in the settings. The stylesheet reads `data-theme` on <html>.

import { loadSettings } from './preferences.js';

/**
 * @param {import('./preferences.js').Settings['theme']} theme
 * @param {HTMLElement} [root]
 */
export function applyTheme(theme, root = document.documentElement) {
  if (theme === 'light' || theme === 'dark') root.dataset.theme = theme;
  else delete root.dataset.theme;
}

/** Applies the remembered theme; called first thing on both pages. */
export function applySavedTheme() {
  applyTheme(loadSettings().theme);
}
