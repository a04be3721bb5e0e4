// Words and labels for the text channel view (pure, no DOM).

/** @typedef {import('../messages.js').Message} Message */

/**
 * "Ann is typing…" in plain words.
 * @param {{ display_name: string }[]} users
 */
export function typingText(users) {
  const names = users.map((u) => u.display_name || 'Someone');
  if (!names.length) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  if (names.length === 3) return `${names[0]}, ${names[1]} and ${names[2]} are typing…`;
  return 'Several people are typing…';
}

/**
 * Status line for the connection.
 * @param {{ status: string, syncing: boolean, statusInfo: { retryIn: number | null } }} s
 */
export function connectionText(s) {
  if (s.status === 'open') return s.syncing ? 'Catching up…' : 'Connected';
  if (s.status === 'connecting' || s.status === 'idle') return 'Connecting…';
  if (s.status === 'reconnecting') {
    const secs = s.statusInfo.retryIn != null ? Math.max(1, Math.round(s.statusInfo.retryIn / 1000)) : null;
    return secs ? `Connection lost. Retrying in ${secs}s…` : 'Reconnecting…';
  }
  return 'Disconnected';
}

/**
 * "Today", "Yesterday" or a date, for the dividers between days.
 * @param {number} ms
 * @param {number} [now]
 */
export function dayLabel(ms, now = Date.now()) {
  if (!ms) return '';
  const d = new Date(ms);
  const today = new Date(now);
  const start = (/** @type {Date} */ x) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const days = Math.round((start(today) - start(d)) / 86400000);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  return d.toLocaleDateString(undefined, { weekday: 'long', month: 'long', day: 'numeric', year: d.getFullYear() === today.getFullYear() ? undefined : 'numeric' });
}

/**
 * What a rendered message depends on: re-render when this changes.
 * @param {Message} m
 */
export function messageSignature(m) {
  return JSON.stringify([m.content, m.updated_at, m.edited_at, m.deleted_at, m.moderated_at, m.reactions, m.author, m.pinned_at]);
}

/**
 * The composer's counter: shown near the limit, "over" past it.
 * @param {string} text
 * @param {number} max
 */
export function counterText(text, max) {
  const n = text.replace(/\s+$/u, '').length;
  return { text: n > max - 200 ? `${n}/${max}` : '', over: n > max };
}

/**
 * Replies per thread among the loaded messages (thread root id → count).
 * @param {Message[]} messages
 */
export function replyCounts(messages) {
  /** @type {Map<number, number>} */
  const counts = new Map();
  for (const m of messages) {
    const root = m.thread_root_id ?? m.id;
    if (root !== m.id) counts.set(root, (counts.get(root) ?? 0) + 1);
  }
  return counts;
}
