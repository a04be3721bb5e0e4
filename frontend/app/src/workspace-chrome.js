// Page chrome around the workspace: the phone drawer, the tab title with an
// unseen-message count, and the #/r/<room>/<channel> address.

/**
 * `#/r/<room>/<channel>`, `#/r/<room>/<channel>/m/<message>` (a message
 * link) or `#/invite/<code>`.
 * @param {string} hash
 * @returns {{ slug: string | null, channelId: number | null, messageId: number | null, invite: string | null }}
 */
export function parseHash(hash) {
  const none = { slug: null, channelId: null, messageId: null, invite: null };
  try {
    const invite = /^#\/invite\/([^/?#]+)/.exec(hash);
    if (invite) return { ...none, invite: decodeURIComponent(invite[1]) };
    const match = /^#\/r\/([^/]+)(?:\/(\d+)(?:\/m\/(\d+))?)?/.exec(hash);
    if (!match) return none;
    return { ...none, slug: decodeURIComponent(match[1]), channelId: match[2] ? Number(match[2]) : null, messageId: match[3] ? Number(match[3]) : null };
  } catch {
    return none;
  }
}

/** @param {string} slug @param {number | null} channelId */
export function hashFor(slug, channelId) {
  return `#/r/${encodeURIComponent(slug)}${channelId != null ? `/${channelId}` : ''}`;
}

/** @param {string} slug @param {number | null} channelId */
export function writeHash(slug, channelId) {
  const next = hashFor(slug, channelId);
  if (location.hash !== next) history.replaceState(null, '', next);
}

/** The sidebar as a drawer on narrow screens. */
export class Drawer {
  /** @param {HTMLElement} app @param {HTMLElement} button @param {HTMLElement} scrim */
  constructor(app, button, scrim) {
    this.app = app;
    this.button = button;
    this.scrim = scrim;
    button.addEventListener('click', () => this.set(!this.isOpen));
    scrim.addEventListener('click', () => this.set(false));
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.isOpen) this.set(false);
    });
  }

  get isOpen() {
    return this.app.dataset.drawer === 'open';
  }

  /** @param {boolean} open */
  set(open) {
    this.app.dataset.drawer = open ? 'open' : 'closed';
    this.button.setAttribute('aria-expanded', String(open));
    this.scrim.hidden = !open;
  }
}

/** The tab title, with "(3) " in front while messages arrive in a hidden tab. */
export class TitleCounter {
  constructor(doc = document) {
    this.doc = doc;
    this.base = doc.title;
    this.unseen = 0;
    doc.addEventListener('visibilitychange', () => {
      if (!doc.hidden && this.unseen) {
        this.unseen = 0;
        this.show();
      }
    });
  }

  /** @param {string} base */
  setBase(base) {
    if (base === this.base) return;
    this.base = base;
    this.show();
  }

  /** @param {number} n */
  addUnseen(n) {
    this.unseen += n;
    this.show();
  }

  show() {
    this.doc.title = this.unseen ? `(${this.unseen}) ${this.base}` : this.base;
  }
}
