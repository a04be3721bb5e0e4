import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VoiceSession } from '../app/src/voice.js';
import { FakeWebSocket } from './fake-socket.js';

/** A minimal RTCPeerConnection stand-in that records what the session does. */
class FakePC {
  /** @type {FakePC[]} */
  static all = [];
  /** @param {any} config */
  constructor(config) {
    this.config = config;
    this.signalingState = 'stable';
    this.connectionState = 'new';
    /** @type {any} */
    this.localDescription = null;
    /** @type {any} */
    this.remoteDescription = null;
    /** @type {any[]} */
    this.candidates = [];
    /** @type {any[]} */
    this.tracks = [];
    this.closed = false;
    /** @type {any} */
    this.onicecandidate = null;
    FakePC.all.push(this);
  }
  /** @param {any} t */
  addTrack(t) {
    this.tracks.push(t);
  }
  addTransceiver() {}
  async createOffer() {
    return { type: 'offer', sdp: 'offer-sdp' };
  }
  async createAnswer() {
    return { type: 'answer', sdp: 'answer-sdp' };
  }
  /** @param {any} d */
  async setLocalDescription(d) {
    this.localDescription = { ...d, toJSON: () => ({ type: d.type, sdp: d.sdp }) };
    this.signalingState = d.type === 'offer' ? 'have-local-offer' : 'stable';
  }
  /** @param {any} d */
  async setRemoteDescription(d) {
    this.remoteDescription = d;
    this.signalingState = d.type === 'offer' ? 'have-remote-offer' : 'stable';
  }
  /** @param {any} c */
  async addIceCandidate(c) {
    this.candidates.push(c);
  }
  async getStats() {
    return new Map();
  }
  close() {
    this.closed = true;
    this.signalingState = 'closed';
  }
}

const track = { enabled: true, stop: vi.fn() };
const stream = { getAudioTracks: () => [track], getTracks: () => [track] };

