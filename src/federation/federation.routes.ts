import { Type } from '@sinclair/typebox';
import client from 'prom-client';
import { systemPrincipal } from '../access/principal.js';
import { principalOf, type App } from '../http/app.js';
import type { Metrics } from '../http/metrics.js';
import { Nullable, RegionCode, StrictObject, StringEnum, Timestamp } from '../http/schemas.js';
import type { Platform } from '../platform.js';
import { BATCH_BODY_LIMIT, BATCH_MODES, MEMBER_KINDS } from './federation.service.js';

const LEVELS = ['enterprise', 'third-party', 'city', 'province', 'national'] as const;

const MemberSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    kind: StringEnum(MEMBER_KINDS),
    level: Type.String(),
    regionCode: Nullable(Type.String()),
    logOrigin: Type.String(),
    logKey: Type.String(),
    userId: Type.String({ description: 'the user (role federation_member) its API key belongs to' }),
    registeredAt: Timestamp,
    position: Type.Integer({ description: "the size of the member's log its stored batches reach" }),
    batches: Type.Integer(),
    eventsReceived: Type.Integer(),
    resent: Type.Integer({ description: 'batches refused as out of order: re-sends after a lost answer, mostly' }),
    lastBatchAt: Nullable(Timestamp),
    lastLagMs: Nullable(Type.Integer({ description: 'arrival minus the latest event time of the last batch' })),
    url: Nullable(Type.String({ description: 'where it answers resolver queries' })),
    mode: StringEnum(BATCH_MODES, 'full events or summaries, as its last accepted batch said'),
  },
  { $id: 'FederationMember' },
);

const UpstreamSchema = Type.Object({
  url: Type.String(),
  position: Type.Integer({ description: "the size of this platform's log the upstream stored batches through" }),
  ackedSize: Type.Integer({ description: "the log size the upstream's witness last cosigned" }),
  logSize: Type.Integer(),
  backlog: Type.Integer({ description: 'events captured here and not yet acknowledged upstream' }),
  attempts: Type.Integer({ description: 'failed tries since the last success' }),
  nextTryAt: Nullable(Timestamp),
  lastAttemptAt: Nullable(Timestamp),
  lastError: Nullable(Type.String()),
  lastSuccessAt: Nullable(Timestamp),
  cosignedCheckpoint: Nullable(Type.String({ description: 'the checkpoint last acknowledged, with the upstream witness cosignature' })),
});

/**
 * Federation (docs/FEDERATION.md): registering members (admins), receiving their batches (members' keys), and the
 * status of both directions. The figures are also gauges on /metrics, read when scraped.
 */
