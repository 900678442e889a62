#!/usr/bin/env node
// Trunk's post_build hook (Trunk.toml): finishes the staged dist/ before Trunk moves it in place.
//
// 1. config.json: deploy/config.json (the defaults: the demo, no presets) unless one is there.
// 2. index.html's <meta> CSP: the sha256 of every inline <script> (Trunk's loader) and <style>
//    added, 'unsafe-inline' dropped. A style="…" attribute in the page is reported: style-src
//    without 'unsafe-inline' blocks it.
// 3. The deploy kit's headers (render.mjs): _headers, vigil-headers.conf, vigil-headers.caddy.
// 4. A .br (quality 11) and .gz (level 9) next to every asset, for servers that send
//    precompressed files (nginx gzip_static/brotli_static, Caddy `precompressed`). Not for
//    config.json, which a hosting provider replaces; not in debug builds (`trunk serve`), where
//    brotli's best quality would add seconds to every rebuild.
//
// Usage: TRUNK_STAGING_DIR=<dir> node deploy/finish-dist.mjs   (or: node deploy/finish-dist.mjs <dir>)

import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { inlineHashes, metaOf, metaPolicy, styleAttributes, withMeta } from './csp.mjs';
import { render } from './render.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = process.argv[2] ?? process.env.TRUNK_STAGING_DIR;
if (!dir || !existsSync(path.join(dir, 'index.html'))) {
  console.error('finish-dist: no staged index.html (set TRUNK_STAGING_DIR or pass the directory)');
  process.exit(1);
}

// 1. config.json
const config = path.join(dir, 'config.json');
if (!existsSync(config)) copyFileSync(path.join(here, 'config.json'), config);

// 2. The <meta> CSP.
const indexFile = path.join(dir, 'index.html');
let html = readFileSync(indexFile, 'utf8');
const source = metaOf(html);
if (source === null) {
  console.error('finish-dist: index.html has no <meta http-equiv="Content-Security-Policy">');
  process.exit(1);
}
const hashes = inlineHashes(html);
html = withMeta(html, metaPolicy(source, hashes));
writeFileSync(indexFile, html);
for (const attr of styleAttributes(html)) {
  console.warn(`finish-dist: warning: a style attribute is blocked by style-src: ${attr.slice(0, 120)}`);
}

// 3. The header files.
render(dir);

// 4. Precompressed copies (release builds, or when run by hand).
if (process.env.TRUNK_PROFILE === 'debug') {
  console.log(`finish-dist: CSP hashes ${hashes.scripts.length} script(s), ${hashes.styles.length} style(s); no .br/.gz (debug build)`);
  process.exit(0);
}
const COMPRESS = /\.(js|wasm|css|html|svg|json|txt|map)$/;
const files = (d) =>
  readdirSync(d, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(d, e.name);
    return e.isDirectory() ? files(p) : [p];
  });
let raw = 0;
let br = 0;
for (const f of files(dir)) {
  if (!COMPRESS.test(f) || path.resolve(f) === path.resolve(config)) continue;
  const body = readFileSync(f);
  const b = brotliCompressSync(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      [constants.BROTLI_PARAM_MODE]: /\.wasm$/.test(f) ? constants.BROTLI_MODE_GENERIC : constants.BROTLI_MODE_TEXT,
    },
  });
  writeFileSync(`${f}.br`, b);
  writeFileSync(`${f}.gz`, gzipSync(body, { level: 9 }));
  raw += statSync(f).size;
  br += b.length;
}
console.log(
  `finish-dist: CSP hashes ${hashes.scripts.length} script(s), ${hashes.styles.length} style(s); ` +
    `.br/.gz written (${raw} bytes → ${br} brotli)`,
);
