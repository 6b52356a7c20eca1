import { canReadAudit } from '../access/policy.js';
import type { Principal } from '../access/principal.js';
import { AuditRepository, type AuditRow } from '../audit/audit.repository.js';
import type { Database } from '../db/index.js';
import { canonicalJson, recordDigest } from '../log/entries.js';
import type { ExportedProofs, TransparencyLog } from '../log/log.service.js';
import { MOVEMENT_COLUMNS, WARNING_COLUMNS, regionLabel, type ImpactAssessment, type ImpactService } from '../trace/impact.service.js';
import { addFieldSheet, addProofSheet, addSheet, newWorkbook, xlsxBuffer, XLSX_TYPE, type Cell, type Column } from '../trace/spreadsheet.js';
import type { Amount, NoticeView, Progress, RecallService, RecallView } from './recall.service.js';

/**
 * The recall dossier (召回档案): everything a recall was and did in one export, for the file of the case and for
 * inspectors who check it away from the platform. The recall and its progress, every notice with its answer, the
 * audit entries of each step exactly as stored, and the movements of the recalled goods. With proofs, every movement's
 * event and every audit entry comes with its inclusion proof in the transparency log and the signed checkpoint.
 *
 * The movements are an impact assessment made with the caller's own read rights, not the recall's: the recall reached
 * its holders over every event, but the dossier shows only what its reader may read.
 */

export interface RecallDossier {
  compiledAt: string;
  recall: RecallView;
  progress: Progress;
  notices: NoticeView[];
  /** Oldest first, each as its row stores it: recordDigest(record) is the digest its `audit` leaf carries. */
  records: AuditRow[];
  /**
   * The audit ids whose client fields (address, request and key ids) were withheld from this reader, who may not read
   * those subjects' audit trails: their digests stand on the log's entries alone.
   */
  withheld: string[];
  movements: ImpactAssessment;
  proofs?: ExportedProofs;
}

/** What an audit row says of the client that made the change: for those who may read the subject's audit trail. */
const NO_CLIENT = { address: null, request_id: null, actor_key_id: null } as const;

export interface DossierFile {
  body: Buffer;
  contentType: string;
  filename: string;
  dossier: RecallDossier;
}

export class RecallDossierService {
  constructor(
    private readonly database: Database,
    private readonly recalls: RecallService,
    private readonly impact: ImpactService,
    private readonly log: TransparencyLog,
  ) {}

