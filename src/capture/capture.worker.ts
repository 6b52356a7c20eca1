import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { Principal } from '../access/principal.js';
import { openDatabase, type SharedDatabase } from '../db/index.js';
import { DomainError } from '../domain/errors.js';
import { CaptureWriter, storeDocument } from './capture.writer.js';
import { decodePrepared, encodePrepared, prepareDocumentText, type PreparedMessage } from './prepare.js';

/**
 * Capture workers, in one of three roles (see capture-pool.ts):
 * - `capture` parses, checks, hashes, indexes and stores documents on its own connection (a database that takes
 *   writers in parallel);
 * - `prepare` does the first part and passes the result on, to the writer worker or back to the main thread;
 * - `write` is the single writer of a database that takes one at a time, storing what the preparers send it.
 */
export type WorkerRole =
  | { role: 'capture'; database: SharedDatabase }
  | { role: 'prepare'; writer: MessagePort | null }
  | { role: 'write'; database: SharedDatabase; preparers: MessagePort[] };

export interface CaptureRequest {
  id: number;
  text: string;
  captureId: string;
  actor: Principal;
  owner: string | null;
}

/** A prepared document on its way to the writer. */
export type WriteRequest = Omit<CaptureRequest, 'text'> & { prepared: PreparedMessage };

export type WorkerFailure = { kind: DomainError['kind']; code: string; message: string; details: DomainError['details'] } | { message: string };

export type CaptureReply = { id: number; prepared: PreparedMessage } | { id: number; job: unknown } | { id: number; error: WorkerFailure };

const setup = workerData as WorkerRole;
const reply = (message: CaptureReply) => parentPort!.postMessage(message);

if (setup.role === 'capture') {
  const database = await openDatabase(setup.database.url, setup.database.options);
  parentPort!.on('message', async ({ id, text, actor, owner, captureId }: CaptureRequest) => {
    try {
      reply({ id, job: await storeDocument(database, { actor, owner, prepared: prepareDocumentText(text), id: captureId }) });
    } catch (error) {
      reply({ id, error: describeFailure(error) });
    }
  });
} else if (setup.role === 'prepare') {
  const writer = setup.writer;
  parentPort!.on('message', (request: CaptureRequest) => {
    const { text, ...rest } = request;
    let prepared: PreparedMessage;
    try {
      prepared = encodePrepared(prepareDocumentText(text));
    } catch (error) {
      return reply({ id: request.id, error: describeFailure(error) });
    }
    if (writer) writer.postMessage({ ...rest, prepared } satisfies WriteRequest);
    else reply({ id: request.id, prepared });
  });
} else {
  const writer = new CaptureWriter(await openDatabase(setup.database.url, setup.database.options));
  // The pool ends the writer. Until then it stays, even while no preparer is connected (they may all have died):
  // its own exit would read as a crash.
  parentPort!.on('message', () => {});
  for (const port of setup.preparers) {
    port.on('message', (request: WriteRequest) => {
      writer.store({ actor: request.actor, owner: request.owner, prepared: decodePrepared(request.prepared), id: request.captureId }).then(
        (job) => reply({ id: request.id, job }),
        (error: unknown) => reply({ id: request.id, error: describeFailure(error) }),
      );
    });
  }
}

function describeFailure(error: unknown): WorkerFailure {
  if (error instanceof DomainError) return { kind: error.kind, code: error.code, message: error.message, details: error.details };
  return { message: error instanceof Error ? error.message : String(error) };
}
