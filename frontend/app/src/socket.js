// A WebSocket that keeps itself connected: JSON frames, pings within the
// server's idle timeout, and reconnects with backoff after drops.

import { Backoff } from './backoff.js';

/**
 * Close reasons of moderation (decision 25), with what the client tells the
 * person who was removed.
 * @type {Record<string, string>}
 */
export const REMOVAL_WORDS = {
  'Removed from the room': 'You were removed from',
  'Banned from the room': 'You were banned from',
  'Left the room': 'You left',
  'Room deleted': 'This room was deleted:',
};

/** Close reasons after which reconnecting cannot help. */
const AUTH_REASONS = new Set(['Missing token', 'Invalid token', 'Token expired']);
const GONE_REASONS = new Set(['Invalid channel', 'Not a room member', 'Room not found', ...Object.keys(REMOVAL_WORDS)]);

/**
 * What a close means for the client.
 * @param {number} code
 * @param {string} reason
 * @returns {'auth' | 'gone' | 'retry'}
 */
export function classifyClose(code, reason) {
  if (AUTH_REASONS.has(reason)) return 'auth';
  if (GONE_REASONS.has(reason)) return 'gone';
  if (code === 1003) return 'gone';
  if (code === 4401 || code === 4403) return 'auth';
  return 'retry';
}

/** @typedef {'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed'} SocketStatus */

/**
 * @typedef {{
 *   url: () => string | Promise<string>,
 *   WebSocketImpl?: typeof WebSocket,
 *   pingInterval?: number,
 *   backoff?: import('./backoff.js').BackoffOptions,
 *   random?: () => number,
 *   onOpen?: (reconnect: boolean) => void,
 *   onFrame?: (frame: any) => void,
 *   onStatus?: (status: SocketStatus, info: { attempt: number, retryIn: number | null, reason: string }) => void,
 *   onFatal?: (kind: 'auth' | 'gone', reason: string) => void,
 *   onClose?: (code: number, reason: string) => void,
 *   failuresBeforeCheck?: number,
 *   onRepeatedFailure?: () => void,
 * }} SocketOptions
 */

export class ReconnectingSocket {
  /** @param {SocketOptions} options */
  constructor(options) {
    this.options = options;
    this.WS = options.WebSocketImpl ?? globalThis.WebSocket;
    this.pingInterval = options.pingInterval ?? 20000;
    this.backoff = new Backoff(options.backoff ?? {}, options.random);
    /** @type {WebSocket | null} */
    this.ws = null;
    /** @type {SocketStatus} */
    this.status = 'idle';
    this.stopped = false;
    this.everOpened = false;
    this.failuresWithoutOpen = 0;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.retryTimer = null;
    /** @type {ReturnType<typeof setInterval> | null} */
    this.pingTimer = null;
    this.generation = 0;
  }

  start() {
    this.stopped = false;
    void this.connect();
  }

  /**
   * @param {SocketStatus} status
   * @param {{ retryIn?: number | null, reason?: string }} [info]
   */
  setStatus(status, info = {}) {
    this.status = status;
    this.options.onStatus?.(status, {
      attempt: this.backoff.attempt,
      retryIn: info.retryIn ?? null,
      reason: info.reason ?? '',
    });
  }

  async connect() {
    if (this.stopped) return;
    this.clearTimers();
    const generation = ++this.generation;
    this.setStatus(this.everOpened || this.failuresWithoutOpen ? 'reconnecting' : 'connecting');
    let url;
    try {
      url = await this.options.url();
    } catch {
      if (generation === this.generation) this.scheduleRetry('Could not prepare the connection');
      return;
    }
    if (this.stopped || generation !== this.generation) return;
    /** @type {WebSocket} */
    let ws;
    try {
      ws = new this.WS(url);
    } catch {
      this.scheduleRetry('Could not open the connection');
      return;
    }
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      if (ws !== this.ws) return;
      opened = true;
      const reconnect = this.everOpened;
      this.everOpened = true;
      this.failuresWithoutOpen = 0;
      this.setStatus('open');
      this.pingTimer = setInterval(() => this.send({ type: 'ping' }), this.pingInterval);
      this.options.onOpen?.(reconnect);
    };
    ws.onmessage = (event) => {
      if (ws !== this.ws) return;
      let frame;
      try {
        frame = JSON.parse(typeof event.data === 'string' ? event.data : '');
      } catch {
        return;
      }
      // A connection counts as healthy once the server has said something.
      this.backoff.reset();
      if (frame && frame.type === 'pong') return;
      this.options.onFrame?.(frame);
    };
    ws.onerror = () => {
      /* a close event follows */
    };
    ws.onclose = (event) => {
      if (ws !== this.ws) return;
      this.ws = null;
      this.clearTimers();
      this.options.onClose?.(event.code, event.reason);
      if (this.stopped) {
        this.setStatus('closed');
        return;
      }
      const kind = classifyClose(event.code, event.reason || '');
      if (kind !== 'retry') {
        this.stopped = true;
        this.setStatus('closed', { reason: event.reason });
        this.options.onFatal?.(kind, event.reason || '');
        return;
      }
      if (!opened) {
        this.failuresWithoutOpen += 1;
        const limit = this.options.failuresBeforeCheck ?? 3;
        if (this.failuresWithoutOpen % limit === 0) this.options.onRepeatedFailure?.();
      }
      this.scheduleRetry(event.reason || '');
    };
  }

  /** @param {string} reason */
  scheduleRetry(reason) {
    if (this.stopped) return;
    const delay = this.backoff.next();
    this.setStatus('reconnecting', { retryIn: delay, reason });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, delay);
  }

  /** Skips the wait (e.g. the browser came back online). */
  reconnectNow() {
    if (this.stopped) return;
    if (this.status === 'open' || this.status === 'connecting') return;
    this.backoff.reset();
    void this.connect();
  }

  /**
   * Sends a JSON frame; false when not connected.
   * @param {unknown} frame
   */
  send(frame) {
    const ws = this.ws;
    if (!ws || ws.readyState !== 1) return false;
    try {
      ws.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  /** Drops the current connection; it reconnects (used by tests and "retry"). */
  drop() {
    const ws = this.ws;
    if (ws) ws.close(4000, 'Client reconnect');
  }

  clearTimers() {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.retryTimer = null;
    this.pingTimer = null;
  }

  close() {
    this.stopped = true;
    this.clearTimers();
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      try {
        ws.close(1000, 'Bye');
      } catch {
        /* ignore */
      }
    }
    this.setStatus('closed');
  }
}
