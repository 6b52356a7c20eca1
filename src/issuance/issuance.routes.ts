import { Type } from '@sinclair/typebox';
import { SCHEMES, identifierOf, scanCode } from '../codes/registry.js';
import { UnknownSchemeError } from '../codes/scan.js';
import { invalid } from '../domain/errors.js';
import { principalOf, type App } from '../http/app.js';
import { IdParams, Nullable, PageQuery, StrictObject, StringEnum, Timestamp, pageOf } from '../http/schemas.js';
import type { Platform } from '../platform.js';
import { MAX_LABELS, SYMBOLOGIES } from '../labels/index.js';
import { MAX_CODES_PER_REQUEST, MAX_IMPORT_CODES, MINTED_SCHEMES } from './issuance.service.js';

const ReadingSchema = Type.Object(
  {
    scheme: Type.String(),
    schemeName: Type.String(),
    canonical: Type.String(),
    target: Type.String({ description: 'what the code names: item, lot, class, container, location, subject, equipment, region, document, asset, handle, other' }),
    fields: Type.Record(Type.String(), Type.String()),
    digitalLink: Type.Optional(Type.String()),
    identifier: Type.String({ description: 'what EPCIS events name this code by: the canonical GS1 Digital Link of the thing (a serialised item without its lot), or urn:zhuisu:{scheme}:{code}' }),
    notes: Type.Optional(Type.Array(Type.String())),
  },
  { $id: 'CodeReading' },
);

const BatchSchema = Type.Object(
  {
    id: Type.String(),
    subjectId: Type.String(),
    productId: Nullable(Type.String()),
    scheme: Type.String(),
    origin: StringEnum(['minted', 'imported'] as const),
    lot: Nullable(Type.String()),
    expiry: Nullable(Type.String({ format: 'date' })),
    quantity: Type.Integer(),
    eventIds: Type.Array(Type.String(), { description: 'the commissioning events; together they list the codes in issue order' }),
    createdAt: Timestamp,
  },
  { $id: 'CodeBatch' },
);

const CodeSchema = Type.Object(
  {
    code: Type.String({ description: 'the identifier events use: canonical GS1 Digital Link or urn:zhuisu:{scheme}:{code}' }),
    text: Type.String({ description: 'the human-readable text printed under the symbol' }),
    link: Type.String({ description: "the platform's public page for the code, carried by its QR code" }),
    status: StringEnum(['issued', 'void'] as const),
    voidedAt: Nullable(Timestamp),
  },
  { $id: 'Code' },
);

const IssuedSchema = Type.Object({ batch: Type.Ref(BatchSchema), eventIds: Type.Array(Type.String()) });

const ParseQuery = StrictObject({
  text: Type.String({ minLength: 1, maxLength: 8_000, description: 'what the scanner delivered: barcode text, QR payload, URL, URN or a native code' }),
  scheme: Type.Optional(Type.String({ maxLength: 64, description: 'read with this scheme only (an id from GET /api/v1/codes/schemes)' })),
});

const IssueBody = StrictObject({
  scheme: StringEnum(MINTED_SCHEMES, 'gs1-sgtin: GTIN + random serial; gs1-sscc: SSCC from a counter; platform-code: the platform 追溯码'),
  quantity: Type.Integer({ minimum: 1, maximum: MAX_CODES_PER_REQUEST }),
  productId: Type.Optional(Type.String({ maxLength: 64 })),
  subjectId: Type.Optional(Type.String({ maxLength: 64 })),
  lot: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
  expiry: Type.Optional(Type.String({ format: 'date' })),
  serialLength: Type.Optional(Type.Integer({ minimum: 6, maximum: 20 })),
  serialCharacters: Type.Optional(StringEnum(['alphanumeric', 'numeric'] as const)),
  companyPrefix: Type.Optional(Type.String({ pattern: '^\\d{4,12}$' })),
  extensionDigit: Type.Optional(Type.Integer({ minimum: 0, maximum: 9 })),
});

