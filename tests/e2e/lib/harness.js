// Shared setup for the end-to-end tests: the release build (dist/) served from one loopback
// port, vigil-sim-server on another (cross-origin, like a CDN and a provider API), and
// headless Chromium driven by playwright-core.
//
// `./x e2e` (and `./x test`) start both servers and pass them in:
//   VIGIL_E2E_APP_URL  the static server serving dist/
//   VIGIL_E2E_SIM_URL  a running vigil-sim-server (each test file resets it to the seeded world)
//   VIGIL_SIM_BIN      the vigil-sim-server binary, for tests that start a server of their own
//   VIGIL_E2E_DIST     (optional) the built app to serve when VIGIL_E2E_APP_URL is not given
// Without them, the harness starts what is missing itself (dist/ must exist).

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serveStatic } from './static.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, '../../..');
export const ARTIFACTS = path.join(REPO, 'tests/e2e/artifacts');

/// The scenario every test file starts from (the README's "same seed, same world").
export const SEED = 5;
/// Actions take 1/20 of their realistic duration: a reboot ~1 s, a snapshot ~9 s.
export const SPEED = 20;
/// VMs per dialect.
export const VMS = 12;

/// Generous: the CI machine is slow and shared.
export const LONG = 90_000;
export const SHORT = 20_000;

/// The five dialects as the settings form offers them, with the simulator's prefixes and demo
/// credentials (README, "The provider simulator over HTTP"), and the status a running VM has
/// in each provider's own words (the contract sheets in shared/providers/): the VM list shows
/// the provider's status as it is.
export const DIALECTS = [
  {
    label: 'cloudsfor',
    prefix: '/cloudsfor/api/v1',
    user: 'demo@vigil.test',
    secret: 'demo',
    running: 'running',
  },
  { label: 'ZennoHosting', prefix: '/zennohosting', secret: 'demo-token', running: 'running' },
  { label: 'Erigones', prefix: '/erigones/api', secret: 'demo-key', running: 'running' },
  {
    label: 'ONETSolutions',
    prefix: '/onetsolutions/v1/organizations/demo-org/projects/demo-project',
    secret: 'demo-token',
    running: 'running',
  },
  {
    label: 'Hostway',
    prefix: '/hostway/accounts/demo-account/flexcloud',
    user: 'demo@vigil.test',
    secret: 'demo',
    running: 'ACTIVE',
  },
];
export const dialect = (label) => DIALECTS.find((d) => d.label === label);

// ---------------------------------------------------------------------------------------------
// Servers

function sigterm(child) {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
}

function simBinary() {
  const candidates = [
    process.env.VIGIL_SIM_BIN,
    path.join(REPO, 'target/release/vigil-sim-server'),
    path.join(REPO, 'target/debug/vigil-sim-server'),
  ].filter(Boolean);
  const bin = candidates.find((c) => existsSync(c));
  if (!bin) {
    throw new Error(
      'no vigil-sim-server binary: run the suite through ./x e2e, or `cargo build -p vigil-sim-server`',
    );
  }
  return bin;
}

/// Starts a vigil-sim-server of our own on a free loopback port.
export async function spawnSim({ seed = SEED, speed = SPEED, failureRate = 0, faults } = {}) {
  const args = ['--port', '0', '--seed', String(seed), '--speed', String(speed), '--vms', String(VMS)];
  args.push('--failure-rate', String(failureRate));
  if (faults) args.push('--faults', faults);
  const child = spawn(simBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // Also when this test process ends without reaching `after` (a crash, a timeout, ^C).
  process.on('exit', () => sigterm(child));
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => {
      sigterm(child);
      process.exit(1);
    });
  }
  let output = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`vigil-sim-server did not start:\n${output}`)), 20_000);
    const onData = (chunk) => {
      output += chunk;
      const m = output.match(/listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`vigil-sim-server exited (${code}):\n${output}`));
    });
  });
  return simHandle(url, () => sigterm(child));
}

