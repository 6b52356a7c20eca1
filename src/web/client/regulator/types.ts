/** The API answers the dashboard reads (the server's schemas: src/trace, src/recall, src/evaluation). */

export interface Recall {
  id: string;
  kind: 'recall' | 'stop_trade';
  level: number | null;
  reason: string;
  status: 'open' | 'closed';
  initiator: { actor: string; subjectId: string | null };
  roots: string[];
  createdAt: string;
  affected: {
    subjects: { id: string; subjectCode: string; name: string; regionCode: string }[];
    locations: { gln: string; name: string | null; subjectId: string | null; regionCode: string | null }[];
    lots: string[];
    items: string[];
    quantities: Amount[];
  };
  closedAt: string | null;
  closingNote: string | null;
}

export interface TraceNode {
  id: string;
  code: string;
  text: string;
  kind: string;
  product: { id: string; name: string; gtin: string | null; productClass: string } | null;
  holder: { subjectId: string | null; gln: string | null; since: string; bizStep: string | null; disposition: string | null } | null;
  depth: number;
  recalls: { id: string; kind: string; level: number | null; reason: string; status: string; createdAt: string }[];
}

export interface TraceEdge {
  from: string;
  to: string;
  relation: 'transformation' | 'aggregation' | 'lot';
  eventID: string;
  bizStep: string | null;
  eventTime: string;
  quantity: number | null;
  uom: string | null;
}

export interface TraceResult {
  root: string;
  direction: 'backward' | 'forward';
  nodes: TraceNode[];
  edges: TraceEdge[];
  subjects: { id: string; subjectCode: string; name: string; regionCode: string; roles: string[] }[];
  locations: { gln: string; id: string | null; name: string | null; subjectId: string | null; regionCode: string | null }[];
  warnings: string[];
}

export interface Amount {
  quantity: number;
  uom: string;
}

export interface Balance {
  uom: string;
  produced: number;
  received: number;
  shipped: number;
  sold: number;
  dispensed: number;
  consumed: number;
  remaining: number;
}

export interface Impact {
  assessedAt: string;
  codes: { scanned: string; code: string }[];
  things: { code: string; text: string; kind: string; productName: string | null; gtin: string | null; lot: string | null }[];
  subjects: { id: string; subjectCode: string; name: string; regionCode: string; region: string | null; roles: string[] }[];
  locations: { gln: string; id: string; name: string; subjectId: string; regionCode: string; region: string | null }[];
  regions: { level: 'province' | 'city' | 'county'; code: string; name: string | null; subjectIds: string[]; locationGlns: string[] }[];
  holders: {
    subjectId: string | null;
    subjectCode: string | null;
    name: string | null;
    regionCode: string | null;
    region: string | null;
    glns: string[];
    balances: Balance[];
    movements: number;
    firstDate: string | null;
    lastDate: string | null;
  }[];
  totals: Balance[];
  warnings: string[];
}

export interface Progress {
  notices: number;
  acknowledged: number;
  distributed: Amount[];
  recovered: Amount[];
  flagged: { eventID: string; bizStep: string | null; eventTime: string; codes: string[] }[];
}

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
}

export type Grade = string;

export interface Evaluation {
  rank: number | null;
  unit: { kind: 'member' | 'subject'; id: string; name: string; code: string; memberKind: string | null; level: string | null; regionCode: string | null };
  score: number;
  grade: Grade;
  weights: Record<Measure, number>;
  measures: {
    timeliness: { value: number | null; events: number; medianLagMs: number | null };
    completeness: { value: number | null; events: number; missing: Record<string, number> };
    consistency: { value: number | null; shipments: number; answered: number; unanswered: number };
    rejection: { value: number | null; rate: number | null; submissions: number; refused: number; errorCodes: Record<string, number> };
    availability: { value: number | null; lastContact: string | null };
  };
  previous: { period: string; score: number; grade: Grade } | null;
  change: number | null;
}

export const MEASURES = ['timeliness', 'completeness', 'consistency', 'rejection', 'availability'] as const;
export type Measure = (typeof MEASURES)[number];

export interface Ranking {
  period: { kind: string; key: string; start: string; end: string };
  evaluatedAt: string;
  items: Evaluation[];
}

export interface UnitEvaluation extends Evaluation {
  period: { kind: string; key: string; start: string; end: string };
  trend: { period: string; score: number | null; grade: Grade | null }[];
}
