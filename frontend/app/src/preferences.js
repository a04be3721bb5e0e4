// What this browser remembers in localStorage: which categories are
// collapsed in each room, and each channel's unsent draft. Unreadable or
// full storage is ignored.

/** @returns {Storage | null} */
function storage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/** @param {string} key */
function readJson(key) {
  try {
    const raw = storage()?.getItem(key);
    return raw ? JSON.parse(raw) : null;
  } catch {
    return null;
  }
}

/** @param {string} key @param {unknown} value */
function writeJson(key, value) {
  try {
    if (value == null) storage()?.removeItem(key);
    else storage()?.setItem(key, JSON.stringify(value));
  } catch {
    /* storage full or disabled: the preference lasts this visit only */
  }
}

/** @param {string} slug */
const collapsedKey = (slug) => `charge.collapsed.${slug}`;

/** @param {string} slug @returns {number[]} */
export function loadCollapsed(slug) {
  const value = readJson(collapsedKey(slug));
  return Array.isArray(value) ? value.filter((x) => Number.isInteger(x)) : [];
}

/** @param {string} slug @param {number[]} ids */
export function saveCollapsed(slug, ids) {
  writeJson(collapsedKey(slug), ids.length ? ids : null);
}

/** @param {number | null} userId @param {number} channelId */
const draftKey = (userId, channelId) => `charge.draft.${userId ?? 'anon'}.${channelId}`;

/**
 * The unsent text of a channel's composer, per user.
 * @param {number | null} userId
 * @param {number} channelId
 */
export function loadDraft(userId, channelId) {
  try {
    return storage()?.getItem(draftKey(userId, channelId)) ?? '';
  } catch {
    return '';
  }
}

/** @param {number | null} userId @param {number} channelId @param {string} text */
export function saveDraft(userId, channelId, text) {
  try {
    if (text.trim()) storage()?.setItem(draftKey(userId, channelId), text);
    else storage()?.removeItem(draftKey(userId, channelId));
  } catch {
    /* storage full or disabled: the draft lasts this visit only */
  }
}

/**
 * The user's settings in this browser: the colour theme ('system' follows the
 * operating system) and whether mentions raise a browser notification.
 * @typedef {{ theme: 'system' | 'light' | 'dark', notifications: boolean }} Settings
 */

const SETTINGS_KEY = 'charge.settings';
const THEMES = ['system', 'light', 'dark'];

/** @returns {Settings} */
export function loadSettings() {
  const raw = readJson(SETTINGS_KEY);
  const value = raw && typeof raw === 'object' ? raw : {};
  return {
    theme: THEMES.includes(value.theme) ? value.theme : 'system',
    notifications: value.notifications !== false,
  };
}

/** @param {Partial<Settings>} change @returns {Settings} the settings now */
export function saveSettings(change) {
  const next = { ...loadSettings(), ...change };
  writeJson(SETTINGS_KEY, next);
  return next;
}
