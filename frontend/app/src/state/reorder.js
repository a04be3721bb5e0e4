// Pure reordering: where a dragged channel or category goes, as the bodies of
// POST /api/rooms/{slug}/channels/reorder and /categories/reorder. The
// destination is renumbered 0, 1, 2, … in its new order.

import { channelSections, categoryOrder } from './workspace.js';

/** @typedef {import('./workspace.js').RoomDetail} RoomDetail */

/**
 * Moves a channel into a category (null: outside any) before another
 * channel (null: at the end).
 * @param {RoomDetail} room
 * @param {number} channelId
 * @param {{ categoryId: number | null, beforeId: number | null }} target
 * @returns {{ id: number, category_id: number | null, position: number }[]} empty when nothing changes
 */
export function channelMoves(room, channelId, target) {
  const moving = room.channels.find((c) => c.id === channelId);
  if (!moving || target.beforeId === channelId) return [];
  const section = channelSections(room).find((s) => (s.category?.id ?? null) === target.categoryId);
  if (!section) return [];
  const order = section.channels.filter((c) => c.id !== channelId);
  const at = target.beforeId == null ? -1 : order.findIndex((c) => c.id === target.beforeId);
  order.splice(at < 0 ? order.length : at, 0, moving);
  const moves = order.map((c, position) => ({ id: c.id, category_id: target.categoryId, position }));
  const unchanged = moves.every((m) => {
    const c = room.channels.find((x) => x.id === m.id);
    return c && (c.category_id ?? null) === m.category_id && c.position === m.position;
  });
  return unchanged ? [] : moves;
}

/**
 * Moves a category before another (null: to the end).
 * @param {RoomDetail} room
 * @param {number} categoryId
 * @param {number | null} beforeId
 * @returns {{ id: number, position: number }[]} empty when nothing changes
 */
export function categoryMoves(room, categoryId, beforeId) {
  const sorted = [...room.categories].sort(categoryOrder);
  const moving = sorted.find((c) => c.id === categoryId);
  if (!moving || beforeId === categoryId) return [];
  const order = sorted.filter((c) => c.id !== categoryId);
  const at = beforeId == null ? -1 : order.findIndex((c) => c.id === beforeId);
  order.splice(at < 0 ? order.length : at, 0, moving);
  const moves = order.map((c, position) => ({ id: c.id, position }));
  return moves.every((m) => room.categories.find((c) => c.id === m.id)?.position === m.position) ? [] : moves;
}
