import type { ApiKeyTable, Executor, UserTable } from '../db/index.js';
import type { Department, ProductClass, SubjectStatus } from '../domain/master-data.js';
import type { ReadScope } from './policy.js';
import type { UserRole } from './principal.js';

export interface User {
  id: string;
  username: string;
  displayName: string;
  role: UserRole;
  subjectId: string | null;
  regionPrefix: string | null;
  departments: Department[];
  productClasses: ProductClass[];
  status: 'active' | 'disabled';
  createdAt: string;
  updatedAt: string;
}

export interface ApiKey {
  id: string;
  userId: string;
  name: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface KeyOwner {
  key: ApiKey & { secretHash: string };
  user: User;
  subjectStatus: SubjectStatus | null;
}

export class UsersRepository {
  constructor(private readonly db: Executor) {}

  async insert(row: UserRow): Promise<void> {
    await this.db.insertInto('users').values(row).execute();
  }

  async update(id: string, changes: Partial<UserTable>): Promise<void> {
    await this.db.updateTable('users').set(changes).where('id', '=', id).execute();
  }

  async findById(id: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toUser(row) : undefined;
  }

  async findByUsername(username: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    return row ? toUser(row) : undefined;
  }

  /** The user and its password hash, for signing in; the hash never leaves the access module. */
  async findCredentials(username: string): Promise<{ user: User; passwordHash: string | null } | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    return row ? { user: toUser(row), passwordHash: row.password_hash } : undefined;
  }

  async setPassword(id: string, passwordHash: string, at: string): Promise<void> {
    await this.db.updateTable('users').set({ password_hash: passwordHash, password_changed_at: at, updated_at: at }).where('id', '=', id).execute();
  }

  async list(scope: ReadScope, filter: { subjectId?: string; role?: UserRole; cursor?: string; limit: number }): Promise<User[]> {
    let query = this.db.selectFrom('users').selectAll();
    if (scope.kind === 'subject') query = query.where('subject_id', '=', scope.subjectId);
    if (filter.subjectId) query = query.where('subject_id', '=', filter.subjectId);
    if (filter.role) query = query.where('role', '=', filter.role);
    if (filter.cursor) query = query.where('id', '>', filter.cursor);
    const rows = await query.orderBy('id').limit(filter.limit).execute();
    return rows.map(toUser);
  }

  async insertKey(row: ApiKeyTable): Promise<void> {
    await this.db.insertInto('api_keys').values(row).execute();
  }

  async findKey(id: string): Promise<ApiKey | undefined> {
    const row = await this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toKey(row) : undefined;
  }

  async listKeys(userId: string): Promise<ApiKey[]> {
    const rows = await this.db.selectFrom('api_keys').selectAll().where('user_id', '=', userId).orderBy('id').execute();
    return rows.map(toKey);
  }

  async revokeKey(id: string, at: string): Promise<void> {
    await this.db.updateTable('api_keys').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).execute();
  }

  async touchKey(id: string, at: string): Promise<void> {
    await this.db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
  }

  /** One query for authentication: the key, its user and the status of the user's subject. */
  async findKeyOwner(keyId: string): Promise<KeyOwner | undefined> {
    const row = await this.db
      .selectFrom('api_keys')
      .innerJoin('users', 'users.id', 'api_keys.user_id')
      .leftJoin('subjects', 'subjects.id', 'users.subject_id')
      .selectAll('users')
      .select([
        'api_keys.id as key_id',
        'api_keys.name as key_name',
        'api_keys.secret_hash',
        'api_keys.created_at as key_created_at',
        'api_keys.expires_at',
        'api_keys.last_used_at',
        'api_keys.revoked_at',
        'subjects.status as subject_status',
      ])
      .where('api_keys.id', '=', keyId)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      key: {
        id: row.key_id,
        userId: row.id,
        name: row.key_name,
        secretHash: row.secret_hash,
        createdAt: row.key_created_at,
        expiresAt: row.expires_at,
        lastUsedAt: row.last_used_at,
        revokedAt: row.revoked_at,
      },
      user: toUser(row),
      subjectStatus: (row.subject_status as SubjectStatus | null) ?? null,
    };
  }
}

/** A user row as written on creation: no password yet. */
export type UserRow = Omit<UserTable, 'password_hash' | 'password_changed_at'>;

function toUser(row: UserRow): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role as UserRole,
    subjectId: row.subject_id,
    regionPrefix: row.region_prefix,
    departments: JSON.parse(row.departments) as Department[],
    productClasses: JSON.parse(row.product_classes) as ProductClass[],
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toKey(row: ApiKeyTable): ApiKey {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
