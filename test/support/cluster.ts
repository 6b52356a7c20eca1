import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KeyStore } from '../../src/crypto/key-store.js';
import { LogSigningKeys } from '../../src/crypto/signing-keys.js';
import { ADMIN_TOKEN } from './platform.js';

/**
 * Platforms of a federation as real `zhuisu serve` processes on loopback, each with its own SQLite file and keys in
 * one temporary directory: started, registered with each other, stopped, and all killed when the test file ends.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

export interface Node {
  name: string;
  origin: string;
  keyDir: string;
  env: Record<string, string>;
  base: string;
  child: ChildProcess;
}

export class Cluster {
  readonly dir: string;
  private readonly running = new Set<ChildProcess>();

  /** `domain` names the test: a node's log origin is `<node>.<domain>.test/log`. */
  constructor(private readonly domain: string) {
    this.dir = mkdtempSync(join(tmpdir(), `zhuisu-${domain}-`));
  }

  /** Kills what still runs and removes the directory: for `after`. */
  readonly cleanup = (): void => {
    for (const child of this.running) child.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  };

  /** The node's log key, made in its key directory before it starts: the upstream needs it to register the node. */
  readonly logKeys = (name: string): { origin: string; keyDir: string; keys: LogSigningKeys } => {
    const origin = `${name}.${this.domain}.test/log`;
    const keyDir = join(this.dir, `${name}-keys`);
    return { origin, keyDir, keys: LogSigningKeys.open(new KeyStore(keyDir), origin) };
  };

  readonly start = async (name: string, port: number, extra: Record<string, string>): Promise<Node> => {
    const { origin, keyDir } = this.logKeys(name);
    const env: Record<string, string> = {
      DATABASE_URL: join(this.dir, `${name}.sqlite`),
      ZHUISU_KEY_DIR: keyDir,
      ZHUISU_ADMIN_TOKEN: ADMIN_TOKEN,
      ZHUISU_LOG_ORIGIN: origin,
      ZHUISU_CAPTURE_WORKERS: '0',
      PORT: String(port),
      LOG_LEVEL: 'info',
      ...extra,
    };
    return this.launch({ name, origin, keyDir, env });
  };

  readonly launch = async (node: Omit<Node, 'base' | 'child'>): Promise<Node> => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', 'serve'], { cwd: ROOT, env: { ...process.env, ...node.env, NODE_ENV: 'test' } });
    this.running.add(child);
    child.on('exit', () => this.running.delete(child));
    let out = '';
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /"port":(\d+)/.exec(out) ?? /listening at http:\/\/[^:]+:(\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
      child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
      child.on('exit', (code) => reject(new Error(`${node.name} exited ${code}: ${out}`)));
    });
    const base = `http://127.0.0.1:${port}`;
    // Generous: under a loaded test run each server compiles its TypeScript on start.
    await until(`${node.name} ready`, async () => (await fetch(`${base}/healthz`)).status === 200, 90_000);
    return { ...node, base, child };
  };

  readonly stop = async (node: Node): Promise<void> => {
    const exited = new Promise((resolve) => node.child.once('exit', resolve));
    node.child.kill('SIGTERM');
    assert.equal(await exited, 0, `${node.name} shuts down cleanly`);
  };

  /** Registers the node `member.name` (its keys made here) at `upstream`; answers the member row and its API key. */
  readonly register = async (upstream: Node, member: { name: string; level: string; regionCode: string; url?: string }): Promise<{ secret: string; member: { id: string } }> => {
    const { origin, keys } = this.logKeys(member.name);
    const answer = await json(upstream.base, '/api/v1/federation/members', {
      method: 'POST',
      body: JSON.stringify({
        name: member.name,
        kind: member.level === 'enterprise' ? 'system' : 'platform',
        level: member.level,
        regionCode: member.regionCode,
        logOrigin: origin,
        logKey: keys.ed25519VerifierKey,
        ...(member.url ? { url: member.url } : {}),
      }),
    });
    assert.equal(answer.status, 201, JSON.stringify(answer.body));
    return answer.body as { secret: string; member: { id: string } };
  };
}

export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A call with the admin token unless the headers say otherwise, its JSON body parsed. */
export async function json(base: string, path: string, init: RequestInit = {}): Promise<{ status: number; type: string; body: any }> {
  const response = await fetch(`${base}${path}`, { ...init, headers: { ...admin, ...(init.body ? { 'content-type': 'application/json' } : {}), ...(init.headers ?? {}) } });
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type') ?? '', body: text ? JSON.parse(text) : undefined };
}
