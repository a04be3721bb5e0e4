import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TextChannelSession, fetchMissed, sameText } from '../app/src/text-channel.js';
import { FakeWebSocket } from './fake-socket.js';

/** @param {number} id @param {number} [author] @param {string} [content] */
const msg = (id, author = 2, content = `m${id}`) => ({
  id,
  channel_id: 7,
  author_id: author,
  author: { id: author, login: `u${author}` },
  content,
  created_at: new Date(Date.UTC(2026, 10, 24, 19, 0, id)).toISOString(),
  parent_id: null,
});

/** A fake server-side history over a list of messages. */
function fakeApi(/** @type {any[]} */ all) {
  const api = {
    all,
    history: vi.fn(async (/** @type {number} */ _channel, /** @type {{ after?: number, before?: number, limit?: number }} */ q) => {
      const limit = q.limit ?? 50;
      if (q.after != null) {
        const newer = api.all.filter((m) => m.id > /** @type {number} */ (q.after));
        const items = newer.slice(0, limit);
        return { items, has_more_forward: newer.length > limit, has_more_backward: true };
      }
      if (q.before != null) {
        const older = api.all.filter((m) => m.id < /** @type {number} */ (q.before));
        const items = older.slice(Math.max(0, older.length - limit));
        return { items, has_more_backward: older.length > limit, has_more_forward: true };
      }
      return { items: api.all.slice(-limit), has_more_backward: api.all.length > limit, has_more_forward: false };
    }),
    postMessage: vi.fn(async (/** @type {number} */ _c, /** @type {string} */ content, /** @type {number | null} */ parent) => {
      const m = { ...msg(api.all.length + 100, 1, content), parent_id: parent ?? null };
      api.all.push(m);
      return m;
    }),
    listRooms: vi.fn(async () => []),
  };
  return api;
}

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
});
afterEach(() => vi.useRealTimers());

/** The limits a server answers with (GET /api/config/limits). */
const LIMITS = { message_max_length: 2000, history_default_limit: 50, history_max_limit: 100, typing_ttl_seconds: 8 };

/** @param {any} api @param {any} [extra] */
function session(api, extra = {}) {
  return new TextChannelSession({
    api,
    channelId: 7,
    meId: 1,
    limits: LIMITS,
    url: () => 'ws://h/ws/text/7?token=T',
    WebSocketImpl: /** @type {any} */ (FakeWebSocket),
    backoff: { base: 100, jitter: 0 },
    ...extra,
  });
}

describe('fetchMissed', () => {
  it('pages forward until has_more_forward is false', async () => {
    const all = Array.from({ length: 250 }, (_, i) => msg(i + 1));
    const api = fakeApi(all);
    const got = await fetchMissed(/** @type {any} */ (api), 7, 20, { limit: 100 });
    expect(got.map((m) => m.id)).toEqual(all.slice(20).map((m) => m.id));
    expect(api.history).toHaveBeenCalledTimes(3);
    expect(api.history.mock.calls.map((c) => c[1].after)).toEqual([20, 120, 220]);
  });
});

describe('sameText', () => {
  it('tolerates trimming and Unicode normalisation', () => {
    expect(sameText('  hi there', 'hi there')).toBe(true);
    expect(sameText('caf\u0065\u0301', 'caf\u00e9')).toBe(true);
    expect(sameText('a', 'b')).toBe(false);
    expect(sameText('a', null)).toBe(false);
  });
});

