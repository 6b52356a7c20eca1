import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { prepareDocumentText, type Prepared } from './prepare.js';

/**
 * Worker threads that prepare capture documents, so validation and hashing use the cores the main thread (HTTP and
 * database writes) leaves free. With no workers, documents are prepared on the calling thread.
 */
/**
 * Compiled, the worker is the sibling prepare.worker.js. Run from source (tests, development under tsx), it is the .ts
 * file, which a worker can only load once tsx is registered inside it.
 */
function spawnWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./prepare.worker.js', import.meta.url));
  const entry = new URL('./prepare.worker.ts', import.meta.url).href;
  return new Worker(`import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`, { eval: true });
}

export class PreparePool {
  private readonly workers: { worker: Worker; busy: number }[] = [];
  private readonly waiting = new Map<number, { resolve: (p: Prepared) => void; reject: (e: Error) => void; worker: { busy: number } }>();
  private nextId = 0;

  constructor(private readonly size: number) {}

  /** Workers start on first use, so a process that never captures a document never pays for them. */
  private start(): void {
    for (let i = 0; i < this.size; i++) {
      const worker = spawnWorker();
      const slot = { worker, busy: 0 };
      worker.on('message', (message: { id: number; result: Prepared }) => {
        const job = this.waiting.get(message.id);
        if (!job) return;
        this.waiting.delete(message.id);
        slot.busy -= 1;
        // An idle worker must not keep the process alive; a busy one must, or its answer would never arrive.
        if (slot.busy === 0) worker.unref();
        job.resolve(message.result);
      });
      worker.on('error', (error) => {
        for (const [id, job] of this.waiting) {
          if (job.worker === slot) {
            this.waiting.delete(id);
            job.reject(error);
          }
        }
      });
      worker.unref();
      this.workers.push(slot);
    }
  }

  /** Default size: every core but the one the main thread needs. */
  static defaultSize(): number {
    return Math.max(0, availableParallelism() - 1);
  }

  prepare(text: string): Promise<Prepared> {
    if (this.size === 0) return Promise.resolve(prepareDocumentText(text));
    if (this.workers.length === 0) this.start();
    const slot = this.workers.reduce((least, w) => (w.busy < least.busy ? w : least));
    const id = this.nextId++;
    slot.busy += 1;
    slot.worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject, worker: slot });
      slot.worker.postMessage({ id, text });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
  }
}
