import { Type } from '@sinclair/typebox';
import { invalid } from '../domain/errors.js';
import { principalOf, type App } from '../http/app.js';
import { IdParams, Nullable, StrictObject, StringEnum, Timestamp } from '../http/schemas.js';
import type { Platform } from '../platform.js';
import { HOPS_HEADER, RESOLVER_ENTRY_KINDS, VIA_HEADER, type ResolveRequest } from './resolver.service.js';

const EntrySchema = Type.Object(
  {
    id: Type.String(),
    kind: StringEnum(RESOLVER_ENTRY_KINDS),
    value: Type.String(),
    holder: Type.String({ description: "a federation member's id, or `here`" }),
    source: StringEnum(['learned', 'registered'] as const),
    createdAt: Timestamp,
    createdBy: Type.String(),
  },
  { $id: 'ResolverEntry' },
);

const PlatformFields = { origin: Type.String({ description: "its transparency log's origin" }), level: Type.String(), regionCode: Nullable(Type.String()) };

const ResolutionSchema = Type.Object(
  {
    code: Type.String({ description: 'canonical GS1 Digital Link, or urn:zhuisu:{scheme}:{code}' }),
    text: Type.String({ description: 'the code as printed' }),
    product: Nullable(Type.Object({ name: Type.String(), gtin: Nullable(Type.String()), productClass: Type.String() })),
    recalled: Type.Boolean({ description: 'an open recall or stop-trade order reaches the code' }),
    recalls: Type.Array(Type.Object({ kind: Type.String(), level: Nullable(Type.Integer()), reason: Type.String(), status: Type.String(), createdAt: Type.String() })),
    steps: Type.Array(
      Type.Object({
        eventID: Type.String(),
        eventTime: Type.String(),
        bizStep: Nullable(Type.String()),
        disposition: Nullable(Type.String()),
        place: Nullable(Type.Object({ gln: Type.String(), name: Nullable(Type.String()), regionCode: Nullable(Type.String()) })),
        subject: Nullable(Type.Object({ name: Type.String(), regionCode: Type.String() })),
        certificationInfo: Type.Array(Type.String(), { description: 'the certificates the event cites (EPCIS 2.0 certificationInfo)' }),
        proof: Type.Object({
          leafIndex: Type.Integer(),
          leafHash: Type.String({ description: 'SHA-256(0x00 ‖ entry), hex' }),
          entry: Type.String({ description: 'the leaf as logged: `event <eventID> <hash>` and a line feed' }),
          inclusionProof: Type.Array(Type.String(), { description: 'hex hashes, RFC 9162 §2.1.3 order' }),
        }),
      }),
      { description: 'oldest first: the events of the code and of what it was made from or packed with' },
    ),
    checkpoint: Type.Object({ treeSize: Type.Integer(), note: Type.String({ description: "the answering platform's signed checkpoint" }), verifierKey: Type.String() }),
    answeredBy: Type.Object(PlatformFields),
    route: Type.Array(Type.Object({ ...PlatformFields, source: StringEnum(['local', 'member', 'upstream'] as const) }), {
      description: 'the platform that answered, then each platform that passed the answer on and where it had it from',
    }),
    vouch: Nullable(Type.String({ description: 'a signed note by the last platform of the route, which checked a fetched answer, over the answering platform, its key and the checkpoint' })),
  },
  { $id: 'Resolution' },
);

/** 通查通识 (docs/RESOLVER.md): the public query for any code, and the directory of who holds which codes. */
export function resolverRoutes(app: App, platform: Platform): void {
  const { resolver } = platform.services;
  const tags = ['resolver'];
  app.addSchema(EntrySchema);
  app.addSchema(ResolutionSchema);

  app.get(
    '/api/v1/resolve',
    {
      config: { public: true },
      schema: {
        summary: 'Any code, any form: its product, steps and recall status with proofs, from here, the member holding it, or the upstream',
        description: `Public. A platform asking another sends ${HOPS_HEADER} (platforms passed) and ${VIA_HEADER} (their log origins, never asked again).`,
        tags,
        security: [],
        querystring: StrictObject({ code: Type.String({ minLength: 1, maxLength: 8000 }) }),
        response: { 200: Type.Ref(ResolutionSchema) },
      },
    },
    async (request) => resolver.resolve(request.query.code, requestOf(request.headers)),
  );

  app.post(
    '/api/v1/resolver/entries',
    {
      schema: {
        summary: 'List a holder for a GS1 company prefix, a 主体码, a region or a code scheme (platform admins)',
        tags,
        body: StrictObject({
          kind: StringEnum(RESOLVER_ENTRY_KINDS),
          value: Type.String({ minLength: 1, maxLength: 64 }),
          holder: Type.String({ minLength: 1, maxLength: 64, description: "a federation member's id, or `here`" }),
        }),
        response: { 201: Type.Ref(EntrySchema) },
      },
    },
    async (request, reply) => reply.code(201).send(await resolver.registerEntry(principalOf(request), request.body)),
  );

  app.get(
    '/api/v1/resolver/entries',
    {
      schema: {
        summary: 'The resolver directory, learned and registered (platform admins and platform auditors)',
        tags,
        querystring: StrictObject({ kind: Type.Optional(StringEnum(RESOLVER_ENTRY_KINDS)), holder: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) }),
        response: { 200: Type.Object({ items: Type.Array(Type.Ref(EntrySchema)) }) },
      },
    },
    async (request) => ({ items: await resolver.listEntries(principalOf(request), request.query) }),
  );

  app.delete(
    '/api/v1/resolver/entries/:id',
    { schema: { summary: 'Remove a resolver entry (platform admins)', tags, params: IdParams, response: { 204: Type.Null() } } },
    async (request, reply) => {
      await resolver.deleteEntry(principalOf(request), request.params.id);
      return reply.code(204).send(null);
    },
  );
}

/** The hop counter and the platforms passed, as the asking platform sent them; none for a consumer. */
function requestOf(headers: Record<string, string | string[] | undefined>): ResolveRequest {
  const first = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const hopsText = first(HOPS_HEADER);
  const hops = hopsText === undefined ? 0 : Number(hopsText);
  if (!Number.isSafeInteger(hops) || hops < 0) throw invalid('resolver-hops-malformed', `${HOPS_HEADER} is a count of platforms, 0 or more`, [{ pointer: `/headers/${HOPS_HEADER}`, message: 'not a count' }]);
  const via = (first(VIA_HEADER) ?? '')
    .split(',')
    .map((origin) => origin.trim())
    .filter((origin) => origin !== '');
  return { hops, via };
}