  async dossier(actor: Principal, id: string, options: { proofs?: boolean } = {}): Promise<RecallDossier> {
    // The recall's own rule decides first: unknown is 404, not seen whole is 403, before anything else is read.
    const recall = await this.recalls.get(actor, id);
    const compiledAt = new Date().toISOString();
    const progress = await this.recalls.progress(actor, id);
    const notices = await this.recalls.noticesOf(actor, id);
    const audit = new AuditRepository(this.database.db);
    const records = [...(await audit.rowsOfTargets('recall', [id])), ...(await audit.rowsOfTargets('recall_notice', notices.map((n) => n.id)))].sort(
      (a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
    const movements = await this.impact.assess(actor, recall.roots);
    const withheld = records.filter((r) => !canReadAudit(actor, r.subject_id)).map((r) => r.id);
    return {
      compiledAt,
      recall,
      progress,
      notices,
      records: records.map((r) => (withheld.includes(r.id) ? { ...r, ...NO_CLIENT } : r)),
      withheld,
      movements,
      // Signed last, so the checkpoint's tree holds every leaf read above.
      ...(options.proofs ? { proofs: await this.log.inclusions({ events: movements.movements.map((m) => m.eventID), records: records.map((r) => r.id) }) } : {}),
    };
  }

  async xlsx(actor: Principal, id: string, options: { proofs?: boolean } = {}): Promise<DossierFile> {
    const dossier = await this.dossier(actor, id, options);
    return { body: await dossierXlsx(dossier), contentType: XLSX_TYPE, filename: `recall-${id}.xlsx`, dossier };
  }
}

// --- the workbook ------------------------------------------------------------------------------------------------

const UTC_DATE = 'yyyy-mm-dd hh:mm:ss';
/** Recall times are instants with no place of their own: shown in UTC, and the headers say so. */
const utc = (iso: string | null): Date | null => (iso ? new Date(iso) : null);
const amounts = (list: Amount[] | undefined): string | null => (list?.length ? list.map((a) => `${a.quantity} ${a.uom}`).join('; ') : null);

interface NoticeRow {
  notice: NoticeView;
  subject: RecallView['affected']['subjects'][number] | undefined;
}

const NOTICE_COLUMNS: Column<NoticeRow>[] = [
  { header: '主体码 Subject code', width: 22, value: (r) => r.subject?.subjectCode ?? null },
  { header: '主体 Subject', width: 24, value: (r) => r.subject?.name ?? null },
  { header: '行政区划 Region code', width: 10, value: (r) => r.subject?.regionCode ?? null },
  { header: '地区 Region', width: 24, value: (r) => (r.subject ? regionLabel(r.subject.regionCode) : null) },
  { header: '持有 Holdings', width: 60, value: (r) => r.notice.holdings.join(' ') || null },
  { header: '状态 Status', width: 13, value: (r) => r.notice.status },
  { header: '确认时间 Acknowledged (UTC)', width: 20, format: UTC_DATE, value: (r) => utc(r.notice.acknowledgedAt) },
  { header: '发现 Found', width: 14, value: (r) => amounts(r.notice.outcome?.found) },
  { header: '退回 Returned', width: 14, value: (r) => amounts(r.notice.outcome?.returned) },
  { header: '销毁 Destroyed', width: 14, value: (r) => amounts(r.notice.outcome?.destroyed) },
  { header: '说明 Note', width: 30, value: (r) => r.notice.outcome?.note ?? null },
  { header: '通知 Notice ID', width: 38, value: (r) => r.notice.id },
];

interface RecordRow {
  row: AuditRow;
  withheld: boolean;
}

const RECORD_COLUMNS: Column<RecordRow>[] = [
  { header: '时间 At (UTC)', width: 20, format: UTC_DATE, value: (r) => utc(r.row.at) },
  { header: '操作人 Actor', width: 24, value: (r) => r.row.actor },
  { header: '操作 Action', width: 20, value: (r) => r.row.action },
  { header: '对象类型 Target type', width: 14, value: (r) => r.row.target_type },
  { header: '对象 Target ID', width: 38, value: (r) => r.row.target_id },
  // The text the digest is over, so the sheet alone is enough to recompute it; not for a row whose client fields were withheld.
  { header: '摘要 Digest', width: 74, value: (r) => (r.withheld ? '(client fields withheld: see the log entry in 证明 Proofs)' : recordDigest(r.row)) },
  { header: '记录 Record (canonical JSON, its SHA-256 is the digest)', width: 120, value: (r) => canonicalJson(r.row) },
  { header: '记录编号 Audit ID', width: 38, value: (r) => r.row.id },
];

/** XLSX: the recall, its notices, the movements, the audit records, and with proofs the log's evidence for them. */
export async function dossierXlsx(d: RecallDossier): Promise<Buffer> {
  const workbook = newWorkbook(d.compiledAt);
  const { recall, progress } = d;
  const subjects = new Map(recall.affected.subjects.map((s) => [s.id, s]));
  const initiator = recall.initiator.subjectId ? subjects.get(recall.initiator.subjectId) : undefined;
  const fields: [string, Cell, string?][] = [
    ['召回编号 Recall ID', recall.id],
    ['类型 Kind', recall.kind],
    ['级别 Level', recall.level],
    ['原因 Reason', recall.reason],
    ['状态 Status', recall.status],
    ['发起人 Initiated by', recall.initiator.actor],
    ['发起主体 Initiating subject', recall.initiator.subjectId ? [initiator?.subjectCode, initiator?.name, recall.initiator.subjectId].filter(Boolean).join(' ') : null],
    ['召回对象 Recalled codes', recall.roots.join('\n')],
    ['创建时间 Created (UTC)', utc(recall.createdAt), UTC_DATE],
    ['结束时间 Closed (UTC)', utc(recall.closedAt), UTC_DATE],
    ['结束说明 Closing note', recall.closingNote],
    ['通知 Notices', progress.notices],
    ['已确认 Acknowledged', progress.acknowledged],
    ['分发 Distributed', amounts(progress.distributed)],
    ['追回 Recovered', amounts(progress.recovered)],
    ['召回后收货或销售 Received or sold since', progress.flagged.length],
    ['编制时间 Compiled (UTC)', utc(d.compiledAt), UTC_DATE],
  ];
  addFieldSheet(workbook, '召回 Recall', fields);
  addSheet(workbook, '通知 Notices', NOTICE_COLUMNS, d.notices.map((notice) => ({ notice, subject: subjects.get(notice.subjectId) })));
  addSheet(workbook, '流向 Movements', MOVEMENT_COLUMNS, d.movements.movements);
  addSheet(workbook, '记录 Records', RECORD_COLUMNS, d.records.map((row) => ({ row, withheld: d.withheld.includes(row.id) })));
  if (d.movements.warnings.length) addSheet(workbook, '提示 Warnings', WARNING_COLUMNS, d.movements.warnings);
  if (d.proofs) addProofSheet(workbook, d.proofs);
  return xlsxBuffer(workbook);
}
