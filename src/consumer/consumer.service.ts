import { LRUCache } from 'lru-cache';
import type { Database } from '../db/index.js';
import { DomainError } from '../domain/errors.js';
import type { TransparencyLog } from '../log/log.service.js';
import { RecallRepository } from '../recall/recall.repository.js';
import { answerProblem, type Resolution } from '../resolver/answer.js';
import type { ResolverService } from '../resolver/resolver.service.js';
import { consumerView, type ConsumerView } from './consumer.page.js';

/** How long an answer is reused: new events of a code reach its page within this; recalls reach it at once. */
export const ANSWER_TTL_MS = 10_000;
/** Answers kept: the codes being scanned right now, not the catalogue. */
const ANSWERS_KEPT = 20_000;

type Kept = { resolution: Resolution; verified: boolean } | { missing: DomainError };

/**
 * The consumer's view of a code: the resolver's answer (docs/RESOLVER.md), checked, with the recall status read fresh
 * on every request. A shop's worth of phones scanning the same few codes must not each cost a trace and a proof, so
 * answers are kept for a few seconds, keyed by the code as scanned (a kept answer needs no scan); the open recalls
 * and stop-trade orders reaching the code are not kept, so one issued now shows from the next request on.
 */
export class ConsumerService {
  private readonly kept = new LRUCache<string, Kept>({ max: ANSWERS_KEPT, ttl: ANSWER_TTL_MS });

  constructor(
    private readonly database: Database,
    private readonly resolver: ResolverService,
    private readonly log: TransparencyLog,
  ) {}

  /** Throws `invalid` for an unreadable code and `not_found` for one nobody holds, like the resolver. */
  async view(scanned: string): Promise<ConsumerView> {
    let kept = this.kept.get(scanned);
    if (!kept) {
      kept = await this.resolve(scanned);
      this.kept.set(scanned, kept);
    }
    if ('missing' in kept) throw kept.missing;
    return consumerView(await this.withRecallsNow(kept.resolution), kept.verified);
  }

  private async resolve(scanned: string): Promise<Kept> {
    try {
      const resolution = await this.resolver.resolve(scanned, { hops: 0, via: [] });
      // The resolver checked a fetched answer before passing it on and vouched for it with this platform's key; a
      // local answer's checkpoint is this platform's own. Either way this key opens it.
      return { resolution, verified: answerProblem(resolution, this.log.verifierKey) === undefined };
    } catch (error) {
      // Unknown codes are kept too: a code printed wrong and scanned again and again must not ask upstream each time.
      if (error instanceof DomainError && error.kind === 'not_found') return { missing: error };
      throw error;
    }
  }

  /**
   * The recalls as of now: those recorded here replace what the kept answer said of them (one closed meanwhile no
   * longer shows); those another platform reported with its answer stay as it said.
   */
  private async withRecallsNow(resolution: Resolution): Promise<Resolution> {
    const local = resolution.answeredBy.origin === this.log.origin;
    const open = (await new RecallRepository(this.database.db).openRecallsOf([resolution.code])).get(resolution.code) ?? [];
    const here = open.map(({ kind, level, reason, status, createdAt }) => ({ kind, level, reason, status, createdAt }));
    const reported = local ? [] : resolution.recalls;
    const recalls = [...here, ...reported];
    return { ...resolution, recalls, recalled: recalls.some((r) => r.status === 'open') };
  }
}
