import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReconnectingSocket, classifyClose } from '../app/src/socket.js';
import { FakeWebSocket } from './fake-socket.js';

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
});
afterEach(() => vi.useRealTimers());

/** @param {Partial<import('../app/src/socket.js').SocketOptions>} [extra] */
function make(extra = {}) {
  return new ReconnectingSocket({
    url: () => 'ws://h/ws/text/1?token=T',
    WebSocketImpl: /** @type {any} */ (FakeWebSocket),
    backoff: { base: 100, max: 1000, jitter: 0 },
    ...extra,
  });
}

describe('classifyClose', () => {
  it('knows the fatal reasons', () => {
    expect(classifyClose(1008, 'Invalid token')).toBe('auth');
    expect(classifyClose(1008, 'Token expired')).toBe('auth');
    expect(classifyClose(1008, 'Missing token')).toBe('auth');
    expect(classifyClose(1003, 'Invalid channel')).toBe('gone');
    expect(classifyClose(1008, 'Not a room member')).toBe('gone');
    expect(classifyClose(1001, 'Connection timed out due to inactivity')).toBe('retry');
    expect(classifyClose(1006, '')).toBe('retry');
    expect(classifyClose(1008, 'Too slow')).toBe('retry');
    expect(classifyClose(1008, 'Session ended')).toBe('auth');
  });
});

describe('ReconnectingSocket with a renewable token', () => {
  it('offers the token as a subprotocol, never in the URL', async () => {
    const s = make({ url: async () => ({ url: 'ws://h/ws/text/1', protocols: ['charge', 'charge.token.T'] }) });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(FakeWebSocket.last().url).toBe('ws://h/ws/text/1');
    expect(FakeWebSocket.last().protocols).toEqual(['charge', 'charge.token.T']);
    s.close();
  });

  it('renews the token once after an auth close and reconnects; gives up when renewal is refused', async () => {
    const onFatal = vi.fn();
    let renewals = 0;
    let allow = true;
    const reauthenticate = vi.fn(async () => {
      renewals += 1;
      return allow;
    });
    const s = make({ url: () => ({ url: 'ws://h/ws/text/1', protocols: ['charge', `charge.token.T${renewals}`], reauthenticate }), onFatal });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeWebSocket.last().serverClose(1008, 'Invalid token');
    await vi.advanceTimersByTimeAsync(0);
    expect(reauthenticate).toHaveBeenCalledTimes(1);
    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(FakeWebSocket.last().protocols).toEqual(['charge', 'charge.token.T1']);
    FakeWebSocket.last().open();
    allow = false;
    FakeWebSocket.last().serverClose(1008, 'Session ended');
    await vi.advanceTimersByTimeAsync(0);
    expect(reauthenticate).toHaveBeenCalledTimes(2);
    expect(onFatal).toHaveBeenCalledWith('auth', 'Session ended');
    await vi.advanceTimersByTimeAsync(5000);
    expect(FakeWebSocket.instances).toHaveLength(2);
  });
});

describe('ReconnectingSocket', () => {
  it('pings every 20 seconds while open', async () => {
    const s = make();
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    const ws = FakeWebSocket.last();
    ws.open();
    await vi.advanceTimersByTimeAsync(19999);
    expect(ws.sentOfType('ping')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(ws.sentOfType('ping')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(40000);
    expect(ws.sentOfType('ping')).toHaveLength(3);
    s.close();
  });

  it('reconnects with growing delays and resets after a healthy connection', async () => {
    /** @type {string[]} */
    const statuses = [];
    const onOpen = vi.fn();
    const s = make({ onStatus: (st) => statuses.push(st), onOpen });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeWebSocket.last().serverClose(1006);
    expect(FakeWebSocket.instances).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(FakeWebSocket.instances).toHaveLength(2);
    FakeWebSocket.last().serverClose(1006);
    await vi.advanceTimersByTimeAsync(199);
    expect(FakeWebSocket.instances).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(FakeWebSocket.instances).toHaveLength(3);
    const ws = FakeWebSocket.last();
    ws.open();
    expect(onOpen).toHaveBeenLastCalledWith(false);
    ws.receive({ type: 'presence', online: [] });
    ws.serverClose(1001, 'Server shutting down');
    await vi.advanceTimersByTimeAsync(100);
    expect(FakeWebSocket.instances).toHaveLength(4);
    FakeWebSocket.last().open();
    expect(onOpen).toHaveBeenLastCalledWith(true);
    expect(statuses).toContain('reconnecting');
    expect(s.status).toBe('open');
    s.close();
  });

  it('stops for auth failures and reports them', async () => {
    const onFatal = vi.fn();
    const s = make({ onFatal });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    FakeWebSocket.last().serverClose(1008, 'Invalid token');
    await vi.advanceTimersByTimeAsync(5000);
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(onFatal).toHaveBeenCalledWith('auth', 'Invalid token');
    expect(s.status).toBe('closed');
  });

  it('checks the session after repeated failures before opening', async () => {
    const onRepeatedFailure = vi.fn();
    const s = make({ onRepeatedFailure, failuresBeforeCheck: 2 });
    s.start();
    for (let i = 0; i < 4; i += 1) {
      await vi.advanceTimersByTimeAsync(1000);
      FakeWebSocket.last().serverClose(1006);
    }
    expect(onRepeatedFailure).toHaveBeenCalledTimes(2);
    s.close();
  });

  it('does not reconnect after close() and ignores pongs', async () => {
    const onFrame = vi.fn();
    const s = make({ onFrame });
    s.start();
    await vi.advanceTimersByTimeAsync(0);
    const ws = FakeWebSocket.last();
    ws.open();
    ws.receive({ type: 'pong' });
    ws.receive({ type: 'message', message: { id: 1 } });
    expect(onFrame).toHaveBeenCalledTimes(1);
    s.close();
    await vi.advanceTimersByTimeAsync(10000);
    expect(FakeWebSocket.instances).toHaveLength(1);
  });
});
