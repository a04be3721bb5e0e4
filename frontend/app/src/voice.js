// Voice: signalling over /ws/signal/{room}, a mesh of RTCPeerConnections (one
// per other participant), mute/deafen and a speaking indicator.

import { ReconnectingSocket } from './socket.js';
import { iceServersFromConfig, iceTransportPolicy, shouldOffer } from './voice-config.js';
import { collectPeerStats, makeMeter, measureSpeaking } from './voice-media.js';
import { applySignal } from './voice-signal.js';

/** @typedef {import('./voice-config.js').Participant} Participant */
/** @typedef {import('./voice-config.js').Peer} Peer */

export class VoiceSession {
  /**
   * @param {{
   *   api: import('./api.js').ApiClient,
   *   url: () => import('./socket.js').SocketTarget | Promise<import('./socket.js').SocketTarget>,
   *   onChange?: (session: VoiceSession, what: string) => void,
   *   onAuthError?: () => void,
   *   onError?: (text: string) => void,
   * }} options
   */
  constructor(options) {
    this.options = options;
    this.api = options.api;
    /** @type {Participant | null} */
    this.me = null;
    /** @type {Participant[]} */
    this.participants = [];
    /** @type {Map<number, Peer>} */
    this.peers = new Map();
    /** @type {MediaStream | null} */
    this.localStream = null;
    this.muted = false;
    this.deafened = false;
    this.mutedBeforeDeafen = false;
    this.selfSpeaking = false;
    this.selfLastLoud = 0;
    /** @type {{ analyser: AnalyserNode, data: Float32Array<ArrayBuffer>, source: MediaStreamAudioSourceNode } | null} */
    this.selfMeter = null;
    /** @type {RTCIceServer[]} */
    this.iceServers = [];
    /** @type {RTCIceTransportPolicy} */
    this.policy = 'all';
    /** @type {AudioContext | null} */
    this.audioContext = null;
    this.status = 'idle';
    this.micError = '';
    /** @type {ReturnType<typeof setInterval> | null} */
    this.statsTimer = null;
    /** @type {ReturnType<typeof setInterval> | null} */
    this.meterTimer = null;
    /** @type {ReconnectingSocket | null} */
    this.socket = null;
    this.joined = false;
    /** @type {Promise<void>} */
    this.signalChain = Promise.resolve();
    /** Candidates that arrived before their connection existed, per sender. */
    /** @type {Map<number, RTCIceCandidateInit[]>} */
    this.early = new Map();
  }

  /** @param {string} what */
  emit(what) {
    this.options.onChange?.(this, what);
  }

  async join() {
    if (this.joined) return;
    this.joined = true;
    this.status = 'connecting';
    this.emit('status');
    this.policy = iceTransportPolicy();
    try {
      const AC = globalThis.AudioContext ?? /** @type {any} */ (globalThis).webkitAudioContext;
      if (AC) this.audioContext = new AC();
      void this.audioContext?.resume().catch(() => {});
    } catch {
      this.audioContext = null;
    }
    try {
      this.localStream = await navigator.mediaDevices.getUserMedia({
        audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
        video: false,
      });
      this.micError = '';
      this.applyMute();
      this.selfMeter = this.makeMeter(this.localStream);
    } catch (err) {
      this.localStream = null;
      this.micError = 'No microphone available: you can listen but not speak.';
      this.options.onError?.(
        `${this.micError} (${/** @type {any} */ (err)?.message || 'permission denied'})`,
      );
    }
    if (!this.joined) return this.releaseMedia();
    try {
      const config = await this.api.webrtcConfig();
      this.iceServers = iceServersFromConfig(config);
    } catch (err) {
      this.iceServers = [];
      if (/** @type {any} */ (err)?.status === 401) return;
    }
    if (!this.joined) return this.releaseMedia();
    this.socket = new ReconnectingSocket({
      url: this.options.url,
      onStatus: (status) => {
        if (status === 'open' && this.status === 'reconnecting') {
          // TURN credentials may be time-limited: fetch fresh ones after a drop.
          this.api
            .webrtcConfig()
            .then((config) => {
              const servers = iceServersFromConfig(config);
              if (servers.length) this.iceServers = servers;
            })
            .catch(() => {});
        }
        if (status === 'open') this.status = 'open';
        else if (status === 'closed') this.status = this.joined ? 'closed' : 'idle';
        else this.status = status;
        if (status !== 'open') this.closeAllPeers();
        this.emit('status');
      },
      onFrame: (frame) => this.handleFrame(frame),
      onFatal: (kind, reason) => {
        if (kind === 'auth') this.options.onAuthError?.();
        else this.options.onError?.(`Voice disconnected: ${reason}`);
      },
    });
    this.socket.start();
    this.statsTimer = setInterval(() => void this.collectStats(), 1000);
    this.meterTimer = setInterval(() => this.measure(), 120);
  }

