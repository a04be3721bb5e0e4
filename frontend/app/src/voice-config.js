// Voice settings and shared types: who offers, ICE servers from the server's
// configuration, the ICE transport policy.

export const STORAGE_ICE_POLICY = 'charge.voice.iceTransportPolicy';

/**
 * Deterministic choice of who makes the offer between two participants, so
 * both sides never offer at once: the lower user id offers.
 * @param {number} meId
 * @param {number} peerId
 */
export function shouldOffer(meId, peerId) {
  return meId < peerId;
}

/**
 * ICE servers from /api/config/webrtc: `iceServers` de-duplicated (by URL
 * list and credentials); when empty, the plain STUN list.
 * @param {any} config
 * @returns {RTCIceServer[]}
 */
export function iceServersFromConfig(config) {
  /** @type {RTCIceServer[]} */
  const out = [];
  const seen = new Set();
  /** @param {any} entry */
  const add = (entry) => {
    if (!entry) return;
    const urls = (Array.isArray(entry.urls) ? entry.urls : [entry.urls]).filter(
      (/** @type {unknown} */ u) => typeof u === 'string' && u.trim(),
    );
    if (!urls.length) return;
    /** @type {RTCIceServer} */
    const server = { urls };
    if (entry.username != null) server.username = String(entry.username);
    if (entry.credential != null) server.credential = String(entry.credential);
    const key = JSON.stringify([urls, server.username ?? null, server.credential ?? null]);
    if (seen.has(key)) return;
    seen.add(key);
    out.push(server);
  };
  const list = config && Array.isArray(config.iceServers) ? config.iceServers : [];
  list.forEach(add);
  if (!out.length && config && Array.isArray(config.stun) && config.stun.length) add({ urls: config.stun });
  return out;
}

/**
 * The ICE transport policy: 'relay' forces TURN (set in localStorage, mainly
 * for testing the TURN path), otherwise 'all'.
 * @returns {RTCIceTransportPolicy}
 */
export function iceTransportPolicy() {
  try {
    return globalThis.localStorage?.getItem(STORAGE_ICE_POLICY) === 'relay' ? 'relay' : 'all';
  } catch {
    return 'all';
  }
}

/**
 * @typedef {{
 *   id: number,
 *   displayName: string,
 *   role?: string,
 *   muted?: boolean,
 *   deafened?: boolean,
 *   [key: string]: unknown,
 * }} Participant
 */

/**
 * @typedef {{
 *   id: number,
 *   pc: RTCPeerConnection,
 *   initiator: boolean,
 *   audio: HTMLAudioElement | null,
 *   stream: MediaStream | null,
 *   queued: RTCIceCandidateInit[],
 *   connectionState: string,
 *   inboundBytes: number,
 *   localCandidateType: string,
 *   remoteCandidateType: string,
 *   speaking: boolean,
 *   meter: { analyser: AnalyserNode, data: Float32Array<ArrayBuffer>, source: MediaStreamAudioSourceNode } | null,
 *   lastLoud: number,
 *   restartTimer: ReturnType<typeof setTimeout> | null,
 * }} Peer
 */