const ImportBody = StrictObject({
  scheme: Type.String({ minLength: 1, maxLength: 64 }),
  codes: Type.Array(Type.String({ minLength: 1, maxLength: 8_000 }), { minItems: 1, maxItems: MAX_IMPORT_CODES }),
  productId: Type.Optional(Type.String({ maxLength: 64 })),
  subjectId: Type.Optional(Type.String({ maxLength: 64 })),
  lot: Type.Optional(Type.String({ minLength: 1, maxLength: 20 })),
  expiry: Type.Optional(Type.String({ format: 'date' })),
});

const VoidBody = StrictObject({
  codes: Type.Array(Type.String({ minLength: 1, maxLength: 8_000 }), { minItems: 1, maxItems: MAX_IMPORT_CODES }),
  reason: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});

const BatchListQuery = StrictObject({
  subject: Type.Optional(Type.String({ maxLength: 64 })),
  product: Type.Optional(Type.String({ maxLength: 64 })),
  ...PageQuery,
});

const CodePageQuery = StrictObject({
  cursor: Type.Optional(Type.String({ maxLength: 16, description: 'nextCursor of the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1_000 })),
});

const LabelsQuery = StrictObject({
  format: StringEnum(['pdf', 'zpl'] as const, 'pdf: A4 label sheets; zpl: ZPL II for thermal printers'),
  symbology: Type.Optional(StringEnum(SYMBOLOGIES)),
  payload: Type.Optional(StringEnum(['link', 'code'] as const, "what a QR or Data Matrix carries: the platform's public link or the code itself")),
  from: Type.Optional(Type.Integer({ minimum: 0, description: 'position of the first code to print' })),
  count: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LABELS })),
  columns: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
  rows: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 })),
});

const SymbolQuery = StrictObject({
  code: Type.String({ minLength: 1, maxLength: 8_000 }),
  format: StringEnum(['svg', 'png'] as const),
  symbology: Type.Optional(StringEnum(SYMBOLOGIES)),
});

/** Room for a hundred thousand codes of the longest usual spelling. */
const CODE_LIST_BODY_LIMIT = 32 * 1024 * 1024;