  leave() {
    if (!this.joined) return;
    this.joined = false;
    this.socket?.close();
    this.socket = null;
    this.closeAllPeers();
    this.releaseMedia();
    if (this.statsTimer) clearInterval(this.statsTimer);
    if (this.meterTimer) clearInterval(this.meterTimer);
    this.statsTimer = null;
    this.meterTimer = null;
    this.participants = [];
    this.me = null;
    this.status = 'idle';
    this.emit('status');
  }

  releaseMedia() {
    this.localStream?.getTracks().forEach((t) => t.stop());
    this.localStream = null;
    this.selfMeter = null;
    this.selfSpeaking = false;
    void this.audioContext?.close().catch(() => {});
    this.audioContext = null;
  }

  /** @param {unknown} frame */
  send(frame) {
    return this.socket?.send(frame) ?? false;
  }

  /** @param {boolean} muted */
  setMuted(muted) {
    if (this.deafened && !muted) this.setDeafened(false);
    this.muted = muted;
    this.applyMute();
    this.send({ type: 'state', event: 'set-muted', muted });
    this.emit('self');
  }

  /** @param {boolean} deafened */
  setDeafened(deafened) {
    if (deafened === this.deafened) return;
    this.deafened = deafened;
    if (deafened) {
      this.mutedBeforeDeafen = this.muted;
      if (!this.muted) {
        this.muted = true;
        this.send({ type: 'state', event: 'set-muted', muted: true });
      }
    } else if (!this.mutedBeforeDeafen && this.muted) {
      this.muted = false;
      this.send({ type: 'state', event: 'set-muted', muted: false });
    }
    this.applyMute();
    for (const peer of this.peers.values()) if (peer.audio) peer.audio.muted = deafened;
    this.send({ type: 'state', event: 'set-deafened', deafened });
    this.emit('self');
  }

  applyMute() {
    this.localStream?.getAudioTracks().forEach((t) => {
      t.enabled = !this.muted;
    });
  }

  /** @param {any} frame */
  handleFrame(frame) {
    if (!frame || typeof frame !== 'object') return;
    if (frame.type === 'system') {
      if (frame.event === 'welcome' && frame.user) {
        this.me = frame.user;
        // Restore our own state after a reconnect.
        if (this.muted) this.send({ type: 'state', event: 'set-muted', muted: true });
        if (this.deafened) this.send({ type: 'state', event: 'set-deafened', deafened: true });
        this.emit('participants');
      } else if (frame.event === 'peer-joined' && frame.user) {
        // A new session of that user: any old connection to them is stale.
        this.closePeer(frame.user.id);
      } else if (frame.event === 'peer-left' && frame.user) {
        this.closePeer(frame.user.id);
        this.participants = this.participants.filter((p) => p.id !== frame.user.id);
        this.emit('participants');
      }
      return;
    }
    if (frame.type === 'state') {
      if (frame.event === 'participants' && Array.isArray(frame.participants)) {
        this.participants = frame.participants;
        const mine = this.me ? frame.participants.find((/** @type {Participant} */ p) => p.id === this.me?.id) : null;
        if (mine) this.me = mine;
        this.syncPeers();
        this.emit('participants');
      } else if (frame.event === 'participant-updated' && frame.participant) {
        const p = frame.participant;
        this.participants = this.participants.map((x) => (x.id === p.id ? p : x));
        if (this.me && p.id === this.me.id) this.me = p;
        this.emit('participants');
      }
      return;
    }
    if (frame.type === 'signal' && frame.signal && frame.from) {
      // One signal at a time, in arrival order (offers before their candidates).
      const { signal, from } = frame;
      this.signalChain = this.signalChain.then(() => this.handleSignal(signal, from)).catch(() => {});
      return;
    }
    if (frame.type === 'error') {
      this.options.onError?.(String(frame.detail ?? 'Voice error'));
    }
  }

  syncPeers() {
    const me = this.me;
    if (!me) return;
    const present = new Set(this.participants.map((p) => p.id));
    for (const id of [...this.peers.keys()]) if (!present.has(id)) this.closePeer(id);
    for (const p of this.participants) {
      if (p.id === me.id || this.peers.has(p.id)) continue;
      if (shouldOffer(me.id, p.id)) void this.createPeer(p.id, true);
    }
  }

