import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { principalOf, type App } from '../http/app.js';
import { StrictObject } from '../http/schemas.js';
import type { Platform } from '../platform.js';
import { MAX_CHILDREN } from './packaging.service.js';

const Code = Type.String({ minLength: 1, maxLength: 8_000, description: 'any scanned form: Digital Link, element string, URN, native code' });
const At = Type.String({ maxLength: 40, description: 'ISO 8601 time with offset; now if absent' });

const ContentsNode = Type.Recursive((node) => Type.Object({ code: Type.String(), children: Type.Array(node) }), { $id: 'ContentsNode' });

const PackBody = StrictObject({ parent: Code, children: Type.Array(Code, { minItems: 1, maxItems: MAX_CHILDREN }), at: Type.Optional(At) });
const UnpackBody = StrictObject({ parent: Code, children: Type.Optional(Type.Array(Code, { minItems: 1, maxItems: MAX_CHILDREN })), at: Type.Optional(At) });
const AsOfQuery = StrictObject({ code: Code, at: Type.Optional(At) });
const Recorded = Type.Object({ eventId: Type.String() });

/** The packaging hierarchy: pack and unpack (AggregationEvents), and what is inside what, now or at a past time. */
export function packagingRoutes(app: App, platform: Platform): void {
  const { packaging } = platform.services;
  const tags = ['codes'];
  app.addSchema(ContentsNode);
  const created = <T extends TSchema>(schema: T) => ({ 201: schema }) as { 201: T };

  app.post('/api/v1/codes/pack', { schema: { summary: 'Pack children (units, cases) into a parent (case, pallet): an AggregationEvent ADD', tags, body: PackBody, response: created(Recorded) } }, async (request, reply) =>
    reply.code(201).send(await packaging.pack(principalOf(request), request.body)),
  );

  app.post('/api/v1/codes/unpack', { schema: { summary: 'Take children (or everything) out of a parent: an AggregationEvent DELETE', tags, body: UnpackBody, response: created(Recorded) } }, async (request, reply) =>
    reply.code(201).send(await packaging.unpack(principalOf(request), request.body)),
  );

  app.get('/api/v1/codes/contents', { schema: { summary: 'What is inside a code, all levels down, now or as of a time', tags, querystring: AsOfQuery, response: { 200: Type.Ref(ContentsNode) } } }, async (request) =>
    packaging.contents(principalOf(request), request.query.code, request.query.at) as Promise<Static<typeof ContentsNode>>,
  );

  app.get('/api/v1/codes/containers', { schema: { summary: 'What a code is inside, innermost first, now or as of a time', tags, querystring: AsOfQuery, response: { 200: Type.Object({ code: Type.String(), containers: Type.Array(Type.String()) }) } } }, async (request) =>
    packaging.container(principalOf(request), request.query.code, request.query.at),
  );
}
