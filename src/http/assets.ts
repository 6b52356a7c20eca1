import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where `npm run build` puts the bundled scripts and styles (scripts/build-web.mjs); the same from src/ and dist/. */
const ASSET_DIR = fileURLToPath(new URL('../../dist/assets/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export interface Asset {
  body: Buffer;
  type: string;
}

export interface WebAssets {
  /** A file by its served name (content-hashed), or undefined. */
  file(name: string): Asset | undefined;
  /** The served name of a bundle entry (`console.tsx`, `app.css`), or undefined when the bundle is not built. */
  entry(source: string): string | undefined;
}

let loaded: WebAssets | undefined;

/** The bundle, read once per process: a handful of small files, served from memory. */
export function webAssets(): WebAssets {
  if (loaded) return loaded;
  const files = new Map<string, Asset>();
  if (existsSync(ASSET_DIR)) {
    for (const name of readdirSync(ASSET_DIR)) {
      const type = CONTENT_TYPES[extname(name)];
      if (type || name === 'manifest.json') files.set(name, { body: readFileSync(join(ASSET_DIR, name)), type: type ?? 'application/json' });
    }
  }
  const manifestFile = files.get('manifest.json');
  const manifest = manifestFile ? (JSON.parse(manifestFile.body.toString('utf8')) as Record<string, string>) : {};
  loaded = { file: (name) => files.get(name), entry: (source) => manifest[source] };
  return loaded;
}
