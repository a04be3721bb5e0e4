// What the channel area shows when no channel is open: a welcome for new
// users, an empty room, loading, or a failure with a way to try again.

import { h } from '../dom.js';
import { isAdmin } from '../state/workspace.js';

/**
 * @param {import('../state/workspace.js').WorkspaceState} state
 * @param {{ createRoom: () => void, join: () => void, createChannel: (type: 'text' | 'voice') => void }} actions
 */
export function emptyView(state, actions) {
  const room = state.room;
  /** @type {(Node | null)[]} */
  let content;
  if (state.roomsLoaded && !state.rooms.length) {
    content = [
      h('h2', null, 'Welcome to Charge'),
      h('p', { class: 'muted' }, 'Create a room for your community, or join one with an invitation code.'),
      h(
        'div',
        { class: 'row center' },
        h('button', { class: 'btn btn-primary', type: 'button', onclick: () => actions.createRoom() }, 'Create a room'),
        h('button', { class: 'btn', type: 'button', onclick: () => actions.join() }, 'Join with a code'),
      ),
    ];
  } else if (room) {
    content = [
      h('h2', null, room.title),
      h('p', { class: 'muted' }, isAdmin(room) ? 'This room has no channels yet. Create the first one.' : 'Pick a channel on the left.'),
      isAdmin(room)
        ? h('div', { class: 'row center' }, h('button', { class: 'btn btn-primary', type: 'button', onclick: () => actions.createChannel('text') }, 'Create a text channel'))
        : null,
    ];
  } else {
    content = [h('p', { class: 'muted' }, 'Loading…')];
  }
  return h('div', { class: 'empty-view' }, content);
}

/**
 * @param {string} title
 * @param {string} detail
 * @param {() => void} retry
 */
export function failureView(title, detail, retry) {
  return h(
    'div',
    { class: 'empty-view' },
    h('h2', null, title),
    h('p', { class: 'muted' }, detail),
    h('button', { class: 'btn btn-primary', type: 'button', onclick: () => retry() }, 'Try again'),
  );
}
