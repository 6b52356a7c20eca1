import { readFileSync } from 'node:fs';
import { pino, type Logger } from 'pino';
import { UsersService } from './access/users.service.js';
import { AuditService } from './audit/audit.service.js';
import { CaptureService } from './capture/capture.service.js';
import { CapturePool } from './capture/capture-pool.js';
import type { Config } from './config.js';
import { IdentityVault } from './crypto/identity-vault.js';
import { ComplaintsService } from './complaints/complaints.service.js';
import { KeyStore } from './crypto/key-store.js';
import { migrate, openDatabase, type Database, type OpenOptions } from './db/database.js';
import { EventsService } from './events/events.service.js';
import { IssuanceService } from './issuance/issuance.service.js';
import { PackagingService } from './packaging/packaging.service.js';
import { TraceService } from './trace/trace.service.js';
import { TransparencyLog } from './log/log.service.js';
import { LogSigningKeys } from './crypto/signing-keys.js';
import { WitnessKey, WitnessService, witnessNameFor } from './log/witness.service.js';
import { ImpactService } from './trace/impact.service.js';
import { RecallService } from './recall/recall.service.js';
import { RecallDossierService } from './recall/recall-dossier.service.js';
import { ProductsService } from './products/products.service.js';
import { SubjectsService } from './subjects/subjects.service.js';
import { FederationService } from './federation/federation.service.js';
import { Forwarder } from './federation/forwarder.js';
import { EvaluationService } from './evaluation/evaluation.service.js';
import { ResolverService } from './resolver/resolver.service.js';
import { ConsumerService } from './consumer/consumer.service.js';

const databaseOptions = (config: Config): OpenOptions => (config.databaseSchema ? { schema: config.databaseSchema } : {});

export interface Services {
  users: UsersService;
  subjects: SubjectsService;
  products: ProductsService;
  audit: AuditService;
  capture: CaptureService;
  events: EventsService;
  issuance: IssuanceService;
  packaging: PackagingService;
  trace: TraceService;
  impact: ImpactService;
  recalls: RecallService;
  dossiers: RecallDossierService;
  log: TransparencyLog;
  witness: WitnessService;
  federation: FederationService;
  evaluation: EvaluationService;
  resolver: ResolverService;
  consumer: ConsumerService;
  complaints: ComplaintsService;
}

/** A running instance's parts, wired once here: config → database → services. HTTP and CLI both start from this. */
export interface Platform {
  readonly config: Config;
  readonly database: Database;
  readonly services: Services;
  readonly version: string;
  /** Structured JSON logs; secrets are never passed to it. */
  readonly logger: Logger;
  /** True once migrations and any start-up data are in place; /healthz reports it. */
  ready: boolean;
  /** Sends accepted events to the upstream; null without one. `zhuisu serve` starts it, close stops it. */
  readonly forwarder: Forwarder | null;
  close(): Promise<void>;
}

export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

export async function createPlatform(config: Config): Promise<Platform> {
  const database = await openDatabase(config.databaseUrl, databaseOptions(config));
  try {
    await migrate(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  const logger = pino({ level: config.logLevel, redact: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'] });
  let subjects: SubjectsService;
  let vault: IdentityVault;
  let signingKeys: LogSigningKeys;
  let witnessKey: WitnessKey;
  try {
    const keys = new KeyStore(config.keyDir);
    signingKeys = LogSigningKeys.open(keys, config.logOrigin);
    witnessKey = WitnessKey.open(keys, witnessNameFor(config.logOrigin));
    vault = new IdentityVault(keys.secret('identity'));
    subjects = new SubjectsService(database, vault);
    // The keys live outside the database, so no SQL migration can re-seal: every start, the server's and each CLI
    // command's, finishes it here before a service is handed out.
    const resealed = await subjects.resealIdentities();
    if (resealed > 0) logger.info({ resealed, version: IdentityVault.CURRENT_VERSION }, 're-sealed personal identity numbers');
  } catch (error) {
    await database.close();
    throw error;
  }
  const capturePool = new CapturePool(database, config.captureWorkers ?? CapturePool.defaultSize(database));
  const events = new EventsService(database);
  const trace = new TraceService(database, events);
  const recalls = new RecallService(database, trace, events);
  const log = new TransparencyLog(database, signingKeys, events);
  const impact = new ImpactService(database, trace, log);
  // A stop-trade that fails must not fail the capture that is already stored: it is logged for the operators.
  const stopTrade = async (eventIds: string[]) => {
    await recalls.stopTradeOnFailedInspection(eventIds).catch((error: unknown) => logger.error({ err: error }, 'automatic stop-trade failed'));
  };
  const capture = new CaptureService(database, capturePool, config.autoStopTrade ? stopTrade : undefined);
  const users = new UsersService(database, config.adminToken);
  const witness = new WitnessService(database, witnessKey);
  const resolver = new ResolverService(database, {
    trace,
    log,
    keys: signingKeys,
    level: config.level,
    regionCode: config.regionCode,
    upstreamUrl: config.upstreamUrl,
    upstreamToken: config.upstreamToken,
  });
  const consumer = new ConsumerService(database, resolver, log);
  const services: Services = {
    users,
    evaluation: new EvaluationService(database),
    subjects,
    products: new ProductsService(database, subjects),
    audit: new AuditService(database),
    capture,
    events,
    issuance: new IssuanceService(database, config.publicUrl),
    packaging: new PackagingService(capture, events),
    trace,
    impact,
    recalls,
    dossiers: new RecallDossierService(database, recalls, impact, log),
    log,
    witness,
    federation: new FederationService(database, {
      users,
      witness,
      capture,
      log,
      keys: signingKeys,
      level: config.level,
      regionCode: config.regionCode,
      upstreamUrl: config.upstreamUrl,
      upstreamMode: config.upstreamMode,
      publicUrl: config.publicUrl,
      learn: (memberId, events) => resolver.learn(memberId, events),
    }),
    resolver,
    consumer,
    complaints: new ComplaintsService(database, consumer, vault),
  };
  const forwarder = config.upstreamUrl && config.upstreamToken ? new Forwarder(services.federation, config.upstreamToken, logger) : null;
  return {
    config,
    database,
    services,
    version: VERSION,
    logger,
    ready: false,
    forwarder,
    close: async () => {
      await forwarder?.stop();
      await capturePool.close();
      await database.close();
    },
  };
}

/** Applies pending migrations without starting anything else (`zhuisu migrate`). */
export async function migrateOnly(config: Config): Promise<string[]> {
  const database = await openDatabase(config.databaseUrl, databaseOptions(config));
  try {
    return await migrate(database);
  } finally {
    await database.close();
  }
}
