import { Type } from '@sinclair/typebox';
import { principalOf, type App } from '../http/app.js';
import { Nullable, StrictObject, StringEnum } from '../http/schemas.js';
import { ExportedProofsSchema } from '../log/log.routes.js';
import type { Platform } from '../platform.js';
import { MAX_IMPACT_CODES, type SpreadsheetFormat } from './impact.service.js';
import { DEFAULT_TRACE_DEPTH, MAX_TRACE_DEPTH } from './trace.service.js';

const NullableString = Nullable(Type.String());
const Amount = Type.Object({ uom: Type.String(), quantity: Type.Number() });
const Party = Type.Object({ subjectId: NullableString, subjectCode: NullableString, subjectName: NullableString, gln: NullableString, locationName: NullableString });
const Balance = Type.Object({
  uom: Type.String({ description: "unit of measure (UN/CEFACT); instances count as 'EA'" }),
  produced: Type.Number({ description: 'commissioned (ObjectEvent ADD) or made by a transformation there' }),
  received: Type.Number(),
  shipped: Type.Number(),
  sold: Type.Number({ description: 'bizStep retail_selling' }),
  dispensed: Type.Number({ description: 'bizStep dispensing' }),
  consumed: Type.Number({ description: 'used up as the input of a transformation there' }),
  remaining: Type.Number({ description: 'produced + received − shipped − sold − dispensed − consumed' }),
});
const Subject = Type.Object({ id: Type.String(), subjectCode: Type.String(), name: Type.String(), regionCode: Type.String(), region: NullableString, roles: Type.Array(Type.String()) });
const Location = Type.Object({ gln: Type.String(), id: Type.String(), name: Type.String(), subjectId: Type.String(), regionCode: Type.String(), region: NullableString });

export const ImpactSchema = Type.Object(
  {
    assessedAt: Type.String({ format: 'date-time' }),
    codes: Type.Array(Type.Object({ scanned: Type.String(), code: Type.String({ description: 'the identifier it was read as' }) })),
    things: Type.Array(Type.Object({ code: Type.String(), text: Type.String(), kind: Type.String(), productName: NullableString, gtin: NullableString, lot: NullableString })),
    subjects: Type.Array(Subject),
    locations: Type.Array(Location),
    regions: Type.Array(
      Type.Object({
        level: StringEnum(['province', 'city', 'county'] as const),
        code: Type.String({ description: 'GB/T 2260 prefix: 2, 4 or 6 digits' }),
        name: NullableString,
        subjectIds: Type.Array(Type.String()),
        locationGlns: Type.Array(Type.String()),
      }),
    ),
    holders: Type.Array(
      Type.Object({
        subjectId: NullableString,
        subjectCode: NullableString,
        name: NullableString,
        regionCode: NullableString,
        region: NullableString,
        glns: Type.Array(Type.String()),
        balances: Type.Array(Balance),
        movements: Type.Integer(),
        firstDate: NullableString,
        lastDate: NullableString,
      }),
    ),
    totals: Type.Array(Balance),
    movements: Type.Array(
      Type.Object({
        eventID: Type.String(),
        eventType: Type.String(),
        eventTime: Type.String(),
        timeZoneOffset: Type.String(),
        bizStep: NullableString,
        disposition: NullableString,
        code: Type.String(),
        text: Type.String(),
        kind: Type.String(),
        productName: NullableString,
        gtin: NullableString,
        lot: NullableString,
        quantity: Nullable(Type.Number()),
        uom: NullableString,
        contents: Type.Array(Amount, { description: 'for a container: the traced goods packed into it when it moved' }),
        from: Party,
        to: Party,
        regionCode: NullableString,
        region: NullableString,
      }),
    ),
    warnings: Type.Array(Type.String()),
    proofs: Type.Optional(Type.Ref(ExportedProofsSchema)),
  },
  { $id: 'ImpactAssessment' },
);

const ImpactQuery = StrictObject({
  code: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 8_000 }), { description: `a code in any form the scanner reads; repeat for a set of lots (at most ${MAX_IMPACT_CODES} in all)` })),
  codes: Type.Optional(Type.String({ minLength: 1, maxLength: 200_000, description: 'codes separated by |' })),
  depth: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_TRACE_DEPTH, default: DEFAULT_TRACE_DEPTH })),
  proofs: Type.Optional(Type.Boolean({ description: "carry the transparency log's inclusion proof of every movement's event, with the checkpoint and its key (JSON and XLSX)" })),
});

type Query = { code?: string[]; codes?: string; depth?: number; proofs?: boolean };

const codesOf = (query: Query): string[] => [...(query.code ?? []), ...(query.codes ? query.codes.split('|').filter((c) => c.length > 0) : [])];

export function impactRoutes(app: App, platform: Platform): void {
  const { impact } = platform.services;
  const tags = ['trace'];
  app.addSchema(ImpactSchema);
  app.get(
    '/api/v1/impact',
    { schema: { summary: 'Impact assessment (流向范围及影响评估): where the goods of the codes went, by region and holder, with every movement; within what the key may read', tags, querystring: ImpactQuery, response: { 200: Type.Ref(ImpactSchema) } } },
    async (request) => impact.assess(principalOf(request), codesOf(request.query), request.query.depth ?? DEFAULT_TRACE_DEPTH, { proofs: request.query.proofs === true }),
  );
  const spreadsheet = (format: SpreadsheetFormat, summary: string, mediaType: string) =>
    app.get(`/api/v1/impact.${format}`, { schema: { summary, tags, querystring: ImpactQuery, produces: [mediaType] } }, async (request, reply) => {
      const sheet = await impact.spreadsheet(principalOf(request), codesOf(request.query), format, request.query.depth ?? DEFAULT_TRACE_DEPTH, { proofs: request.query.proofs === true });
      return reply
        .type(sheet.contentType)
        .header('Content-Disposition', `attachment; filename="${sheet.filename}"`)
        .header('X-Impact-Warnings', String(sheet.assessment.warnings.length))
        .send(sheet.body);
    });
  spreadsheet('xlsx', 'The impact assessment as a spreadsheet: one row per movement (key data elements), a sheet per holder', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  spreadsheet('csv', 'The movements of the impact assessment as CSV (RFC 4180, UTF-8 with a byte order mark)', 'text/csv');
}