describe('TextChannelSession', () => {
  it('loads history, then takes live frames, replacing edits', async () => {
    const api = fakeApi([]);
    const s = session(api);
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    const ws = FakeWebSocket.last();
    ws.open();
    ws.receive({ type: 'history', page: { items: [msg(1), msg(2)], has_more_backward: true, has_more_forward: false } });
    ws.receive({ type: 'presence', channel_id: 7, online: [{ id: 1, display_name: 'me' }] });
    await vi.advanceTimersByTimeAsync(0);
    expect(s.messages.map((m) => m.id)).toEqual([1, 2]);
    expect(s.hasMoreBackward).toBe(true);
    expect(s.online).toHaveLength(1);
    ws.receive({ type: 'message', message: msg(3) });
    ws.receive({ type: 'message', message: { ...msg(2), content: 'edited', edited_at: '2026-11-24T20:00:00Z', updated_at: '2026-11-24T20:00:00Z' } });
    ws.receive({ type: 'message', message: msg(3) });
    expect(s.messages.map((m) => [m.id, m.content])).toEqual([
      [1, 'm1'],
      [2, 'edited'],
      [3, 'm3'],
    ]);
    s.stop();
  });

  it('catches up after a reconnect with nothing lost or duplicated', async () => {
    const all = Array.from({ length: 10 }, (_, i) => msg(i + 1));
    const api = fakeApi(all);
    const s = session(api);
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    let ws = FakeWebSocket.last();
    ws.open();
    ws.receive({ type: 'history', page: { items: all.slice(), has_more_backward: false, has_more_forward: false } });
    await vi.advanceTimersByTimeAsync(0);
    ws.serverClose(1006);
    expect(s.status).toBe('reconnecting');
    // 180 messages arrive while we are away: more than one history frame holds.
    for (let i = 11; i <= 190; i += 1) api.all.push(msg(i, 3));
    await vi.advanceTimersByTimeAsync(100);
    ws = FakeWebSocket.last();
    ws.open();
    ws.receive({ type: 'history', page: { items: api.all.slice(-50), has_more_backward: true, has_more_forward: false } });
    ws.receive({ type: 'message', message: msg(191, 3) });
    api.all.push(msg(191, 3));
    await vi.advanceTimersByTimeAsync(0);
    expect(api.history.mock.calls[0][1].after).toBe(10);
    const ids = s.messages.map((m) => m.id);
    expect(ids).toEqual(Array.from({ length: 191 }, (_, i) => i + 1));
    expect(s.syncing).toBe(false);
    s.stop();
  });

  it('sends over the socket and settles the pending entry on echo', async () => {
    const api = fakeApi([]);
    const s = session(api);
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    const ws = FakeWebSocket.last();
    ws.open();
    ws.receive({ type: 'history', page: { items: [msg(1)], has_more_backward: false } });
    await vi.advanceTimersByTimeAsync(0);
    expect(s.send('  hello <b>there</b>  \n', 1)).toBeNull();
    const sent = ws.sentOfType('message')[0];
    expect(sent).toEqual({ type: 'message', content: '  hello <b>there</b>', parent_id: 1, attachments: [], nonce: expect.stringMatching(/^[0-9a-f]{24}$/) });
    expect(s.pending).toHaveLength(1);
    ws.receive({ type: 'message', message: { ...msg(2, 1, '  hello <b>there</b>'), parent_id: 1 } });
    expect(s.pending).toHaveLength(0);
    expect(s.send('   ')).toBe('Write something first.');
    expect(s.send('x'.repeat(2001))).toMatch(/at most 2000/);
    s.stop();
  });

  it('resends over HTTP what the dropped socket never confirmed', async () => {
    const api = fakeApi([msg(1)]);
    const s = session(api);
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    let ws = FakeWebSocket.last();
    ws.open();
    ws.receive({ type: 'history', page: { items: [msg(1)], has_more_backward: false } });
    await vi.advanceTimersByTimeAsync(0);
    s.send('lost in transit');
    ws.serverClose(1006);
    await vi.advanceTimersByTimeAsync(100);
    ws = FakeWebSocket.last();
    ws.open();
    ws.receive({ type: 'history', page: { items: [msg(1)], has_more_backward: false } });
    await vi.advanceTimersByTimeAsync(0);
    // The resend carries the socket send's nonce: if that one was stored after all, the
    // server answers it instead of storing a second copy.
    const nonce = FakeWebSocket.instances[0].sentOfType('message')[0].nonce;
    expect(api.postMessage).toHaveBeenCalledWith(7, 'lost in transit', null, nonce);
    expect(s.pending).toHaveLength(0);
    expect(s.messages.some((m) => m.content === 'lost in transit')).toBe(true);
    s.stop();
  });

  it('does not resend what the server did store', async () => {
    const api = fakeApi([msg(1)]);
    const s = session(api);
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    let ws = FakeWebSocket.last();
    ws.open();
    ws.receive({ type: 'history', page: { items: [msg(1)], has_more_backward: false } });
    await vi.advanceTimersByTimeAsync(0);
    s.send('stored but not echoed');
    api.all.push(msg(2, 1, 'stored but not echoed'));
    ws.serverClose(1006);
    await vi.advanceTimersByTimeAsync(100);
    ws = FakeWebSocket.last();
    ws.open();
    ws.receive({ type: 'history', page: { items: [msg(1)], has_more_backward: false } });
    await vi.advanceTimersByTimeAsync(0);
    expect(api.postMessage).not.toHaveBeenCalled();
    expect(s.pending).toHaveLength(0);
    expect(s.messages.map((m) => m.id)).toEqual([1, 2]);
    s.stop();
  });

  it('settles a send by its nonce even when the echo reads differently', async () => {
    const api = fakeApi([]);
    const s = session(api);
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    const ws = FakeWebSocket.last();
    ws.open();
    ws.receive({ type: 'history', page: { items: [], has_more_backward: false } });
    await vi.advanceTimersByTimeAsync(0);
    s.send('typed text');
    const { nonce } = ws.sentOfType('message')[0];
    // The first copy, stored long ago and answered again by its nonce.
    ws.receive({ type: 'message', message: { ...msg(1, 1, 'typed text, as first stored'), nonce } });
    expect(s.pending).toHaveLength(0);
    s.stop();
  });

  it('sends over HTTP while disconnected', async () => {
    const api = fakeApi([]);
    const s = session(api);
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeWebSocket.last().serverClose(1006);
    s.send('offline note');
    await vi.advanceTimersByTimeAsync(0);
    expect(api.postMessage).toHaveBeenCalledOnce();
    expect(s.messages.map((m) => m.content)).toEqual(['offline note']);
    s.stop();
  });

  it('pages backwards', async () => {
    const all = Array.from({ length: 120 }, (_, i) => msg(i + 1));
    const api = fakeApi(all);
    const s = session(api);
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    const ws = FakeWebSocket.last();
    ws.open();
    ws.receive({ type: 'history', page: { items: all.slice(-50), has_more_backward: true } });
    await vi.advanceTimersByTimeAsync(0);
    await s.loadOlder();
    expect(api.history.mock.calls[0][1].before).toBe(71);
    expect(s.messages).toHaveLength(100);
    expect(s.hasMoreBackward).toBe(true);
    await s.loadOlder();
    expect(s.messages).toHaveLength(120);
    expect(s.hasMoreBackward).toBe(false);
    expect(await s.loadOlder()).toBe(false);
    s.stop();
  });

  it('throttles typing and honours expires_in', async () => {
    const s = session(fakeApi([]));
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    const ws = FakeWebSocket.last();
    ws.open();
    s.setTyping(true, 1000);
    s.setTyping(true, 2000);
    s.setTyping(true, 4500);
    expect(ws.sentOfType('typing')).toEqual([
      { type: 'typing', is_typing: true },
      { type: 'typing', is_typing: true },
    ]);
    s.setTyping(false);
    expect(ws.sentOfType('typing').at(-1)).toEqual({ type: 'typing', is_typing: false });
    ws.receive({ type: 'typing', channel_id: 7, users: [{ id: 1, display_name: 'me' }, { id: 2, display_name: 'Bo' }], expires_in: 8.0 });
    expect(s.typing).toEqual([{ id: 2, display_name: 'Bo' }]);
    await vi.advanceTimersByTimeAsync(7999);
    expect(s.typing).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(s.typing).toHaveLength(0);
    s.stop();
  });

  it('marks a send as failed on a server error frame', async () => {
    const onError = vi.fn();
    const s = session(fakeApi([]), { onError });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    const ws = FakeWebSocket.last();
    ws.open();
    s.send('x');
    ws.receive({ type: 'error', detail: 'Message exceeds maximum length of 2000 characters' });
    expect(s.pending[0].failed).toMatch(/exceeds/);
    expect(onError).toHaveBeenCalled();
    s.stop();
  });

  it('shows history over HTTP while the socket cannot connect, then catches up when it does', async () => {
    const api = fakeApi([msg(1), msg(2)]);
    const s = session(api);
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeWebSocket.last().serverClose(1006);
    await vi.advanceTimersByTimeAsync(0);
    expect(s.loaded).toBe(true);
    expect(s.messages.map((m) => m.id)).toEqual([1, 2]);
    api.all.push(msg(3));
    await vi.advanceTimersByTimeAsync(100);
    const ws = FakeWebSocket.last();
    ws.open();
    ws.receive({ type: 'history', page: { items: [msg(2), msg(3)], has_more_backward: true } });
    await vi.advanceTimersByTimeAsync(0);
    expect(api.history.mock.calls.at(-1)?.[1]).toEqual({ after: 2, limit: 100 });
    expect(s.messages.map((m) => m.id)).toEqual([1, 2, 3]);
    s.stop();
  });

  it('ends the session on an auth close', async () => {
    const onAuthError = vi.fn();
    const s = session(fakeApi([]), { onAuthError });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeWebSocket.last().serverClose(1008, 'Token expired');
    expect(onAuthError).toHaveBeenCalledOnce();
  });
});
