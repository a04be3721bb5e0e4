// Channel permissions as the server computes them (decision 24), so the
// client can say up front what the user may do (a composer disabled with its
// reason) and editors can show what an overwrite changes. The server decides;
// this only mirrors it for display.

/** The permissions, in the contract's order, with a label for people. */
export const PERMISSIONS = /** @type {const} */ ([
  ['view', 'See the channel'],
  ['send_messages', 'Send messages, react and type'],
  ['manage_messages', 'Pin and moderate messages'],
  ['connect', 'Join voice'],
  ['speak', 'Speak in voice'],
  ['manage_channel', 'Edit and delete the channel'],
  ['manage_permissions', 'Change these permissions'],
  ['start_stage', 'Go on stage'],
  ['manage_stage', 'Manage the stage'],
  ['publish_announcements', 'Publish announcements'],
  ['create_forum_posts', 'Create forum posts'],
  ['moderate_forum_posts', 'Moderate forum posts'],
  ['create_events', 'Create events'],
  ['manage_events', 'Manage events'],
]);

/** What guests and members have before overwrites. */
export const MEMBER_BASE = ['view', 'send_messages', 'connect', 'speak', 'create_forum_posts'];

/** The permissions an editor shows for a kind of channel. */
export function relevantPermissions(/** @type {string} */ type) {
  const voice = type === 'voice' || type === 'stage';
  const names = voice
    ? ['view', 'connect', 'speak', 'manage_channel', 'manage_permissions', 'start_stage', 'manage_stage']
    : ['view', 'send_messages', 'manage_messages', 'manage_channel', 'manage_permissions'];
  return PERMISSIONS.filter(([name]) => names.includes(name));
}

/**
 * @typedef {{ allow: string[], deny: string[] }} Overwrite
 * @typedef {{ channel_id: number, roles: (Overwrite & { role: string })[], users: (Overwrite & { user_id: number })[] }} PermissionSummary
 */

/**
 * The member's standing by level: owner-level, admin-level or neither.
 * @param {{ role: string, level: number }[]} hierarchy
 * @param {string | null | undefined} role
 * @returns {'owner' | 'admin' | 'member'}
 */
export function standing(hierarchy, role) {
  const level = (/** @type {string} */ name) => hierarchy.find((l) => l.role === name)?.level;
  const mine = role ? level(role) : undefined;
  const owner = level('owner');
  const admin = level('admin');
  if (mine == null || owner == null || admin == null) return 'member';
  if (mine >= owner) return 'owner';
  return mine >= Math.min(admin, owner) ? 'admin' : 'member';
}

/**
 * What the user may do in a channel.
 * @param {{ role_hierarchy?: { role: string, level: number }[], current_role?: string | null }} room
 * @param {PermissionSummary} summary
 * @param {number | null} meId
 * @returns {Set<string>}
 */
export function effectivePermissions(room, summary, meId) {
  const role = room.current_role ?? null;
  const rank = standing(room.role_hierarchy ?? [], role);
  const all = PERMISSIONS.map(([name]) => name);
  if (rank === 'owner') return new Set(all);
  const perms = new Set(rank === 'admin' ? all : MEMBER_BASE);
  /** @param {Overwrite | undefined} o */
  const apply = (o) => {
    if (!o) return;
    o.deny.forEach((p) => perms.delete(p));
    o.allow.forEach((p) => perms.add(p));
  };
  if (role !== 'owner') apply(summary.roles.find((o) => o.role === role));
  apply(summary.users.find((o) => o.user_id === meId));
  return perms;
}

/** Why the composer is disabled, or null when the user may send. @param {Set<string> | string[]} perms */
export function sendBlockedReason(perms) {
  const has = Array.isArray(perms) ? perms.includes('send_messages') : perms.has('send_messages');
  return has ? null : 'You do not have permission to send messages in this channel.';
}

/**
 * The three-way choice an editor shows for one permission of an overwrite.
 * @param {Overwrite | null | undefined} overwrite
 * @param {string} name
 * @returns {'allow' | 'deny' | 'inherit'}
 */
export function choiceOf(overwrite, name) {
  if (overwrite?.allow.includes(name)) return 'allow';
  if (overwrite?.deny.includes(name)) return 'deny';
  return 'inherit';
}

/**
 * An overwrite from an editor's choices, keeping what the editor did not show.
 * @param {Overwrite | null | undefined} before
 * @param {Record<string, string>} choices name → 'allow' | 'deny' | 'inherit'
 * @returns {Overwrite}
 */
export function overwriteFrom(before, choices) {
  const allow = new Set(before?.allow ?? []);
  const deny = new Set(before?.deny ?? []);
  for (const [name, choice] of Object.entries(choices)) {
    allow.delete(name);
    deny.delete(name);
    if (choice === 'allow') allow.add(name);
    if (choice === 'deny') deny.add(name);
  }
  const order = PERMISSIONS.map(([name]) => name);
  const sorted = (/** @type {Set<string>} */ set) => order.filter((name) => set.has(name));
  return { allow: sorted(allow), deny: sorted(deny) };
}
