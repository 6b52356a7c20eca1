import { regionWithin } from '../codes/region.js';
import { forbidden } from '../domain/errors.js';
import type { ProductClass } from '../domain/master-data.js';
import type { Principal, UserRole } from './principal.js';

/**
 * The tenancy rule (docs/ACCESS.md) as pure functions. Services call the `ensure…` forms before touching data; list
 * queries use the `…Scope` forms to filter in SQL rather than after the fact.
 */

export interface SubjectRef {
  subjectId: string;
  regionCode: string;
}

export interface ProductRef extends SubjectRef {
  productClass: ProductClass;
}

const isAdmin = (p: Principal) => p.role === 'platform_admin';
const isPlatformAuditor = (p: Principal) => p.role === 'auditor' && p.subjectId === null;

/** The subject whose data a principal writes: its own, or the one a platform admin acts for. */
export function actingSubjectId(p: Principal): string | null {
  return isAdmin(p) ? p.onBehalfOf : p.subjectId;
}

export function regulatorCovers(p: Principal, regionCode: string, productClass?: ProductClass): boolean {
  if (p.role !== 'regulator' || p.regionPrefix === null) return false;
  if (!regionWithin(regionCode, p.regionPrefix)) return false;
  return productClass === undefined || p.productClasses.includes(productClass);
}

/**
 * Complaints are read by platform admins and auditors, and by the regulators of the region they are about; one
 * about a code nobody holds has no region, and only the platform's own staff see it.
 */
export function canReadComplaint(p: Principal, regionCode: string | null): boolean {
  if (isAdmin(p) || isPlatformAuditor(p)) return true;
  return regionCode !== null && regulatorCovers(p, regionCode);
}

/** Handling a complaint, and reading the contact the consumer left, is for admins and the region's regulators. */
export function canHandleComplaint(p: Principal, regionCode: string | null): boolean {
  return isAdmin(p) || (regionCode !== null && regulatorCovers(p, regionCode));
}

export function canReadSubject(p: Principal, s: SubjectRef): boolean {
  if (isAdmin(p) || isPlatformAuditor(p)) return true;
  if (p.subjectId === s.subjectId) return true;
  return regulatorCovers(p, s.regionCode);
}

export function canReadProduct(p: Principal, product: ProductRef): boolean {
  if (isAdmin(p) || isPlatformAuditor(p)) return true;
  if (p.subjectId === product.subjectId) return true;
  return regulatorCovers(p, product.regionCode, product.productClass);
}

/** Master data (the subject's profile, locations, products) is written by the subject's admin or a platform admin. */
export function canWriteMasterData(p: Principal, subjectId: string): boolean {
  if (isAdmin(p)) return true;
  return p.role === 'subject_admin' && p.subjectId === subjectId && p.subjectStatus === 'active';
}

/**
 * Recording what a subject does (capturing its events, issuing, registering and voiding its codes, packing its goods)
 * is for the users of that subject while it is active, or a platform admin.
 */
export function canRecordFor(p: Principal, subjectId: string): boolean {
  if (isAdmin(p)) return true;
  return (p.role === 'subject_admin' || p.role === 'subject_operator') && p.subjectId === subjectId && p.subjectStatus === 'active';
}

/** Suspending or blacklisting a subject is supervision: platform admins, and regulators over the subject's region. */
export function canSupervise(p: Principal, s: SubjectRef): boolean {
  return isAdmin(p) || regulatorCovers(p, s.regionCode);
}

export function canRegisterSubject(p: Principal): boolean {
  return isAdmin(p);
}

/** Platform admins manage every user; a subject admin manages the subject users of its own subject. */
export function canManageUser(p: Principal, target: { role: UserRole; subjectId: string | null }): boolean {
  if (isAdmin(p)) return true;
  if (p.role !== 'subject_admin' || p.subjectStatus !== 'active') return false;
  const subjectRole = target.role === 'subject_admin' || target.role === 'subject_operator' || target.role === 'auditor';
  return subjectRole && target.subjectId !== null && target.subjectId === p.subjectId;
}

export function canReadUser(p: Principal, target: { id: string; subjectId: string | null }): boolean {
  if (isAdmin(p) || isPlatformAuditor(p) || p.userId === target.id) return true;
  return (p.role === 'subject_admin' || p.role === 'auditor') && p.subjectId !== null && p.subjectId === target.subjectId;
}

/** Every user may manage their own keys; admins as for users. */
export function canManageKeysOf(p: Principal, owner: { id: string; role: UserRole; subjectId: string | null }): boolean {
  return p.userId === owner.id || canManageUser(p, owner);
}

export function canReadAudit(p: Principal, subjectId: string | null): boolean {
  if (isAdmin(p) || isPlatformAuditor(p)) return true;
  return (p.role === 'auditor' || p.role === 'subject_admin') && p.subjectId !== null && p.subjectId === subjectId;
}

/** Throws `forbidden` unless `allowed`; keeps call sites to one line. */
export function ensure(allowed: boolean, code = 'not-permitted', message = 'this key may not perform this action'): void {
  if (!allowed) throw forbidden(code, message);
}

/** How listings are narrowed for a principal, expressed as data so repositories can turn it into SQL. */
export type ReadScope =
  | { kind: 'all' }
  | { kind: 'subject'; subjectId: string }
  | { kind: 'region'; regionPrefix: string; productClasses: ProductClass[] };

export function readScope(p: Principal): ReadScope {
  if (isAdmin(p) || isPlatformAuditor(p)) return { kind: 'all' };
  if (p.role === 'regulator' && p.regionPrefix !== null) {
    return { kind: 'region', regionPrefix: p.regionPrefix, productClasses: p.productClasses };
  }
  if (p.subjectId) return { kind: 'subject', subjectId: p.subjectId };
  // A regulator without a scope sees nothing rather than everything.
  return { kind: 'subject', subjectId: '' };
}
