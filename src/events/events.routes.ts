import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { principalOf, type App } from '../http/app.js';
import { invalid } from '../domain/errors.js';
import { ZHUISU_VOCABULARY } from '../epcis/json-ld.js';
import type { Platform } from '../platform.js';
import type { IdentifierForm } from './events.service.js';

export const EPCIS_CONTEXT_URL = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';

/** `Never_Translates` returns identifiers as captured; every other preference gets canonical Digital Link. */
export function identifierForm(request: FastifyRequest): IdentifierForm {
  return request.headers['gs1-epc-format'] === 'Never_Translates' ? 'as-captured' : 'canonical';
}

export function epcisHeaders(reply: FastifyReply, form: IdentifierForm): FastifyReply {
  return reply
    .header('GS1-EPCIS-Version', '2.0.0')
    .header('GS1-CBV-Version', '2.0.0')
    .header('GS1-EPC-Format', form === 'canonical' ? 'Always_GS1_Digital_Link' : 'Never_Translates');
}

/**
 * The EPCIS discovery answer (OPTIONS): the versions spoken, the identifier forms answers can take, and the methods
 * the resource allows. Clients negotiate from it before they capture or query.
 */
export function discovery(reply: FastifyReply, vendorVersion: string, allow: string[]): FastifyReply {
  return reply
    .code(204)
    .header('Allow', ['OPTIONS', ...allow].join(', '))
    .header('GS1-EPCIS-Version', '2.0.0')
    .header('GS1-EPCIS-Min', '2.0.0')
    .header('GS1-EPCIS-Max', '2.0.0')
    .header('GS1-CBV-Version', '2.0.0')
    .header('GS1-CBV-Min', '2.0.0')
    .header('GS1-CBV-Max', '2.0.0')
    .header('GS1-EPC-Format', 'Always_GS1_Digital_Link, Never_Translates')
    .header('GS1-Vendor-Version', `zhuisu/${vendorVersion}`);
}

/** The prefix the query document's recall notes are written under (bound to zhuisu's vocabulary in its @context). */
const RECALLED_PREFIX = 'zhuisu';

const documentContext = (context: Record<string, unknown>) => (Object.keys(context).length ? [EPCIS_CONTEXT_URL, context] : [EPCIS_CONTEXT_URL]);

const QueryParameters = Type.Object(
  {
    eventType: Type.Optional(Type.String({ description: '|-separated event types' })),
    GE_eventTime: Type.Optional(Type.String({ format: 'date-time' })),
    LT_eventTime: Type.Optional(Type.String({ format: 'date-time' })),
    GE_recordTime: Type.Optional(Type.String({ format: 'date-time' })),
    LT_recordTime: Type.Optional(Type.String({ format: 'date-time' })),
    EQ_action: Type.Optional(Type.String()),
    EQ_bizStep: Type.Optional(Type.String()),
    EQ_disposition: Type.Optional(Type.String()),
    EQ_readPoint: Type.Optional(Type.String()),
    EQ_bizLocation: Type.Optional(Type.String()),
    EQ_transformationID: Type.Optional(Type.String()),
    EQ_persistentDisposition_set: Type.Optional(Type.String()),
    EQ_persistentDisposition_unset: Type.Optional(Type.String()),
    MATCH_epc: Type.Optional(Type.String()),
    MATCH_parentID: Type.Optional(Type.String()),
    MATCH_inputEPC: Type.Optional(Type.String()),
    MATCH_outputEPC: Type.Optional(Type.String()),
    MATCH_anyEPC: Type.Optional(Type.String()),
    MATCH_epcClass: Type.Optional(Type.String()),
    MATCH_inputEPCClass: Type.Optional(Type.String()),
    MATCH_outputEPCClass: Type.Optional(Type.String()),
    MATCH_anyEPCClass: Type.Optional(Type.String()),
    EQ_eventID: Type.Optional(Type.String()),
    EXISTS_errorDeclaration: Type.Optional(Type.String({ description: 'empty or true' })),
    GE_errorDeclarationTime: Type.Optional(Type.String({ format: 'date-time', description: 'also spelt GE_errorDeclaration_Time' })),
    LT_errorDeclarationTime: Type.Optional(Type.String({ format: 'date-time', description: 'also spelt LT_errorDeclaration_Time' })),
    EQ_errorReason: Type.Optional(Type.String()),
    EQ_correctiveEventID: Type.Optional(Type.String()),
    EXISTS_sensorElementList: Type.Optional(Type.String({ description: 'empty or true' })),
    EQ_type: Type.Optional(Type.String({ description: 'sensor measurement type, e.g. Temperature' })),
    EQ_deviceID: Type.Optional(Type.String()),
    GE_time: Type.Optional(Type.String({ format: 'date-time' })),
    LT_time: Type.Optional(Type.String({ format: 'date-time' })),
    orderBy: Type.Optional(Type.String({ description: 'eventTime or recordTime' })),
    orderDirection: Type.Optional(Type.String({ description: 'ASC or DESC' })),
    eventCountLimit: Type.Optional(Type.String()),
    maxEventCount: Type.Optional(Type.String({ description: 'more matching events is a 413 (QueryTooLargeException); excludes eventCountLimit' })),
    perPage: Type.Optional(Type.String({ description: 'events per page (default 30, at most 1000)' })),
    nextPageToken: Type.Optional(Type.String()),
  },
  {
    // EQ_/GE_/LT_/EXISTS_ on ILMD (EQ_ILMD_<field>) and extension fields (EQ_<ns:field>), and sensor values by unit
    // (GT_maxValue_CEL), are open-ended, so other string parameters pass here and the SimpleEventQuery parser rejects
    // the unknown ones by name.
    additionalProperties: Type.String(),
  },
);

