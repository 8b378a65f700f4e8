//! What the signed-in member may see in the client, from `GET /me`'s `is_admin` (super admin)
//! and `permissions` (docs/api-roles.md). Pure; the server still decides every call, and its
//! refusal is shown. tests/unit.test.mjs exercises it.

import type { Me } from './types';

type Who = Pick<Me, 'is_admin' | 'permissions'>;

/** Admin tabs, in the order they are shown. */
export const ADMIN_TABS = [
  'policy',
  'directory',
  'import',
  'apps',
  'rate-limits',
  'messaging',
  'sessions',
  'approvals',
  'audit',
  'roles',
] as const;
export type AdminTab = (typeof ADMIN_TABS)[number];

/** A super admin holds everything; anyone else what `/me` lists (company-wide or scoped). */
export function can(me: Who, key: string): boolean {
  return me.is_admin || me.permissions.includes(key);
}

/** `contacts.member.read_mobile` -> `read_mobile`. */
const actionOf = (key: string) => key.slice(key.lastIndexOf('.') + 1);
const isRead = (key: string) => actionOf(key).startsWith('read');

/** Holds a permission under `prefix` (`contacts.member.`) other than the read ones. */
function holds(me: Who, prefix: string): boolean {
  return me.is_admin || me.permissions.some((k) => k.startsWith(prefix) && !isRead(k));
}

/** Which directory buttons to offer (the keys of the server's catalogue). */
export interface ContactsAbilities {
  deptCreate: boolean;
  /** Rename, English name, order. */
  deptEdit: boolean;
  deptMove: boolean;
  deptDelete: boolean;
  memberCreate: boolean;
  memberEdit: boolean;
  memberDisable: boolean;
  memberInvite: boolean;
  memberDelete: boolean;
  /** Resign: disable, sign out, hand the member's groups to a successor. */
  memberResign: boolean;
  /** Who sees which departments (visibility rules; company-wide). */
  visibilityEdit: boolean;
  /** Tags are company-wide: creating, renaming, deleting, changing members. */
  tags: boolean;
}

export function contactsAbilities(me: Who): ContactsAbilities {
  return {
    deptCreate: can(me, 'contacts.department.create'),
    deptEdit: can(me, 'contacts.department.edit'),
    deptMove: can(me, 'contacts.department.move'),
    deptDelete: can(me, 'contacts.department.delete'),
    memberCreate: can(me, 'contacts.member.create'),
    memberEdit: can(me, 'contacts.member.edit'),
    memberDisable: can(me, 'contacts.member.disable'),
    memberInvite: can(me, 'contacts.member.invite'),
    memberDelete: can(me, 'contacts.member.delete'),
    memberResign: can(me, 'contacts.member.resign'),
    visibilityEdit: can(me, 'contacts.visibility.edit'),
    tags: holds(me, 'contacts.tag.'),
  };
}

/** The table "What each admin page needs" of docs/api-roles.md. */
export function mayOpen(me: Who, tab: AdminTab): boolean {
  if (me.is_admin) return true;
  switch (tab) {
    case 'policy':
      return can(me, 'security.policy.read');
    case 'directory':
      return holds(me, 'contacts.department.') || holds(me, 'contacts.member.') || can(me, 'contacts.visibility.edit');
    case 'import':
      return can(me, 'contacts.import');
    case 'apps':
      return can(me, 'apps.app.read');
    case 'rate-limits':
      return can(me, 'apps.rate_limit.read');
    case 'messaging':
      return can(me, 'messaging.settings.read');
    case 'sessions':
      return can(me, 'security.session.read');
    case 'approvals':
      return can(me, 'security.device.approve');
    case 'audit':
      return can(me, 'audit.log.read');
    case 'roles':
      return can(me, 'security.admin_role.read');
  }
}

export function allowedTabs(me: Who): AdminTab[] {
  return ADMIN_TABS.filter((tab) => mayOpen(me, tab));
}
