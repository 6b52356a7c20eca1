import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { invalid } from '../domain/errors.js';
import { principalOf, type App } from '../http/app.js';
import { IdParams, PageQuery, StrictObject } from '../http/schemas.js';
import type { Platform } from '../platform.js';
import { discovery, epcisHeaders } from '../events/events.routes.js';
import { CAPTURE_LIMIT_BYTES, CAPTURE_LIMIT_EVENTS, type CaptureJob } from './capture.service.js';

const Issue = Type.Object({ eventIndex: Type.Optional(Type.Integer()), pointer: Type.Optional(Type.String()), message: Type.String() });
const CaptureJobSchema = Type.Object(
  {
    captureID: Type.String(),
    createdAt: Type.String(),
    running: Type.Boolean(),
    success: Type.Boolean(),
    captureErrorBehaviour: Type.Literal('rollback'),
    eventCount: Type.Integer(),
    errors: Type.Array(Issue),
    warnings: Type.Array(Issue),
    eventIDs: Type.Array(Type.String()),
  },
  { $id: 'CaptureJob' },
);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw invalid('invalid-json', 'the body is not valid JSON');
  }
}

function presentJob(job: CaptureJob) {
  return {
    captureID: job.captureID,
    createdAt: job.createdAt,
    running: false,
    success: job.status === 'succeeded',
    captureErrorBehaviour: 'rollback' as const,
    eventCount: job.eventCount,
    errors: job.errors,
    warnings: job.warnings,
    eventIDs: job.eventIDs,
  };
}

/** EPCIS capture endpoints. They advertise their limits on every answer, the 413 included. */
export function captureRoutes(app: App, platform: Platform): void {
  const { capture } = platform.services;
  const tags = ['epcis'];
  app.addSchema(CaptureJobSchema);

  app.register(async (scope) => {
    const typed = scope.withTypeProvider<TypeBoxTypeProvider>();
    // The capture document goes to a worker thread as text; parsing it here first would cost the main thread twice.
    typed.removeAllContentTypeParsers();
    typed.addContentTypeParser(['application/json', 'application/ld+json'], { parseAs: 'string', bodyLimit: CAPTURE_LIMIT_BYTES }, (_request, body, done) => done(null, body));
    typed.addHook('onSend', async (_request, reply) => {
      reply.header('GS1-EPCIS-Capture-Limit', String(CAPTURE_LIMIT_EVENTS)).header('GS1-EPCIS-Capture-File-Size-Limit', String(CAPTURE_LIMIT_BYTES));
    });

    typed.options('/epcis/capture', { schema: { summary: 'EPCIS discovery for capture: versions, limits (in the headers) and error behaviour', tags } }, async (_request, reply) =>
      discovery(reply, platform.version, ['GET', 'POST']).header('GS1-Capture-Error-Behaviour', 'rollback').send(),
    );

    typed.post(
      '/epcis/capture',
      {
        bodyLimit: CAPTURE_LIMIT_BYTES,
        schema: {
          summary: 'Capture an EPCISDocument (or EPCISQueryDocument); 202 once its events are stored (or the job says why not)',
          description: `JSON or JSON-LD, up to ${CAPTURE_LIMIT_EVENTS} events and ${CAPTURE_LIMIT_BYTES / 1024 / 1024} MiB. The document is validated whole: one invalid event rejects it (400) and nothing is stored.`,
          tags,
          body: Type.Any({ description: 'an EPCISDocument or EPCISQueryDocument (EPCIS 2.0 JSON / JSON-LD)' }),
          response: { 202: Type.Ref(CaptureJobSchema) },
        },
      },
      async (request, reply) => {
        const job = await capture.submitText(principalOf(request), request.body as unknown as string);
        epcisHeaders(reply, 'canonical');
        return reply.code(202).header('Location', `/epcis/capture/${job.captureID}`).send(presentJob(job));
      },
    );

    typed.post(
      '/epcis/events',
      {
        schema: {
          summary: 'Capture one event synchronously; 201 with its Location (200 when it was already stored)',
          tags,
          body: Type.Any({ description: 'an EPCIS event with its @context' }),
          response: { '2xx': Type.Object({ eventID: Type.String() }) },
        },
      },
      async (request, reply) => {
        const result = await capture.captureEvent(principalOf(request), parseJson(request.body as unknown as string));
        epcisHeaders(reply, 'canonical');
        return reply.code(result.created ? 201 : 200).header('Location', `/epcis/events/${encodeURIComponent(result.eventID)}`).send({ eventID: result.eventID });
      },
    );
  });

  app.get('/epcis/capture', { schema: { summary: 'Capture jobs of this key\'s subject, newest first', tags, querystring: StrictObject({ ...PageQuery }), response: { 200: Type.Object({ items: Type.Array(Type.Ref(CaptureJobSchema)) }) } } }, async (request) => ({
    items: (await capture.jobs(principalOf(request), request.query.cursor, request.query.limit ?? 50)).map(presentJob),
  }));

  app.get('/epcis/capture/:id', { schema: { summary: 'A capture job: running, success, errors', tags, params: IdParams, response: { 200: Type.Ref(CaptureJobSchema) } } }, async (request) =>
    presentJob(await capture.job(principalOf(request), request.params.id)),
  );
}
