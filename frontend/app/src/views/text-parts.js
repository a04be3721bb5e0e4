// Smaller parts of the text channel view: messages still being sent, and
// who is online in the channel.

import { h, setChildren } from '../dom.js';
import { avatar } from './avatar.js';

/**
 * @param {HTMLElement} list
 * @param {import('../text-channel.js').PendingMessage[]} pending
 * @param {{ retry: (localId: number) => void, discard: (localId: number) => void }} actions
 */
export function renderPendingList(list, pending, actions) {
  setChildren(
    list,
    pending.map((p) =>
      h(
        'li',
        { class: `msg own pending${p.failed ? ' failed' : ''}`, dataset: { localId: p.localId } },
        h('span', { class: 'avatar ghost', 'aria-hidden': 'true' }, '…'),
        h(
          'div',
          { class: 'msg-main' },
          h('div', { class: 'msg-body' }, p.content),
          p.failed
            ? h(
                'div',
                { class: 'pending-state error' },
                `Not sent: ${p.failed} `,
                h('button', { class: 'link-btn', type: 'button', onclick: () => actions.retry(p.localId) }, 'Retry'),
                ' · ',
                h('button', { class: 'link-btn', type: 'button', onclick: () => actions.discard(p.localId) }, 'Discard'),
              )
            : h('div', { class: 'pending-state' }, 'Sending…'),
        ),
      ),
    ),
  );
}

/**
 * @param {HTMLElement} head
 * @param {HTMLElement} list
 * @param {{ id: number, display_name: string, status?: string, avatar_url?: string | null }[]} users
 */
export function renderOnlineList(head, list, users) {
  head.textContent = `Online — ${users.length}`;
  setChildren(
    list,
    users.map((u) => {
      const name = u.display_name || `User ${u.id}`;
      return h(
        'li',
        { dataset: { userId: u.id } },
        avatar(name, u.avatar_url, 'small', h('span', { class: `presence ${u.status ?? 'online'}` })),
        h('span', { class: 'name' }, name),
      );
    }),
  );
}
