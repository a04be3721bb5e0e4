// The server's client-visible limits (GET /api/config/limits), fetched once
// when the workspace starts. The client keeps no copies of these numbers.

/**
 * @typedef {{
 *   message_max_length: number,
 *   history_default_limit: number,
 *   history_max_limit: number,
 *   typing_ttl_seconds: number,
 *   pins_per_channel: number,
 *   pin_note_max_length: number,
 *   categories_per_room: number,
 *   name_max_length: number,
 *   json_body_max_bytes: number,
 *   ws_frame_max_bytes: number,
 *   slow_mode_max_seconds: number,
 *   timeout_max_seconds: number,
 *   ban_reason_max_length: number,
 * }} Limits
 */

/** @type {(keyof Limits)[]} */
export const LIMIT_NAMES = [
  'message_max_length',
  'history_default_limit',
  'history_max_limit',
  'typing_ttl_seconds',
  'pins_per_channel',
  'pin_note_max_length',
  'categories_per_room',
  'name_max_length',
  'json_body_max_bytes',
  'ws_frame_max_bytes',
  'slow_mode_max_seconds',
  'timeout_max_seconds',
  'ban_reason_max_length',
];

/** Limits that may be fractional (seconds); the rest are counts and sizes. */
const FRACTIONAL = new Set(['typing_ttl_seconds']);

/**
 * Checks the server's answer: every limit must be a positive number, and a
 * whole one where it counts things.
 * @param {unknown} body
 * @returns {Limits}
 */
export function parseLimits(body) {
  if (!body || typeof body !== 'object') throw new Error('The server sent no limits.');
  const source = /** @type {Record<string, unknown>} */ (body);
  /** @type {Record<string, number>} */
  const out = {};
  for (const name of LIMIT_NAMES) {
    const value = source[name];
    const whole = FRACTIONAL.has(name) || Number.isInteger(value);
    if (typeof value !== 'number' || !Number.isFinite(value) || !whole || value <= 0) {
      throw new Error(`The server's limits are not usable (${name} is ${JSON.stringify(value ?? null)}).`);
    }
    out[name] = value;
  }
  return /** @type {Limits} */ (/** @type {unknown} */ (out));
}

/**
 * @param {{ limits: () => Promise<unknown> }} api
 * @returns {Promise<Limits>}
 */
export async function loadLimits(api) {
  return parseLimits(await api.limits());
}
