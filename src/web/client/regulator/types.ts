/** The API answers the dashboard reads: the server's own types (only types cross: test/architecture.test.ts). */
export type { Amount, ImpactAssessment as Impact, ImpactBalance as Balance } from '../../../trace/impact.service.js';
export type { Progress, RecallView as Recall } from '../../../recall/recall.service.js';
export type { Evaluation, Ranking, UnitEvaluation } from '../../../evaluation/evaluation.service.js';
export type { Grade } from '../../../evaluation/scoring.js';
export type { TraceEdge, TraceNode, TraceResult } from '../../../trace/trace.service.js';

export type { Page } from '../../../domain/master-data.js';

export const MEASURES = ['timeliness', 'completeness', 'consistency', 'rejection', 'availability'] as const;
export type Measure = (typeof MEASURES)[number];
