// `./x audit`: a benchmark, not a pass/fail test. Measures the release dist/ beside a plain page
// generated in the same run and prints each figure, the ratio and whether its goal is met or by
// how much it is missed; results/latest.json keeps everything (gitignored).
//
// Environment (./x audit sets them):
//   VIGIL_AUDIT_SERVER=node   serve with lib/serve.js even where nginx is installed
//   VIGIL_SIM_BIN             vigil-sim-server (default target/debug/vigil-sim-server)
//   AUDIT_RUNS (3), AUDIT_SECONDS (60), AUDIT_VMS (10000), AUDIT_SPEED (0.18), AUDIT_ONLY
//   (lighthouse | scenario: one part only)

import { execSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { generateBaseline } from './baseline/generate.js';
import { lighthouseMedians, CHROMIUM_FLAGS } from './lib/lighthouse.js';
import { nginxAvailable, RELAY, startNginx } from './lib/nginx.js';
import { startProxy } from './lib/proxy.js';
import { table } from './lib/report.js';
import { baseline, firstLoad, keepRebooting, runningHosts, vigil } from './lib/scenario.js';
import { serveCompressed } from './lib/serve.js';
import { transferSizes } from './lib/size.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(here, '../..');
const RESULTS = path.join(here, 'results');
const env = process.env;
const RUNS = Number(env.AUDIT_RUNS ?? 3);
const SECONDS = Number(env.AUDIT_SECONDS ?? 60);
const VMS = Number(env.AUDIT_VMS ?? 10000);
const SPEED = Number(env.AUDIT_SPEED ?? 0.18);
const ONLY = env.AUDIT_ONLY ?? '';
const started = Date.now();
const log = (s) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${s}`);

const stops = [];
async function cleanup() {
  while (stops.length) {
    const stop = stops.pop();
    await Promise.resolve().then(stop).catch(() => {});
  }
}
for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => cleanup().then(() => process.exit(130)));

/// vigil-sim-server on a free loopback port.
async function sim(args) {
  const bin = env.VIGIL_SIM_BIN ?? path.join(REPO, 'target/debug/vigil-sim-server');
  const child = spawn(bin, ['--port', '0', '--seed', '5', '--failure-rate', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  stops.push(async () => child.kill('SIGTERM'));
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vigil-sim-server did not start:\n${out}`)), 60_000);
    const on = (c) => {
      out += c;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
    child.on('exit', (code) => reject(new Error(`vigil-sim-server exited (${code}):\n${out}`)));
  });
}

function commit() {
  try {
    const head = execSync('git rev-parse --short HEAD', { cwd: REPO }).toString().trim();
    const dirty = execSync('git status --porcelain --untracked-files=no -- src crates index.html style Cargo.toml Cargo.lock Trunk.toml', { cwd: REPO }).toString().trim();
    return dirty ? `${head} + uncommitted changes (${dirty.split('\n').length} files)` : head;
  } catch {
    return 'unknown';
  }
}

/// dist/ and the baseline, compressed, each site relaying /relay/acme/ to its simulator: through
/// the deploy kit's nginx, or (without nginx, or with VIGIL_AUDIT_SERVER=node) lib/serve.js.
async function serveSites(sites, result) {
  if (env.VIGIL_AUDIT_SERVER !== 'node' && nginxAvailable()) {
    const n = await startNginx(sites);
    stops.push(n.stop);
    result.server = `nginx (deploy/nginx.conf and deploy/render.mjs headers; precompressed ${n.brotli ? 'br and gz' : 'gz only'})`;
    return n.urls;
  }
  const urls = {};
  for (const [name, site] of Object.entries(sites)) {
    const s = await serveCompressed(site.root, { upstream: site.upstream });
    stops.push(s.stop);
    urls[name] = s.url;
  }
  result.server = 'node (tests/audit/lib/serve.js: gzip/brotli, no deploy-kit headers) — nginx not found';
  return urls;
}

