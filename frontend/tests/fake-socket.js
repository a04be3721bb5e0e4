// A scriptable WebSocket stand-in for unit tests.
export class FakeWebSocket {
  /** @type {FakeWebSocket[]} */
  static instances = [];
  static reset() {
    FakeWebSocket.instances = [];
  }
  static last() {
    return FakeWebSocket.instances[FakeWebSocket.instances.length - 1];
  }
  /** @param {string} url @param {string[]} [protocols] */
  constructor(url, protocols) {
    this.url = url;
    this.protocols = protocols;
    this.readyState = 0;
    /** @type {any[]} */
    this.sent = [];
    /** @type {((e?: any) => void) | null} */
    this.onopen = null;
    /** @type {((e: any) => void) | null} */
    this.onmessage = null;
    /** @type {((e: any) => void) | null} */
    this.onclose = null;
    /** @type {((e?: any) => void) | null} */
    this.onerror = null;
    FakeWebSocket.instances.push(this);
  }
  /** @param {string} data */
  send(data) {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(JSON.parse(data));
  }
  close(code = 1000, reason = '') {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  // ---- server side
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  /** @param {any} frame */
  receive(frame) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  /** @param {number} code @param {string} [reason] */
  serverClose(code, reason = '') {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  /** @param {string} type */
  sentOfType(type) {
    return this.sent.filter((f) => f.type === type);
  }
}
