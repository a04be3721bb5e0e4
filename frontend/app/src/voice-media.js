// Voice media helpers: microphone and peer level meters, the speaking
// indicator, connection statistics and a plain snapshot of a call.

/** @typedef {import('./voice-config.js').Peer} Peer */
/** @typedef {{ analyser: AnalyserNode, data: Float32Array<ArrayBuffer>, source: MediaStreamAudioSourceNode }} Meter */

const SPEAKING_LEVEL = 0.015;
const SPEAKING_HOLD_MS = 600;

/**
 * An analyser on a stream's audio, or null when there is no audio context or track.
 * @param {AudioContext | null} ctx
 * @param {MediaStream} stream
 * @returns {Meter | null}
 */
export function makeMeter(ctx, stream) {
  if (!ctx || !stream.getAudioTracks().length) return null;
  try {
    const source = ctx.createMediaStreamSource(stream);
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 512;
    source.connect(analyser);
    return { analyser, source, data: new Float32Array(new ArrayBuffer(analyser.fftSize * 4)) };
  } catch {
    return null;
  }
}

/** Root mean square level of the latest samples. @param {{ analyser: AnalyserNode, data: Float32Array<ArrayBuffer> }} meter */
export function meterLevel(meter) {
  meter.analyser.getFloatTimeDomainData(meter.data);
  let sum = 0;
  for (let i = 0; i < meter.data.length; i += 1) sum += meter.data[i] * meter.data[i];
  return Math.sqrt(sum / meter.data.length);
}

/**
 * Whether someone counts as speaking: loud within the hold time.
 * @param {number} lastLoud
 * @param {number} now
 */
export function stillSpeaking(lastLoud, now) {
  return now - lastLoud < SPEAKING_HOLD_MS;
}

/**
 * Updates the speaking flags of the user and of every peer.
 * @param {{ selfMeter: Meter | null, muted: boolean, selfLastLoud: number, selfSpeaking: boolean, peers: Map<number, Peer> }} session
 * @param {number} [now]
 * @returns {boolean} whether any flag changed
 */
export function measureSpeaking(session, now = Date.now()) {
  let changed = false;
  if (session.selfMeter) {
    if (!session.muted && meterLevel(session.selfMeter) > SPEAKING_LEVEL) session.selfLastLoud = now;
    const speaking = stillSpeaking(session.selfLastLoud, now);
    if (speaking !== session.selfSpeaking) {
      session.selfSpeaking = speaking;
      changed = true;
    }
  }
  for (const peer of session.peers.values()) {
    if (!peer.meter) continue;
    if (meterLevel(peer.meter) > SPEAKING_LEVEL) peer.lastLoud = now;
    const speaking = stillSpeaking(peer.lastLoud, now);
    if (speaking !== peer.speaking) {
      peer.speaking = speaking;
      changed = true;
    }
  }
  return changed;
}

/**
 * Inbound audio bytes and the selected candidate types from one stats report.
 * @param {RTCStatsReport} report
 */
export function readStats(report) {
  let bytes = 0;
  /** @type {string | null} */
  let pairId = null;
  /** @type {Map<string, any>} */
  const byId = new Map();
  report.forEach((stat) => {
    byId.set(stat.id, stat);
    if (stat.type === 'inbound-rtp' && (stat.kind === 'audio' || stat.mediaType === 'audio')) bytes += stat.bytesReceived ?? 0;
    if (stat.type === 'transport' && stat.selectedCandidatePairId) pairId = stat.selectedCandidatePairId;
  });
  let pair = pairId ? byId.get(pairId) : null;
  if (!pair) {
    report.forEach((stat) => {
      if (!pair && stat.type === 'candidate-pair' && stat.nominated && stat.state === 'succeeded') pair = stat;
    });
  }
  const local = pair ? byId.get(pair.localCandidateId) : null;
  const remote = pair ? byId.get(pair.remoteCandidateId) : null;
  return { bytes, local: local?.candidateType ?? '', remote: remote?.candidateType ?? '' };
}

/**
 * Refreshes every peer's statistics.
 * @param {Iterable<Peer>} peers
 * @returns {Promise<boolean>} whether anything changed
 */
export async function collectPeerStats(peers) {
  let changed = false;
  for (const peer of peers) {
    try {
      const { bytes, local, remote } = readStats(await peer.pc.getStats());
      if (bytes !== peer.inboundBytes || local !== peer.localCandidateType || remote !== peer.remoteCandidateType) {
        peer.inboundBytes = bytes;
        peer.localCandidateType = local;
        peer.remoteCandidateType = remote;
        changed = true;
      }
    } catch {
      /* closed meanwhile */
    }
  }
  return changed;
}
