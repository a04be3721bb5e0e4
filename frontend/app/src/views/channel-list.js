// The channel list of the open room, rendered from the workspace state, with
// the people in voice under the voice channel the user is in.

import { h, hueFor, initials, setChildren } from '../dom.js';
import { icon } from '../icons.js';
import { channelSections, isAdmin, isVoice } from '../state/workspace.js';

/** @typedef {import('../state/workspace.js').WorkspaceState} WorkspaceState */
/** @typedef {import('../state/workspace.js').Channel} Channel */
/** @typedef {import('../state/workspace.js').Category} Category */

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
 *   editChannel: (channel: Channel) => void,
 *   channelPermissions: (channel: Channel) => void,
 *   deleteChannel: (channel: Channel) => void,
 *   toggleCategory: (id: number) => void,
 *   createChannelIn: (category: Category) => void,
 *   renameCategory: (category: Category) => void,
 *   deleteCategory: (category: Category) => void,
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
 * The dot of a channel with messages the user has not seen (a brighter one
 * when they mention the user), with words for screen readers.
 * @param {'message' | 'mention' | undefined} kind
 */
export function unreadMark(kind) {
  if (!kind) return null;
  const words = kind === 'mention' ? 'mentions you' : 'unread messages';
  return h('span', { class: `unread-dot ${kind}`, title: kind === 'mention' ? 'You were mentioned' : 'Unread messages' }, h('span', { class: 'sr-only' }, `, ${words}`));
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
    {
      class: `channel-item${current ? ' active' : ''}${voiceMembers ? ' has-members' : ''}${state.unread?.[ch.id] ? ' unread' : ''}`,
      dataset: { channelId: ch.id, type: ch.type },
      draggable: isAdmin(room) ? 'true' : null,
    },
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
      unreadMark(state.unread?.[ch.id]),
      voiceCount ? h('span', { class: 'count', title: 'People in voice' }, String(voiceCount)) : null,
    ),
    isAdmin(room)
      ? h(
          'button',
          { class: 'icon-btn small channel-edit', type: 'button', 'aria-label': `Edit channel ${ch.name}`, title: 'Edit channel', onclick: () => actions.editChannel(ch) },
          icon('edit', 14),
        )
      : null,
    isAdmin(room)
      ? h(
          'button',
          {
            class: 'icon-btn small channel-permissions',
            type: 'button',
            'aria-label': `Permissions of channel ${ch.name}`,
            title: 'Channel permissions',
            onclick: () => actions.channelPermissions(ch),
          },
          icon('lock', 14),
        )
      : null,
    isAdmin(room)
      ? h(
          'button',
          { class: 'icon-btn small channel-delete', type: 'button', 'aria-label': `Delete channel ${ch.name}`, title: 'Delete channel', onclick: () => actions.deleteChannel(ch) },
          icon('x', 14),
        )
      : null,
    voiceMembers,
  );
}

/**
 * One category: a heading that collapses it, admin buttons, its channels.
 * A collapsed category still shows its open channel.
 * @param {{ category: Category, channels: Channel[] }} section
 * @param {WorkspaceState} state
 * @param {VoiceInfo | null} voice
 * @param {ChannelActions} actions
 */
export function categorySection(section, state, voice, actions) {
  const { category, channels } = section;
  const collapsed = state.collapsed.includes(category.id);
  const listId = `category-${category.id}-channels`;
  const shown = collapsed ? channels.filter((c) => c.id === state.channelId || (state.voice?.channelId === c.id && state.voice.slug === state.room?.slug)) : channels;
  const admin = isAdmin(state.room);
  return h(
    'section',
    { class: `channel-group category${collapsed ? ' collapsed' : ''}`, dataset: { categoryId: category.id } },
    h(
      'div',
      { class: 'group-head', draggable: admin ? 'true' : null, title: admin ? 'Drag to reorder' : null },
      h(
        'h3',
        null,
        h(
          'button',
          { class: 'category-toggle', type: 'button', 'aria-expanded': String(!collapsed), 'aria-controls': listId, onclick: () => actions.toggleCategory(category.id) },
          h('span', { class: 'chevron', 'aria-hidden': 'true' }, collapsed ? '▸' : '▾'),
          h('span', { class: 'category-name' }, category.name),
        ),
      ),
      admin
        ? h(
            'span',
            { class: 'category-actions' },
            h('button', { class: 'icon-btn small', type: 'button', 'aria-label': `Create a channel in ${category.name}`, title: 'Create a channel here', onclick: () => actions.createChannelIn(category) }, icon('plus', 14)),
            h('button', { class: 'icon-btn small', type: 'button', 'aria-label': `Rename category ${category.name}`, title: 'Rename category', onclick: () => actions.renameCategory(category) }, icon('edit', 14)),
            h('button', { class: 'icon-btn small', type: 'button', 'aria-label': `Delete category ${category.name}`, title: 'Delete category', onclick: () => actions.deleteCategory(category) }, icon('x', 14)),
          )
        : null,
    ),
    h(
      'ul',
      { class: 'channel-list', id: listId },
      shown.length ? shown.map((ch) => channelItem(ch, state, voice, actions)) : collapsed ? null : h('li', { class: 'empty' }, 'No channels yet'),
    ),
  );
}

/**
 * Channels outside any category go in the text and voice lists; each
 * category follows in its order.
 * @param {{ text: HTMLElement, voice: HTMLElement, categories: HTMLElement }} lists
 * @param {WorkspaceState} state
 * @param {VoiceInfo | null} voice
 * @param {ChannelActions} actions
 */
export function renderChannelList(lists, state, voice, actions) {
  const room = state.room;
  const [loose, ...categories] = channelSections(room);
  const channels = loose?.channels ?? [];
  const text = channels.filter((c) => !isVoice(c));
  const spoken = channels.filter((c) => isVoice(c));
  const item = (/** @type {Channel} */ ch) => channelItem(ch, state, voice, actions);
  // Live updates re-render the list: focus on a channel stays with it.
  const active = typeof document === 'undefined' ? null : document.activeElement;
  const focused = active?.classList.contains('channel-link') ? /** @type {HTMLElement | null} */ (active.closest('.channel-item'))?.dataset.channelId : undefined;
  setChildren(lists.text, text.length ? text.map(item) : h('li', { class: 'empty' }, room ? 'No text channels yet' : ''));
  setChildren(lists.voice, spoken.length ? spoken.map(item) : h('li', { class: 'empty' }, room ? 'No voice channels yet' : ''));
  setChildren(
    lists.categories,
    categories.map((section) => categorySection(/** @type {{ category: Category, channels: Channel[] }} */ (section), state, voice, actions)),
  );
  if (focused && active && !active.isConnected) {
    for (const list of [lists.text, lists.voice, lists.categories]) {
      const link = /** @type {HTMLElement | null} */ (list.querySelector(`.channel-item[data-channel-id="${focused}"] .channel-link`));
      if (link) {
        link.focus();
        break;
      }
    }
  }
}
