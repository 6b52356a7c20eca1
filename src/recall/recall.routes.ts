import { Type } from '@sinclair/typebox';
import { principalOf, type App } from '../http/app.js';
import { IdParams, Nullable, PageQuery, StrictObject, StringEnum, Timestamp, pageOf } from '../http/schemas.js';
import type { Platform } from '../platform.js';
import { AuditRowSchema } from '../audit/audit.routes.js';
import { ExportedProofsSchema } from '../log/log.routes.js';
import { ImpactSchema } from '../trace/impact.routes.js';
import { XLSX_TYPE } from '../trace/spreadsheet.js';
import { MAX_RECALL_ROOTS } from './recall.service.js';

const AmountSchema = Type.Object({ quantity: Type.Number({ minimum: 0 }), uom: Type.String({ pattern: '^[A-Z0-9]{1,3}$', description: 'UN/CEFACT Rec 20 unit, EA for pieces' }) }, { additionalProperties: false });

const RecallSchema = Type.Object(
  {
    id: Type.String(),
    kind: StringEnum(['recall', 'stop_trade'] as const),
    level: Nullable(Type.Integer()),
    reason: Type.String(),
    status: StringEnum(['open', 'closed'] as const),
    initiator: Type.Object({ actor: Type.String(), subjectId: Nullable(Type.String()) }),
    roots: Type.Array(Type.String()),
    affected: Type.Object({
      subjects: Type.Array(Type.Object({ id: Type.String(), subjectCode: Type.String(), name: Type.String(), regionCode: Type.String() })),
      locations: Type.Array(Type.Object({ gln: Type.String(), name: Nullable(Type.String()), subjectId: Nullable(Type.String()), regionCode: Nullable(Type.String()) })),
      lots: Type.Array(Type.String()),
      items: Type.Array(Type.String()),
      quantities: Type.Array(AmountSchema),
    }),
    createdAt: Timestamp,
    closedAt: Nullable(Timestamp),
    closingNote: Nullable(Type.String()),
  },
  { $id: 'Recall' },
);

const OutcomeSchema = Type.Object({ found: Type.Array(AmountSchema), returned: Type.Array(AmountSchema), destroyed: Type.Array(AmountSchema), note: Nullable(Type.String()) });

const NoticeSchema = Type.Object(
  {
    id: Type.String(),
    recallId: Type.String(),
    subjectId: Type.String(),
    status: StringEnum(['notified', 'acknowledged'] as const),
    recall: Type.Object({ kind: StringEnum(['recall', 'stop_trade'] as const), level: Nullable(Type.Integer()), reason: Type.String(), status: StringEnum(['open', 'closed'] as const), createdAt: Timestamp }),
    holdings: Type.Array(Type.String(), { description: 'the recalled codes this subject held or received' }),
    createdAt: Timestamp,
    acknowledgedAt: Nullable(Timestamp),
    outcome: Nullable(OutcomeSchema),
  },
  { $id: 'RecallNotice' },
);

const ProgressSchema = Type.Object(
  {
    notices: Type.Integer(),
    acknowledged: Type.Integer(),
    distributed: Type.Array(AmountSchema),
    recovered: Type.Array(AmountSchema),
    flagged: Type.Array(Type.Object({ eventID: Type.String(), bizStep: Nullable(Type.String()), eventTime: Type.String(), codes: Type.Array(Type.String()) })),
  },
  { $id: 'RecallProgress' },
);

const DossierSchema = Type.Object(
  {
    compiledAt: Timestamp,
    recall: Type.Ref(RecallSchema),
    progress: Type.Ref(ProgressSchema),
    notices: Type.Array(Type.Ref(NoticeSchema), { description: 'every notice of the recall, with what each subject answered' }),
    records: Type.Array(Type.Ref(AuditRowSchema), { description: 'the audit entries of the recall and its notices, oldest first, as stored' }),
    withheld: Type.Array(Type.String(), { description: "audit ids whose client fields (address, request and key ids) are withheld from a reader who may not read that subject's audit trail; their digests stand on the log entries alone" }),
    movements: Type.Ref(ImpactSchema, { description: "the impact assessment of the recalled codes, within what the caller may read" }),
    proofs: Type.Optional(Type.Ref(ExportedProofsSchema)),
  },
  { $id: 'RecallDossier' },
);

const DossierQuery = StrictObject({
  proofs: Type.Optional(Type.Boolean({ description: "carry the transparency log's inclusion proof of every movement's event and every audit record, with the checkpoint and its key" })),
});

const CreateBody = StrictObject({
  codes: Type.Array(Type.String({ minLength: 1, maxLength: 8_000 }), { minItems: 1, maxItems: MAX_RECALL_ROOTS, description: 'what is recalled: lots, items, cases … in any scanned form' }),
  reason: Type.String({ minLength: 1, maxLength: 500 }),
  level: Type.Optional(Type.Integer({ minimum: 1, maximum: 3, description: '召回级别: 1 the most serious' })),
  kind: Type.Optional(StringEnum(['recall', 'stop_trade'] as const, 'stop_trade: 中止交易, stop selling and moving it')),
});

