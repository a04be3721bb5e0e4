// Voice negotiation: offers, answers and ICE candidates from the other
// participants, applied to the peer connections of a VoiceSession.

import { shouldOffer } from './voice-config.js';

/** @typedef {import('./voice-config.js').Participant} Participant */
/** @typedef {import('./voice-config.js').Peer} Peer */

/**
 * Applies one offer, answer, candidate or bye from another participant.
 * @param {import('./voice.js').VoiceSession} session
 * @param {any} signal
 * @param {Participant} from
 */
export async function applySignal(session, signal, from) {
  const me = session.me;
  if (!me || !from || from.id === me.id) return;
  if (signal.target != null && Number(signal.target) !== me.id) return;
  const kind = signal.kind ?? signal.type;
  try {
    if (kind === 'offer' && signal.description) {
      let peer = session.peers.get(from.id);
      // Glare: the lower id is the designated offerer and ignores offers.
      if (peer && peer.initiator && shouldOffer(me.id, from.id) && peer.pc.connectionState !== 'failed') return;
      // Every offer starts a fresh connection (the offerer never renegotiates
      // an existing one), so drop whatever we had with that participant.
      if (peer) {
        session.closePeer(from.id);
        peer = undefined;
      }
      if (!peer) peer = session.createPeer(from.id, false);
      await peer.pc.setRemoteDescription(signal.description);
      await flushCandidates(peer);
      const answer = await peer.pc.createAnswer();
      await peer.pc.setLocalDescription(answer);
      session.send({ type: 'answer', target: from.id, description: peer.pc.localDescription?.toJSON() ?? answer });
    } else if (kind === 'answer' && signal.description) {
      const peer = session.peers.get(from.id);
      if (!peer || peer.pc.signalingState !== 'have-local-offer') return;
      await peer.pc.setRemoteDescription(signal.description);
      await flushCandidates(peer);
    } else if (kind === 'candidate' && signal.candidate) {
      const peer = session.peers.get(from.id);
      if (!peer) {
        const list = session.early.get(from.id) ?? [];
        if (list.length < 100) list.push(signal.candidate);
        session.early.set(from.id, list);
        return;
      }
      if (peer.pc.remoteDescription) await peer.pc.addIceCandidate(signal.candidate);
      else peer.queued.push(signal.candidate);
    } else if (kind === 'bye') {
      session.closePeer(from.id);
    }
  } catch (err) {
    session.options.onError?.(`Audio negotiation failed: ${/** @type {any} */ (err)?.message}`);
  }
}

/** @param {Peer} peer */
async function flushCandidates(peer) {
  const queued = peer.queued.splice(0);
  for (const c of queued) {
    try {
      await peer.pc.addIceCandidate(c);
    } catch {
      /* a stale candidate */
    }
  }
}
