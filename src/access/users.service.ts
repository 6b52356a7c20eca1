import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { uuidv7 } from 'uuidv7';
import { recordAudit } from '../audit/audit.service.js';
import type { Database } from '../db/index.js';
import { conflict, DomainError, forbidden, invalid, notFound, unauthenticated } from '../domain/errors.js';
import { DEPARTMENT_CLASSES, type Department, type Page, type ProductClass } from '../domain/master-data.js';
import { SubjectsRepository } from '../subjects/subjects.repository.js';
import { checkRegionPrefix } from '../subjects/subjects.service.js';
import { DECOY_HASH, hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import { canManageKeysOf, canManageUser, canReadUser, ensure, readScope } from './policy.js';
import { systemPrincipal, type Principal, type UserRole } from './principal.js';
import { SignInThrottle } from './sign-in-throttle.js';
import { UsersRepository, type ApiKey, type User } from './users.repository.js';

export interface UserInput {
  username: string;
  displayName?: string;
  role: UserRole;
  subjectId?: string | null;
  regionPrefix?: string | null;
  departments?: Department[];
  productClasses?: ProductClass[];
}

export type UserPatch = Partial<Pick<UserInput, 'displayName' | 'regionPrefix' | 'departments' | 'productClasses'>> & {
  status?: User['status'];
};

export interface RequestContext {
  address: string | null;
  requestId: string | null;
  /** Subject id or 主体码 named by a platform admin acting on its behalf. */
  onBehalfOf?: string | undefined;
}

const KEY_PATTERN = /^zsk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;
/** last_used_at is a hint for housekeeping, not a log; writing it on every request would cost a write per read. */
const TOUCH_INTERVAL_MS = 60_000;
/** How long a web sign-in lasts: a working day, after which the pages ask again. */
export const SIGN_IN_HOURS = 10;
export const SIGN_IN_KEY_NAME = 'web sign-in';

export interface SignedIn {
  /** An API key that expires after SIGN_IN_HOURS; the web pages send it as any client would. */
  token: string;
  keyId: string;
  expiresAt: string;
  user: User;
}

export class UsersService {
  private readonly adminTokenHash: Buffer | null;
  private readonly touched = new Map<string, number>();
  private readonly throttle = new SignInThrottle();

  constructor(
    private readonly database: Database,
    adminToken: string | null,
  ) {
    this.adminTokenHash = adminToken ? sha256(adminToken) : null;
  }

  /** Resolves a bearer secret to a principal; every failure is the same 401 so keys cannot be probed. */
  async authenticate(bearer: string | undefined, context: RequestContext): Promise<Principal> {
    if (!bearer) throw unauthenticated('missing-credentials', 'send an API key as Authorization: Bearer <key>');
    let principal: Principal;
    if (this.adminTokenHash && timingSafeEqual(sha256(bearer), this.adminTokenHash)) {
      principal = systemPrincipal('admin-token');
    } else {
      principal = await this.principalForKey(bearer);
    }
    principal.address = context.address;
    principal.requestId = context.requestId;
    if (context.onBehalfOf) {
      if (principal.role !== 'platform_admin') {
        throw forbidden('on-behalf-not-permitted', 'only a platform admin may act on behalf of a subject');
      }
      const repo = new SubjectsRepository(this.database.db);
      const subject = (await repo.findById(context.onBehalfOf)) ?? (await repo.findByCode(context.onBehalfOf.toUpperCase()));
      if (!subject) throw invalid('on-behalf-unknown', `X-On-Behalf-Of names no registered subject`);
      principal.onBehalfOf = subject.id;
    }
    return principal;
  }

  private async principalForKey(bearer: string): Promise<Principal> {
    const rejected = () => unauthenticated('invalid-credentials', 'the API key is unknown, revoked or expired');
    const match = KEY_PATTERN.exec(bearer);
    if (!match) throw rejected();
    const [, keyId, secret] = match as unknown as [string, string, string];
    const owner = await new UsersRepository(this.database.db).findKeyOwner(keyId);
    if (!owner || !timingSafeEqual(sha256(secret), Buffer.from(owner.key.secretHash, 'hex'))) throw rejected();
    const now = new Date();
    if (owner.key.revokedAt || (owner.key.expiresAt && owner.key.expiresAt <= now.toISOString())) throw rejected();
    if (owner.user.status !== 'active') throw rejected();
    await this.touch(keyId, now);
    const { user } = owner;
    return {
      actor: `user:${user.id}`,
      userId: user.id,
      keyId,
      role: user.role,
      subjectId: user.subjectId,
      subjectStatus: owner.subjectStatus,
      regionPrefix: user.role === 'regulator' ? user.regionPrefix : null,
      productClasses: user.role === 'regulator' ? effectiveClasses(user) : [],
      onBehalfOf: null,
      address: null,
      requestId: null,
    };
  }

  private async touch(keyId: string, now: Date): Promise<void> {
    const last = this.touched.get(keyId) ?? 0;
    if (now.getTime() - last < TOUCH_INTERVAL_MS) return;
    this.touched.set(keyId, now.getTime());
    await new UsersRepository(this.database.db).touchKey(keyId, now.toISOString());
  }

  /**
   * Signs a user in with a password: a short-lived API key in return. Unknown user, wrong password, no password set and
   * disabled user are one answer, and cost the same time, so neither usernames nor passwords can be probed.
   */
  async signIn(username: string, password: string, context: RequestContext): Promise<SignedIn> {
    const name = username.trim();
    const wait = this.throttle.waitSeconds(name, context.address);
    if (wait > 0) {
      throw new DomainError('too_many_requests', 'sign-in-throttled', `too many failed sign-ins; try again in ${wait} s`, [{ message: 'wait before trying again', retryAfterSeconds: wait }]);
    }
    const found = await new UsersRepository(this.database.db).findCredentials(name);
    const matches = await verifyPassword(password, found?.passwordHash ?? DECOY_HASH);
    if (!found || !found.passwordHash || !matches || found.user.status !== 'active') {
      this.throttle.failed(name, context.address);
      throw unauthenticated('sign-in-failed', 'the username or password is wrong, or the user may not sign in');
    }
    this.throttle.succeeded(name);
    const { user } = found;
    const self: Principal = { ...systemPrincipal(`user:${user.id}`), userId: user.id, role: user.role, subjectId: user.subjectId, address: context.address, requestId: context.requestId };
    const expiresAt = new Date(Date.now() + SIGN_IN_HOURS * 3600_000).toISOString();
    const key = await this.createKey(self, user.id, { name: SIGN_IN_KEY_NAME, expiresAt });
    return { token: key.secret, keyId: key.id, expiresAt, user };
  }

  /** Ends the sign-in the request was made with (revokes its key). */
  async signOut(actor: Principal): Promise<void> {
    if (!actor.keyId) throw invalid('not-a-key', 'this request was not made with an API key');
    await this.revokeKey(actor, actor.keyId);
  }

  /**
   * Sets a user's password. Users change their own by giving the current one (so a borrowed session cannot lock its
   * owner out); whoever manages the user sets it without.
   */
  async setPassword(actor: Principal, userId: string, input: { password: string; currentPassword?: string | undefined }): Promise<void> {
    const problem = passwordProblem(input.password);
    if (problem) throw invalid('weak-password', problem, [{ pointer: '/password', message: problem }]);
    const hash = await hashPassword(input.password);
    await this.database.transaction(async (trx) => {
      const repo = new UsersRepository(trx);
      const target = await repo.findById(userId);
      if (!target) throw notFound('user-not-found', `no user ${userId}`);
      const own = actor.userId === target.id;
      ensure(own || canManageUser(actor, target), 'not-permitted', 'this key may not set that user\'s password');
      if (own) {
        const current = (await repo.findCredentials(target.username))!.passwordHash;
        if (current && !(input.currentPassword !== undefined && (await verifyPassword(input.currentPassword, current)))) {
          throw invalid('wrong-current-password', 'the current password is wrong', [{ pointer: '/currentPassword', message: 'does not match' }]);
        }
      }
      await repo.setPassword(target.id, hash, new Date().toISOString());
      // The audit row says that it changed, never what to.
      await recordAudit(trx, actor, { action: 'user.password', targetType: 'user', targetId: target.id, subjectId: target.subjectId, changes: {} });
    });
  }

  async create(actor: Principal, input: UserInput): Promise<User> {
    const username = input.username.trim();
    if (!/^[\p{L}\p{N}._@-]{2,64}$/u.test(username)) {
      throw invalid('invalid-username', 'username: 2–64 letters, digits or . _ @ -', [{ pointer: '/username', message: 'invalid username' }]);
    }
    const subjectId = input.subjectId ?? null;
    this.checkRoleScope(input.role, subjectId, input.regionPrefix ?? null);
    if (input.role === 'regulator' && !input.departments?.length && !input.productClasses?.length) {
      throw invalid('classes-required', 'a regulator supervises named departments or product classes', [{ pointer: '/departments', message: 'set departments or productClasses' }]);
    }
    ensure(canManageUser(actor, { role: input.role, subjectId }), 'not-permitted', 'this key may not create a user with that role or subject');
    return this.database.transaction(async (trx) => {
      const repo = new UsersRepository(trx);
      if (subjectId && !(await new SubjectsRepository(trx).findById(subjectId))) {
        throw invalid('subject-not-found', `subjectId ${subjectId} names no registered subject`, [{ pointer: '/subjectId', message: 'unknown subject' }]);
      }
      if (await repo.findByUsername(username)) throw conflict('username-taken', `username ${username} is taken`);
      const now = new Date().toISOString();
      const id = uuidv7();
      await repo.insert({
        id,
        username,
        display_name: input.displayName?.trim() || username,
        role: input.role,
        subject_id: subjectId,
        region_prefix: input.role === 'regulator' ? (input.regionPrefix ?? null) : null,
        departments: JSON.stringify(input.departments ?? []),
        product_classes: JSON.stringify(input.productClasses ?? []),
        status: 'active',
        created_at: now,
        updated_at: now,
      });
      await recordAudit(trx, actor, { action: 'user.create', targetType: 'user', targetId: id, subjectId, changes: { ...input, username } });
      return (await repo.findById(id))!;
    });
  }

  /** Which scope fields a role needs: subject roles a subject, regulators a region; the others neither. */
  private checkRoleScope(role: UserRole, subjectId: string | null, regionPrefix: string | null): void {
    if ((role === 'subject_admin' || role === 'subject_operator') && !subjectId) {
      throw invalid('subject-required', `a ${role} belongs to a subject: set subjectId`, [{ pointer: '/subjectId', message: 'required for this role' }]);
    }
    if ((role === 'platform_admin' || role === 'regulator') && subjectId) {
      throw invalid('field-not-allowed', `a ${role} does not belong to a subject`, [{ pointer: '/subjectId', message: 'not allowed for this role' }]);
    }
    if (role === 'regulator') {
      if (regionPrefix === null) throw invalid('region-required', 'a regulator needs a regionPrefix (\'\' for nationwide)', [{ pointer: '/regionPrefix', message: 'required for regulators' }]);
      checkRegionPrefix(regionPrefix, '/regionPrefix');
    } else if (regionPrefix !== null) {
      throw invalid('field-not-allowed', 'only regulators have a regionPrefix', [{ pointer: '/regionPrefix', message: 'not allowed for this role' }]);
    }
  }

  /** A user by id or username. */
  async get(actor: Principal, idOrUsername: string): Promise<User> {
    const repo = new UsersRepository(this.database.db);
    const user = (await repo.findById(idOrUsername)) ?? (await repo.findByUsername(idOrUsername));
    if (!user) throw notFound('user-not-found', `no user ${idOrUsername}`);
    ensure(canReadUser(actor, user));
    return user;
  }

  async list(actor: Principal, filter: { subjectId?: string; role?: UserRole; cursor?: string; limit?: number }): Promise<Page<User>> {
    const scope = readScope(actor);
    const allowed = scope.kind === 'all' || actor.role === 'subject_admin' || (actor.role === 'auditor' && actor.subjectId !== null);
    ensure(allowed, 'not-permitted', 'this key may not list users');
    const limit = filter.limit ?? 50;
    const items = await new UsersRepository(this.database.db).list(scope, { ...filter, limit });
    return { items, nextCursor: items.length === limit ? items[items.length - 1]!.id : null };
  }

  async update(actor: Principal, id: string, patch: UserPatch): Promise<User> {
    return this.database.transaction(async (trx) => {
      const repo = new UsersRepository(trx);
      const user = await repo.findById(id);
      if (!user) throw notFound('user-not-found', `no user ${id}`);
      ensure(canReadUser(actor, user));
      const self = actor.userId === user.id;
      const onlyDisplayName = Object.keys(patch).every((k) => k === 'displayName');
      ensure(canManageUser(actor, user) || (self && onlyDisplayName), 'not-permitted', 'this key may not change that user');
      if (patch.regionPrefix !== undefined) this.checkRoleScope(user.role, user.subjectId, patch.regionPrefix);
      await repo.update(id, {
        ...(patch.displayName !== undefined ? { display_name: patch.displayName.trim() } : {}),
        ...(patch.regionPrefix !== undefined ? { region_prefix: patch.regionPrefix } : {}),
        ...(patch.departments !== undefined ? { departments: JSON.stringify(patch.departments) } : {}),
        ...(patch.productClasses !== undefined ? { product_classes: JSON.stringify(patch.productClasses) } : {}),
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        updated_at: new Date().toISOString(),
      });
      await recordAudit(trx, actor, { action: 'user.update', targetType: 'user', targetId: id, subjectId: user.subjectId, changes: { ...patch } });
      return (await repo.findById(id))!;
    });
  }

  /** Issues an API key; the secret is returned once and only its hash is stored. */
  async createKey(actor: Principal, userId: string, input: { name: string; expiresAt?: string | null }): Promise<ApiKey & { secret: string }> {
    return this.database.transaction(async (trx) => {
      const repo = new UsersRepository(trx);
      const owner = await repo.findById(userId);
      if (!owner) throw notFound('user-not-found', `no user ${userId}`);
      ensure(canReadUser(actor, owner) && canManageKeysOf(actor, owner), 'not-permitted', 'this key may not issue keys for that user');
      if (owner.status !== 'active') throw conflict('user-disabled', 'the user is disabled');
      if (input.expiresAt && Number.isNaN(Date.parse(input.expiresAt))) throw invalid('invalid-date', 'expiresAt is not a date-time', [{ pointer: '/expiresAt', message: 'expected RFC 3339 date-time' }]);
      const expiresAt = input.expiresAt ? new Date(input.expiresAt).toISOString() : null;
      if (expiresAt && expiresAt <= new Date().toISOString()) throw invalid('invalid-date', 'expiresAt is in the past', [{ pointer: '/expiresAt', message: 'must be in the future' }]);
      const id = randomBytes(8).toString('hex');
      const secret = randomBytes(32).toString('base64url');
      const now = new Date().toISOString();
      await repo.insertKey({ id, user_id: owner.id, name: input.name.trim(), secret_hash: sha256(secret).toString('hex'), created_at: now, expires_at: expiresAt, last_used_at: null, revoked_at: null });
      await recordAudit(trx, actor, { action: 'key.create', targetType: 'api_key', targetId: id, subjectId: owner.subjectId, changes: { userId: owner.id, name: input.name, expiresAt } });
      return { ...(await repo.findKey(id))!, secret: `zsk_${id}_${secret}` };
    });
  }

  async listKeys(actor: Principal, userId: string): Promise<ApiKey[]> {
    const owner = await this.get(actor, userId);
    return new UsersRepository(this.database.db).listKeys(owner.id);
  }

  async revokeKey(actor: Principal, keyId: string): Promise<ApiKey> {
    return this.database.transaction(async (trx) => {
      const repo = new UsersRepository(trx);
      const key = await repo.findKey(keyId);
      if (!key) throw notFound('key-not-found', `no API key ${keyId}`);
      const owner = (await repo.findById(key.userId))!;
      ensure(canReadUser(actor, owner) && canManageKeysOf(actor, owner), 'not-permitted', 'this key may not revoke that key');
      await repo.revokeKey(keyId, new Date().toISOString());
      await recordAudit(trx, actor, { action: 'key.revoke', targetType: 'api_key', targetId: keyId, subjectId: owner.subjectId, changes: { userId: owner.id } });
      return (await repo.findKey(keyId))!;
    });
  }
}

function effectiveClasses(user: User): ProductClass[] {
  if (user.productClasses.length > 0) return user.productClasses;
  return [...new Set(user.departments.flatMap((d) => DEPARTMENT_CLASSES[d] ?? []))];
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
