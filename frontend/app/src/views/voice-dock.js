// The "in a call" dock above the user panel: where the call is, mute,
// deafen and leave.

import { h, setChildren } from '../dom.js';
import { icon } from '../icons.js';

/**
 * @param {HTMLElement} dock
 * @param {import('../state/workspace.js').WorkspaceState} state
 * @param {{ status: string, muted: boolean, deafened: boolean, setMuted: (v: boolean) => void, setDeafened: (v: boolean) => void } | null} voice
 * @param {{ leave: () => void }} actions
 */
export function renderVoiceDock(dock, state, voice, actions) {
  const where = state.voice;
  if (!where || !voice) {
    dock.hidden = true;
    setChildren(dock);
    return;
  }
  dock.hidden = false;
  const ch = state.room?.slug === where.slug ? state.room.channels.find((c) => c.id === where.channelId) : null;
  const toggle = (/** @type {boolean} */ on, /** @type {string} */ onLabel, /** @type {string} */ offLabel, /** @type {string} */ onIcon, /** @type {string} */ offIcon, /** @type {() => void} */ click) =>
    h('button', { class: 'icon-btn', type: 'button', 'aria-pressed': String(on), 'aria-label': on ? onLabel : offLabel, title: on ? onLabel : offLabel, onclick: click }, icon(on ? onIcon : offIcon));
  setChildren(
    dock,
    h(
      'div',
      { class: 'dock-info' },
      h('strong', { class: `dock-status s-${voice.status}` }, voice.status === 'open' ? 'Voice connected' : 'Voice: connecting…'),
      h('span', { class: 'muted' }, `${ch ? ch.name : 'voice'} · ${where.title}`),
    ),
    h(
      'div',
      { class: 'dock-buttons' },
      toggle(voice.muted, 'Unmute', 'Mute', 'micOff', 'mic', () => voice.setMuted(!voice.muted)),
      toggle(voice.deafened, 'Undeafen', 'Deafen', 'headphonesOff', 'headphones', () => voice.setDeafened(!voice.deafened)),
      h('button', { class: 'icon-btn danger', type: 'button', 'aria-label': 'Leave voice', title: 'Leave voice', onclick: () => actions.leave() }, icon('leave')),
    ),
  );
}

/**
 * The in-call pill of the phone layout's top bar: shown while in voice, it
 * names the channel and takes the user back to it with one tap.
 * @param {HTMLButtonElement} pill
 * @param {import('../state/workspace.js').WorkspaceState} state
 * @param {{ status: string } | null} voice
 * @param {{ back: (slug: string, channelId: number) => void }} actions
 */
export function renderCallPill(pill, state, voice, actions) {
  const where = state.voice;
  const here = !!where && state.room?.slug === where.slug && state.channelId === where.channelId;
  if (!where || !voice) {
    pill.hidden = true;
    pill.onclick = null;
    return;
  }
  const ch = state.room?.slug === where.slug ? state.room.channels.find((c) => c.id === where.channelId) : null;
  const name = ch ? ch.name : 'voice';
  pill.hidden = false;
  pill.dataset.status = voice.status;
  pill.classList.toggle('here', here);
  pill.setAttribute('aria-label', `In voice: ${name}${here ? '' : '. Go back to the call'}`);
  setChildren(pill, h('span', { class: 'call-dot', 'aria-hidden': 'true' }), icon('speaker', 14), h('span', { class: 'call-name' }, name));
  pill.onclick = () => actions.back(where.slug, where.channelId);
}