/**
 * The top-level resources of the REST binding: `/epcis/{resource}/{value}/events` is the event query with the
 * parameter below set to the value (and any other parameters as usual).
 */
const RESOURCES = {
  eventTypes: { parameter: 'eventType', summary: 'Events of one event type' },
  epcs: { parameter: 'MATCH_anyEPC', summary: 'Events naming one EPC or EPC class (URL-encoded), in any role' },
  bizSteps: { parameter: 'EQ_bizStep', summary: 'Events of one business step' },
  bizLocations: { parameter: 'EQ_bizLocation', summary: 'Events at one business location (URL-encoded)' },
  readPoints: { parameter: 'EQ_readPoint', summary: 'Events at one read point (URL-encoded)' },
  dispositions: { parameter: 'EQ_disposition', summary: 'Events leaving things in one disposition' },
} as const;

export function eventRoutes(app: App, platform: Platform): void {
  const { events } = platform.services;
  const tags = ['epcis'];

  /** Runs the query and answers it as an EPCISQueryDocument, the next page linked under the same `path`. */
  const answer = async (request: FastifyRequest, reply: FastifyReply, path: string, params: Record<string, string>, fixed: Record<string, string> = {}) => {
    const form = identifierForm(request);
    const page = await events.query(principalOf(request), { ...params, ...fixed }, form);
    if (page.nextPageToken) {
      const next = new URLSearchParams({ ...params, nextPageToken: page.nextPageToken });
      reply.header('Link', `<${path}?${next.toString()}>; rel="next"`);
    }
    epcisHeaders(reply, form).type('application/ld+json');
    // Recalled codes are named beside the results, in zhuisu's namespace, so that the events stay as captured. A
    // capturer that bound the prefix to something else keeps it: the note is then keyed by its full IRI.
    const prefixFree = page.context[RECALLED_PREFIX] === undefined || page.context[RECALLED_PREFIX] === ZHUISU_VOCABULARY;
    const recalled = page.recalled.length ? { [prefixFree ? `${RECALLED_PREFIX}:recalled` : `${ZHUISU_VOCABULARY}recalled`]: page.recalled } : {};
    return {
      '@context': documentContext(page.recalled.length && prefixFree ? { ...page.context, [RECALLED_PREFIX]: ZHUISU_VOCABULARY } : page.context),
      type: 'EPCISQueryDocument',
      schemaVersion: '2.0',
      creationDate: new Date().toISOString(),
      epcisBody: { queryResults: { queryName: 'SimpleEventQuery', resultsBody: { eventList: page.events } } },
      ...recalled,
    };
  };

  app.options('/epcis', { schema: { summary: 'EPCIS discovery: versions and formats this repository speaks', tags } }, async (_request, reply) =>
    discovery(reply, platform.version, []).send(),
  );
  app.options('/epcis/events', { schema: { summary: 'EPCIS discovery for the events resource', tags } }, async (_request, reply) =>
    discovery(reply, platform.version, ['GET', 'POST']).send(),
  );

  app.get(
    '/epcis/events',
    { schema: { summary: 'SimpleEventQuery over the events this key may read (EPCISQueryDocument)', tags, querystring: QueryParameters } },
    async (request, reply) => answer(request, reply, '/epcis/events', request.query as Record<string, string>),
  );

  for (const [resource, { parameter, summary }] of Object.entries(RESOURCES)) {
    app.get(
      `/epcis/${resource}/:value/events`,
      {
        schema: {
          summary: `${summary}: the event query with ${parameter} set`,
          tags,
          params: Type.Object({ value: Type.String({ minLength: 1, maxLength: 2048 }) }),
          querystring: QueryParameters,
        },
      },
      async (request, reply) => {
        const params = request.query as Record<string, string>;
        if (params[parameter] !== undefined) throw invalid('query-parameter', `the path already gives ${parameter}`, [{ pointer: `/${parameter}`, message: 'given twice' }]);
        const { value } = request.params as { value: string };
        return answer(request, reply, `/epcis/${resource}/${encodeURIComponent(value)}/events`, params, { [parameter]: value });
      },
    );
  }

  app.get(
    '/epcis/events/:eventID',
    { schema: { summary: 'One event by its eventID (URL-encoded)', tags, params: Type.Object({ eventID: Type.String({ minLength: 1, maxLength: 2048 }) }) } },
    async (request, reply) => {
      const form = identifierForm(request);
      const { event, context } = await events.get(principalOf(request), request.params.eventID, form);
      epcisHeaders(reply, form).type('application/ld+json');
      return { '@context': documentContext(context), ...event };
    },
  );
}
