import { Type } from '@sinclair/typebox';
import { scanCode } from '../codes/registry.js';
import { codePagePath } from '../consumer/gs1-resolver.js';
import { renderComplaintAnswer } from '../consumer/consumer.page.js';
import { DomainError } from '../domain/errors.js';
import { principalOf, type App } from '../http/app.js';
import { Nullable, PageQuery, StrictObject, StringEnum, Timestamp, pageOf } from '../http/schemas.js';
import { chooseLanguage, LANGUAGES } from '../i18n/index.js';
import type { Platform } from '../platform.js';
import { COMPLAINT_TEXT } from './complaints.service.js';

const ComplaintSchema = Type.Object(
  {
    id: Type.String(),
    code: Type.String(),
    productName: Nullable(Type.String()),
    producerName: Nullable(Type.String()),
    regionCode: Nullable(Type.String()),
    text: Type.String(),
    contact: Nullable(Type.String({ description: 'shown to admins and the regulators of the region only' })),
    status: StringEnum(['open', 'handled'] as const),
    createdAt: Timestamp,
    handledAt: Nullable(Timestamp),
    handledBy: Nullable(Type.String()),
    handlingNote: Nullable(Type.String()),
  },
  { $id: 'Complaint' },
);

const ComplaintBody = StrictObject({
  code: Type.String({ minLength: 1, maxLength: 8_000, description: 'the code complained about, in any form the scanner reads' }),
  text: Type.String({ minLength: 1, maxLength: COMPLAINT_TEXT.max * 4 }),
  contact: Type.Optional(Type.String({ maxLength: 40, description: 'a phone number, sealed at rest' })),
});

export function complaintRoutes(app: App, platform: Platform): void {
  const { complaints } = platform.services;
  app.addSchema(ComplaintSchema);
  const ComplaintRef = Type.Ref(ComplaintSchema);
  const tags = ['complaints'];

  app.post(
    '/api/v1/complaints',
    { config: { public: true }, schema: { summary: "A consumer's complaint about a code (投诉举报): anyone may send one", tags, security: [], body: ComplaintBody, response: { 201: ComplaintRef } } },
    async (request, reply) => reply.code(201).send(await complaints.submit(request.body, request.ip)),
  );

  app.get(
    '/api/v1/complaints',
    { schema: { summary: 'Complaints this key may read, newest first', tags, querystring: StrictObject({ status: Type.Optional(StringEnum(['open', 'handled'] as const)), code: Type.Optional(Type.String({ maxLength: 8_000 })), ...PageQuery }), response: { 200: pageOf(ComplaintRef) } } },
    async (request) => complaints.list(principalOf(request), request.query),
  );

  app.get('/api/v1/complaints/:id', { schema: { summary: 'A complaint', tags, params: StrictObject({ id: Type.String({ maxLength: 64 }) }), response: { 200: ComplaintRef } } }, async (request) =>
    complaints.get(principalOf(request), request.params.id),
  );

  app.post(
    '/api/v1/complaints/:id/handle',
    { schema: { summary: 'Mark a complaint handled, saying what was done', tags, params: StrictObject({ id: Type.String({ maxLength: 64 }) }), body: StrictObject({ note: Type.String({ minLength: 1, maxLength: 2000 }) }), response: { 200: ComplaintRef } } },
    async (request) => complaints.handle(principalOf(request), request.params.id, request.body.note),
  );

  // The complaint form of a code's page, sent without scripts: a urlencoded body, answered with a page.
  void app.register(async (scope) => {
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_request, body, done) =>
      done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    scope.post('/complaints', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
      const form = (request.body ?? {}) as Record<string, string | undefined>;
      const language = chooseLanguage(form.lang, request.headers['accept-language']);
      const other = `/?lang=${LANGUAGES.find((l) => l !== language)!}`;
      const scan = scanCode(form.code ?? '');
      const backHref = scan.ok ? `${codePagePath(scan.readings[0]!)}?lang=${language}` : `/?lang=${language}`;
      try {
        await complaints.submit({ code: form.code ?? '', text: form.text ?? '', contact: form.contact }, request.ip);
      } catch (error) {
        if (!(error instanceof DomainError) || (error.kind !== 'invalid' && error.kind !== 'too_many_requests')) throw error;
        const status = error.kind === 'invalid' ? 400 : 429;
        return reply.code(status).type('text/html; charset=utf-8').send(renderComplaintAnswer(language, other, { received: false, detail: error.message, backHref }));
      }
      return reply.code(201).type('text/html; charset=utf-8').send(renderComplaintAnswer(language, other, { received: true, backHref }));
    });
  });
}
