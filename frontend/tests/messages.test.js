import { describe, expect, it } from 'vitest';
import { authorName, continuesGroup, lastMessageId, mergeMessages, parseTimestamp } from '../app/src/messages.js';

/** @param {number} id @param {Partial<import('../app/src/messages.js').Message>} [extra] */
const msg = (id, extra = {}) => ({
  id,
  content: `m${id}`,
  created_at: `2026-11-24T19:00:${String(id).padStart(2, '0')}Z`,
  author: { id: 1, login: 'ann', display_name: null },
  ...extra,
});

describe('mergeMessages', () => {
  it('dedupes by id and sorts by (created_at, id)', () => {
    const a = [msg(3), msg(1)];
    const b = [msg(2), msg(3), msg(4)];
    expect(mergeMessages(a, b).map((m) => m.id)).toEqual([1, 2, 3, 4]);
  });
  it('orders by id when timestamps tie', () => {
    const same = '2026-11-24T19:00:00Z';
    const out = mergeMessages([], [msg(9, { created_at: same }), msg(7, { created_at: same }), msg(8, { created_at: same })]);
    expect(out.map((m) => m.id)).toEqual([7, 8, 9]);
  });
  it('replaces a message by a newer version (edit, delete)', () => {
    const list = [msg(1), msg(2)];
    const edited = msg(2, { content: 'fixed', edited_at: '2026-11-24T19:05:00Z', updated_at: '2026-11-24T19:05:00Z' });
    const out = mergeMessages(list, [edited]);
    expect(out[1].content).toBe('fixed');
    const deleted = msg(2, { content: 'fixed', deleted_at: '2026-11-24T19:06:00Z', updated_at: '2026-11-24T19:06:00Z' });
    expect(mergeMessages(out, [deleted])[1].deleted_at).toBe('2026-11-24T19:06:00Z');
  });
  it('does not let an older copy overwrite a newer one', () => {
    const newer = msg(2, { content: 'fixed', edited_at: '2026-11-24T19:05:00Z', updated_at: '2026-11-24T19:05:00Z' });
    const older = msg(2, { updated_at: '2026-11-24T19:00:02Z' });
    expect(mergeMessages([newer], [older])[0].content).toBe('fixed');
  });
  it('returns the same array when nothing changes and does not mutate inputs', () => {
    const list = [msg(1), msg(2)];
    const copy = [...list];
    expect(mergeMessages(list, [])).toBe(list);
    mergeMessages(list, [msg(0)]);
    expect(list).toEqual(copy);
  });
  it('handles big lists', () => {
    const big = Array.from({ length: 5000 }, (_, i) => msg(i + 1, { created_at: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString() }));
    const shuffled = [...big].reverse();
    const out = mergeMessages(shuffled.slice(0, 2500), shuffled.slice(2000));
    expect(out).toHaveLength(5000);
    expect(out[0].id).toBe(1);
    expect(out[4999].id).toBe(5000);
  });
  it('ignores junk entries', () => {
    expect(mergeMessages([], [/** @type {any} */ (null), /** @type {any} */ ({ id: 'x' }), msg(1)]).map((m) => m.id)).toEqual([1]);
  });
});

describe('helpers', () => {
  it('parses timestamps with and without an offset as UTC', () => {
    expect(parseTimestamp('2026-11-24T18:59:32')).toBe(Date.UTC(2026, 10, 24, 18, 59, 32));
    expect(parseTimestamp('2026-11-24T18:59:32.123Z')).toBe(Date.UTC(2026, 10, 24, 18, 59, 32, 123));
    expect(parseTimestamp('2026-11-24T19:59:32+01:00')).toBe(Date.UTC(2026, 10, 24, 18, 59, 32));
    expect(parseTimestamp(null)).toBe(0);
  });
  it('finds the last id', () => {
    expect(lastMessageId([msg(4), msg(9), msg(2)])).toBe(9);
    expect(lastMessageId([])).toBeNull();
  });
  it('names authors', () => {
    expect(authorName(msg(1))).toBe('ann');
    expect(authorName(msg(1, { author: { id: 1, login: 'ann', display_name: 'Ann B' } }))).toBe('Ann B');
    expect(authorName(msg(1, { author: null, author_id: null }))).toBe('Deleted user');
  });
  it('groups consecutive messages by the same author', () => {
    expect(continuesGroup(msg(1), msg(2))).toBe(true);
    expect(continuesGroup(msg(1), msg(2, { author: { id: 2, login: 'bob' } }))).toBe(false);
    expect(continuesGroup(msg(1), msg(2, { parent_id: 1 }))).toBe(false);
    expect(continuesGroup(msg(1), msg(2, { created_at: '2026-11-24T20:00:00Z' }))).toBe(false);
    expect(continuesGroup(undefined, msg(1))).toBe(false);
  });
});
