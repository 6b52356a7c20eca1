import type { Principal } from '../../src/access/principal.js';
import { systemPrincipal } from '../../src/access/principal.js';
import { loadConfig } from '../../src/config.js';
import { buildHttpApp, type App } from '../../src/http/app.js';
import { createPlatform, type Platform } from '../../src/platform.js';
import { subjectBody } from '../builders/master-data.js';
import { createTestDatabase, type TestDatabase, type TestDialect } from './databases.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/** The environment a zhuisu process needs to run on a test database. */
export function testEnv(database: TestDatabase): Record<string, string> {
  return {
    DATABASE_URL: database.url,
    ZHUISU_DATA_DIR: database.dataDir,
    ZHUISU_ADMIN_TOKEN: ADMIN_TOKEN,
    LOG_LEVEL: 'silent',
    ...(database.schema ? { ZHUISU_DB_SCHEMA: database.schema } : {}),
  };
}

export interface TestPlatform {
  platform: Platform;
  app: App;
  admin: Principal;
  label: string;
  close(): Promise<void>;
}

/** A platform on a fresh database of the dialect, with the HTTP app built (requests go through `app.inject`). */
export async function startTestPlatform(dialect: TestDialect, env: Record<string, string> = {}): Promise<TestPlatform> {
  const database = await createTestDatabase(dialect);
  const config = loadConfig({ ...testEnv(database), ...env });
  const platform = await createPlatform(config);
  const app = await buildHttpApp(platform, { logger: false });
  platform.ready = true;
  return {
    platform,
    app,
    admin: systemPrincipal('test'),
    label: database.label,
    close: async () => {
      await app.close();
      await platform.close();
      await database.drop();
    },
  };
}

export interface CallOptions {
  key?: string | null;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

/** An HTTP call through the app; the admin token is used unless `key` says otherwise (null: no key at all). */
export async function call(app: App, method: string, url: string, options: CallOptions = {}) {
  const key = options.key === undefined ? ADMIN_TOKEN : options.key;
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (key) headers.authorization = `Bearer ${key}`;
  let payload: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    payload = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await app.inject({ method: method as 'GET', url, headers, ...(payload !== undefined ? { payload } : {}) });
  let json: any;
  try {
    json = response.body ? JSON.parse(response.body) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, headers: response.headers, body: response.body, json };
}

/**
 * The id and the secret part of an API key (`zsk_<16 hex>_<43 base64url>`). Split by position, not on "_": the
 * secret's alphabet has "_" in it, and a split would give a tail short enough to turn up anywhere by chance.
 */
export function keyParts(key: string): { id: string; secret: string } {
  const match = /^zsk_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/.exec(key);
  if (!match) throw new Error(`not an API key: ${key.slice(0, 8)}…`);
  return { id: match[1]!, secret: match[2]! };
}

/**
 * A new subject (built by `subjectBody`, with `subject` overrides) and a user of it with an API key: the usual actor of
 * a subject-side test.
 */
export async function subjectWithKey(app: App, options: { subject?: Record<string, unknown>; role?: 'subject_admin' | 'subject_operator' } = {}) {
  const subject = (await call(app, 'POST', '/api/v1/subjects', { body: subjectBody(options.subject) })).json;
  const username = `u${Math.random().toString(36).slice(2, 10)}`;
  const user = (await call(app, 'POST', '/api/v1/users', { body: { username, role: options.role ?? 'subject_operator', subjectId: subject.id } })).json;
  const key = (await call(app, 'POST', `/api/v1/users/${user.id}/keys`, { body: { name: 'test' } })).json.secret as string;
  return { subject, user, key };
}

/** A key of a new user with `role` and user fields `fields` (a regulator's region and departments, say). */
export async function userKey(app: App, role: string, fields: Record<string, unknown> = {}): Promise<string> {
  const user = (await call(app, 'POST', '/api/v1/users', { body: { username: `u${Math.random().toString(36).slice(2, 10)}`, role, ...fields } })).json;
  return (await call(app, 'POST', `/api/v1/users/${user.id}/keys`, { body: { name: 'test' } })).json.secret as string;
}