export function issuanceRoutes(app: App, platform: Platform): void {
  const { issuance } = platform.services;
  app.addSchema(ReadingSchema);
  app.addSchema(BatchSchema);
  app.addSchema(CodeSchema);
  const tags = ['codes'];

  app.get('/api/v1/codes/schemes', { config: { public: true }, schema: { summary: 'The code schemes the platform reads', tags, security: [], response: { 200: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), layout: Type.String() })) } } }, async () =>
    SCHEMES.map(({ id, name, layout }) => ({ id, name, layout })),
  );

  app.get(
    '/api/v1/codes/parse',
    { config: { public: true }, schema: { summary: 'Read any scanned code: every valid reading, best first, or the reason it is unreadable', tags, security: [], querystring: ParseQuery, response: { 200: Type.Object({ readings: Type.Array(Type.Ref(ReadingSchema)) }) } } },
    async (request) => {
      let result;
      try {
        result = scanCode(request.query.text, request.query.scheme);
      } catch (error) {
        if (error instanceof UnknownSchemeError) throw invalid('unknown-scheme', error.message, [{ pointer: '/scheme', message: 'not a known scheme id' }]);
        throw error;
      }
      if (!result.ok) throw invalid('unreadable-code', result.reason, result.nearMisses.map((m) => ({ pointer: '/text', message: m.reason, scheme: m.scheme })));
      return { readings: result.readings.map((reading) => ({ ...reading, identifier: identifierOf(reading) })) };
    },
  );

  app.post('/api/v1/codes/issue', { schema: { summary: 'Mint new codes for a product (GS1 serials, SSCCs or platform 追溯码), recorded as commissioning events', tags, body: IssueBody, response: { 201: IssuedSchema } } }, async (request, reply) => {
    const issued = await issuance.issue(principalOf(request), request.body);
    return reply.code(201).header('Location', `/api/v1/codes/batches/${issued.batch.id}`).send(issued);
  });

  app.post(
    '/api/v1/codes/import',
    { bodyLimit: CODE_LIST_BODY_LIMIT, schema: { summary: 'Register codes an authority assigned (兽药, 码上放心, 特种设备, 雷管 …): all or none', tags, body: ImportBody, response: { 201: IssuedSchema } } },
    async (request, reply) => {
      const imported = await issuance.import(principalOf(request), request.body);
      return reply.code(201).header('Location', `/api/v1/codes/batches/${imported.batch.id}`).send(imported);
    },
  );

  app.post(
    '/api/v1/codes/void',
    { bodyLimit: CODE_LIST_BODY_LIMIT, schema: { summary: 'Void codes: kept registered for ever, never issued again; recorded as a decommissioning event', tags, body: VoidBody, response: { 200: Type.Object({ voided: Type.Array(Type.String()), alreadyVoid: Type.Array(Type.String()), eventIds: Type.Array(Type.String()) }) } } },
    async (request) => issuance.void(principalOf(request), request.body),
  );

  app.get('/api/v1/codes/batches', { schema: { summary: 'Issuance and import batches this key may read', tags, querystring: BatchListQuery, response: { 200: pageOf(Type.Ref(BatchSchema)) } } }, async (request) => {
    const { subject, product, ...page } = request.query;
    return issuance.batches(principalOf(request), { ...page, ...(subject ? { subjectId: subject } : {}), ...(product ? { productId: product } : {}) });
  });

  app.get('/api/v1/codes/batches/:id', { schema: { summary: 'A batch', tags, params: IdParams, response: { 200: Type.Ref(BatchSchema) } } }, async (request) =>
    issuance.batch(principalOf(request), request.params.id),
  );

  app.get('/api/v1/codes/batches/:id/codes', { schema: { summary: "A batch's codes in issue order", tags, params: IdParams, querystring: CodePageQuery, response: { 200: pageOf(Type.Ref(CodeSchema)) } } }, async (request) =>
    issuance.codes(principalOf(request), request.params.id, request.query.cursor, request.query.limit ?? 1_000),
  );

  app.get(
    '/api/v1/codes/batches/:id/labels',
    { schema: { summary: "Printable labels for a batch's codes: A4 sheets (PDF) or ZPL; voided codes are left out", tags, params: IdParams, querystring: LabelsQuery, produces: ['application/pdf', 'text/plain'] } },
    async (request, reply) => {
      const { format, ...options } = request.query;
      const labels = await issuance.labels(principalOf(request), request.params.id, { format, ...options });
      return reply
        .type(labels.contentType)
        .header('Content-Disposition', `attachment; filename="labels-${request.params.id}.${format}"`)
        .header('X-Labels-Printed', String(labels.printed))
        .send(labels.body);
    },
  );

  app.get('/api/v1/codes/symbol', { schema: { summary: "One registered code's symbol as SVG or PNG", tags, querystring: SymbolQuery, produces: ['image/svg+xml', 'image/png'] } }, async (request, reply) => {
    const image = await issuance.symbol(principalOf(request), request.query.code, request.query.format, request.query.symbology);
    return reply.type(request.query.format === 'svg' ? 'image/svg+xml' : 'image/png').send(image);
  });

  app.get(
    '/api/v1/codes/registry',
    { schema: { summary: 'What the registry knows of a code (any scanned form)', tags, querystring: StrictObject({ code: Type.String({ minLength: 1, maxLength: 8_000 }) }), response: { 200: Type.Intersect([Type.Ref(CodeSchema), Type.Object({ batch: Type.Ref(BatchSchema), recalls: Type.Array(Type.Object({ id: Type.String(), kind: Type.String(), level: Nullable(Type.Integer()), reason: Type.String(), status: Type.String(), createdAt: Type.String() }), { description: 'open recalls and stop-trade orders that reach the code' }) })]) } } },
    async (request) => issuance.lookup(principalOf(request), request.query.code),
  );
}
