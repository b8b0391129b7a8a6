import { PERMISSIONS, isStaff, roleAllows, type Permission } from './permission-table.js';
import type { Role } from '../contract/protocol.js';

// PROTOCOL.md section 3, row by row.
const expected: Record<Permission, Record<Role, boolean>> = {
  read: { moderator: true, contributor: true, observer: true },
  send_message: { moderator: true, contributor: true, observer: false },
  write_note: { moderator: true, contributor: false, observer: true },
  typing: { moderator: true, contributor: true, observer: false },
  raise_hand: { moderator: true, contributor: true, observer: true },
  upvote: { moderator: false, contributor: true, observer: true },
  moderate: { moderator: true, contributor: false, observer: false },
};

describe('permission table', () => {
  it.each(Object.keys(PERMISSIONS) as Permission[])('%s matches the protocol for every role', (permission) => {
    for (const role of ['moderator', 'contributor', 'observer'] as Role[]) {
      expect([role, roleAllows(role, permission)]).toEqual([role, expected[permission][role]]);
    }
  });

  it('treats moderators and observers as staff, contributors not', () => {
    expect(isStaff('moderator')).toBe(true);
    expect(isStaff('observer')).toBe(true);
    expect(isStaff('contributor')).toBe(false);
  });
});
