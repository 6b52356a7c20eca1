import { Type } from '@sinclair/typebox';
import type { Platform } from '../platform.js';
import type { App } from './app.js';
import type { Metrics } from './metrics.js';
import { Nullable } from './schemas.js';

/** Public operational endpoints: health, metrics, the API description and the platform's identity card. */
export function systemRoutes(app: App, platform: Platform, metrics: Metrics): void {
  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: {
        summary: 'Readiness: 200 once migrations and start-up data are loaded, 503 before',
        tags: ['system'],
        security: [],
        response: {
          200: Type.Object({ status: Type.Literal('ok'), version: Type.String() }),
          503: Type.Object({ status: Type.Literal('starting'), version: Type.String() }),
        },
      },
    },
    async (_request, reply) => {
      if (!platform.ready) return reply.code(503).send({ status: 'starting' as const, version: platform.version });
      return { status: 'ok' as const, version: platform.version };
    },
  );

  app.get(
    '/metrics',
    { config: { public: true }, schema: { summary: 'Prometheus metrics', tags: ['system'], security: [], hide: false } },
    async (_request, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    },
  );

  app.get(
    '/openapi.json',
    { config: { public: true }, schema: { summary: 'This API as OpenAPI 3.1', tags: ['system'], security: [] } },
    async () => app.swagger(),
  );

  app.get(
    '/.well-known/zhuisu',
    {
      config: { public: true },
      schema: {
        summary: 'What this platform is: name, level in the hierarchy, region, version',
        tags: ['system'],
        security: [],
        response: {
          200: Type.Object({
            name: Type.String(),
            level: Type.String(),
            regionCode: Nullable(Type.String()),
            version: Type.String(),
            openapi: Type.String(),
          }),
        },
      },
    },
    async () => ({
      name: platform.config.platformName,
      level: platform.config.level,
      regionCode: platform.config.regionCode,
      version: platform.version,
      openapi: '/openapi.json',
    }),
  );
}
