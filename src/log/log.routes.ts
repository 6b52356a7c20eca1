import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { ensure, readScope } from '../access/policy.js';
import { notFound } from '../domain/errors.js';
import { principalOf, type App } from '../http/app.js';
import { StrictObject } from '../http/schemas.js';
import type { Platform } from '../platform.js';
import { TILE_WIDTH } from './merkle.js';
import { parseTilePath } from './tiles.js';

const HexList = Type.Array(Type.String({ pattern: '^[0-9a-f]{64}$' }));

const Leaf = {
  leafIndex: Type.Integer(),
  leafHash: Type.String({ description: 'SHA-256(0x00 ‖ entry), hex' }),
  entry: Type.String({ description: 'the leaf as logged, UTF-8 with its final line feed: `event <eventID> <hash>` or `audit <id> sha-256:<hex>`' }),
  inclusionProof: Type.Array(Type.String(), { description: 'hex hashes, RFC 9162 §2.1.3 order' }),
};

/** The proofs an export carries (impact assessment, recall dossier), shared by $ref. */
export const ExportedProofsSchema = Type.Object(
  {
    treeSize: Type.Integer(),
    checkpoint: Type.String({ description: 'the C2SP signed note the proofs lead to' }),
    verifierKey: Type.String({ description: 'the Ed25519 key the checkpoint is signed with, signed-note form' }),
    events: Type.Array(Type.Object({ eventID: Type.String(), ...Leaf })),
    records: Type.Array(Type.Object({ auditId: Type.String({ description: 'the audit entry the leaf names; its digest is over the canonical JSON of the row as stored' }), ...Leaf })),
  },
  { $id: 'ExportedProofs', description: "the transparency log's inclusion proofs of the export's events and audit records, with the checkpoint they lead to and its key" },
);

/**
 * The transparency log over HTTP. Checkpoints, hash tiles and keys are public: they are hashes and sizes, and anyone
 * must be able to check them. Entry tiles name every eventID, so they are for keys that may read every event
 * (platform admins and auditors); proofs for the events the key may read.
 */
export function logRoutes(app: App, platform: Platform): void {
  const { log } = platform.services;
  const tags = ['transparency log'];
  app.addSchema(ExportedProofsSchema);

  app.get('/log/checkpoint', { config: { public: true }, schema: { summary: "The log's latest checkpoint, a C2SP signed note (Ed25519 and SM2)", tags, security: [] } }, async (_request, reply) => {
    const { note } = await log.checkpoint();
    return reply.type('text/plain; charset=utf-8').header('cache-control', 'no-cache').send(note);
  });

  app.get('/log/key', { config: { public: true }, schema: { summary: "The checkpoints' Ed25519 verifier key in signed-note form (name+id+key)", tags, security: [] } }, async (_request, reply) =>
    reply.type('text/plain; charset=utf-8').send(`${log.verifierKey}\n`),
  );

  app.get('/.well-known/zhuisu/keys', { config: { public: true }, schema: { summary: "The platform's public signing keys (Ed25519, SM2)", tags, security: [] } }, async () => log.publishedKeys());

  const serveTile = async (text: string, reply: FastifyReply) => {
    const path = parseTilePath(`tile/${text}`);
    if (!path) throw notFound('no-such-tile', 'not a tile path of the tlog-tiles layout');
    const bytes = await log.tile(path);
    if (!bytes) throw notFound('no-such-tile', 'the log does not have this tile (yet)');
    reply.type('application/octet-stream');
    // A full tile never changes; a partial one grows into a wider one.
    reply.header('cache-control', path.width === TILE_WIDTH ? 'public, max-age=31536000, immutable' : 'no-cache');
    return reply.send(bytes);
  };
  app.get('/log/tile/*', { config: { public: true }, schema: { summary: 'A hash tile of the log (C2SP tlog-tiles)', tags, security: [] } }, async (request, reply) =>
    serveTile((request.params as { '*': string })['*'], reply),
  );
  app.get('/log/tile/entries/*', { schema: { summary: 'An entry tile of the log (C2SP tlog-tiles): every eventID, so for keys that may read every event', tags } }, async (request, reply) => {
    ensure(readScope(principalOf(request)).kind === 'all', 'entries-not-permitted', 'entry tiles name every eventID: they need a key that may read every event');
    return serveTile(`entries/${(request.params as { '*': string })['*']}`, reply);
  });

  app.get(
    '/api/v1/proof',
    {
      schema: {
        summary: 'That an event is in the log: its leaf, the inclusion proof to the latest checkpoint, and the checkpoint',
        tags,
        querystring: StrictObject({ eventID: Type.String({ minLength: 1, maxLength: 2048 }) }),
        response: {
          200: Type.Object({ eventID: Type.String(), leafIndex: Type.Integer(), treeSize: Type.Integer(), leafHash: Type.String(), inclusionProof: HexList, checkpoint: Type.String() }),
        },
      },
    },
    async (request) => log.inclusion(principalOf(request), request.query.eventID),
  );

  app.get(
    '/api/v1/proof/consistency',
    {
      schema: {
        summary: 'That the log of size `to` (default: the latest checkpoint) extends the log of size `from`',
        tags,
        querystring: StrictObject({ from: Type.Integer({ minimum: 0 }), to: Type.Optional(Type.Integer({ minimum: 0 })) }),
        response: { 200: Type.Object({ from: Type.Integer(), to: Type.Integer(), proof: HexList, checkpoint: Type.String() }) },
      },
    },
    async (request) => log.consistency(request.query.from, request.query.to),
  );
}
