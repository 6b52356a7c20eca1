import { LRUCache } from 'lru-cache';
import type { Database } from '../db/index.js';
import { DomainError } from '../domain/errors.js';
import type { TransparencyLog } from '../log/log.service.js';
import { RecallRepository } from '../recall/recall.repository.js';
import { answerProblem, type Resolution } from '../resolver/answer.js';
import type { ResolverService } from '../resolver/resolver.service.js';
import { consumerJson, consumerView, type ConsumerView } from './consumer.page.js';

/**
 * How long an answer is used before the store is asked whether anything new arrived: new events of a code reach its
 * page within this; recalls reach it at once. An answer nothing new could change is kept for another while.
 */
export const ANSWER_TTL_MS = 10_000;
/** Answers kept: the codes being scanned right now, not the catalogue. */
const ANSWERS_KEPT = 20_000;

/** The page made from an answer and the recalls open when it was made, with its JSON text once asked for. */
interface Shown {
  recalls: string;
  view: ConsumerView;
  json?: string;
}

type Kept = ({ resolution: Resolution; verified: boolean; shown?: Shown } | { missing: DomainError }) & {
  /** The log's size when the answer was made (it grows with every event and audited change), and when to look again. */
  logSize: number;
  checkAt: number;
};

/**
 * The consumer's view of a code: the resolver's answer (docs/RESOLVER.md), checked, with the recall status read fresh
 * on every request. A shop's worth of phones scanning the same few codes must not each cost a trace and a proof, so
 * answers are kept, keyed by the code as scanned (a kept answer needs no scan): every ANSWER_TTL_MS a kept answer of
 * this platform is used on if the log has not grown meanwhile (nothing was stored that could change it), else made
 * again. The open recalls and stop-trade orders reaching the code are never kept: one issued now shows from the next
 * request on.
 */
export class ConsumerService {
  private readonly kept = new LRUCache<string, Kept>({ max: ANSWERS_KEPT });

  constructor(
    private readonly database: Database,
    private readonly resolver: ResolverService,
    private readonly log: TransparencyLog,
    private readonly options: { ttlMs: number } = { ttlMs: ANSWER_TTL_MS },
  ) {}

  /**
   * The view of a code and its JSON text, made once for as long as the answer and its recalls stay as they are.
   * Throws `invalid` for an unreadable code and `not_found` for one nobody holds, like the resolver.
   */
  async page(scanned: string, proofsHref: (code: string) => string): Promise<{ view: ConsumerView; json: () => string }> {
    let kept = this.kept.get(scanned);
    if (kept && Date.now() >= kept.checkAt) {
      // Only this platform's own answers can be vouched for by its log: another platform's, and "nobody has it",
      // are asked again.
      const local = 'resolution' in kept && kept.resolution.answeredBy.origin === this.log.origin;
      if (local && (await this.log.size()) === kept.logSize) kept.checkAt = Date.now() + this.options.ttlMs;
      else kept = undefined;
    }
    if (!kept) {
      kept = await this.resolve(scanned);
      this.kept.set(scanned, kept);
    }
    if ('missing' in kept) throw kept.missing;
    const answer = kept;
    // The page is made again only when the recalls changed: most requests find it as the last one left it.
    const resolution = await this.withRecallsNow(answer.resolution);
    const recalls = JSON.stringify(resolution.recalls);
    if (answer.shown?.recalls !== recalls) answer.shown = { recalls, view: consumerView(resolution, answer.verified) };
    const shown = answer.shown;
    const json = () => (shown.json ??= consumerJson(shown.view, proofsHref(shown.view.resolution.code)));
    return { view: shown.view, json };
  }

  async view(scanned: string): Promise<ConsumerView> {
    return (await this.page(scanned, () => '')).view;
  }

  private async resolve(scanned: string): Promise<Kept> {
    // Read before resolving: an event stored meanwhile makes the answer be made again, never kept too long.
    const logSize = await this.log.size();
    const checkAt = Date.now() + this.options.ttlMs;
    try {
      const resolution = await this.resolver.resolve(scanned, { hops: 0, via: [] });
      // The resolver checked a fetched answer before passing it on and vouched for it with this platform's key; a
      // local answer's checkpoint is this platform's own. Either way this key opens it.
      return { resolution, verified: answerProblem(resolution, this.log.verifierKey) === undefined, logSize, checkAt };
    } catch (error) {
      // Unknown codes are kept too: a code printed wrong and scanned again and again must not ask upstream each time.
      if (error instanceof DomainError && error.kind === 'not_found') return { missing: error, logSize, checkAt };
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
