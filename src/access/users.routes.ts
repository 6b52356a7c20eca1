import { Type } from '@sinclair/typebox';
import { DEPARTMENTS, PRODUCT_CLASSES } from '../domain/master-data.js';
import { principalOf, type App } from '../http/app.js';
import { IdParams, Nullable, PageQuery, StrictObject, StringEnum, Timestamp, pageOf } from '../http/schemas.js';
import type { Platform } from '../platform.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './passwords.js';
import { USER_ROLES } from './principal.js';

const UserSchema = Type.Object(
  {
    id: Type.String(),
    username: Type.String(),
    displayName: Type.String(),
    role: StringEnum(USER_ROLES),
    subjectId: Nullable(Type.String()),
    regionPrefix: Nullable(Type.String()),
    departments: Type.Array(Type.String()),
    productClasses: Type.Array(Type.String()),
    status: StringEnum(['active', 'disabled'] as const),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'User' },
);

const ApiKeySchema = Type.Object(
  {
    id: Type.String(),
    userId: Type.String(),
    name: Type.String(),
    createdAt: Timestamp,
    expiresAt: Nullable(Timestamp),
    lastUsedAt: Nullable(Timestamp),
    revokedAt: Nullable(Timestamp),
  },
  { $id: 'ApiKey' },
);

const Departments = Type.Array(StringEnum(DEPARTMENTS), { uniqueItems: true, maxItems: DEPARTMENTS.length });
const Classes = Type.Array(StringEnum(PRODUCT_CLASSES), { uniqueItems: true, maxItems: PRODUCT_CLASSES.length });
const RegionPrefix = Type.String({ pattern: '^(\\d{2}|\\d{4}|\\d{6})?$', description: "GB/T 2260 prefix (2, 4 or 6 digits); '' is nationwide" });

const UserCreateBody = StrictObject({
  username: Type.String({ minLength: 2, maxLength: 64 }),
  displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  role: StringEnum(USER_ROLES),
  subjectId: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
  regionPrefix: Type.Optional(Nullable(RegionPrefix)),
  departments: Type.Optional(Departments),
  productClasses: Type.Optional(Classes),
});

const UserPatchBody = StrictObject(
  {
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    regionPrefix: Type.Optional(Nullable(RegionPrefix)),
    departments: Type.Optional(Departments),
    productClasses: Type.Optional(Classes),
    status: Type.Optional(StringEnum(['active', 'disabled'] as const)),
  },
  { minProperties: 1 },
);

const KeyCreateBody = StrictObject({
  name: Type.String({ minLength: 1, maxLength: 100, description: 'what the key is for, e.g. "ERP uploader"' }),
  expiresAt: Type.Optional(Nullable(Type.String({ format: 'date-time' }))),
});

const SignInBody = StrictObject({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH * 4 }),
});

const PasswordBody = StrictObject({
  password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX_LENGTH * 4, description: `at least ${PASSWORD_MIN_LENGTH} characters` }),
  currentPassword: Type.Optional(Type.String({ maxLength: PASSWORD_MAX_LENGTH * 4, description: 'required when changing your own password' })),
});

const MeSchema = Type.Object({
  actor: Type.String(),
  userId: Nullable(Type.String()),
  keyId: Nullable(Type.String()),
  role: StringEnum(USER_ROLES),
  subjectId: Nullable(Type.String()),
  regionPrefix: Nullable(Type.String()),
  productClasses: Type.Array(Type.String()),
  onBehalfOf: Nullable(Type.String()),
});

export function userRoutes(app: App, platform: Platform): void {
  const { users } = platform.services;
  app.addSchema(UserSchema);
  app.addSchema(ApiKeySchema);
  const tags = ['access'];
  const UserRef = Type.Ref(UserSchema);
  const KeyRef = Type.Ref(ApiKeySchema);

  app.post(
    '/api/v1/sessions',
    {
      config: { public: true },
      schema: {
        summary: 'Sign in with a username and password: returns a short-lived API key for the web pages',
        tags,
        security: [],
        body: SignInBody,
        response: { 201: Type.Object({ token: Type.String(), keyId: Type.String(), expiresAt: Timestamp, user: UserRef }) },
      },
    },
    async (request, reply) => {
      const signedIn = await users.signIn(request.body.username, request.body.password, { address: request.ip, requestId: request.id });
      return reply.code(201).header('Cache-Control', 'no-store').send(signedIn);
    },
  );

  app.delete('/api/v1/sessions/current', { schema: { summary: 'Sign out: revokes the API key this request carries', tags } }, async (request, reply) => {
    await users.signOut(principalOf(request));
    return reply.code(204).send();
  });

  app.put('/api/v1/users/:id/password', { schema: { summary: "Set a user's password (your own with the current one)", tags, params: IdParams, body: PasswordBody } }, async (request, reply) => {
    await users.setPassword(principalOf(request), request.params.id, request.body);
    return reply.code(204).send();
  });

  app.get('/api/v1/me', { schema: { summary: 'Who this key is and what scope it has', tags, response: { 200: MeSchema } } }, async (request) => principalOf(request));

  app.post('/api/v1/users', { schema: { summary: 'Create a user', tags, body: UserCreateBody, response: { 201: UserRef } } }, async (request, reply) => {
    const user = await users.create(principalOf(request), request.body);
    return reply.code(201).header('Location', `/api/v1/users/${user.id}`).send(user);
  });

  app.get('/api/v1/users', { schema: { summary: 'List users this key may read', tags, querystring: StrictObject({ subjectId: Type.Optional(Type.String({ maxLength: 64 })), role: Type.Optional(StringEnum(USER_ROLES)), ...PageQuery }), response: { 200: pageOf(UserRef) } } }, async (request) =>
    users.list(principalOf(request), request.query),
  );

  app.get('/api/v1/users/:id', { schema: { summary: 'A user', tags, params: IdParams, response: { 200: UserRef } } }, async (request) =>
    users.get(principalOf(request), request.params.id),
  );

  app.patch('/api/v1/users/:id', { schema: { summary: 'Change or disable a user', tags, params: IdParams, body: UserPatchBody, response: { 200: UserRef } } }, async (request) =>
    users.update(principalOf(request), request.params.id, request.body),
  );

  app.post('/api/v1/users/:id/keys', { schema: { summary: 'Issue an API key; the secret is shown once', tags, params: IdParams, body: KeyCreateBody, response: { 201: Type.Intersect([KeyRef, Type.Object({ secret: Type.String() })]) } } }, async (request, reply) => {
    const key = await users.createKey(principalOf(request), request.params.id, request.body);
    // The secret must never be cached by an intermediary.
    return reply.code(201).header('Cache-Control', 'no-store').header('Location', `/api/v1/keys/${key.id}`).send(key);
  });

  app.get('/api/v1/users/:id/keys', { schema: { summary: 'A user\'s API keys (never their secrets)', tags, params: IdParams, response: { 200: Type.Object({ items: Type.Array(KeyRef) }) } } }, async (request) => ({
    items: await users.listKeys(principalOf(request), request.params.id),
  }));

  app.delete('/api/v1/keys/:id', { schema: { summary: 'Revoke an API key', tags, params: IdParams, response: { 200: KeyRef } } }, async (request) =>
    users.revokeKey(principalOf(request), request.params.id),
  );
}
