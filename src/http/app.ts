import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { uuidv7 } from 'uuidv7';
import type { Principal } from '../access/principal.js';
import { DomainError, invalid } from '../domain/errors.js';
import { mayHoldUnstorableText, unstorableText } from '../epcis/validation/storable-text.js';
import type { Platform } from '../platform.js';
import { createMetrics } from './metrics.js';
import { asDomainError, toProblem } from './problem.js';
import { ProblemSchema } from './schemas.js';
import { buildValidator } from './validation.js';
import { systemRoutes } from './system.routes.js';
import { subjectRoutes } from '../subjects/subjects.routes.js';
import { productRoutes } from '../products/products.routes.js';
import { userRoutes } from '../access/users.routes.js';
import { auditRoutes } from '../audit/audit.routes.js';
import { captureRoutes } from '../capture/capture.routes.js';
import { eventRoutes } from '../events/events.routes.js';
import { issuanceRoutes } from '../issuance/issuance.routes.js';
import { packagingRoutes } from '../packaging/packaging.routes.js';
import { traceRoutes } from '../trace/trace.routes.js';
import { logRoutes } from '../log/log.routes.js';
import { witnessRoutes } from '../log/witness.routes.js';
import { federationRoutes } from '../federation/federation.routes.js';
import { evaluationRoutes } from '../evaluation/evaluation.routes.js';
import { impactRoutes } from '../trace/impact.routes.js';
import { recallRoutes } from '../recall/recall.routes.js';
import { resolverRoutes } from '../resolver/resolver.routes.js';
import { consumerRoutes } from '../consumer/consumer.routes.js';
import { webRoutes } from '../web/web.routes.js';
import { complaintRoutes } from '../complaints/complaints.routes.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served without an API key (health, metrics, OpenAPI, well-known, log, consumer pages). */
    public?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export type App = FastifyInstance<any, any, any, any, TypeBoxTypeProvider>;

export interface HttpOptions {
  logger?: boolean;
}

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
const PLUS_JSON = /^application\/[\w.-]+\+json$/;

export async function buildHttpApp(platform: Platform, options: HttpOptions = {}): Promise<App> {
  const app = Fastify({
    // Request logs carry method, URL and address only; the platform logger also redacts credentials should anyone
    // log headers.
    ...(options.logger === false ? { logger: false } : { loggerInstance: platform.logger }),
    bodyLimit: DEFAULT_BODY_LIMIT,
    genReqId: () => uuidv7(),
    requestIdHeader: false,
    // Fastify's factory type is a union over Ajv and JSON-type-definition compilers; ours is the Ajv kind.
    schemaController: { compilersFactory: { buildValidator: buildValidator as never } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorateRequest('principal', null);

  // JSON bodies, JSON-LD and other +json media types (EPCIS uses application/ld+json) alike, parse as fastify parses
  // JSON, and are refused when they carry text no database column can hold (an escaped NUL, a lone surrogate half):
  // PostgreSQL would fail on it half-way, SQLite would keep what the other refuses.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  const parseStorableJson: typeof parseJson = (request, body, done) =>
    parseJson(request, body, (error, parsed) => {
      if (error || typeof body !== 'string' || !mayHoldUnstorableText(body)) return done(error, parsed);
      const issues = unstorableText(parsed);
      if (issues.length === 0) return done(null, parsed);
      done(invalid('unstorable-text', `${issues[0]!.pointer}: ${issues[0]!.message}`, issues.map(({ pointer, message }) => ({ pointer, message }))), undefined);
    });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parseStorableJson);
  app.addContentTypeParser(PLUS_JSON, { parseAs: 'string' }, parseStorableJson);

  // No route stores a NUL from its URL either; decoded into a path or query parameter it would reach the database.
  app.addHook('onRequest', async (request) => {
    if (/%00/.test(request.url)) throw invalid('unstorable-text', 'the request URL contains %00 (NUL), which cannot be stored as text');
  });

  const metrics = createMetrics();

  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.public || request.is404 || request.url.startsWith('/docs')) return;
    if (!platform.ready) throw new DomainError('unavailable', 'starting', 'the platform is starting; retry shortly');
    const onBehalfOf = request.headers['x-on-behalf-of'];
    request.principal = await platform.services.users.authenticate(bearerOf(request), {
      address: request.ip,
      requestId: request.id,
      onBehalfOf: Array.isArray(onBehalfOf) ? onBehalfOf[0] : onBehalfOf,
    });
  });

  // Every answer names its request, so a user reporting a problem can point at the log lines behind it.
  app.addHook('onSend', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: request.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  app.setErrorHandler(async (error, request, reply) => {
    const domain = asDomainError(error);
    if (domain.kind === 'internal') request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: domain.code, status: domain.kind }, 'request rejected');
    return sendProblem(reply, domain, request);
  });

  app.setNotFoundHandler(async (request, reply) =>
    sendProblem(reply, new DomainError('not_found', 'route-not-found', `no resource at ${request.method} ${request.url.split('?')[0]}`), request),
  );

  app.addSchema(ProblemSchema);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'zhuisu API',
        version: platform.version,
        description:
          'Traceability platform for important products (重要产品追溯). Every error is application/problem+json with a stable `code`.',
        license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      },
      components: {
        securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: zsk_<id>_<secret>' } },
      },
      security: [{ apiKey: [] }],
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { url: '/openapi.json' } as never });

  await app.register(async (scope) => {
    const typed = scope.withTypeProvider<TypeBoxTypeProvider>();
    systemRoutes(typed, platform, metrics);
    subjectRoutes(typed, platform);
    productRoutes(typed, platform);
    userRoutes(typed, platform);
    auditRoutes(typed, platform);
    captureRoutes(typed, platform);
    eventRoutes(typed, platform);
    issuanceRoutes(typed, platform);
    packagingRoutes(typed, platform);
    traceRoutes(typed, platform);
    logRoutes(typed, platform);
    witnessRoutes(typed, platform);
    impactRoutes(typed, platform);
    recallRoutes(typed, platform);
    federationRoutes(typed, platform, metrics);
    evaluationRoutes(typed, platform, metrics);
    resolverRoutes(typed, platform);
    consumerRoutes(typed, platform);
    complaintRoutes(typed, platform);
    webRoutes(typed);
  });

  await app.ready();
  return app;
}

function bearerOf(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

export function sendProblem(reply: FastifyReply, error: DomainError, request: FastifyRequest) {
  const problem = toProblem(error, request.url.split('?')[0], request.id);
  if (problem.status === 401) reply.header('WWW-Authenticate', 'Bearer realm="zhuisu"');
  const retryAfter = error.details.find((d) => typeof d.retryAfterSeconds === 'number')?.retryAfterSeconds;
  if (problem.status === 429 && retryAfter !== undefined) reply.header('Retry-After', String(retryAfter));
  return reply.code(problem.status).type('application/problem+json').serializer(JSON.stringify).send(problem);
}

/** The authenticated principal of a request; routes behind the auth hook always have one. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new DomainError('unauthenticated', 'missing-credentials', 'authentication required');
  return request.principal;
}
