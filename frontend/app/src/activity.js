// Mentions and browser notifications: whether a text mentions the user (for
// the composer's highlighting), and showing a notification for a mention
// while the tab is hidden. Unread counts come from the server (see
// workspace-activity.js).

import { loadSettings } from './preferences.js';

/**
 * Whether `content` mentions `login`, @everyone or @here.
 * @param {string | null | undefined} content
 * @param {string | null | undefined} login
 */
export function mentionsUser(content, login) {
  if (!content) return false;
  const names = ['everyone', 'here', ...(login ? [login] : [])].map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`(^|[^\\p{L}\\p{N}_.@-])@(${names.join('|')})(?![\\p{L}\\p{N}_-])`, 'iu').test(content);
}

/** @returns {boolean} whether mention notifications can be shown now */
export function notificationsAllowed() {
  return typeof Notification === 'function' && Notification.permission === 'granted' && loadSettings().notifications;
}

/** Asks for permission to notify; call it from a click or key press. */
export function askNotificationPermission() {
  if (typeof Notification === 'function' && Notification.permission === 'default') void Notification.requestPermission().catch(() => {});
}

/**
 * A notification for a mention; a click brings the tab back to the message.
 * @param {{ title: string, body: string, tag: string, onClick: () => void }} note
 */
export function showNotification(note) {
  try {
    const n = new Notification(note.title, { body: note.body, tag: note.tag });
    n.onclick = () => {
      window.focus();
      note.onClick();
      n.close();
    };
  } catch {
    /* notifications unavailable in this context */
  }
}
