import { Type } from '@sinclair/typebox';
import { principalOf, type App } from '../http/app.js';
import { Nullable, PageQuery, StrictObject, Timestamp, pageOf } from '../http/schemas.js';
import type { Platform } from '../platform.js';

const AuditEntrySchema = Type.Object(
  {
    id: Type.String(),
    at: Timestamp,
    actor: Type.String(),
    actorUserId: Nullable(Type.String()),
    actorKeyId: Nullable(Type.String()),
    onBehalfOf: Nullable(Type.String()),
    subjectId: Nullable(Type.String()),
    action: Type.String(),
    targetType: Type.String(),
    targetId: Nullable(Type.String()),
    changes: Nullable(Type.Object({}, { additionalProperties: true })),
    address: Nullable(Type.String()),
    requestId: Nullable(Type.String()),
  },
  { $id: 'AuditEntry' },
);

/**
 * An audit entry exactly as stored, as exports carry it for offline checks: the column names, `changes` as the JSON
 * text written. The `audit` leaf of the transparency log holds sha-256 over its canonical JSON.
 */
export const AuditRowSchema = Type.Object(
  {
    id: Type.String(),
    at: Type.String({ description: 'ISO 8601, as stored' }),
    actor: Type.String(),
    actor_user_id: Nullable(Type.String()),
    actor_key_id: Nullable(Type.String()),
    on_behalf_of: Nullable(Type.String()),
    subject_id: Nullable(Type.String()),
    action: Type.String(),
    target_type: Type.String(),
    target_id: Nullable(Type.String()),
    changes: Nullable(Type.String({ description: 'the JSON text stored, not re-encoded' })),
    address: Nullable(Type.String()),
    request_id: Nullable(Type.String()),
  },
  { $id: 'AuditRow' },
);

const AuditQuery = StrictObject({
  subjectId: Type.Optional(Type.String({ maxLength: 64 })),
  actorUserId: Type.Optional(Type.String({ maxLength: 64 })),
  action: Type.Optional(Type.String({ maxLength: 64 })),
  targetType: Type.Optional(Type.String({ maxLength: 64 })),
  targetId: Type.Optional(Type.String({ maxLength: 64 })),
  since: Type.Optional(Type.String({ format: 'date-time' })),
  until: Type.Optional(Type.String({ format: 'date-time' })),
  ...PageQuery,
});

export function auditRoutes(app: App, platform: Platform): void {
  app.addSchema(AuditEntrySchema);
  app.addSchema(AuditRowSchema);
  app.get(
    '/api/v1/audit',
    { schema: { summary: 'The audit trail of writes, newest first', tags: ['audit'], querystring: AuditQuery, response: { 200: pageOf(Type.Ref(AuditEntrySchema)) } } },
    async (request) => {
      const { since, until, ...rest } = request.query;
      return platform.services.audit.list(principalOf(request), {
        ...rest,
        ...(since ? { since: new Date(since).toISOString() } : {}),
        ...(until ? { until: new Date(until).toISOString() } : {}),
      });
    },
  );
}