export function federationRoutes(app: App, platform: Platform, metrics: Metrics): void {
  const { federation } = platform.services;
  const tags = ['federation'];
  app.addSchema(MemberSchema);

  app.post(
    '/api/v1/federation/members',
    {
      schema: {
        summary: 'Register (备案) a lower platform or connected system: its log is witnessed, and it gets an API key (shown once)',
        tags,
        body: StrictObject({
          name: Type.String({ minLength: 1, maxLength: 200 }),
          kind: StringEnum(MEMBER_KINDS),
          level: StringEnum(LEVELS),
          regionCode: Type.Optional(Nullable(RegionCode)),
          logOrigin: Type.String({ minLength: 1, maxLength: 255, pattern: '^[^\\s+]+$' }),
          logKey: Type.String({ minLength: 1, maxLength: 1024, description: "the member's Ed25519 signed-note verifier key (what its GET /log/key serves)" }),
          url: Type.Optional(Nullable(Type.String({ maxLength: 2048, pattern: '^https?://[^/?#\\s]+(/[^?#\\s]*)?$', description: 'its base URL, where it answers resolver queries' }))),
        }),
        response: { 201: Type.Object({ member: Type.Ref(MemberSchema), secret: Type.String({ description: 'the API key, shown once' }) }) },
      },
    },
    async (request, reply) => reply.code(201).send(await federation.registerMember(principalOf(request), request.body)),
  );

  app.get(
    '/api/v1/federation/members',
    { schema: { summary: 'Members with how far their events arrived (admins, platform auditors; a member sees itself)', tags, response: { 200: Type.Object({ items: Type.Array(Type.Ref(MemberSchema)) }) } } },
    async (request) => ({ items: await federation.listMembers(principalOf(request)) }),
  );

  app.get(
    '/api/v1/federation/status',
    {
      schema: {
        summary: "Both directions: this platform's outbox to its upstream (backlog, last error, next try) and its members",
        tags,
        response: {
          200: Type.Object({ level: StringEnum(LEVELS), regionCode: Nullable(Type.String()), upstream: Nullable(UpstreamSchema), members: Type.Array(Type.Ref(MemberSchema)) }),
        },
      },
    },
    async (request) => federation.status(principalOf(request)),
  );

  app.post(
    '/api/v1/federation/batches',
    {
      bodyLimit: BATCH_BODY_LIMIT,
      schema: {
        summary: "A member's batch: its events with its signed checkpoint, cosigned here as its witness; 200 with the cosignature",
        description:
          'payload is the batch as JSON text, signature a signed note over its digest by the member\'s log key. 409 federation-out-of-order names the position to resume from, 409 federation-witness-stale the size to prove from; a forged or forked checkpoint is refused and alarmed.',
        tags,
        body: StrictObject({ payload: Type.String({ minLength: 2 }), signature: Type.String({ minLength: 1, maxLength: 16 * 1024 }) }),
        response: { 200: Type.Object({ position: Type.Integer(), stored: Type.Integer(), applied: Type.Integer({ description: 'master data and acknowledgements that created, changed or linked a record here' }), checkpointSize: Type.Integer(), cosignatures: Type.String() }) },
      },
    },
    async (request) => {
      const actor = principalOf(request);
      try {
        return await federation.receiveBatch(actor, request.body);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (code === 'witness-fork' || code === 'witness-proof-invalid' || code === 'federation-checkpoint-forged' || code === 'federation-signature-invalid') {
          request.log.error({ code, actor: actor.actor }, 'federation alarm: a member sent a forged or forked checkpoint');
        }
        throw error;
      }
    },
  );

  const Amounts = Type.Array(Type.Object({ quantity: Type.Number(), uom: Type.String() }));
  const RecallTravelSchema = Type.Object({
    id: Type.String(),
    initiatorSubjectId: Nullable(Type.String({ description: "null going down: the initiator is the upstream's business" })),
    kind: StringEnum(['recall', 'stop_trade'] as const),
    level: Nullable(Type.Integer()),
    reason: Type.String(),
    status: StringEnum(['open', 'closed'] as const),
    roots: Type.Array(Type.String()),
    createdAt: Timestamp,
    closedAt: Nullable(Timestamp),
    closingNote: Nullable(Type.String()),
    notices: Type.Array(
      Type.Object({
        id: Type.String(),
        subjectId: Type.String({ description: "the member's id of the subject" }),
        regionCode: Type.String(),
        holdings: Type.Array(Type.String()),
        status: StringEnum(['notified', 'acknowledged'] as const),
        createdAt: Timestamp,
        acknowledgedAt: Nullable(Timestamp),
        outcome: Nullable(Type.Object({ found: Amounts, returned: Amounts, destroyed: Amounts, note: Nullable(Type.String()) })),
      }),
    ),
  });
  app.get(
    '/api/v1/federation/recalls',
    {
      schema: {
        summary: "Recalls made here that reached subjects the calling member brought, with those subjects' notices (a member's key; its forwarder polls)",
        tags,
        response: { 200: Type.Object({ items: Type.Array(RecallTravelSchema) }) },
      },
    },
    async (request) => ({ items: await federation.recallsForMember(principalOf(request)) }),
  );

  // Read when scraped: the figures live in the database, which other processes (the CLI) may move too.
  const reader = systemPrincipal('metrics');
  new client.Gauge({
    name: 'zhuisu_federation_backlog_events',
    help: 'Events captured here and not yet acknowledged by the upstream (absent without one)',
    registers: [metrics.registry],
    async collect() {
      const upstream = await federation.upstreamStatus();
      if (upstream) this.set(upstream.backlog);
    },
  });
  new client.Gauge({
    name: 'zhuisu_federation_upstream_failed_attempts',
    help: 'Failed tries to send to the upstream since the last success',
    registers: [metrics.registry],
    async collect() {
      const upstream = await federation.upstreamStatus();
      if (upstream) this.set(upstream.attempts);
    },
  });
  new client.Gauge({
    name: 'zhuisu_federation_member_events_received',
    help: 'Events received from each member',
    labelNames: ['member'] as const,
    registers: [metrics.registry],
    async collect() {
      this.reset();
      for (const m of await federation.listMembers(reader)) this.set({ member: m.logOrigin }, m.eventsReceived);
    },
  });
  new client.Gauge({
    name: 'zhuisu_federation_member_lag_seconds',
    help: "Arrival minus the latest event time of each member's last batch",
    labelNames: ['member'] as const,
    registers: [metrics.registry],
    async collect() {
      this.reset();
      for (const m of await federation.listMembers(reader)) if (m.lastLagMs !== null) this.set({ member: m.logOrigin }, m.lastLagMs / 1000);
    },
  });
}
