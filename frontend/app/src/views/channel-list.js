// The channel list of the open room, rendered from the workspace state, with
// the people in voice under the voice channel the user is in.

import { h, hueFor, initials, setChildren } from '../dom.js';
import { icon } from '../icons.js';
import { isAdmin, isVoice, orderedChannels } from '../state/workspace.js';

/** @typedef {import('../state/workspace.js').WorkspaceState} WorkspaceState */
/** @typedef {import('../state/workspace.js').Channel} Channel */

/**
 * What the channel list needs to know about a voice call.
 * @typedef {{
 *   participants: { id: number, displayName: string, muted?: boolean, deafened?: boolean }[],
 *   me: { id: number } | null,
 *   selfSpeaking: boolean,
 *   peers: Map<number, { speaking: boolean }>,
 * }} VoiceInfo
 */

/**
 * @typedef {{
 *   openChannel: (id: number) => void,
 *   deleteChannel: (channel: Channel) => void,
 * }} ChannelActions
 */

/**
 * People in voice, shown under the voice channel.
 * @param {VoiceInfo} voice
 */
export function voiceMemberList(voice) {
  const meVoiceId = voice.me?.id;
  return h(
    'ul',
    { class: 'voice-members', 'aria-label': 'In voice' },
    voice.participants.map((p) => {
      const name = p.displayName || `User ${p.id}`;
      const speaking = p.id === meVoiceId ? voice.selfSpeaking : !!voice.peers.get(p.id)?.speaking;
      return h(
        'li',
        { class: speaking ? 'speaking' : '' },
        h('span', { class: 'avatar tiny', style: `--hue:${hueFor(name)}`, 'aria-hidden': 'true' }, initials(name)),
        h('span', { class: 'name' }, name),
        p.muted ? icon('micOff', 13) : null,
        p.deafened ? icon('headphonesOff', 13) : null,
      );
    }),
  );
}

/**
 * One channel row.
 * @param {Channel} ch
 * @param {WorkspaceState} state
 * @param {VoiceInfo | null} voice the call the user is in, if any
 * @param {ChannelActions} actions
 */
export function channelItem(ch, state, voice, actions) {
  const room = state.room;
  const voiceChannel = isVoice(ch);
  const current = ch.id === state.channelId;
  const inVoiceHere = voiceChannel && !!voice && state.voice?.channelId === ch.id && state.voice.slug === room?.slug;
  const voiceCount = inVoiceHere && voice ? voice.participants.length : 0;
  const voiceMembers = inVoiceHere && voice ? voiceMemberList(voice) : null;
  return h(
    'li',
    { class: `channel-item${current ? ' active' : ''}${voiceMembers ? ' has-members' : ''}`, dataset: { channelId: ch.id, type: ch.type } },
    h(
      'a',
      {
        class: 'channel-link',
        href: `#/r/${encodeURIComponent(room?.slug ?? '')}/${ch.id}`,
        'aria-current': current ? 'page' : null,
        onclick: (/** @type {MouseEvent} */ e) => {
          e.preventDefault();
          actions.openChannel(ch.id);
        },
      },
      h('span', { class: 'channel-icon', 'aria-hidden': 'true' }, icon(voiceChannel ? 'speaker' : 'hash', 16)),
      h('span', { class: 'channel-name' }, ch.name),
      voiceCount ? h('span', { class: 'count', title: 'People in voice' }, String(voiceCount)) : null,
    ),
    isAdmin(room)
      ? h(
          'button',
          {
            class: 'icon-btn small channel-delete',
            type: 'button',
            'aria-label': `Delete channel ${ch.name}`,
            title: 'Delete channel',
            onclick: () => actions.deleteChannel(ch),
          },
          icon('x', 14),
        )
      : null,
    voiceMembers,
  );
}

/**
 * @param {{ text: HTMLElement, voice: HTMLElement }} lists
 * @param {WorkspaceState} state
 * @param {VoiceInfo | null} voice
 * @param {ChannelActions} actions
 */
export function renderChannelList(lists, state, voice, actions) {
  const room = state.room;
  const channels = orderedChannels(room);
  const text = channels.filter((c) => !isVoice(c));
  const spoken = channels.filter((c) => isVoice(c));
  const item = (/** @type {Channel} */ ch) => channelItem(ch, state, voice, actions);
  setChildren(lists.text, text.length ? text.map(item) : h('li', { class: 'empty' }, room ? 'No text channels yet' : ''));
  setChildren(lists.voice, spoken.length ? spoken.map(item) : h('li', { class: 'empty' }, room ? 'No voice channels yet' : ''));
}
