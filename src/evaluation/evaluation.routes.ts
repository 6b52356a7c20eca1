import { Type } from '@sinclair/typebox';
import client from 'prom-client';
import { systemPrincipal } from '../access/principal.js';
import { principalOf, type App } from '../http/app.js';
import type { Metrics } from '../http/metrics.js';
import { IdParams, Nullable, StrictObject, StringEnum } from '../http/schemas.js';
import type { Platform } from '../platform.js';
import type { EvaluationFormat } from './evaluation.service.js';
import { DEFAULT_PERIOD, GRADES, PERIOD_KINDS } from './scoring.js';

const Share = Nullable(Type.Number({ minimum: 0, maximum: 1 }));
const Millis = Nullable(Type.Integer());
const Counts = Type.Record(Type.String(), Type.Integer());

const MeasuresSchema = Type.Object({
  timeliness: Type.Object({
    value: Share,
    events: Type.Integer(),
    medianLagMs: Millis,
    p95LagMs: Millis,
    withinThreshold: Type.Integer(),
    thresholdMs: Type.Integer(),
  }),
  completeness: Type.Object({
    value: Share,
    events: Type.Integer(),
    completeEvents: Type.Integer(),
    required: Type.Integer(),
    present: Type.Integer(),
    missing: Counts,
    profiles: Type.Array(Type.String()),
  }),
  consistency: Type.Object({
    value: Share,
    shipments: Type.Integer(),
    answered: Type.Integer(),
    unanswered: Type.Integer(),
    pending: Type.Integer(),
    quantityBalance: Share,
    graceMs: Type.Integer(),
  }),
  rejection: Type.Object({
    value: Share,
    rate: Share,
    submissions: Type.Integer(),
    refused: Type.Integer(),
    resyncs: Type.Integer(),
    errorCodes: Counts,
  }),
  availability: Type.Object({
    value: Share,
    lastContact: Nullable(Type.String()),
    expectedDays: Type.Integer(),
    contactDays: Type.Integer(),
  }),
});

const Weight = Type.Number({ minimum: 0, maximum: 1 });
const Grade = StringEnum(GRADES);

const evaluationProperties = {
  rank: Nullable(Type.Integer({ description: "the place in the ranked list; null on a unit's own page" })),
  unit: Type.Object({
    kind: StringEnum(['member', 'subject'] as const, 'a federation member (platform or system) or a subject capturing here directly'),
    id: Type.String(),
    name: Type.String(),
    code: Type.String({ description: "the member's log origin or the subject's 主体码" }),
    memberKind: Nullable(Type.String()),
    level: Nullable(Type.String()),
    regionCode: Nullable(Type.String()),
  }),
  score: Type.Number({ minimum: 0, maximum: 100 }),
  grade: Grade,
  weights: Type.Object({ timeliness: Weight, completeness: Weight, consistency: Weight, rejection: Weight, availability: Weight }, { description: 'the weight each measure carried: measures without figures carry none' }),
  measures: MeasuresSchema,
  previous: Nullable(Type.Object({ period: Type.String(), score: Type.Number(), grade: Grade })),
  change: Nullable(Type.Number()),
};
const EvaluationSchema = Type.Object(evaluationProperties, { $id: 'Evaluation' });

const PeriodSchema = Type.Object({ kind: StringEnum(PERIOD_KINDS), key: Type.String(), start: Type.String(), end: Type.String() });

const PeriodQuery = StrictObject({
  period: Type.Optional(StringEnum(PERIOD_KINDS, `day, week or month (Beijing time); ${DEFAULT_PERIOD} by default`)),
  at: Type.Optional(Type.String({ maxLength: 10, description: 'the period: a date (2026-11-23), an ISO week (2026-W48) or a month (2026-11); the current one by default' })),
});

/**
 * Monitoring and evaluation (docs/EVALUATION.md): the ranked list of the connected systems and lower platforms, one
 * unit with its inputs and trend, and the list as CSV or XLSX. The latest complete day's score of each member is a
 * gauge on /metrics, computed when scraped.
 */
export function evaluationRoutes(app: App, platform: Platform, metrics: Metrics): void {
  const { evaluation } = platform.services;
  const tags = ['evaluation'];
  app.addSchema(EvaluationSchema);

  app.get(
    '/api/v1/evaluations',
    {
      schema: {
        summary: 'Ranked list (分级监测评价) of members and directly connected subjects for a period, each with its score, grade and inputs',
        description: 'Platform admins and auditors see every unit, regulators those of their region, a member its own row.',
        tags,
        querystring: PeriodQuery,
        response: { 200: Type.Object({ period: PeriodSchema, evaluatedAt: Type.String(), items: Type.Array(Type.Ref(EvaluationSchema)) }) },
      },
    },
    async (request) => evaluation.ranking(principalOf(request), request.query.period ?? DEFAULT_PERIOD, request.query.at),
  );

  const spreadsheet = (format: EvaluationFormat, summary: string, mediaType: string) =>
    app.get(`/api/v1/evaluations.${format}`, { schema: { summary, tags, querystring: PeriodQuery, produces: [mediaType] } }, async (request, reply) => {
      const sheet = await evaluation.spreadsheet(principalOf(request), request.query.period ?? DEFAULT_PERIOD, request.query.at, format);
      return reply.type(sheet.contentType).header('Content-Disposition', `attachment; filename="${sheet.filename}"`).send(sheet.body);
    });
  spreadsheet('xlsx', 'The ranked list as a spreadsheet, with a sheet of the weights, thresholds and grades', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  spreadsheet('csv', 'The ranked list as CSV (RFC 4180, UTF-8 with a byte order mark)', 'text/csv');

  app.get(
    '/api/v1/evaluations/:id',
    {
      schema: {
        summary: "One member or connected subject: its score, grade and each measure's inputs, with its trend over the periods before",
        tags,
        params: IdParams,
        querystring: PeriodQuery,
        response: {
          200: Type.Object({
            ...evaluationProperties,
            period: PeriodSchema,
            evaluatedAt: Type.String(),
            trend: Type.Array(Type.Object({ period: Type.String(), score: Nullable(Type.Number()), grade: Nullable(Grade) }), { description: 'this period and the five before, oldest first' }),
          }),
        },
      },
    },
    async (request) => evaluation.unit(principalOf(request), request.params.id, request.query.period ?? DEFAULT_PERIOD, request.query.at),
  );

  const reader = systemPrincipal('metrics');
  new client.Gauge({
    name: 'zhuisu_evaluation_member_score',
    help: "Each member's evaluation score (0–100) for the latest complete day",
    labelNames: ['member'] as const,
    registers: [metrics.registry],
    async collect() {
      this.reset();
      for (const s of await evaluation.memberScores(reader)) this.set({ member: s.unit.code }, s.score);
    },
  });
}