const AcknowledgeBody = StrictObject({
  found: Type.Optional(Type.Array(AmountSchema, { maxItems: 20 })),
  returned: Type.Optional(Type.Array(AmountSchema, { maxItems: 20 })),
  destroyed: Type.Optional(Type.Array(AmountSchema, { maxItems: 20 })),
  note: Type.Optional(Type.String({ maxLength: 1_000 })),
});

export function recallRoutes(app: App, platform: Platform): void {
  const { recalls, dossiers } = platform.services;
  app.addSchema(RecallSchema);
  app.addSchema(NoticeSchema);
  app.addSchema(ProgressSchema);
  app.addSchema(DossierSchema);
  const tags = ['recall'];
  const Recall = Type.Ref(RecallSchema);
  const Notice = Type.Ref(NoticeSchema);

  app.post('/api/v1/recalls', { schema: { summary: 'Recall or stop trade of codes: computed by forward trace, every affected subject notified', tags, body: CreateBody, response: { 201: Recall } } }, async (request, reply) => {
    const recall = await recalls.create(principalOf(request), request.body);
    return reply.code(201).header('Location', `/api/v1/recalls/${recall.id}`).send(recall);
  });
  app.get('/api/v1/recalls', { schema: { summary: 'Recalls this key sees whole', tags, querystring: StrictObject(PageQuery), response: { 200: pageOf(Recall) } } }, async (request) =>
    recalls.list(principalOf(request), request.query.cursor, request.query.limit ?? 50),
  );
  app.get(
    '/api/v1/recalls/flagged',
    {
      schema: {
        summary: 'Receipts, sales and dispensings of recalled codes since their recall, over the open recalls this key sees whole, newest first',
        tags,
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                eventID: Type.String(),
                bizStep: Nullable(Type.String()),
                eventTime: Type.String(),
                codes: Type.Array(Type.String()),
                recall: Type.Object({ id: Type.String(), kind: StringEnum(['recall', 'stop_trade'] as const), level: Nullable(Type.Integer()), reason: Type.String(), createdAt: Timestamp }),
              }),
            ),
          }),
        },
      },
    },
    async (request) => ({ items: await recalls.flaggedOfOpen(principalOf(request)) }),
  );
  app.get('/api/v1/recalls/:id', { schema: { summary: 'A recall, whole', tags, params: IdParams, response: { 200: Recall } } }, async (request) => recalls.get(principalOf(request), request.params.id));
  app.get(
    '/api/v1/recalls/:id/progress',
    {
      schema: {
        summary: 'Notified, acknowledged, recovered against distributed, and receipts or sales of recalled codes since',
        tags,
        params: IdParams,
        response: { 200: Type.Ref(ProgressSchema) },
      },
    },
    async (request) => recalls.progress(principalOf(request), request.params.id),
  );
  app.get(
    '/api/v1/recalls/:id/dossier',
    {
      schema: {
        summary: 'The recall dossier: the recall, its progress, every notice, its audit records as stored and the movements of the goods; proofs=true adds the log\'s proofs to check it offline',
        tags,
        params: IdParams,
        querystring: DossierQuery,
        response: { 200: Type.Ref(DossierSchema) },
      },
    },
    async (request) => dossiers.dossier(principalOf(request), request.params.id, { proofs: request.query.proofs === true }),
  );
  app.get(
    '/api/v1/recalls/:id/dossier.xlsx',
    {
      schema: {
        summary: 'The recall dossier as a workbook: recall, notices, movements, records and, with proofs=true, the proofs with the checkpoint and its key',
        tags,
        params: IdParams,
        querystring: DossierQuery,
        produces: [XLSX_TYPE],
      },
    },
    async (request, reply) => {
      const file = await dossiers.xlsx(principalOf(request), request.params.id, { proofs: request.query.proofs === true });
      return reply.type(file.contentType).header('Content-Disposition', `attachment; filename="${file.filename}"`).send(file.body);
    },
  );
  app.post('/api/v1/recalls/:id/close', { schema: { summary: 'Close a recall', tags, params: IdParams, body: StrictObject({ note: Type.Optional(Type.String({ maxLength: 1_000 })) }), response: { 200: Recall } } }, async (request) =>
    recalls.close(principalOf(request), request.params.id, request.body.note),
  );
  app.get('/api/v1/notices', { schema: { summary: "Recall and stop-trade notices addressed to the caller's subject", tags, querystring: StrictObject(PageQuery), response: { 200: pageOf(Notice) } } }, async (request) =>
    recalls.notices(principalOf(request), request.query.cursor, request.query.limit ?? 50),
  );
  app.post('/api/v1/notices/:id/acknowledge', { schema: { summary: 'Acknowledge a notice with what was found, returned or destroyed', tags, params: IdParams, body: AcknowledgeBody, response: { 200: Notice } } }, async (request) =>
    recalls.acknowledge(principalOf(request), request.params.id, request.body),
  );
}
