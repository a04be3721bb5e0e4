// A person's avatar bubble: their picture when they have one, else their
// initials on a colour of their own.

import { h, hueFor, initials } from '../dom.js';
import { avatarSrc } from '../files.js';

/**
 * @param {string} name
 * @param {string | null | undefined} url the person's `avatar_url`
 * @param {string} [size] `small`, `tiny`, `large` or '' (the message size)
 * @param {...(Node | null)} extra e.g. a presence dot
 */
export function avatar(name, url, size = '', ...extra) {
  const src = avatarSrc(url);
  return h(
    'span',
    { class: `avatar${size ? ` ${size}` : ''}${src ? ' has-picture' : ''}`, style: `--hue:${hueFor(name)}`, 'aria-hidden': 'true' },
    src ? h('img', { class: 'avatar-img', src, alt: '', loading: 'lazy', decoding: 'async' }) : initials(name),
    ...extra,
  );
}
