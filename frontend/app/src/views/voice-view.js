// The voice channel view: join/leave, mute, deafen, participants.

import { h, hueFor, initials, setChildren } from '../dom.js';
import { icon } from '../icons.js';

/** @typedef {import('../voice.js').VoiceSession} VoiceSession */

/**
 * @param {string} status
 */
export function voiceStatusText(status) {
  switch (status) {
    case 'open':
      return 'Voice connected';
    case 'connecting':
      return 'Connecting to voice…';
    case 'reconnecting':
      return 'Voice connection lost. Reconnecting…';
    case 'closed':
      return 'Voice disconnected';
    default:
      return 'Not connected';
  }
}

export class VoiceView {
  /**
   * @param {{
   *   channel: { id: number, name: string },
   *   roomTitle: string,
   *   getSession: () => VoiceSession | null,
   *   isHere: () => boolean,
   *   join: () => void,
   *   leave: () => void,
   * }} options
   */
  constructor(options) {
    this.options = options;
    this.channel = options.channel;
    this.titleName = h('span', { class: 'channel-name' }, options.channel.name);
    this.statusEl = h('span', { class: 'conn-pill', role: 'status' });
    this.grid = h('ul', { class: 'voice-grid', 'aria-label': 'People in voice' });
    this.note = h('p', { class: 'muted voice-note' });
    this.joinBtn = h('button', { class: 'btn btn-primary', type: 'button', id: 'voice-join', onclick: () => this.options.join() }, 'Join voice');
    this.leaveBtn = h('button', { class: 'btn btn-danger', type: 'button', id: 'voice-leave', onclick: () => this.options.leave() }, 'Leave');
    this.muteBtn = h('button', {
      class: 'btn toggle',
      type: 'button',
      id: 'voice-mute',
      'aria-pressed': 'false',
      onclick: () => {
        const s = this.options.getSession();
        if (s) s.setMuted(!s.muted);
      },
    });
    this.deafenBtn = h('button', {
      class: 'btn toggle',
      type: 'button',
      id: 'voice-deafen',
      'aria-pressed': 'false',
      onclick: () => {
        const s = this.options.getSession();
        if (s) s.setDeafened(!s.deafened);
      },
    });
    this.controls = h('div', { class: 'voice-controls', role: 'toolbar', 'aria-label': 'Voice controls' }, this.joinBtn, this.muteBtn, this.deafenBtn, this.leaveBtn);
    this.el = h(
      'div',
      { class: 'voice-view', dataset: { channelId: options.channel.id } },
      h(
        'header',
        { class: 'channel-head' },
        h('h2', { class: 'channel-title' }, h('span', { class: 'hash' }, icon('speaker', 20)), this.titleName),
        this.statusEl,
      ),
      h('div', { class: 'voice-stage' }, this.grid, this.note),
      this.controls,
    );
    this.render();
  }

  /**
   * Follows a rename of the channel.
   * @param {{ id: number, name: string }} channel
   * @param {object} [_extra]
   */
  setChannel(channel, _extra) {
    this.channel = channel;
    this.titleName.textContent = channel.name;
  }

  focus() {
    (this.joinBtn.hidden ? this.muteBtn : this.joinBtn).focus();
  }

  render() {
    const session = this.options.getSession();
    const here = this.options.isHere() && !!session;
    this.joinBtn.hidden = here;
    this.leaveBtn.hidden = !here;
    this.muteBtn.hidden = !here;
    this.deafenBtn.hidden = !here;
    const status = here && session ? session.status : 'idle';
    this.statusEl.textContent = voiceStatusText(status);
    this.statusEl.dataset.status = status;
    this.el.dataset.voiceStatus = status;
    if (!here || !session) {
      setChildren(this.grid);
      this.note.textContent = `Join to talk with everyone in voice in ${this.options.roomTitle}. Your browser will ask for the microphone.`;
      return;
    }
    this.muteBtn.textContent = session.muted ? 'Unmute' : 'Mute';
    this.muteBtn.setAttribute('aria-pressed', String(session.muted));
    this.deafenBtn.textContent = session.deafened ? 'Undeafen' : 'Deafen';
    this.deafenBtn.setAttribute('aria-pressed', String(session.deafened));
    this.note.textContent = session.micError || (session.participants.length <= 1 ? 'You are the only one here. Others will hear you when they join.' : '');

    const meId = session.me?.id;
    const list = session.participants.length ? session.participants : session.me ? [session.me] : [];
    setChildren(
      this.grid,
      list.map((p) => {
        const self = p.id === meId;
        const peer = self ? null : session.peers.get(p.id);
        const speaking = self ? session.selfSpeaking : !!peer?.speaking;
        const name = p.displayName || `User ${p.id}`;
        const state = self ? 'self' : peer?.connectionState ?? 'waiting';
        const muted = self ? session.muted : !!p.muted;
        const deafened = self ? session.deafened : !!p.deafened;
        return h(
          'li',
          {
            class: `voice-card${speaking ? ' speaking' : ''}`,
            dataset: {
              userId: p.id,
              self: self ? 'true' : null,
              speaking: String(speaking),
              peerState: state,
              inboundBytes: peer ? peer.inboundBytes : null,
              localCandidate: peer?.localCandidateType || null,
              remoteCandidate: peer?.remoteCandidateType || null,
            },
          },
          h('span', { class: 'avatar large', style: `--hue:${hueFor(name)}`, 'aria-hidden': 'true' }, initials(name)),
          h('span', { class: 'voice-name' }, name, self ? h('span', { class: 'muted' }, ' (you)') : null),
          h(
            'span',
            { class: 'voice-flags' },
            muted ? h('span', { class: 'flag' }, icon('micOff', 13), ' muted') : null,
            deafened ? h('span', { class: 'flag' }, icon('headphonesOff', 13), ' deafened') : null,
            !self ? h('span', { class: `flag link-${state}`, title: 'Audio connection' }, peerStateWords(state)) : null,
          ),
          h('span', { class: 'sr-only' }, speaking ? 'speaking' : ''),
        );
      }),
    );
  }

  destroy() {
    this.el.remove();
  }
}

/** @param {string} state */
function peerStateWords(state) {
  switch (state) {
    case 'connected':
      return 'connected';
    case 'connecting':
    case 'new':
      return 'connecting…';
    case 'waiting':
      return 'waiting…';
    case 'disconnected':
      return 'unstable';
    case 'failed':
      return 'no audio path';
    default:
      return state;
  }
}