  /**
   * @param {number} id
   * @param {boolean} initiator
   * @returns {Peer}
   */
  createPeer(id, initiator) {
    const pc = new RTCPeerConnection({ iceServers: this.iceServers, iceTransportPolicy: this.policy });
    /** @type {Peer} */
    const peer = {
      id,
      pc,
      initiator,
      audio: null,
      stream: null,
      queued: [],
      connectionState: pc.connectionState,
      inboundBytes: 0,
      localCandidateType: '',
      remoteCandidateType: '',
      speaking: false,
      meter: null,
      lastLoud: 0,
      restartTimer: null,
    };
    this.peers.set(id, peer);
    const early = this.early.get(id);
    if (early) {
      peer.queued.push(...early);
      this.early.delete(id);
    }
    const tracks = this.localStream?.getAudioTracks() ?? [];
    if (tracks.length && this.localStream) for (const t of tracks) pc.addTrack(t, this.localStream);
    else pc.addTransceiver('audio', { direction: 'recvonly' });

    pc.onicecandidate = (event) => {
      if (event.candidate) this.send({ type: 'candidate', target: id, candidate: event.candidate.toJSON() });
    };
    pc.ontrack = (event) => {
      const stream = event.streams[0] ?? new MediaStream([event.track]);
      peer.stream = stream;
      if (!peer.audio) {
        peer.audio = document.createElement('audio');
        peer.audio.autoplay = true;
        peer.audio.dataset.peer = String(id);
        document.getElementById('voice-audio-sink')?.append(peer.audio);
      }
      peer.audio.srcObject = stream;
      peer.audio.muted = this.deafened;
      void peer.audio.play().catch(() => {});
      peer.meter = this.makeMeter(stream);
      this.emit('peers');
    };
    pc.onconnectionstatechange = () => {
      peer.connectionState = pc.connectionState;
      if (pc.connectionState === 'failed' && peer.initiator) this.scheduleRestart(peer);
      this.emit('peers');
    };
    if (initiator) void this.makeOffer(peer);
    this.emit('peers');
    return peer;
  }

  /** @param {Peer} peer */
  async makeOffer(peer) {
    try {
      const offer = await peer.pc.createOffer();
      await peer.pc.setLocalDescription(offer);
      const description = peer.pc.localDescription?.toJSON() ?? offer;
      this.send({ type: 'offer', target: peer.id, description });
    } catch (err) {
      this.options.onError?.(`Could not start audio with a participant: ${/** @type {any} */ (err)?.message}`);
    }
  }

  /** @param {Peer} peer */
  scheduleRestart(peer) {
    if (peer.restartTimer) return;
    peer.restartTimer = setTimeout(() => {
      peer.restartTimer = null;
      if (this.peers.get(peer.id) !== peer || peer.pc.connectionState !== 'failed') return;
      // Start over with a new connection (and fresh candidates).
      this.closePeer(peer.id);
      if (this.participants.some((p) => p.id === peer.id)) this.createPeer(peer.id, true);
    }, 1500);
  }

  /**
   * @param {any} signal
   * @param {Participant} from
   */
  handleSignal(signal, from) {
    return applySignal(this, signal, from);
  }

  /** @param {number} id */
  closePeer(id) {
    this.early.delete(id);
    const peer = this.peers.get(id);
    if (!peer) return;
    this.peers.delete(id);
    if (peer.restartTimer) clearTimeout(peer.restartTimer);
    try {
      peer.pc.close();
    } catch {
      /* ignore */
    }
    try {
      peer.meter?.source.disconnect();
    } catch {
      /* ignore */
    }
    if (peer.audio) {
      peer.audio.srcObject = null;
      peer.audio.remove();
    }
    this.emit('peers');
  }

  closeAllPeers() {
    for (const id of [...this.peers.keys()]) this.closePeer(id);
  }

  /** @param {MediaStream} stream */
  makeMeter(stream) {
    return makeMeter(this.audioContext, stream);
  }

  measure() {
    if (measureSpeaking(this)) this.emit('speaking');
  }

  async collectStats() {
    if (await collectPeerStats(this.peers.values())) this.emit('stats');
  }

  /** Plain snapshot for tests and debugging (window.chargeVoice). */
  snapshot() {
    return {
      status: this.status,
      me: this.me ? this.me.id : null,
      muted: this.muted,
      deafened: this.deafened,
      policy: this.policy,
      participants: this.participants.map((p) => ({ id: p.id, name: p.displayName, muted: !!p.muted })),
      peers: [...this.peers.values()].map((p) => ({
        id: p.id,
        connectionState: p.connectionState,
        inboundBytes: p.inboundBytes,
        localCandidateType: p.localCandidateType,
        remoteCandidateType: p.remoteCandidateType,
        speaking: p.speaking,
      })),
    };
  }
}
