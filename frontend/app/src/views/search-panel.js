// Search in a text channel: words and an author, newest results first, each
// with a jump to the message in the conversation.

import { h, setChildren } from '../dom.js';
import { messageCard, panelShell } from './side-panel.js';

/** @typedef {import('../messages.js').Message} Message */
/** @typedef {{ user_id: number, login: string, display_name?: string | null }} Person */

export class SearchPanel {
  /**
   * @param {{
   *   api: Pick<import('../api.js').ApiClient, 'search'>,
   *   channelId: number,
   *   limit: number,
   *   people: () => Person[],
   *   jumpTo: (id: number) => void,
   *   close: () => void,
   * }} options
   */
  constructor(options) {
    this.options = options;
    this.query = h('input', { type: 'search', class: 'search-input', name: 'query', placeholder: 'Words to find', 'aria-label': 'Words to find', autocomplete: 'off' });
    this.author = h(
      'select',
      { name: 'author', class: 'search-author', 'aria-label': 'From' },
      h('option', { value: '' }, 'From anyone'),
      [...options.people()]
        .sort((a, b) => personName(a).localeCompare(personName(b)))
        .map((p) => h('option', { value: String(p.user_id) }, `From ${personName(p)}`)),
    );
    this.form = h('form', { class: 'search-form', role: 'search', novalidate: true }, this.query, this.author, h('button', { class: 'btn btn-primary btn-small', type: 'submit' }, 'Search'));
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      void this.run();
    });
    this.status = h('p', { class: 'muted panel-status', role: 'status' }, 'Find messages in this channel by words or by who wrote them.');
    this.list = h('ol', { class: 'card-list', 'aria-label': 'Search results' });
    this.el = panelShell('Search', options.close, this.form, this.status, this.list);
    this.el.classList.add('search-panel');
  }

  load() {
    this.query.focus();
  }

  async run() {
    const query = this.query.value.trim();
    const author = this.author.value ? Number(this.author.value) : undefined;
    if (!query && author == null) {
      this.status.textContent = 'Type some words or pick a person first.';
      return;
    }
    this.status.textContent = 'Searching…';
    try {
      const found = await this.options.api.search(this.options.channelId, { query: query || undefined, author_id: author, limit: this.options.limit });
      /** @type {Message[]} */
      const results = Array.isArray(found) ? found : [];
      this.status.textContent = results.length
        ? `${results.length}${results.length >= this.options.limit ? '+' : ''} ${results.length === 1 ? 'message' : 'messages'}, newest first`
        : 'No messages match.';
      setChildren(
        this.list,
        results.map((m) => messageCard(m, [], [h('button', { class: 'link-btn', type: 'button', onclick: () => this.options.jumpTo(m.id) }, 'Jump')])),
      );
    } catch (err) {
      this.status.textContent = /** @type {Error} */ (err).message;
    }
  }
}

/** @param {Person} p */
function personName(p) {
  return (p.display_name && p.display_name.trim()) || p.login;
}
