// The workspace's sign-in: the token keeper, the API client that renews its
// token through it, socket targets that carry the token in the subprotocol
// offer (never in the URL, where it would show up in logs and console
// errors), and the two ways out: signing out, and the server ending the session.

import { ApiClient } from './api.js';
import { wsBase } from './config.js';
import { goToSignIn } from './session.js';
import { TokenKeeper } from './token-keeper.js';

/**
 * @param {string} base the API's base URL
 * @param {() => void} beforeLeaving stops what must not outlive the page (voice)
 */
export function startSession(base, beforeLeaving) {
  let leaving = false;
  /** @param {string} reason */
  const leave = (reason) => {
    if (leaving) return false;
    leaving = true;
    keeper.stop();
    beforeLeaving();
    goToSignIn(reason);
    return true;
  };
  /** The server refused to renew the token: the sign-in is over. */
  const ended = () => void leave('expired');
  // Renews the access token before it expires and when it is refused.
  const keeper = new TokenKeeper({ base, onSessionOver: ended });
  keeper.start();
  const api = new ApiClient({ base, tokens: keeper, onUnauthorized: ended });
  return {
    api,
    ended,
    /**
     * Where a socket connects, with the current token.
     * @param {string} path
     * @returns {() => Promise<import('./socket.js').SocketTarget>}
     */
    socketTarget: (path) => async () => {
      const token = await keeper.fresh().catch(() => keeper.token() ?? '');
      return {
        url: `${wsBase(base)}${path}`,
        protocols: ['charge', `charge.token.${token}`],
        reauthenticate: () =>
          keeper.renew(token).then(
            () => true,
            (/** @type {any} */ err) => !err?.sessionOver,
          ),
      };
    },
    /**
     * Ends this sign-in (or every sign-in of the account) on the server, then
     * leaves for the sign-in page. Drafts stay in this browser.
     * @param {boolean} everywhere
     */
    async signOut(everywhere) {
      if (leaving) return;
      try {
        await (everywhere ? api.logoutEverywhere() : api.logout());
      } catch {
        /* signed out here anyway; the session lapses on the server */
      }
      leave('signedout');
    },
  };
}
