import { describe, expect, it } from 'vitest';
import { choiceOf, effectivePermissions, overwriteFrom, sendBlockedReason, standing } from '../app/src/state/permissions.js';

const hierarchy = [
  { role: 'owner', level: 400 },
  { role: 'admin', level: 300 },
  { role: 'member', level: 200 },
  { role: 'guest', level: 100 },
];
const empty = { channel_id: 1, roles: [], users: [] };

describe('channel permissions as the client mirrors them', () => {
  it('ranks members by level, not by role name', () => {
    expect(standing(hierarchy, 'member')).toBe('member');
    expect(standing(hierarchy, 'admin')).toBe('admin');
    const raised = hierarchy.map((l) => (l.role === 'member' ? { ...l, level: 350 } : l));
    expect(standing(raised, 'member')).toBe('admin');
  });

  it('starts members from the base set and lets their own overwrite win over the role’s', () => {
    const room = { role_hierarchy: hierarchy, current_role: 'member' };
    expect([...effectivePermissions(room, empty, 7)].sort()).toEqual(['connect', 'create_forum_posts', 'send_messages', 'speak', 'view']);
    const summary = {
      channel_id: 1,
      roles: [{ role: 'member', allow: [], deny: ['send_messages'] }],
      users: [{ user_id: 7, allow: ['send_messages'], deny: [] }],
    };
    expect(effectivePermissions(room, summary, 7).has('send_messages')).toBe(true);
    expect(effectivePermissions(room, { ...summary, users: [] }, 7).has('send_messages')).toBe(false);
  });

  it('gives owners everything whatever the overwrites say', () => {
    const room = { role_hierarchy: hierarchy, current_role: 'owner' };
    const summary = { channel_id: 1, roles: [{ role: 'owner', allow: [], deny: ['view'] }], users: [{ user_id: 1, allow: [], deny: ['view'] }] };
    expect(effectivePermissions(room, summary, 1).has('view')).toBe(true);
  });

  it('explains a disabled composer only when sending is not allowed', () => {
    expect(sendBlockedReason(['view'])).toMatch(/permission to send/);
    expect(sendBlockedReason(['view', 'send_messages'])).toBeNull();
  });

  it('keeps the permissions an editor did not show and orders them canonically', () => {
    const before = { allow: ['create_events'], deny: ['speak'] };
    expect(choiceOf(before, 'speak')).toBe('deny');
    expect(choiceOf(before, 'view')).toBe('inherit');
    expect(overwriteFrom(before, { view: 'deny', send_messages: 'allow', speak: 'inherit' })).toEqual({
      allow: ['send_messages', 'create_events'],
      deny: ['view'],
    });
  });
});
