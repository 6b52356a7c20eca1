import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, type TransferListItem } from 'node:worker_threads';
import { uuidv7 } from 'uuidv7';
import type { Principal } from '../access/principal.js';
import type { Database } from '../db/index.js';
import { DomainError } from '../domain/errors.js';
import type { CaptureJob } from './capture.repository.js';
import type { CaptureReply, CaptureRequest, WorkerRole } from './capture.worker.js';
import { CaptureWriter } from './capture.writer.js';
import { decodePrepared, prepareDocumentText } from './prepare.js';

/**
 * Where capture documents are parsed, checked and stored, so that capture uses every core and HTTP is never held up
 * by a write:
 * - a database that takes writers in parallel (PostgreSQL): each worker prepares and stores its documents;
 * - a database that takes one writer, reachable from another thread (an SQLite file): workers prepare, and one
 *   writer worker stores, several documents per commit;
 * - a database only this thread reaches (in-memory SQLite, in-process PostgreSQL): workers prepare, this thread
 *   stores.
 * With no workers (size 0) everything runs on this thread.
 */

/**
 * Compiled, the worker is the sibling capture.worker.js. Run from source (tests, development under tsx), it is the .ts
 * file, which a worker can only load once tsx is registered inside it.
 */
function spawnWorker(role: WorkerRole, transferList: TransferListItem[] = []): Worker {
  const options = { workerData: role, transferList, resourceLimits: CAPTURE_WORKER_LIMITS };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./capture.worker.js', import.meta.url), options);
  const entry = new URL('./capture.worker.ts', import.meta.url).href;
  return new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`, { ...options, eval: true });
}

/**
 * A parsed 1,000-event document and what is prepared from it live for tens of milliseconds: in V8's default young
 * generation they outlive two scavenges and are copied into the old generation, whose collection then costs more
 * than the work itself. A young generation of 128 MiB lets them die young: about a tenth more documents per second
 * on both dialects in the capture benchmark, for about 150 MiB more memory per worker at full load.
 */
const CAPTURE_WORKER_LIMITS = { maxYoungGenerationSizeMb: 128 };

/**
 * Workers idle this long are ended: a burst of capture grows their heaps to some 500 MB in all, which they would
 * otherwise keep for as long as the server runs. The next document starts them again (a few hundred milliseconds).
 */
export const CAPTURE_WORKERS_IDLE_MS = 60_000;

interface Slot {
  worker: Worker;
  busy: number;
}

export class CapturePool {
  /** Workers that take requests from this thread; the single writer, where there is one, is in `writers`. */
  private readonly slots: Slot[] = [];
  private readonly writers: Worker[] = [];
  /** Workers running and not being ended on purpose. */
  private readonly live = new Set<Worker>();
  private readonly waiting = new Map<number, { resolve: (reply: CaptureReply) => void; reject: (error: Error) => void; slot: Slot }>();
  private nextId = 0;
  /** Stores on this thread: with no workers, or when no other thread can reach the database. */
  private readonly inThreadWriter: CaptureWriter;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly database: Database,
    private readonly size: number,
    private readonly idleMs = CAPTURE_WORKERS_IDLE_MS,
  ) {
    this.inThreadWriter = new CaptureWriter(database);
  }

  /** Workers running now: none before the first document, nor once they have been idle `idleMs`. */
  get running(): number {
    return this.live.size;
  }

  /** One worker per core; a single writer's documents are prepared by every core but one. */
  static defaultSize(database: Database): number {
    const cores = availableParallelism();
    return database.sharing?.parallelWrites ? cores : Math.max(1, cores - 1);
  }

  async capture(actor: Principal, owner: string | null, text: string): Promise<CaptureJob> {
    const captureId = uuidv7();
    if (this.size === 0) return this.inThreadWriter.store({ actor, owner, prepared: prepareDocumentText(text), id: captureId });
    const reply = await this.send({ id: 0, text, captureId, actor, owner });
    if ('error' in reply) throw 'kind' in reply.error ? new DomainError(reply.error.kind, reply.error.code, reply.error.message, reply.error.details) : new Error(reply.error.message);
    if ('job' in reply) return reply.job as CaptureJob;
    return this.inThreadWriter.store({ actor, owner, prepared: decodePrepared(reply.prepared), id: captureId });
  }

  private send(request: CaptureRequest): Promise<CaptureReply> {
    clearTimeout(this.idleTimer);
    if (this.slots.length === 0) this.start();
    const slot = this.slots.reduce((least, s) => (s.busy < least.busy ? s : least));
    const id = this.nextId++;
    slot.busy += 1;
    slot.worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, slot });
      slot.worker.postMessage({ ...request, id });
    });
  }

  /** Workers start on first use, so a process that never captures a document never pays for them. */
  private start(): void {
    // A writer left from workers that died is ended: one writer per database.
    for (const worker of this.writers.splice(0)) this.retire(worker);
    const sharing = this.database.sharing;
    if (sharing?.parallelWrites) {
      for (let i = 0; i < this.size; i++) this.addSlot(spawnWorker({ role: 'capture', database: sharing }));
      return;
    }
    if (!sharing) {
      for (let i = 0; i < this.size; i++) this.addSlot(spawnWorker({ role: 'prepare', writer: null }));
      return;
    }
    const channels = Array.from({ length: this.size }, () => new MessageChannel());
    const preparers = channels.map((c) => c.port2);
    const writer = spawnWorker({ role: 'write', database: sharing, preparers }, preparers);
    this.watch(writer, null);
    this.writers.push(writer);
    for (const { port1 } of channels) this.addSlot(spawnWorker({ role: 'prepare', writer: port1 }, [port1]));
  }

  private addSlot(worker: Worker): void {
    const slot: Slot = { worker, busy: 0 };
    this.watch(worker, slot);
    this.slots.push(slot);
  }

  /** Replies may come from another worker than the one asked (the writer answers for the preparers). */
  private watch(worker: Worker, slot: Slot | null): void {
    this.live.add(worker);
    worker.on('message', (reply: CaptureReply) => this.settle(reply));
    worker.on('error', (error) => this.lost(worker, slot, error));
    worker.on('exit', (code) => this.lost(worker, slot, new Error(`capture worker stopped (exit code ${code})`)));
    worker.unref();
  }

  /** Ends a worker on purpose: its exit is not a loss. */
  private retire(worker: Worker): Promise<number> {
    this.live.delete(worker);
    return worker.terminate();
  }

  private lost(worker: Worker, slot: Slot | null, error: Error): void {
    if (!this.live.delete(worker)) return;
    this.failAll(slot, error);
  }

  private settle(reply: CaptureReply): void {
    const pending = this.waiting.get(reply.id);
    if (!pending) return;
    this.waiting.delete(reply.id);
    const { slot } = pending;
    slot.busy -= 1;
    // An idle worker must not keep the process alive; a busy one must, or its answer would never arrive.
    if (slot.busy === 0) slot.worker.unref();
    if (this.waiting.size === 0) {
      clearTimeout(this.idleTimer);
      this.idleTimer = setTimeout(() => void this.close(), this.idleMs).unref();
    }
    pending.resolve(reply);
  }

  /** A worker gone: what it held fails; losing the writer fails everything in flight, and the pool starts afresh. */
  private failAll(slot: Slot | null, error: Error): void {
    for (const [id, pending] of this.waiting) {
      if (slot !== null && pending.slot !== slot) continue;
      this.waiting.delete(id);
      pending.reject(error);
    }
    if (slot === null) {
      void this.close();
      return;
    }
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const workers = [...this.slots.splice(0).map((s) => s.worker), ...this.writers.splice(0)];
    await Promise.all(workers.map((w) => this.retire(w)));
  }
}
