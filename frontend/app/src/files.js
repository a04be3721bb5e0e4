// Files: uploads with progress and cancel, attachment bytes fetched with the
// session's token (they are private to a channel's readers), and avatars.

import { ApiError, formatApiError, networkErrorMessage, parseRetryAfter } from './api.js';

/**
 * @typedef {{
 *   id: number, channel_id: number, message_id?: number | null, file_name: string,
 *   content_type?: string | null, file_size: number, download_url: string,
 *   preview_url?: string | null, thumbnail_url?: string | null,
 *   width?: number | null, height?: number | null,
 * }} Attachment
 */

/**
 * "12 KB", "3.4 MB".
 * @param {number} bytes
 */
export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 10 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/**
 * The size an image is shown at in a message: its own, scaled down to fit
 * `max` (so the space is reserved before the picture arrives).
 * @param {number} width
 * @param {number} height
 * @param {number} [max]
 */
export function fitInside(width, height, max = 320) {
  if (!width || !height) return { width: max, height: max };
  const scale = Math.min(1, max / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * Uploads one file to a channel. `progress` gets the fraction sent (0–1).
 * @param {{ base: string, token: string | null, freshToken?: () => Promise<string | null> }} api
 * @param {number} channelId
 * @param {File} file
 * @param {(fraction: number) => void} progress
 * @returns {{ done: Promise<Attachment>, cancel: () => void }}
 */
export function uploadFile(api, channelId, file, progress) {
  const xhr = new XMLHttpRequest();
  let cancelled = false;
  const done = new Promise((resolve, reject) => {
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) progress(e.loaded / e.total);
    });
    xhr.addEventListener('load', () => {
      /** @type {any} */
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = xhr.responseText;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        progress(1);
        resolve(body);
      } else {
        const retryAfter = parseRetryAfter(xhr.getResponseHeader('Retry-After'));
        reject(new ApiError(formatApiError(xhr.status, body, { retryAfter }), { status: xhr.status, detail: body?.detail, retryAfter }));
      }
    });
    xhr.addEventListener('error', () => reject(new ApiError(networkErrorMessage(api.base), { network: true })));
    xhr.addEventListener('abort', () => reject(new DOMException('Upload cancelled', 'AbortError')));
    // The token may need renewing first; the request opens once it is at hand.
    bearer(api).then((token) => {
      if (cancelled) return reject(new DOMException('Upload cancelled', 'AbortError'));
      xhr.open('POST', `${api.base}/api/channels/${channelId}/attachments`);
      if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
      xhr.setRequestHeader('Accept', 'application/json');
      const form = new FormData();
      form.append('file', file, file.name);
      xhr.send(form);
    }, reject);
  });
  const cancel = () => {
    cancelled = true;
    xhr.abort();
  };
  return { done, cancel };
}

/**
 * The bearer token to send now: renewed first when the session keeps renewing tokens.
 * @param {{ token: string | null, tokens?: unknown, freshToken?: () => Promise<string | null> }} api
 * @returns {Promise<string | null>}
 */
function bearer(api) {
  return api.freshToken && api.tokens ? api.freshToken() : Promise.resolve(api.token);
}

/** Object URLs of fetched attachment bytes, by URL, shared while the page lives. */
const blobUrls = new Map();

/**
 * An object URL for a private file (thumbnail or download), fetched once with
 * the session's token.
 * @param {{ base: string, token: string | null, freshToken?: () => Promise<string | null> }} api
 * @param {string} url a server path
 * @returns {Promise<string>}
 */
export function privateFileUrl(api, url) {
  let pending = blobUrls.get(url);
  if (!pending) {
    pending = bearer(api).then((token) => fetch(`${api.base}${url}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} })).then(async (res) => {
      if (!res.ok) throw new ApiError(formatApiError(res.status, await res.json().catch(() => null)), { status: res.status });
      return URL.createObjectURL(await res.blob());
    });
    pending.catch(() => blobUrls.delete(url));
    blobUrls.set(url, pending);
  }
  return pending;
}

/**
 * Saves a private file under its name (fetched with the token, then handed
 * to the browser as a download).
 * @param {{ base: string, token: string | null, freshToken?: () => Promise<string | null> }} api
 * @param {Attachment} file
 */
export async function downloadFile(api, file) {
  const href = await privateFileUrl(api, file.download_url);
  const link = document.createElement('a');
  link.href = href;
  link.download = file.file_name;
  document.body.appendChild(link);
  link.click();
  link.remove();
}

/**
 * Sets the signed-in user's avatar; answers the new profile.
 * @param {{ request: (path: string, options?: any) => Promise<any> }} api
 * @param {Blob} picture
 */
export function uploadAvatar(api, picture) {
  const form = new FormData();
  form.append('avatar', picture, 'avatar');
  return api.request('/api/profile/avatar', { method: 'POST', form });
}

/**
 * Removes the signed-in user's avatar; answers the new profile.
 * @param {{ request: (path: string, options?: any) => Promise<any> }} api
 */
export function removeAvatar(api) {
  return api.request('/api/profile/avatar', { method: 'DELETE' });
}

/** The signed-in session's API (its base URL, and its token, read when needed). */
/** @type {{ base: string, token: string | null, freshToken?: () => Promise<string | null> }} */
let access = { base: '', token: null };

/** @param {{ base: string, token: string | null, freshToken?: () => Promise<string | null> }} api */
export function setFileAccess(api) {
  access = api;
}

/** The session's API, for views that show files. */
export function fileAccess() {
  return access;
}

/**
 * The full URL of an `avatar_url` (public), or null.
 * @param {string | null | undefined} url
 */
export function avatarSrc(url) {
  return url ? `${access.base}${url}` : null;
}
