// Whether the user may send in the open text channel (decision 24), so the
// composer can say so up front: computed from the channel's overwrites when
// it opens, then kept current by the socket's `permissions` frames and by a
// refusal from the server.

import { effectivePermissions, sendBlockedReason } from './state/permissions.js';

/**
 * @param {{
 *   api: import('./api.js').ApiClient,
 *   room: () => import('./state/workspace.js').RoomDetail | null,
 *   channelId: number,
 *   meId: number | null,
 *   apply: (reason: string | null) => void,
 * }} options
 */
export async function loadSendPermission({ api, room, channelId, meId, apply }) {
  try {
    const summary = await api.channelPermissions(channelId);
    const detail = room();
    if (detail) apply(sendBlockedReason(effectivePermissions(detail, summary, meId)));
  } catch {
    // The server still refuses what is not allowed; the composer learns it then.
  }
}

/** The composer's reason after a `permissions` frame. @param {string[]} names */
export const reasonFromNames = (names) => sendBlockedReason(names);

/** The composer's reason after a refusal, or undefined when the error is about something else. @param {string} detail */
export function reasonFromError(detail) {
  return detail === 'Missing permission: send_messages' ? sendBlockedReason([]) : undefined;
}
