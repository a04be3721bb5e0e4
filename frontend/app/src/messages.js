// Message lists: merging pages and live frames without duplicates, in order.

/**
 * @typedef {{
 *   id: number,
 *   channel_id?: number,
 *   author_id?: number | null,
 *   author?: { id: number, login: string, display_name?: string | null } | null,
 *   content: string,
 *   created_at: string,
 *   updated_at?: string | null,
 *   edited_at?: string | null,
 *   deleted_at?: string | null,
 *   moderated_at?: string | null,
 *   parent_id?: number | null,
 *   thread_root_id?: number | null,
 *   thread_reply_count?: number,
 *   pinned_at?: string | null,
 *   pinned_by?: { id: number, login: string, display_name?: string | null } | null,
 *   reactions?: { emoji: string, count: number, reacted?: boolean, user_ids: number[] }[],
 *   mentions?: number[],
 *   mention_everyone?: boolean,
 *   nonce?: string,
 *   [key: string]: unknown,
 * }} Message
 */

/**
 * Milliseconds since the epoch for a server timestamp. Timestamps without an
 * offset are UTC by the server's convention.
 * @param {string | null | undefined} value
 * @returns {number}
 */
export function parseTimestamp(value) {
  if (typeof value !== 'string' || !value) return 0;
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(value);
  const ms = Date.parse(hasZone ? value : `${value}Z`);
  return Number.isNaN(ms) ? 0 : ms;
}

/**
 * Server order: (created_at, id).
 * @param {Message} a
 * @param {Message} b
 */
export function compareMessages(a, b) {
  const ta = parseTimestamp(a.created_at);
  const tb = parseTimestamp(b.created_at);
  if (ta !== tb) return ta - tb;
  return a.id - b.id;
}

/**
 * Which of two versions of the same message is newer. Live frames and pages
 * can arrive in any order; the later edit/delete must win.
 * @param {Message} current
 * @param {Message} incoming
 */
export function isSameOrNewer(current, incoming) {
  const stamp = (/** @type {Message} */ m) =>
    Math.max(
      parseTimestamp(m.updated_at),
      parseTimestamp(m.edited_at),
      parseTimestamp(m.deleted_at),
      parseTimestamp(m.moderated_at),
    );
  return stamp(incoming) >= stamp(current);
}

/**
 * Merges `incoming` into `existing`: one entry per id, a message with an
 * existing id replaces the older version, result sorted in server order.
 * Neither input is modified.
 * @param {Message[]} existing
 * @param {Message[]} incoming
 * @returns {Message[]}
 */
export function mergeMessages(existing, incoming) {
  /** @type {Map<number, Message>} */
  const byId = new Map();
  for (const m of existing) if (m && typeof m.id === 'number') byId.set(m.id, m);
  let changed = false;
  for (const m of incoming) {
    if (!m || typeof m.id !== 'number') continue;
    const current = byId.get(m.id);
    if (!current || isSameOrNewer(current, m)) {
      byId.set(m.id, m);
      changed = true;
    }
  }
  if (!changed && byId.size === existing.length) return existing;
  return [...byId.values()].sort(compareMessages);
}

/**
 * Highest message id in a list (the catch-up pivot), or null.
 * @param {Message[]} list
 */
export function lastMessageId(list) {
  let max = null;
  for (const m of list) if (max === null || m.id > max) max = m.id;
  return max;
}

/**
 * Oldest message in server order (the scroll-back pivot), or null.
 * @param {Message[]} list
 */
export function oldestMessageId(list) {
  return list.length ? list[0].id : null;
}

/** @param {Message} m */
export function isDeleted(m) {
  return !!m.deleted_at;
}

/** @param {Message} m */
export function isModerated(m) {
  return !!m.moderated_at;
}

/**
 * Name to show for a message's author.
 * @param {Message} m
 */
export function authorName(m) {
  const a = m.author;
  if (!a) return m.author_id != null ? `User ${m.author_id}` : 'Deleted user';
  return (a.display_name && a.display_name.trim()) || a.login || `User ${a.id}`;
}

/**
 * Whether `m` continues a run of messages by the same author (shown without
 * repeating the name): same author, within 5 minutes, not a reply.
 * @param {Message | undefined} prev
 * @param {Message} m
 */
export function continuesGroup(prev, m) {
  if (!prev) return false;
  if (m.parent_id != null) return false;
  const pa = prev.author?.id ?? prev.author_id;
  const ma = m.author?.id ?? m.author_id;
  if (pa == null || pa !== ma) return false;
  return parseTimestamp(m.created_at) - parseTimestamp(prev.created_at) < 5 * 60 * 1000;
}

/** A new client nonce: random, so a resend of one message is known to the server as such. */
export function newNonce() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Whether message `m` mentions the user: by id, or everyone.
 * @param {Message} m @param {number | null} meId
 */
export function mentionsMe(m, meId) {
  return !!m.mention_everyone || (meId != null && Array.isArray(m.mentions) && m.mentions.includes(meId));
}
