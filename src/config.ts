import { dirname, join, resolve } from 'node:path';
import type { PlatformLevel } from './domain/platform.js';

export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  /** PostgreSQL schema for every table (ZHUISU_DB_SCHEMA); several instances can share one server this way. */
  databaseSchema: string | undefined;
  /** Where local state lives (SQLite file, keys) unless overridden. */
  dataDir: string;
  keyDir: string;
  /** Development and CI only: a bearer secret that acts as a platform admin. Never logged. */
  adminToken: string | null;
  logLevel: string;
  /** Load the demo chain into an empty database at start. */
  demo: boolean;
  level: PlatformLevel;
  regionCode: string | null;
  platformName: string;
  /** Capture worker threads (ZHUISU_CAPTURE_WORKERS); 0 prepares and stores documents on the main thread. */
  captureWorkers: number | null;
  /**
   * The platform's public address as printed on labels (ZHUISU_PUBLIC_URL), without a trailing slash: QR codes carry
   * `{publicUrl}/01/{gtin}/21/{serial}` and `{publicUrl}/c/{code}`, so it must be the address consumers can reach.
   */
  publicUrl: string;
  /** A failed inspection (inspecting, non_conformant) orders a stop-trade of what it names (ZHUISU_AUTO_STOP_TRADE). */
  autoStopTrade: boolean;
  /**
   * The transparency log's origin (ZHUISU_LOG_ORIGIN): the first line of its checkpoints and the name of its signing
   * keys. By default the public address's host and path followed by /log, e.g. `trace.example.gov.cn/log`.
   */
  logOrigin: string;
  /**
   * The platform a level up (ZHUISU_UPSTREAM_URL), without a trailing slash: accepted events are forwarded there in
   * signed batches (docs/FEDERATION.md). Null: this platform forwards nothing.
   */
  upstreamUrl: string | null;
  /** The API key the upstream issued this platform when it registered it (ZHUISU_UPSTREAM_TOKEN). Never logged. */
  upstreamToken: string | null;
  /**
   * What goes up (ZHUISU_UPSTREAM_MODE): `full` events, or `summaries` with their hashes while the events stay here
   * (docs/FEDERATION.md, "Summaries").
   */
  upstreamMode: UpstreamMode;
}

export const UPSTREAM_MODES = ['full', 'summaries'] as const;
export type UpstreamMode = (typeof UPSTREAM_MODES)[number];

export class ConfigError extends Error {}

const LEVELS: PlatformLevel[] = ['enterprise', 'third-party', 'city', 'province', 'national'];

/** Reads the environment once; every invalid value is reported together, before anything starts. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const problems: string[] = [];
  const port = Number(env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`PORT must be a port number, got '${env.PORT}'`);
  const databaseUrl = env.DATABASE_URL?.trim() || './data/zhuisu.sqlite';
  const isFile = !/^(postgres(ql)?:\/\/|pglite:)/.test(databaseUrl) && databaseUrl !== ':memory:';
  const dataDir = resolve(env.ZHUISU_DATA_DIR ?? (isFile ? dirname(databaseUrl.replace(/^sqlite:/, '')) : './data'));
  const level = (env.ZHUISU_LEVEL ?? 'enterprise') as PlatformLevel;
  if (!LEVELS.includes(level)) problems.push(`ZHUISU_LEVEL must be one of ${LEVELS.join(', ')}, got '${env.ZHUISU_LEVEL}'`);
  const regionCode = env.ZHUISU_REGION?.trim() || null;
  if (regionCode !== null && !/^\d{6}$/.test(regionCode)) problems.push(`ZHUISU_REGION must be a 6-digit GB/T 2260 code`);
  const databaseSchema = env.ZHUISU_DB_SCHEMA?.trim() || undefined;
  if (databaseSchema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(databaseSchema)) {
    problems.push('ZHUISU_DB_SCHEMA must be a lower-case SQL identifier');
  }
  const adminToken = env.ZHUISU_ADMIN_TOKEN?.trim() || null;
  if (adminToken !== null && adminToken.length < 16) problems.push('ZHUISU_ADMIN_TOKEN must be at least 16 characters');
  const captureWorkers = env.ZHUISU_CAPTURE_WORKERS === undefined ? null : Number(env.ZHUISU_CAPTURE_WORKERS);
  if (captureWorkers !== null && (!Number.isInteger(captureWorkers) || captureWorkers < 0 || captureWorkers > 64)) {
    problems.push('ZHUISU_CAPTURE_WORKERS must be a whole number from 0 to 64');
  }
  const publicUrl = (env.ZHUISU_PUBLIC_URL?.trim() || `http://localhost:${port}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(publicUrl)) problems.push(`ZHUISU_PUBLIC_URL must be an http(s) URL without query or fragment, got '${env.ZHUISU_PUBLIC_URL}'`);
  const logOrigin = env.ZHUISU_LOG_ORIGIN?.trim() || `${publicUrl.replace(/^https?:\/\//, '')}/log`;
  if (!/^[^\s+]+$/.test(logOrigin)) problems.push(`ZHUISU_LOG_ORIGIN must be one word without spaces or '+', got '${logOrigin}'`);
  const upstreamUrl = env.ZHUISU_UPSTREAM_URL?.trim().replace(/\/+$/, '') || null;
  if (upstreamUrl !== null && !/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/.test(upstreamUrl)) problems.push(`ZHUISU_UPSTREAM_URL must be an http(s) URL without query or fragment, got '${env.ZHUISU_UPSTREAM_URL}'`);
  const upstreamToken = env.ZHUISU_UPSTREAM_TOKEN?.trim() || null;
  // The token's value is never echoed: only whether it is there.
  if (upstreamUrl !== null && upstreamToken === null) problems.push('ZHUISU_UPSTREAM_TOKEN must be set when ZHUISU_UPSTREAM_URL is: the API key the upstream issued this platform');
  if (upstreamUrl === null && upstreamToken !== null) problems.push('ZHUISU_UPSTREAM_TOKEN is set but ZHUISU_UPSTREAM_URL is not');
  const upstreamMode = (env.ZHUISU_UPSTREAM_MODE?.trim() || 'full') as UpstreamMode;
  if (!UPSTREAM_MODES.includes(upstreamMode)) problems.push(`ZHUISU_UPSTREAM_MODE must be one of ${UPSTREAM_MODES.join(', ')}, got '${env.ZHUISU_UPSTREAM_MODE}'`);
  if (problems.length) throw new ConfigError(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return {
    port,
    host: env.HOST?.trim() || '127.0.0.1',
    databaseUrl,
    databaseSchema,
    dataDir,
    keyDir: resolve(env.ZHUISU_KEY_DIR ?? join(dataDir, 'keys')),
    adminToken,
    logLevel: env.LOG_LEVEL ?? 'info',
    demo: env.ZHUISU_DEMO === '1' || env.ZHUISU_DEMO === 'true',
    level,
    regionCode,
    platformName: env.ZHUISU_NAME?.trim() || 'zhuisu',
    captureWorkers,
    publicUrl,
    autoStopTrade: env.ZHUISU_AUTO_STOP_TRADE === '1' || env.ZHUISU_AUTO_STOP_TRADE === 'true',
    logOrigin,
    upstreamUrl,
    upstreamToken,
    upstreamMode,
    ...overrides,
  };
}
