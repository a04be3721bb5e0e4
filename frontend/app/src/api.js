// HTTP client for the Charge API and the plain-words error messages shown to users.

export class ApiError extends Error {
  /**
   * @param {string} message
   * @param {{ status?: number, detail?: unknown, retryAfter?: number | null, network?: boolean }} [info]
   */
  constructor(message, info = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = info.status ?? 0;
    this.detail = info.detail;
    this.retryAfter = info.retryAfter ?? null;
    this.network = info.network ?? false;
  }
}

/** Field names as people read them. */
const FIELD_WORDS = /** @type {Record<string, string>} */ ({
  login: 'Username',
  password: 'Password',
  display_name: 'Display name',
  title: 'Name',
  name: 'Name',
  type: 'Type',
  role: 'Role',
  content: 'Message',
});

/**
 * @param {unknown[]} loc
 */
function fieldLabel(loc) {
  const parts = loc.filter((p) => p !== 'body' && p !== 'query' && p !== 'path');
  if (!parts.length) return '';
  const last = String(parts[parts.length - 1]);
  if (FIELD_WORDS[last]) return FIELD_WORDS[last];
  const words = last.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * Rewrites the validator's wording into something friendlier, without losing information.
 * @param {string} msg
 */
function friendlyMsg(msg) {
  const text = msg.replace(/^Value error,\s*/i, '');
  let m = /^String should have at least (\d+) characters?$/.exec(text);
  if (m) return `must be at least ${m[1]} character${m[1] === '1' ? '' : 's'} long`;
  m = /^String should have at most (\d+) characters?$/.exec(text);
  if (m) return `must be at most ${m[1]} characters long`;
  if (/^Field required$/i.test(text)) return 'is required';
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/**
 * Parses a Retry-After header (seconds or an HTTP date) into whole seconds.
 * @param {string | null | undefined} value
 * @param {number} [now]
 * @returns {number | null}
 */
export function parseRetryAfter(value, now = Date.now()) {
  if (value == null || value === '') return null;
  const trimmed = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.max(0, Math.ceil(Number(trimmed)));
  const when = Date.parse(trimmed);
  if (Number.isNaN(when)) return null;
  return Math.max(0, Math.ceil((when - now) / 1000));
}

/**
 * Turns an error response into one sentence for people.
 * @param {number} status
 * @param {unknown} body parsed JSON body, or a string, or null
 * @param {{ retryAfter?: number | null }} [extra]
 * @returns {string}
 */
export function formatApiError(status, body, extra = {}) {
  const detail = body && typeof body === 'object' ? /** @type {any} */ (body).detail : undefined;

  if (status === 429) {
    const secs = extra.retryAfter;
    const base = typeof detail === 'string' && detail ? detail.replace(/\.?$/, '.') : 'Too many attempts.';
    if (secs != null) return `${base} Try again in ${secs} second${secs === 1 ? '' : 's'}.`;
    return `${base} Try again in a moment.`;
  }

  if (typeof detail === 'string' && detail.trim()) return detail.trim();

  if (Array.isArray(detail) && detail.length) {
    const parts = detail.map((item) => {
      if (!item || typeof item !== 'object') return String(item);
      const loc = Array.isArray(item.loc) ? item.loc : [];
      const label = fieldLabel(loc);
      const msg = typeof item.msg === 'string' ? item.msg : 'is not valid';
      if (item.type === 'json_invalid') return 'The request was not valid JSON';
      return label ? `${label} ${friendlyMsg(msg)}` : msg.replace(/^Value error,\s*/i, '');
    });
    const unique = [...new Set(parts)];
    return unique.map((p) => p.replace(/\.?$/, '.')).join(' ');
  }

  if (detail && typeof detail === 'object') {
    try {
      return JSON.stringify(detail);
    } catch {
      /* fall through */
    }
  }

  if (status === 401) return 'Your session has ended. Please sign in again.';
  if (status === 403) return 'You do not have permission to do that.';
  if (status === 404) return 'Not found.';
  if (status === 413) return 'That is too large.';
  if (status === 503) return 'The service is temporarily unavailable. Try again shortly.';
  if (status >= 500) return `The server had a problem (${status}). Try again later.`;
  if (typeof body === 'string' && body.trim() && body.length < 200) return body.trim();
  return `Request failed (${status}).`;
}

/**
 * Message for a request that never got an answer.
 * @param {string} base
 */
export function networkErrorMessage(base) {
  return `Cannot reach the server at ${base}. Check that it is running and that the API address is right.`;
}

/**
 * @typedef {{
 *   method?: string,
 *   body?: unknown,
 *   form?: FormData,
 *   token?: string | null,
 *   signal?: AbortSignal,
 * }} RequestOptions
 */

export class ApiClient {
  /**
   * @param {{ base: string, token?: string | null, fetchImpl?: typeof fetch, onUnauthorized?: (err: ApiError) => void }} options
   */
  constructor(options) {
    this.base = options.base;
    this.token = options.token ?? null;
    this.fetchImpl = options.fetchImpl ?? ((input, init) => fetch(input, init));
    this.onUnauthorized = options.onUnauthorized ?? null;
  }

  /**
   * @param {string} path
   * @param {RequestOptions} [options]
   * @returns {Promise<any>}
   */
  async request(path, options = {}) {
    /** @type {Record<string, string>} */
    const headers = { Accept: 'application/json' };
    const token = options.token !== undefined ? options.token : this.token;
    if (token) headers.Authorization = `Bearer ${token}`;
    /** @type {BodyInit | undefined} */
    let body;
    if (options.form) body = options.form;
    else if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    let response;
    try {
      response = await this.fetchImpl(`${this.base}${path}`, {
        method: options.method ?? (body ? 'POST' : 'GET'),
        headers,
        body,
        signal: options.signal,
      });
    } catch (err) {
      if (err && /** @type {any} */ (err).name === 'AbortError') throw err;
      throw new ApiError(networkErrorMessage(this.base), { network: true });
    }
    const text = await response.text();
    /** @type {unknown} */
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = text;
      }
    }
    if (!response.ok) {
      const retryAfter = parseRetryAfter(response.headers.get('Retry-After'));
      const error = new ApiError(formatApiError(response.status, data, { retryAfter }), {
        status: response.status,
        detail: data && typeof data === 'object' ? /** @type {any} */ (data).detail : data,
        retryAfter,
      });
      if (response.status === 401 && token && this.onUnauthorized) this.onUnauthorized(error);
      throw error;
    }
    return data;
  }

  // ---- auth
  /** @param {{ login: string, password: string, display_name?: string }} body */
  register(body) {
    return this.request('/api/auth/register', { method: 'POST', body, token: null });
  }
  /** @param {{ login: string, password: string }} body */
  login(body) {
    return this.request('/api/auth/login', { method: 'POST', body, token: null });
  }

  // ---- rooms
  listRooms() {
    return this.request('/api/rooms');
  }
  /** @param {string} title */
  createRoom(title) {
    return this.request('/api/rooms', { method: 'POST', body: { title } });
  }
  /** @param {string} slug */
  getRoom(slug) {
    return this.request(`/api/rooms/${encodeURIComponent(slug)}`);
  }
  /** @param {string} slug @param {{ name: string, type: string, category_id?: number | null }} body */
  createChannel(slug, body) {
    return this.request(`/api/rooms/${encodeURIComponent(slug)}/channels`, { method: 'POST', body });
  }
  /** @param {string} slug @param {string} letter */
  deleteChannel(slug, letter) {
    return this.request(`/api/rooms/${encodeURIComponent(slug)}/channels/${encodeURIComponent(letter)}`, {
      method: 'DELETE',
    });
  }
  /** @param {number} id @param {{ name?: string, category_id?: number | null }} body */
  updateChannel(id, body) {
    return this.request(`/api/channels/${id}`, { method: 'PATCH', body });
  }
  /** @param {string} slug @param {{ id: number, category_id: number | null, position: number }[]} channels */
  reorderChannels(slug, channels) {
    return this.request(`/api/rooms/${encodeURIComponent(slug)}/channels/reorder`, { method: 'POST', body: { channels } });
  }
  /** @param {string} slug @param {{ id: number, position: number }[]} categories */
  reorderCategories(slug, categories) {
    return this.request(`/api/rooms/${encodeURIComponent(slug)}/categories/reorder`, { method: 'POST', body: { categories } });
  }
  /** @param {string} slug @param {{ name: string, position?: number }} body */
  createCategory(slug, body) {
    return this.request(`/api/rooms/${encodeURIComponent(slug)}/categories`, { method: 'POST', body });
  }
  /** @param {string} slug @param {number} id @param {{ name?: string, position?: number }} body */
  updateCategory(slug, id, body) {
    return this.request(`/api/rooms/${encodeURIComponent(slug)}/categories/${id}`, { method: 'PATCH', body });
  }
  /** @param {string} slug @param {number} id */
  deleteCategory(slug, id) {
    return this.request(`/api/rooms/${encodeURIComponent(slug)}/categories/${id}`, { method: 'DELETE' });
  }
  /** @param {string} slug @param {number} userId @param {string} role */
  setMemberRole(slug, userId, role) {
    return this.request(`/api/rooms/${encodeURIComponent(slug)}/members/${userId}`, { method: 'PATCH', body: { role } });
  }
  /** @param {string} slug @param {string} role @param {string | null} [expiresAt] */
  createInvitation(slug, role, expiresAt = null) {
    return this.request(`/api/rooms/${encodeURIComponent(slug)}/invitations`, { method: 'POST', body: { role, expires_at: expiresAt } });
  }
  /** @param {string} slug */
  listInvitations(slug) {
    return this.request(`/api/rooms/${encodeURIComponent(slug)}/invitations`);
  }
  /** @param {string} slug @param {number} id */
  deleteInvitation(slug, id) {
    return this.request(`/api/rooms/${encodeURIComponent(slug)}/invitations/${id}`, { method: 'DELETE' });
  }
  /** @param {string} code */
  acceptInvite(code) {
    return this.request(`/api/invites/${encodeURIComponent(code)}`, { method: 'POST' });
  }

  // ---- permissions (decision 24)
  /** @param {number} channelId */
  channelPermissions(channelId) {
    return this.request(`/api/channels/${channelId}/permissions`);
  }
  /**
   * @param {number} channelId
   * @param {'roles' | 'users'} kind
   * @param {string | number} target a role name or a user id
   * @param {{ allow: string[], deny: string[] }} body
   */
  setOverwrite(channelId, kind, target, body) {
    return this.request(`/api/channels/${channelId}/permissions/${kind}/${encodeURIComponent(String(target))}`, { method: 'PUT', body });
  }
  /** @param {number} channelId @param {'roles' | 'users'} kind @param {string | number} target */
  clearOverwrite(channelId, kind, target) {
    return this.request(`/api/channels/${channelId}/permissions/${kind}/${encodeURIComponent(String(target))}`, { method: 'DELETE' });
  }
  /** @param {string} slug */
  roleHierarchy(slug) {
    return this.request(`/api/rooms/${encodeURIComponent(slug)}/roles/hierarchy`);
  }
  /** @param {string} slug @param {string} role @param {number} level */
  setRoleLevel(slug, role, level) {
    return this.request(`/api/rooms/${encodeURIComponent(slug)}/roles/hierarchy/${encodeURIComponent(role)}`, { method: 'PATCH', body: { level } });
  }

  // ---- messages
  /**
   * @param {number} channelId
   * @param {{ before?: number, after?: number, limit?: number }} [query]
   */
  history(channelId, query = {}) {
    const params = new URLSearchParams();
    if (query.before != null) params.set('before', String(query.before));
    if (query.after != null) params.set('after', String(query.after));
    if (query.limit != null) params.set('limit', String(query.limit));
    const qs = params.toString();
    return this.request(`/api/channels/${channelId}/history${qs ? `?${qs}` : ''}`);
  }
  /**
   * @param {number} channelId @param {string} content @param {number | null} [parentId]
   * @param {string} [nonce] the same on every retry of one message, so a resend is never stored twice
   */
  postMessage(channelId, content, parentId, nonce) {
    const form = new FormData();
    form.set('channel_id', String(channelId));
    form.set('content', content);
    if (parentId != null) form.set('parent_id', String(parentId));
    if (nonce) form.set('nonce', nonce);
    return this.request('/api/messages', { method: 'POST', form });
  }
  /** The caller's unread and mention counts in every room. */
  readStates() {
    return this.request('/api/read-states');
  }
  /** Marks a channel read up to `messageId` (its newest when null). @param {number} channelId @param {number | null} messageId */
  markRead(channelId, messageId) {
    return this.request(`/api/channels/${channelId}/read`, { method: 'POST', body: { message_id: messageId } });
  }
  /** @param {number} channelId */
  pins(channelId) {
    return this.request(`/api/channels/${channelId}/pins`);
  }
  /** @param {number} channelId @param {number} messageId @param {string | null} note */
  pin(channelId, messageId, note) {
    return this.request(`/api/channels/${channelId}/pins/${messageId}`, { method: 'POST', body: { note } });
  }
  /** @param {number} channelId @param {number} messageId */
  unpin(channelId, messageId) {
    return this.request(`/api/channels/${channelId}/pins/${messageId}`, { method: 'DELETE' });
  }
  /** @param {number} channelId @param {number} messageId */
  thread(channelId, messageId) {
    return this.request(`/api/channels/${channelId}/threads/${messageId}`);
  }
  /**
   * @param {number} channelId
   * @param {{ query?: string, author_id?: number, limit?: number }} filters
   */
  search(channelId, filters) {
    const params = new URLSearchParams();
    if (filters.query) params.set('query', filters.query);
    if (filters.author_id != null) params.set('author_id', String(filters.author_id));
    if (filters.limit != null) params.set('limit', String(filters.limit));
    return this.request(`/api/channels/${channelId}/search?${params}`);
  }
  /** @param {number} id @param {string} content */
  editMessage(id, content) {
    return this.request(`/api/messages/${id}`, { method: 'PATCH', body: { content } });
  }
  /** @param {number} id */
  deleteMessage(id) {
    return this.request(`/api/messages/${id}`, { method: 'DELETE' });
  }

  // ---- configuration and profile
  limits() {
    return this.request('/api/config/limits', { token: null });
  }
  profile() {
    return this.request('/api/profile/me');
  }
  /** @param {{ display_name?: string, status?: string }} body */
  updateProfile(body) {
    return this.request('/api/profile', { method: 'PATCH', body });
  }

  // ---- voice
  webrtcConfig() {
    return this.request('/api/config/webrtc');
  }

  // ---- moderation (decision 25)
  /** @param {string} slug @param {number} userId */
  kickMember(slug, userId) {
    return this.request(`${roomPath(slug)}/members/${userId}`, { method: 'DELETE' });
  }
  /** @param {string} slug */
  leaveRoom(slug) {
    return this.request(`${roomPath(slug)}/leave`, { method: 'POST' });
  }
  /** @param {string} slug */
  listBans(slug) {
    return this.request(`${roomPath(slug)}/bans`);
  }
  /** @param {string} slug @param {number} userId @param {string | null} reason */
  banUser(slug, userId, reason) {
    return this.request(`${roomPath(slug)}/bans/${userId}`, { method: 'PUT', body: { reason } });
  }
  /** @param {string} slug @param {number} userId */
  unbanUser(slug, userId) {
    return this.request(`${roomPath(slug)}/bans/${userId}`, { method: 'DELETE' });
  }
  /** @param {string} slug @param {number} userId @param {string | null} until RFC 3339, or null to lift */
  timeoutMember(slug, userId, until) {
    return this.request(`${roomPath(slug)}/members/${userId}/timeout`, { method: 'PUT', body: { until } });
  }
  /** @param {string} slug @param {string} title */
  renameRoom(slug, title) {
    return this.request(roomPath(slug), { method: 'PATCH', body: { title } });
  }
  /** @param {string} slug @param {string} confirm the room's title, typed again */
  deleteRoom(slug, confirm) {
    return this.request(roomPath(slug), { method: 'DELETE', body: { confirm } });
  }
  /** @param {string} slug @param {number} userId */
  transferOwnership(slug, userId) {
    return this.request(`${roomPath(slug)}/transfer-ownership`, { method: 'POST', body: { user_id: userId } });
  }
  /** @param {number} channelId @param {number} seconds */
  setSlowMode(channelId, seconds) {
    return this.request(`/api/channels/${channelId}/slow-mode`, { method: 'PUT', body: { seconds } });
  }
  /** @param {string} slug @param {string | null} [cursor] */
  auditLog(slug, cursor = null) {
    return this.request(`${roomPath(slug)}/audit-log?limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
  }
}

/** @param {string} slug */
const roomPath = (slug) => `/api/rooms/${encodeURIComponent(slug)}`;
