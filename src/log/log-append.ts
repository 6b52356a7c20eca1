import type { Database, Executor } from '../db/index.js';
import { formatEntry, type LogEntry } from './entries.js';
import { LogRepository } from './log.repository.js';
import { appended, leafHash } from './merkle.js';

/**
 * Appends records to the transparency log inside the caller's transaction: their leaves, the subtree hashes they
 * complete, and the root they make. The record and its leaf commit together or not at all, and the position is held
 * until commit, so what a capture acknowledges is in the log in the order it committed. Writers of many records at
 * once (capture) pass the database's bulk inserter.
 */
export async function appendToLog(trx: Executor, entries: readonly LogEntry[], insertMany?: Database['insertMany']): Promise<{ first: number; size: number; root: Buffer } | undefined> {
  if (entries.length === 0) return undefined;
  const log = new LogRepository(trx, insertMany);
  const first = await log.reserve(entries.length);
  const texts = entries.map(formatEntry);
  const hashes = texts.map((text) => leafHash(Buffer.from(text, 'utf8')));
  const { size, nodes, root } = await appended(first, hashes, log.nodeReader());
  await log.insertLeaves(entries.map((e, i) => ({ idx: first + i, kind: e.kind, ref: e.ref, record_seq: e.seq ?? null, entry: texts[i]!, leaf_hash: hashes[i]!.toString('hex') })));
  await log.insertNodes(nodes.filter((n) => n.level > 0));
  await log.insertRoot(size, root, new Date().toISOString());
  return { first, size, root };
}
