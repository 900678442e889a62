// What a user downloads (./x size): the initial transfer (index.html, the page's js, wasm and
// css: everything before the console runs) and what loads on demand (the demo providers' worker,
// fetched only when a demo connection is shown), each gzip -9 and brotli q11, as the deploy kit
// serves them. Usage: node .ci/size.mjs [dist]
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const dist = process.argv[2] ?? 'dist';
const files = readdirSync(dist).filter((f) => /\.(wasm|js|css|html|json)$/.test(f));
const onDemand = (f) => f.startsWith('vigil-demo-worker');
const initial = (f) => !onDemand(f) && (/\.(wasm|js|css)$/.test(f) || f === 'index.html');

const sizes = (f) => {
  const raw = readFileSync(path.join(dist, f));
  return {
    file: f,
    raw: raw.length,
    gzip: zlib.gzipSync(raw, { level: 9 }).length,
    brotli: zlib.brotliCompressSync(raw, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
    }).length,
  };
};
const kb = (n) => `${(n / 1024).toFixed(1).padStart(8)} KB`;
const sum = (rows) => rows.reduce((a, r) => ({ raw: a.raw + r.raw, gzip: a.gzip + r.gzip, brotli: a.brotli + r.brotli }), { raw: 0, gzip: 0, brotli: 0 });
const line = (name, r) => console.log(`    ${name.padEnd(44)}${kb(r.raw)}${kb(r.gzip)}${kb(r.brotli)}`);

const groups = [['initial (before the console runs)', files.filter(initial)], ['on demand (demo providers, a Web Worker)', files.filter(onDemand)]];
const totals = {};
console.log(`    ${''.padEnd(44)}${'raw'.padStart(11)}${'gzip'.padStart(11)}${'brotli'.padStart(11)}`);
for (const [name, list] of groups) {
  const rows = list.map(sizes).sort((a, b) => b.gzip - a.gzip);
  console.log(`  ${name}`);
  for (const r of rows) line(r.file, r);
  totals[name] = sum(rows);
  line('total', totals[name]);
}
const goal = 200 * 1024;
const got = totals[groups[0][0]].gzip;
console.log(
  got <= goal
    ? `  initial transfer ${kb(got).trim()} gzipped: within the 200 KB goal`
    : `  initial transfer ${kb(got).trim()} gzipped: ${(got / goal).toFixed(2)}x the 200 KB goal (${kb(got - goal).trim()} over)`,
);
