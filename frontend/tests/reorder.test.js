import { describe, expect, it } from 'vitest';
import { categoryMoves, channelMoves } from '../app/src/state/reorder.js';

const ch = (/** @type {number} */ id, /** @type {number | null} */ category_id, /** @type {number} */ position, type = 'text') => ({ id, name: `c${id}`, type, category_id, position, letter: 'A', created_at: '' });
const room = () => ({
  id: 1,
  slug: 'lab',
  title: 'Lab',
  categories: [
    { id: 10, name: 'Alpha', position: 0, created_at: '' },
    { id: 20, name: 'Beta', position: 1, created_at: '' },
    { id: 30, name: 'Gamma', position: 2, created_at: '' },
  ],
  channels: [ch(1, null, 0), ch(2, null, 1, 'voice'), ch(3, 10, 0), ch(4, 10, 1), ch(5, 20, 0)],
  members: [],
  invitations: [],
  role_hierarchy: [],
});

describe('reordering channels', () => {
  it('moves a channel before another in a different category and renumbers it', () => {
    expect(channelMoves(room(), 3, { categoryId: 20, beforeId: 5 })).toEqual([
      { id: 3, category_id: 20, position: 0 },
      { id: 5, category_id: 20, position: 1 },
    ]);
  });

  it('moves to the end of a category, or out of every category', () => {
    expect(channelMoves(room(), 3, { categoryId: 30, beforeId: null })).toEqual([{ id: 3, category_id: 30, position: 0 }]);
    expect(channelMoves(room(), 4, { categoryId: null, beforeId: 1 })).toEqual([
      { id: 4, category_id: null, position: 0 },
      { id: 1, category_id: null, position: 1 },
      { id: 2, category_id: null, position: 2 },
    ]);
  });

  it('moves within a category, and says when nothing changes', () => {
    expect(channelMoves(room(), 4, { categoryId: 10, beforeId: 3 })).toEqual([
      { id: 4, category_id: 10, position: 0 },
      { id: 3, category_id: 10, position: 1 },
    ]);
    expect(channelMoves(room(), 3, { categoryId: 10, beforeId: 4 })).toEqual([]);
    expect(channelMoves(room(), 3, { categoryId: 10, beforeId: 3 })).toEqual([]);
    expect(channelMoves(room(), 99, { categoryId: 10, beforeId: null })).toEqual([]);
    expect(channelMoves(room(), 3, { categoryId: 77, beforeId: null })).toEqual([]);
  });
});

describe('reordering categories', () => {
  it('moves a category before another or to the end', () => {
    expect(categoryMoves(room(), 30, 10)).toEqual([
      { id: 30, position: 0 },
      { id: 10, position: 1 },
      { id: 20, position: 2 },
    ]);
    expect(categoryMoves(room(), 10, null)).toEqual([
      { id: 20, position: 0 },
      { id: 30, position: 1 },
      { id: 10, position: 2 },
    ]);
    expect(categoryMoves(room(), 10, 20)).toEqual([]);
    expect(categoryMoves(room(), 99, null)).toEqual([]);
  });
});
