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
