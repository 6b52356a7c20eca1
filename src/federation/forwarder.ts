import type { Logger } from 'pino';
import type { RecallCopy } from './federation-records.service.js';
import type { BatchReceipt, FederationService } from './federation.service.js';

/**
 * The sender's loop: sends the next batch after the outbox's position to the upstream, and moves the position only on
 * the upstream's acknowledgement. A failure is retried with capped exponential backoff and jitter, so a province that
 * comes back is not met by every city at the same instant; the cap keeps the wait after it returns short. Every few
 * seconds it also asks the upstream for the recalls that reached this platform's subjects (docs/FEDERATION.md): they
 * come down by pull, so an upstream never needs to reach its members.
 */

export const MAX_BACKOFF_MS = 10_000;
const FIRST_BACKOFF_MS = 250;
/** How often an idle sender looks for new events. */
const IDLE_MS = 500;
/** Answers that say "resume from here" are followed at once, but not forever: a confused upstream is a failure. */
const MAX_RESYNCS = 3;
const REQUEST_TIMEOUT_MS = 60_000;
/** How often the upstream is asked for recalls: a notice a few seconds late is on time, a poll per batch is waste. */
export const RECALL_POLL_MS = 2_000;

export function backoffMs(attempts: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** Math.max(0, attempts - 1));
  return Math.round(ceiling * (0.5 + random() / 2));
}

interface Problem {
  code?: string;
  detail?: string;
  errors?: { position?: unknown; witnessSize?: unknown }[];
}

export class Forwarder {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private abort: AbortController | null = null;
  private attempts = 0;
  private resyncs = 0;
  private nextRecallPoll = 0;
  /** The last reason recalls could not be fetched: said once, not every poll (an admin token as upstream key gets 403). */
  private recallProblem: string | null = null;

  constructor(
    private readonly federation: FederationService,
    private readonly token: string,
    private readonly logger: Logger,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops after the batch in flight, if any, is abandoned: its answer would only move the cursor, which a restart redoes. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.abort?.abort();
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.tick()
        .then((next) => this.schedule(next))
        .catch((error: unknown) => {
          // This platform's own store failed (a lock the capture writer held too long, say): that passes like a
          // failed send, so the wait starts short and grows, rather than the longest at once.
          this.attempts += 1;
          const wait = backoffMs(this.attempts);
          this.logger.error({ err: error, retryInMs: wait }, 'federation forwarder failed');
          this.schedule(wait);
        })
        .finally(() => (this.running = null));
    }, ms);
    this.timer.unref();
  }

  /** One step; returns how long to wait before the next. */
  private async tick(): Promise<number> {
    if (Date.now() >= this.nextRecallPoll) {
      this.nextRecallPoll = Date.now() + RECALL_POLL_MS;
      await this.pollRecalls();
    }
    const batch = await this.federation.nextBatch();
    if (!batch) {
      this.resyncs = 0;
      return IDLE_MS;
    }
    const url = `${this.federation.upstreamUrl}/api/v1/federation/batches`;
    let status: number;
    let text: string;
    this.abort = new AbortController();
    try {
      const response = await this.fetchImpl(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(batch.body),
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
      });
      status = response.status;
      text = await response.text();
    } catch (error) {
      if (this.stopped) return 0;
      return this.failed(`the upstream did not answer: ${(error as Error).message}`);
    } finally {
      this.abort = null;
    }
    if (status >= 200 && status < 300) {
      await this.federation.recordSent(batch, JSON.parse(text) as BatchReceipt);
      this.attempts = 0;
      this.resyncs = 0;
      this.logger.info({ from: batch.from, to: batch.to, events: batch.events, summaries: batch.summaries }, 'federation batch acknowledged');
      return 0;
    }
    const problem = parseProblem(text);
    const message = `the upstream answered ${status}${problem?.code ? ` ${problem.code}` : ''}: ${problem?.detail ?? text.slice(0, 200)}`;
    if (status === 409 && this.resyncs < MAX_RESYNCS) {
      const position = problem?.errors?.find((e) => typeof e.position === 'number')?.position as number | undefined;
      const witnessSize = problem?.errors?.find((e) => typeof e.witnessSize === 'number')?.witnessSize as number | undefined;
      if (problem?.code === 'federation-out-of-order' && position !== undefined) return this.resynced({ position }, message);
      if (problem?.code === 'federation-witness-stale' && witnessSize !== undefined) return this.resynced({ ackedSize: witnessSize }, message);
    }
    if (problem?.code === 'witness-fork' || status === 422) this.logger.error({ code: problem?.code }, 'the upstream witness refused this log as forked: operators must act');
    return this.failed(message);
  }

  /** A failed poll is only logged: the next one asks again, and batches go on meanwhile. */
  private async pollRecalls(): Promise<void> {
    let problem: string;
    try {
      const response = await this.fetchImpl(`${this.federation.upstreamUrl}/api/v1/federation/recalls`, {
        headers: { authorization: `Bearer ${this.token}` },
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      if (response.ok) {
        const changed = await this.federation.receiveRecalls((JSON.parse(text) as { items: RecallCopy[] }).items);
        if (changed > 0) this.logger.info({ recalls: changed }, 'recalls received from the upstream');
        this.recallProblem = null;
        return;
      }
      problem = `the upstream answered ${response.status}${parseProblem(text)?.code ? ` ${parseProblem(text)!.code}` : ''}`;
    } catch (error) {
      if (this.stopped) return;
      problem = (error as Error).message;
    }
    if (problem !== this.recallProblem) this.logger.warn({ error: problem }, 'recalls from the upstream not received');
    this.recallProblem = problem;
  }

  private async resynced(change: { position?: number; ackedSize?: number }, message: string): Promise<number> {
    this.resyncs += 1;
    await this.federation.resync(change, message);
    return 0;
  }

  private async failed(message: string): Promise<number> {
    this.attempts += 1;
    this.resyncs = 0;
    const wait = backoffMs(this.attempts);
    await this.federation.recordFailure(message, this.attempts, new Date(Date.now() + wait));
    this.logger.warn({ attempts: this.attempts, retryInMs: wait, error: message }, 'federation batch not acknowledged');
    return wait;
  }
}

function parseProblem(text: string): Problem | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' ? (value as Problem) : undefined;
  } catch {
    return undefined;
  }
}