function simHandle(url, stop) {
  return {
    url,
    stop,
    /// `GET /_sim/stats`: `{total, dialects: {<slug>: {requests, endpoints, statuses}}, faults}`.
    async stats() {
      const r = await fetch(`${url}/_sim/stats`);
      if (!r.ok) throw new Error(`/_sim/stats: ${r.status}`);
      return r.json();
    },
    /// `POST /_sim/reset`: back to the seeded start, with this scenario.
    async reset({ seed = SEED, speed = SPEED, failureRate = 0, faults = 'none' } = {}) {
      const body = JSON.stringify({ seed, vms: VMS, speed, failure_rate: failureRate, faults });
      const r = await fetch(`${url}/_sim/reset`, { method: 'POST', body });
      if (!r.ok) throw new Error(`/_sim/reset: ${r.status} ${await r.text()}`);
    },
  };
}

/// The shared simulator from `./x e2e`, reset to the seeded world; or one of our own.
export async function sim() {
  const url = process.env.VIGIL_E2E_SIM_URL;
  if (!url) return spawnSim();
  const s = simHandle(url.replace(/\/$/, ''), () => {});
  await s.reset();
  return s;
}

/// The console's address: from `./x e2e`, or dist/ served here.
export async function app() {
  const url = process.env.VIGIL_E2E_APP_URL;
  if (url) return { url: url.replace(/\/$/, ''), stop: () => {} };
  const dist = process.env.VIGIL_E2E_DIST ?? path.join(REPO, 'dist');
  if (!existsSync(path.join(dist, 'index.html'))) {
    throw new Error('dist/ is not built: run `trunk build --release` or ./x e2e');
  }
  return serveStatic(dist);
}

// ---------------------------------------------------------------------------------------------
// Browser

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launch() {
  return chromium.launch({
    executablePath: process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
    headless: true,
  });
}

/// Everything a test needs, started before and stopped after the file's tests: the shared
/// simulator (reset), or with `ownSim` options a vigil-sim-server of the file's own.
export async function setup({ ownSim } = {}) {
  const [simServer, appServer] = await Promise.all([ownSim ? spawnSim(ownSim) : sim(), app()]);
  const browser = await launch();
  return {
    sim: simServer,
    appUrl: appServer.url,
    browser,
    async close() {
      await browser.close().catch(() => {});
      appServer.stop();
      simServer.stop();
    },
  };
}

/// A fresh browser context (its own storage) with the console open in one tab.
export async function openConsole(env) {
  const context = await env.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await newTab(context, env);
  return { context, page };
}

/// A tab with the console open. Tabs of one context share localStorage and BroadcastChannel.
/// `page.errors` collects page errors; `page.sent` counts the tab's requests to the
/// simulator's provider endpoints from before the page loads.
export async function newTab(context, env) {
  const page = await context.newPage();
  page.setDefaultTimeout(SHORT);
  page.sent = countProviderRequests(page, env.sim.url);
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(String(e)));
  page.on('console', (m) => {
    // The browser logs every 4xx/5xx answer itself; those are the provider's, not the page's.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) {
      page.errors.push(`console: ${m.text()}`);
    }
  });
  await page.goto(env.appUrl);
  await page.getByRole('heading', { name: 'Virtual machines' }).waitFor({ timeout: SHORT });
  return page;
}

/// Counts the requests one page sends to the simulator's provider endpoints.
export function countProviderRequests(page, simUrl) {
  const counter = { count: 0, urls: [] };
  page.on('request', (r) => {
    const u = r.url();
    if (u.startsWith(simUrl) && !u.startsWith(`${simUrl}/_sim/`) && r.method() !== 'OPTIONS') {
      counter.count += 1;
      counter.urls.push(`${r.method()} ${u.slice(simUrl.length)}`);
    }
  });
  return counter;
}

export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}
