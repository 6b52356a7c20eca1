import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

/**
 * The layering of docs/ARCHITECTURE.md, checked on every import: http and cli → services → repositories → db, and
 * the pure modules (domain, codes, epcis, crypto, the access policy) import no I/O layer. Only src/db knows which SQL
 * dialect it is on.
 */

const SRC = fileURLToPath(new URL('../src', import.meta.url));

type Layer = 'edge' | 'service' | 'repository' | 'db' | 'pure';

function layerOf(file: string): Layer {
  const path = relative(SRC, file).split('\\').join('/');
  if (path.startsWith('db/')) return 'db';
  if (path.startsWith('http/') || path.startsWith('cli/') || path.endsWith('.routes.ts') || path.endsWith('.schemas.ts')) return 'edge';
  if (path.endsWith('.repository.ts')) return 'repository';
  if (/^(domain|codes|epcis|crypto)\//.test(path) || /^log\/(merkle|tiles|entries)\.ts$/.test(path) || path === 'access/policy.ts' || path === 'access/principal.ts' || path === 'config.ts') return 'pure';
  return 'service';
}

/** What each layer may import. `db` below services means the Database handle and its transactions, nothing dialect. */
const ALLOWED: Record<Layer, Layer[]> = {
  edge: ['edge', 'service', 'pure'],
  service: ['service', 'repository', 'db', 'pure'],
  repository: ['repository', 'db', 'pure'],
  db: ['db', 'pure'],
  pure: ['pure'],
};

const DIALECT_PACKAGES = ['better-sqlite3', 'pg', '@electric-sql/pglite'];

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (/\.tsx?$/.test(name) && !name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm), ...text.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!);
}

test('imports point one way through the layers', () => {
  const violations: string[] = [];
  for (const file of sources(SRC)) {
    const from = layerOf(file);
    for (const spec of imports(file)) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
      const to = layerOf(target);
      if (!ALLOWED[from].includes(to)) violations.push(`${relative(SRC, file)} (${from}) imports ${spec} (${to})`);
    }
  }
  assert.deepEqual(violations, []);
});

/** Libraries without I/O that pure code may use. */
const PURE_PACKAGES = ['ajv', 'ajv-formats'];

test('the pure modules import no framework or driver', () => {
  const violations: string[] = [];
  for (const file of sources(SRC)) {
    const path = relative(SRC, file);
    if (!/^(domain|codes|epcis)\//.test(path)) continue;
    for (const spec of imports(file)) {
      if (!spec.startsWith('.') && !spec.startsWith('node:') && !PURE_PACKAGES.includes(spec)) violations.push(`${path} imports ${spec}`);
    }
  }
  assert.deepEqual(violations, []);
});

test('only src/db knows the SQL dialect', () => {
  const violations: string[] = [];
  for (const file of sources(SRC)) {
    const path = relative(SRC, file);
    if (path.startsWith('db/')) continue;
    const text = readFileSync(file, 'utf8');
    for (const spec of imports(file)) if (DIALECT_PACKAGES.includes(spec)) violations.push(`${path} imports ${spec}`);
    if (/\.dialect\s*[!=]==|SqliteDialect|PostgresDialect|sql`/.test(text)) violations.push(`${path} branches on or writes raw SQL`);
  }
  assert.deepEqual(violations, []);
});

test('HTTP statuses are chosen in one place', () => {
  const offenders = sources(SRC)
    .map((file) => relative(SRC, file))
    .filter((path) => path !== 'http/problem.ts')
    .filter((path) => /STATUS_BY_KIND|statusForKind/.test(readFileSync(join(SRC, path), 'utf8')) && path !== 'http/app.ts');
  assert.deepEqual(offenders, []);
  // Services and domain code speak in error kinds only.
  const numericStatuses = sources(SRC)
    .map((file) => relative(SRC, file))
    .filter((path) => layerOf(join(SRC, path)) !== 'edge')
    .filter((path) => /\b(statusCode|\.code\()\s*[=(:]?\s*[45]\d\d\b/.test(readFileSync(join(SRC, path), 'utf8')));
  assert.deepEqual(numericStatuses, []);
});

test('the browser code takes only types from the server, and nothing of Node', () => {
  const client = join(SRC, 'web', 'client');
  const shared = [client, join(SRC, 'i18n', 'web')];
  const violations: string[] = [];
  for (const file of sources(client)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
      const [, , typeOnly, spec] = m as unknown as [string, string, string | undefined, string];
      if (spec.startsWith('node:')) violations.push(`${relative(SRC, file)} imports ${spec}`);
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(file), spec);
      if (!typeOnly && !shared.some((dir) => target.startsWith(dir))) violations.push(`${relative(SRC, file)} imports ${spec} for more than its types`);
    }
    if (/\b(Buffer|process)\./.test(text)) violations.push(`${relative(SRC, file)} uses a Node global`);
  }
  assert.deepEqual(violations, []);
});
