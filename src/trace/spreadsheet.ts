import ExcelJS from 'exceljs';
import type { ExportedProofs } from '../log/log.service.js';

/**
 * The spreadsheet pieces every export shares (the impact assessment, the recall dossier, the evaluation ranking):
 * sheets with a frozen, filterable header and typed cells, CSV of the same columns, and the sheet of transparency-log
 * proofs that lets a reader check the export without the platform.
 */

export type Cell = string | number | Date | null;

export interface Column<R> {
  header: string;
  width: number;
  /** The XLSX number format of date and number columns. */
  format?: string;
  value(row: R): Cell;
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function newWorkbook(created: string): ExcelJS.Workbook {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'zhuisu';
  workbook.created = new Date(created);
  return workbook;
}

/** A sheet of one row per item, its header frozen and filterable so a long list can be sorted and narrowed. */
export function addSheet<R>(workbook: ExcelJS.Workbook, name: string, columns: Column<R>[], rows: readonly R[]): ExcelJS.Worksheet {
  const ws = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map((c) => ({ header: c.header, width: c.width, ...(c.format ? { style: { numFmt: c.format } } : {}) }));
  ws.getRow(1).font = { bold: true };
  for (const r of rows) ws.addRow(columns.map((c) => c.value(r) ?? null));
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: rows.length + 1, column: columns.length } };
  return ws;
}

/** A sheet of key/value rows (a record's fields), for what is one thing rather than a list. */
export function addFieldSheet(workbook: ExcelJS.Workbook, name: string, fields: readonly [string, Cell, string?][]): ExcelJS.Worksheet {
  const ws = workbook.addWorksheet(name);
  ws.columns = [{ width: 28 }, { width: 80 }];
  for (const [label, value, format] of fields) {
    const row = ws.addRow([label, value ?? null]);
    row.getCell(1).font = { bold: true };
    if (format) row.getCell(2).numFmt = format;
  }
  return ws;
}

interface ProofRow {
  kind: 'event' | 'audit';
  ref: string;
  leaf: ExportedProofs['events'][number] | ExportedProofs['records'][number];
}

export const PROOF_COLUMNS: Column<ProofRow>[] = [
  { header: '记录 Record (event ID or audit ID)', width: 44, value: (p) => p.ref },
  { header: '类型 Kind', width: 8, value: (p) => p.kind },
  { header: '叶序号 Leaf index', width: 12, value: (p) => p.leaf.leafIndex },
  { header: '叶哈希 Leaf hash (SHA-256 of 0x00 and the entry, hex)', width: 66, value: (p) => p.leaf.leafHash },
  // Exactly the bytes hashed, final line feed included: a reader copies it rather than retypes it.
  { header: '叶条目 Leaf entry (UTF-8, ends with a line feed)', width: 90, value: (p) => p.leaf.entry },
  { header: '包含证明 Inclusion proof (hex, RFC 9162 order)', width: 120, value: (p) => p.leaf.inclusionProof.join(' ') },
];

/** The proofs, events then records, and below them the checkpoint and its key: all a reader needs to check them. */
export function addProofSheet(workbook: ExcelJS.Workbook, proofs: ExportedProofs): ExcelJS.Worksheet {
  const rows: ProofRow[] = [
    ...proofs.events.map((leaf): ProofRow => ({ kind: 'event', ref: leaf.eventID, leaf })),
    ...proofs.records.map((leaf): ProofRow => ({ kind: 'audit', ref: leaf.auditId, leaf })),
  ];
  const ws = addSheet(workbook, '证明 Proofs', PROOF_COLUMNS, rows);
  ws.addRow([]);
  ws.addRow(['检查点 Checkpoint', proofs.checkpoint]);
  ws.addRow(['树大小 Tree size', proofs.treeSize]);
  ws.addRow(['验证密钥 Verifier key', proofs.verifierKey]);
  return ws;
}

/**
 * CSV (RFC 4180: CRLF, fields quoted as needed) of the columns, with a UTF-8 byte order mark: without it Excel reads
 * the file in the system code page and the Chinese names come out garbled.
 */
export function csvText<R>(columns: readonly Column<R>[], rows: readonly R[]): string {
  const lines = [columns.map((c) => csvField(c.header))];
  for (const r of rows) lines.push(columns.map((c) => csvField(c.value(r))));
  return '\uFEFF' + lines.map((l) => l.join(',')).join('\r\n') + '\r\n';
}

function csvField(value: Cell): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  let text = value instanceof Date ? value.toISOString().slice(0, 19).replace('T', ' ') : value;
  // A text cell opening with a formula character would be run as a formula by a spreadsheet (CSV injection).
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export async function xlsxBuffer(workbook: ExcelJS.Workbook): Promise<Buffer> {
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
