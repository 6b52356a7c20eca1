#!/usr/bin/env node
// Bundles the web pages' scripts and styles (src/web/client) into dist/assets, with content-hashed names and a
// manifest the server reads to link them. Runs in `npm run build` and before the tests.
import { build } from 'esbuild';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'assets');
const entries = ['sign-in.tsx', 'console.tsx', 'regulator.tsx', 'scan.ts', 'app.css'].map((name) => join(root, 'src', 'web', 'client', name));

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const result = await build({
  entryPoints: entries,
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  target: 'es2020',
  minify: true,
  sourcemap: true,
  entryNames: '[name]-[hash]',
  chunkNames: 'chunk-[hash]',
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});

const manifest = {};
for (const [output, meta] of Object.entries(result.metafile.outputs)) {
  if (!meta.entryPoint) continue;
  manifest[basename(meta.entryPoint)] = basename(output);
}
writeFileSync(join(outdir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(`web assets: ${Object.keys(result.metafile.outputs).length} files in ${relative(root, outdir)}`);
