import { Type } from '@sinclair/typebox';
import { principalOf, type App } from '../http/app.js';
import { jsonBytes } from '../http/json-bytes.js';
import { Nullable, StrictObject, StringEnum } from '../http/schemas.js';
import type { Platform } from '../platform.js';
import { DEFAULT_TRACE_DEPTH, MAX_TRACE_DEPTH } from './trace.service.js';

const NullableString = Nullable(Type.String());

const TraceResultSchema = Type.Object(
  {
    root: Type.String({ description: 'id of the node traced from' }),
    direction: StringEnum(['backward', 'forward'] as const),
    nodes: Type.Array(
      Type.Object({
        id: Type.String(),
        code: Type.String({ description: 'canonical GS1 Digital Link, or urn:zhuisu:{scheme}:{code}' }),
        text: Type.String({ description: 'the code as printed' }),
        kind: Type.String({ description: 'item, lot, class, container, location, party, asset, document, other' }),
        product: Nullable(Type.Object({ id: Type.String(), name: Type.String(), gtin: NullableString, productClass: Type.String() })),
        holder: Nullable(Type.Object({ subjectId: NullableString, gln: NullableString, since: Type.String(), bizStep: NullableString, disposition: NullableString })),
        depth: Type.Integer(),
        recalls: Type.Array(Type.Object({ id: Type.String(), kind: Type.String(), level: Nullable(Type.Integer()), reason: Type.String(), status: Type.String(), createdAt: Type.String() })),
      }),
    ),
    edges: Type.Array(
      Type.Object({
        from: Type.String(),
        to: Type.String(),
        relation: StringEnum(['transformation', 'aggregation', 'lot'] as const),
        eventID: Type.String(),
        bizStep: NullableString,
        eventTime: Type.String(),
        quantity: Nullable(Type.Number()),
        uom: NullableString,
      }),
    ),
    subjects: Type.Array(Type.Object({ id: Type.String(), subjectCode: Type.String(), name: Type.String(), regionCode: Type.String(), roles: Type.Array(Type.String()) })),
    locations: Type.Array(Type.Object({ gln: Type.String(), id: NullableString, name: NullableString, subjectId: NullableString, regionCode: NullableString })),
    warnings: Type.Array(Type.String()),
  },
  { $id: 'TraceResult' },
);

const TraceQuery = StrictObject({
  code: Type.String({ minLength: 1, maxLength: 8_000, description: 'any form the code scanner reads' }),
  direction: StringEnum(['backward', 'forward'] as const, 'backward: where it came from; forward: where it went'),
  depth: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_TRACE_DEPTH, default: DEFAULT_TRACE_DEPTH })),
});

export function traceRoutes(app: App, platform: Platform): void {
  const { trace } = platform.services;
  app.addSchema(TraceResultSchema);
  app.get(
    '/api/v1/trace',
    {
      schema: { summary: 'Trace a code backward (where it came from) or forward (where it went), within what the key may read', tags: ['trace'], querystring: TraceQuery, response: { 200: Type.Ref(TraceResultSchema) } },
      // The service builds the answer field by field to this schema, so nothing undeclared can slip out; for hundreds
      // of nodes JSON.stringify writes it in half the time the schema-compiled serializer takes, and jsonBytes
      // encodes it in a third of the time the server would.
      // Fastify sends a serializer's Buffer as it is; its types expect text.
      serializerCompiler: () => (answer: unknown) => jsonBytes(answer) as unknown as string,
    },
    async (request) => trace.trace(principalOf(request), request.query.code, request.query.direction, request.query.depth ?? DEFAULT_TRACE_DEPTH),
  );
}