/// The 10,000-VM scenario: Vigil, then the baseline windowed and with every row.
async function scenario({ urls, big, proxy }) {
  const browser = await chromium.launch({ executablePath: env.VIGIL_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_FLAGS, headless: true });
  stops.push(() => browser.close());
  mkdirSync(RESULTS, { recursive: true });
  const appUrl = urls.vigil;
  // Where Lighthouse's LCP and CLS come from (its own attribution fails on this Chromium):
  // its mobile viewport with the CPU 4× slower, as its mobile preset assumes, and desktop.
  const loads = [
    await firstLoad(browser, `${appUrl}/`, { width: 412, height: 823 }, 4),
    await firstLoad(browser, `${appUrl}/`, { width: 1350, height: 940 }, 1),
  ];
  log(`scenario: ${VMS} VMs on Erigones, Vigil with 5 reboots open (--speed ${SPEED}: each ≥ ${Math.round(12 / SPEED)} s), ${SECONDS} s traced`);
  const v = await vigil({ browser, appUrl: `${appUrl}/`, base: `${appUrl}${RELAY}/erigones/api`, proxy, vms: VMS, seconds: SECONDS, tailSeconds: 90, log });
  writeFileSync(path.join(RESULTS, 'vigil-trace.json.gz'), gzipSync(JSON.stringify({ traceEvents: v.events })));
  log(`  Vigil: ${v.figures.busyMs} ms busy in ${v.figures.windowS} s, ${v.figures.longTasks} long tasks, max ${v.figures.maxTaskMs} ms; ${v.figures.oneChange.samples} answers changed one VM`);
  // The baseline: the same world at a speed where reboots end within the window, 5 kept open
  // by another client, so that its polls too see single VMs change.
  await fetch(`${big}/_sim/reset`, { method: 'POST', body: JSON.stringify({ seed: 5, vms: VMS, speed: 1, failure_rate: 0, faults: 'none' }) });
  let on = true;
  const rebooting = keepRebooting(big, await runningHosts(big, 5), () => on);
  const out = { vigil: v.figures };
  for (const all of [false, true]) {
    proxy.reset();
    const b = await baseline({ browser, url: `${urls.baselineBig}/?sim=${RELAY}${all ? '&all=1' : ''}`, proxy, vms: VMS, all, seconds: SECONDS, log });
    out[all ? 'baselineAll' : 'baseline'] = b.figures;
    if (!all) writeFileSync(path.join(RESULTS, 'baseline-trace.json.gz'), gzipSync(JSON.stringify({ traceEvents: b.events })));
  }
  on = false;
  out.baselineReboots = await rebooting;
  return { scenario: out, loads };
}

async function main() {
  const dist = path.join(REPO, 'dist');
  if (!existsSync(path.join(dist, 'index.html'))) throw new Error('dist/ is not built: run ./x audit (it builds the release)');
  const result = {
    date: new Date().toISOString(),
    commit: commit(),
    machine: { cores: cpus().length, cpu: cpus()[0]?.model, memGb: Math.round(totalmem() / 2 ** 30), loadAtStart: loadavg().map((x) => Math.round(x * 100) / 100) },
    chromium: execSync('/usr/bin/chromium --version', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim(),
    settings: { runs: RUNS, seconds: SECONDS, vms: VMS, speed: SPEED, flags: CHROMIUM_FLAGS },
  };
  log(`measuring ${result.commit} on ${result.machine.cores} cores (${result.chromium})`);

  // The simulators: 12 VMs per dialect for Lighthouse's baseline, VMS for the scenario (behind
  // the counting proxy, lib/proxy.js).
  const small = await sim(['--vms', '12', '--speed', '1']);
  const big = await sim(['--vms', String(VMS), '--speed', String(SPEED)]);
  const proxy = await startProxy(big);
  stops.push(proxy.stop);
  const baseDir = generateBaseline();
  stops.push(async () => rmSync(baseDir, { recursive: true, force: true }));
  const urls = await serveSites({ vigil: { root: dist, upstream: proxy.url }, baseline: { root: baseDir, upstream: small }, baselineBig: { root: baseDir, upstream: proxy.url } }, result);
  const head = await fetch(`${urls.vigil}/`, { headers: { 'accept-encoding': 'br, gzip' } });
  result.served = { ...urls, indexEncoding: head.headers.get('content-encoding'), csp: head.headers.get('content-security-policy') };
  log(`Vigil at ${urls.vigil}, the baseline at ${urls.baseline} (${result.server})`);

  result.size = transferSizes(dist);
  const kb = (b) => `${(b / 1024).toFixed(1)} KB`;
  log(`transfer: initial ${kb(result.size.initial.gzip)} gzip / ${kb(result.size.initial.brotli)} brotli; on demand ${kb(result.size.onDemand.gzip)} gzip / ${kb(result.size.onDemand.brotli)} brotli`);

  if (ONLY !== 'scenario') {
    const pages = { vigil: `${urls.vigil}/`, baseline: `${urls.baseline}/?sim=${RELAY}` };
    log(`lighthouse: Vigil (its config.json: the demo providers, as a first visit shows them) and the baseline (12 VMs from vigil-sim-server), ${RUNS} runs each`);
    result.lighthouse = {};
    for (const preset of ['mobile', 'desktop']) result.lighthouse[preset] = await lighthouseMedians(pages, preset, RUNS, log);
  }
  if (ONLY !== 'lighthouse') Object.assign(result, await scenario({ urls, big, proxy }));

  result.seconds = Math.round((Date.now() - started) / 1000);
  result.machine.loadAtEnd = loadavg().map((x) => Math.round(x * 100) / 100);
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(path.join(RESULTS, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log();
  console.log(table(result));
  console.log(`\nresults: tests/audit/results/latest.json; traces: tests/audit/results/*-trace.json.gz (open in Chrome DevTools › Performance) — ${result.seconds} s in all`);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(cleanup);
