import { Type } from '@sinclair/typebox';
import { principalOf, type App } from '../http/app.js';
import { Nullable, PageQuery, StrictObject, StringEnum, Timestamp, pageOf } from '../http/schemas.js';
import type { Platform } from '../platform.js';

const WitnessedLogSchema = Type.Object(
  {
    origin: Type.String(),
    vkey: Type.String(),
    size: Type.Integer({ description: 'the size of the latest checkpoint cosigned, 0 before the first' }),
    rootHash: Type.String({ description: 'its root hash in hex' }),
    checkpoint: Nullable(Type.String({ description: 'that checkpoint as a signed note, with the cosignature' })),
    cosignedAt: Nullable(Timestamp),
    registeredAt: Timestamp,
  },
  { $id: 'WitnessedLog' },
);

const WitnessAlarmSchema = Type.Object(
  {
    id: Type.String(),
    origin: Type.String(),
    kind: StringEnum(['fork', 'inconsistent', 'forged'] as const, 'fork: a second root for a size cosigned; inconsistent: the proof sent does not tie the new tree to the cosigned one; forged: a federation member sent a checkpoint or batch not signed by its log key'),
    at: Timestamp,
    actor: Type.String(),
    requestId: Nullable(Type.String()),
    cosignedCheckpoint: Nullable(Type.String()),
    submittedCheckpoint: Type.String(),
    oldSize: Type.Integer(),
    proof: Type.Array(Type.String()),
  },
  { $id: 'WitnessAlarm' },
);

/** A request body is a checkpoint and at most 63 hashes: a few kilobytes, whatever the number of signatures. */
const ADD_CHECKPOINT_BODY_LIMIT = 64 * 1024;

/**
 * The platform as a witness (c2sp.org/tlog-witness). add-checkpoint answers in the spec's terms, which clients of the
 * transparency-dev ecosystem branch on: cosignature lines (200), the witness's size as `text/x.tlog.size` when the old
 * size is not the one it cosigned (409), 422 when the proof does not verify, and problem+json for everything else.
 * The witness key is public; the witnessed logs and the alarms are for admins (logs also for platform auditors).
 */
export function witnessRoutes(app: App, platform: Platform): void {
  const { witness } = platform.services;
  const tags = ['witness'];
  app.addSchema(WitnessedLogSchema);
  app.addSchema(WitnessAlarmSchema);

  app.get('/log/witness/key', { config: { public: true }, schema: { summary: "The witness's cosignature verifier key (tlog-cosignature/v1, signed-note type 0x04)", tags, security: [] } }, async (_request, reply) =>
    reply.type('text/plain; charset=utf-8').send(`${witness.verifierKey}\n`),
  );

  // Its own scope, so the body is read as text whatever the client declares (the spec names no media type).
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
    scope.post(
      '/log/witness/add-checkpoint',
      {
        bodyLimit: ADD_CHECKPOINT_BODY_LIMIT,
        schema: { summary: 'Submit a checkpoint with a consistency proof for cosigning (C2SP tlog-witness); the body is text', tags },
      },
      async (request, reply) => {
        const actor = principalOf(request);
        const outcome = await witness.addCheckpoint(actor, typeof request.body === 'string' ? request.body : '');
        switch (outcome.kind) {
          case 'cosigned':
            return reply.type('text/plain; charset=utf-8').send(outcome.cosignatures);
          case 'stale':
            return reply.code(409).type('text/x.tlog.size').send(`${outcome.size}\n`);
          case 'fork':
          case 'inconsistent': {
            const { id, origin, kind, oldSize } = outcome.alarm;
            request.log.error({ alarmId: id, origin, kind, oldSize, actor: actor.actor }, `witness alarm: the log ${origin} contradicts the checkpoint this witness cosigned (${kind})`);
            throw outcome.error;
          }
        }
      },
    );
  });

  app.post(
    '/api/v1/witness/logs',
    {
      schema: {
        summary: 'Witness a log: its origin and the verifier key its checkpoints are signed with (admins)',
        tags,
        body: StrictObject({ origin: Type.String({ minLength: 1, maxLength: 255 }), vkey: Type.String({ minLength: 1, maxLength: 1024 }) }),
        response: { 201: Type.Ref(WitnessedLogSchema) },
      },
    },
    async (request, reply) => reply.code(201).send(await witness.registerLog(principalOf(request), request.body)),
  );

  app.get(
    '/api/v1/witness/logs',
    { schema: { summary: 'The logs witnessed, each with the latest checkpoint cosigned', tags, querystring: StrictObject({ ...PageQuery }), response: { 200: pageOf(Type.Ref(WitnessedLogSchema)) } } },
    async (request) => witness.listLogs(principalOf(request), request.query.cursor, request.query.limit ?? 50),
  );

  app.get(
    '/api/v1/witness/alarms',
    {
      schema: {
        summary: 'Alarms raised when a witnessed log contradicted a checkpoint the witness cosigned, newest first (admins)',
        tags,
        querystring: StrictObject({ origin: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })), ...PageQuery }),
        response: { 200: pageOf(Type.Ref(WitnessAlarmSchema)) },
      },
    },
    async (request) => {
      const { origin, cursor, limit } = request.query;
      return witness.listAlarms(principalOf(request), { ...(origin !== undefined ? { origin } : {}), ...(cursor !== undefined ? { cursor } : {}), limit: limit ?? 50 });
    },
  );
}
