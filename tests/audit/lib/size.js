// What a browser downloads from dist/, compressed: "initial" is index.html and every
// .wasm/.js/.css it names (what the first load fetches), "on demand" every other one (the demo
// worker, fetched only when a demo connection is shown). The `.gz` / `.br` the build wrote are
// measured where they exist, else the file is compressed here (gzip -9, brotli 11).

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

function compressed(file, enc) {
  const pre = `${file}.${enc}`;
  if (existsSync(pre)) return statSync(pre).size;
  const raw = readFileSync(file);
  return enc === 'gz'
    ? gzipSync(raw, { level: 9 }).length
    : brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
}

export function transferSizes(dist) {
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(wasm|js|css)$/.test(name) || p === path.join(dist, 'index.html')) files.push(p);
    }
  };
  walk(dist);
  const out = { initial: { raw: 0, gzip: 0, brotli: 0, files: [] }, onDemand: { raw: 0, gzip: 0, brotli: 0, files: [] } };
  for (const f of files.sort()) {
    const rel = path.relative(dist, f);
    const part = rel === 'index.html' || html.includes(rel) ? out.initial : out.onDemand;
    const entry = { file: rel, raw: statSync(f).size, gzip: compressed(f, 'gz'), brotli: compressed(f, 'br') };
    part.files.push(entry);
    part.raw += entry.raw;
    part.gzip += entry.gzip;
    part.brotli += entry.brotli;
  }
  return out;
}