beforeEach(() => {
  vi.useFakeTimers();
  FakeWebSocket.reset();
  FakePC.all = [];
  track.enabled = true;
  vi.stubGlobal('RTCPeerConnection', FakePC);
  vi.stubGlobal('WebSocket', FakeWebSocket);
  vi.stubGlobal('navigator', { mediaDevices: { getUserMedia: vi.fn(async () => stream) } });
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

/** @param {number} meId */
async function joined(meId) {
  const api = /** @type {any} */ ({
    webrtcConfig: vi.fn(async () => ({
      iceServers: [{ urls: ['turn:127.0.0.1:3478?transport=udp'], username: 'u', credential: 'p' }],
      stun: [],
    })),
  });
  const session = new VoiceSession({ api, url: () => 'ws://h/ws/signal/room?token=T' });
  await session.join();
  await vi.advanceTimersByTimeAsync(0);
  const ws = FakeWebSocket.last();
  ws.open();
  const me = { id: meId, displayName: `user${meId}` };
  ws.receive({ type: 'system', event: 'welcome', user: me, role: 'member' });
  return { session, ws, api };
}

/** @param {number} id */
const p = (id) => ({ id, displayName: `user${id}`, muted: false, deafened: false });

describe('VoiceSession signalling', () => {
  it('offers to every participant with a higher id, targeted, with the TURN servers', async () => {
    const { session, ws } = await joined(1);
    ws.receive({ type: 'state', event: 'participants', participants: [p(1), p(2), p(3)] });
    await vi.advanceTimersByTimeAsync(0);
    const offers = ws.sentOfType('offer');
    expect(offers.map((o) => o.target).sort()).toEqual([2, 3]);
    expect(offers[0].description).toEqual({ type: 'offer', sdp: 'offer-sdp' });
    expect(FakePC.all[0].config.iceServers[0].credential).toBe('p');
    expect(FakePC.all[0].tracks).toEqual([track]);
    session.leave();
  });

  it('waits for the lower id to offer, then answers only to them', async () => {
    const { session, ws } = await joined(5);
    ws.receive({ type: 'state', event: 'participants', participants: [p(2), p(5)] });
    await vi.advanceTimersByTimeAsync(0);
    expect(ws.sentOfType('offer')).toHaveLength(0);
    // A candidate that arrives before the offer is kept for later.
    ws.receive({ type: 'signal', signal: { kind: 'candidate', target: 5, candidate: { candidate: 'c1' } }, from: p(2) });
    ws.receive({ type: 'signal', signal: { kind: 'offer', target: 5, description: { type: 'offer', sdp: 'x' } }, from: p(2) });
    await vi.advanceTimersByTimeAsync(0);
    ws.receive({ type: 'signal', signal: { kind: 'candidate', target: 5, candidate: { candidate: 'c2' } }, from: p(2) });
    await vi.advanceTimersByTimeAsync(0);
    const answers = ws.sentOfType('answer');
    expect(answers).toHaveLength(1);
    expect(answers[0].target).toBe(2);
    expect(FakePC.all).toHaveLength(1);
    expect(FakePC.all[0].candidates.map((c) => c.candidate)).toEqual(['c1', 'c2']);
    session.leave();
  });

  it('ignores signals meant for someone else', async () => {
    const { session, ws } = await joined(5);
    ws.receive({ type: 'signal', signal: { kind: 'offer', target: 9, description: { type: 'offer', sdp: 'x' } }, from: p(2) });
    await vi.advanceTimersByTimeAsync(0);
    expect(FakePC.all).toHaveLength(0);
    expect(ws.sentOfType('answer')).toHaveLength(0);
    session.leave();
  });

  it('applies the answer and closes the connection when the peer leaves', async () => {
    const { session, ws } = await joined(1);
    ws.receive({ type: 'state', event: 'participants', participants: [p(1), p(2)] });
    await vi.advanceTimersByTimeAsync(0);
    ws.receive({ type: 'signal', signal: { kind: 'answer', target: 1, description: { type: 'answer', sdp: 'a' } }, from: p(2) });
    await vi.advanceTimersByTimeAsync(0);
    expect(FakePC.all[0].remoteDescription).toEqual({ type: 'answer', sdp: 'a' });
    ws.receive({ type: 'system', event: 'peer-left', user: p(2) });
    expect(FakePC.all[0].closed).toBe(true);
    expect(session.peers.size).toBe(0);
    session.leave();
  });

  it('sends mute and deafen as state events and mutes the microphone track', async () => {
    const { session, ws } = await joined(1);
    session.setMuted(true);
    expect(track.enabled).toBe(false);
    expect(ws.sentOfType('state').at(-1)).toEqual({ type: 'state', event: 'set-muted', muted: true });
    session.setMuted(false);
    session.setDeafened(true);
    expect(session.muted).toBe(true);
    expect(ws.sentOfType('state').slice(-2)).toEqual([
      { type: 'state', event: 'set-muted', muted: true },
      { type: 'state', event: 'set-deafened', deafened: true },
    ]);
    session.setDeafened(false);
    expect(session.muted).toBe(false);
    expect(track.enabled).toBe(true);
    session.leave();
    expect(track.stop).toHaveBeenCalled();
  });

  it('starts over with every peer after the signalling socket reconnects', async () => {
    const { session, ws } = await joined(1);
    ws.receive({ type: 'state', event: 'participants', participants: [p(1), p(2)] });
    await vi.advanceTimersByTimeAsync(0);
    ws.serverClose(1006);
    expect(FakePC.all[0].closed).toBe(true);
    await vi.advanceTimersByTimeAsync(1000);
    const ws2 = FakeWebSocket.last();
    expect(ws2).not.toBe(ws);
    ws2.open();
    ws2.receive({ type: 'system', event: 'welcome', user: p(1) });
    ws2.receive({ type: 'state', event: 'participants', participants: [p(1), p(2)] });
    await vi.advanceTimersByTimeAsync(0);
    expect(ws2.sentOfType('offer')).toHaveLength(1);
    expect(FakePC.all).toHaveLength(2);
    session.leave();
  });
});
