// The 10,000-VM scenario: Vigil with one Erigones connection to vigil-sim-server (10,000 VMs),
// 5 reboots started from its VM list and kept open, the main thread traced for a window of
// `seconds`; then the plain baseline page polling the same list every 2 s, windowed and with
// every row rendered. The same trace goes on after Vigil's window until some of its operations
// end, for the cost of answers in which exactly one VM changed.

import { addConnection, closeSettings, eventually, vmsRegion } from '../../e2e/lib/ui.js';
import { INSTRUMENT } from './instrument.js';
import { analyse, median, startTrace } from './trace.js';

const VIEWPORT = { width: 1280, height: 800 };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function mark(page, name) {
  await page.evaluate((n) => performance.mark(n), name);
}

/// The trace µs of the user-timing mark named `name` (its first).
function markTs(events, name) {
  const e = events.find((x) => x.name === name && x.cat?.includes('blink.user_timing'));
  if (!e) throw new Error(`mark ${name} not in the trace`);
  return e.ts;
}

/// Figures of one page over its window, and of its marked answers over the whole trace.
function figures(events, url, win) {
  const w = analyse(events, url, win);
  const all = analyse(events, url);
  const one = all.answers.filter((a) => a.changed === 1 && !a.sharedTask);
  const none = all.answers.filter((a) => a.changed === 0 && !a.sharedTask);
  return {
    windowS: Math.round(w.windowMs / 100) / 10,
    busyMs: Math.round(w.busyMs),
    busyPct: Math.round((w.busyMs / w.windowMs) * 1000) / 10,
    tasks: w.tasks,
    longTasks: w.longTasks,
    longMs: Math.round(w.longMs),
    maxTaskMs: Math.round(w.maxTaskMs * 10) / 10,
    breakdown: w.breakdown,
    byTrigger: w.byTrigger,
    timers: w.timers,
    long: w.long,
    answersInWindow: w.answers.length,
    oneChange: {
      samples: one.length,
      medianMs: median(one.map((a) => a.totalMs)),
      maxMs: one.length ? Math.max(...one.map((a) => a.totalMs)) : null,
      applyMedianMs: median(one.map((a) => a.applyMs)),
      list: one.slice(0, 20),
    },
    noChange: { samples: none.length, medianMs: median(none.map((a) => a.totalMs)) },
  };
}

/// The 5 VMs (in list order) that may be rebooted now.
async function rebootable(page, n) {
  const re = /^Reboot (.+)$/;
  const region = vmsRegion(page);
  return eventually(`${n} VMs that allow a reboot`, async () => {
    const found = [];
    for (const c of await region.getByRole('menuitem', { name: re, includeHidden: true }).all()) {
      const m = (await c.getAttribute('aria-label'))?.match(re);
      if (!m || /selected VMs?$/.test(m[1])) continue;
      if ((await c.getAttribute('aria-disabled')) === 'true' || (await c.isDisabled())) continue;
      if (!found.includes(m[1])) found.push(m[1]);
      if (found.length === n) return found;
    }
    return null;
  }, { timeout: 60_000 });
}

/// Reboots `vm` from its row's Actions menu, the item chosen by keyboard (a menu low in the
/// window may sit under the list's sticky filters, where a pointer cannot reach it).
async function reboot(page, vm) {
  const region = vmsRegion(page);
  await region.getByRole('button', { name: `Actions for ${vm}`, exact: true }).click();
  const item = region.getByRole('menuitem', { name: `Reboot ${vm}`, exact: true });
  await item.focus();
  await page.keyboard.press('Enter');
}

/// Powers `vm` off from its Actions menu and confirms.
async function powerOff(page, vm) {
  const region = vmsRegion(page);
  await region.getByRole('button', { name: `Actions for ${vm}`, exact: true }).click();
  const item = region.getByRole('menuitem', { name: `Power off ${vm}`, exact: true });
  await item.focus();
  await page.keyboard.press('Enter');
  const form = page.getByRole('form', { name: `Power off ${vm}`, exact: true });
  await form.getByRole('button', { name: 'Power off', exact: true }).click();
  await form.waitFor({ state: 'hidden' });
}

/// Vigil: `{figures, events}`. `base`: the Erigones base URL the connection is given.
export async function vigil({ browser, appUrl, base, proxy, vms, seconds, tailSeconds, log }) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  await context.addInitScript(INSTRUMENT);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    page.setDefaultTimeout(30_000);
    await page.goto(appUrl);
    await page.getByRole('heading', { name: 'Virtual machines' }).first().waitFor();
    const t0 = Date.now();
    await addConnection(page, { provider: 'Erigones', name: 'Erigones', base, secret: 'demo-key' });
    await closeSettings(page);
    const count = vmsRegion(page).getByText(/^[\d,.\s\u00a0\u202f]+ of [\d,.\s\u00a0\u202f]+ VMs$/).first();
    await eventually(`Vigil to list ${vms} VMs`, async () => {
      const text = await count.innerText({ timeout: 2_000 });
      const [shown, total] = text.split(' of ').map((s) => Number(s.replace(/\D/g, '')));
      return (shown === vms && total === vms) || Promise.reject(new Error(text));
    }, { timeout: 240_000, interval: 500 });
    const listedS = (Date.now() - t0) / 1000;
    log(`  Vigil listed ${vms} VMs ${listedS.toFixed(1)} s after the connection was added`);
    const rowsInPage = await vmsRegion(page).getByRole('row').count();

    const targets = await rebootable(page, 5);
    for (const vm of targets) {
      await reboot(page, vm);
      await eventually(`${vm} rebooting`, async () =>
        (await vmsRegion(page).getByRole('row').filter({ hasText: vm }).first().innerText()).includes('rebooting'));
    }
    log(`  5 reboots started (${targets.join(', ')}); settling 3 s, then tracing ${seconds} s`);
    await page.mouse.move(0, 0);
    await sleep(3_000);

    const trace = await startTrace(page);
    await mark(page, 'audit:window|start');
    const before = proxy.counts.changedAnswers;
    const requestsBefore = structuredClone(proxy.counts.requests);
    await sleep(seconds * 1000);
    await mark(page, 'audit:window|end');
    const open = await vmsRegion(page).getByText('rebooting…').count();
    const inWindow = diff(proxy.counts.requests, requestsBefore);
    // The tail, for answers in which one VM changed: a power off (a forced stop: 17–44 s at
    // the default speed) on two more VMs, followed until their rows say stopped (or tailSeconds).
    const atEnd = proxy.counts.changedAnswers;
    const more = (await rebootable(page, 2)).filter((vm) => !targets.includes(vm));
    for (const vm of more) await powerOff(page, vm);
    const tailStart = Date.now();
    const stopped = async (vm) => /\bstopped\b/.test(await vmsRegion(page).getByRole('row').filter({ hasText: vm }).first().innerText().catch(() => ''));
    while (Date.now() - tailStart < tailSeconds * 1000) {
      if ((await Promise.all(more.map(stopped))).every(Boolean)) break;
      await sleep(1_000);
    }
    await sleep(2_000);
    log(`  tail: ${more.join(' and ')} powered off in ${((Date.now() - tailStart) / 1000).toFixed(0)} s; ${proxy.counts.changedAnswers - atEnd} answers changed a VM since the window`);
    const events = await trace.stop();
    const win = { fromTs: markTs(events, 'audit:window|start'), toTs: markTs(events, 'audit:window|end') };
    const f = figures(events, appUrl, win);
    f.rowsInPage = rowsInPage;
    f.listedS = Math.round(listedS * 10) / 10;
    f.rebootsOpenAtWindowEnd = open;
    f.changedAnswersInWindow = atEnd - before;
    f.requestsInWindow = inWindow;
    f.pageErrors = errors;
    return { figures: f, events };
  } finally {
    await context.close();
  }
}

/// Per kind of request, what was sent since `before` (a snapshot of proxy.counts.requests).
function diff(now, before) {
  const out = {};
  for (const [k, v] of Object.entries(now)) {
    const b = before[k] ?? { n: 0, bytes: 0, changed: 0 };
    if (v.n > b.n) out[k] = { n: v.n - b.n, bytes: v.bytes - b.bytes, changed: v.changed - b.changed };
  }
  return out;
}

/// Starts reboots directly on the simulator (as another client would) and keeps `n` open while
/// `running()`, so the baseline sees VMs change as Vigil's list did. Resolves when stopped.
export function keepRebooting(simUrl, hosts, running) {
  const h = { 'ES-API-KEY': 'demo-key', 'content-type': 'application/json' };
  const api = `${simUrl}/erigones/api`;
  return (async () => {
    const busy = new Map();
    while (running()) {
      for (const host of hosts) {
        const s = await fetch(`${api}/vm/${host}/status/`, { headers: h }).then((r) => r.json()).catch(() => null);
        const status = s?.result?.status;
        if (status === 'running' && !(s?.result?.tasks && Object.keys(s.result.tasks).length)) {
          await fetch(`${api}/vm/${host}/status/reboot/`, { method: 'PUT', headers: h, body: '{}' }).catch(() => {});
          busy.set(host, (busy.get(host) ?? 0) + 1);
        }
      }
      await sleep(1_000);
    }
    return Object.fromEntries(busy);
  })();
}

/// The baseline page (`all`: every row rendered): its figures over `seconds`.
export async function baseline({ browser, url, proxy, vms, all, seconds, log }) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  await context.addInitScript(INSTRUMENT);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await page.goto(url);
    await page.getByText(`${vms.toLocaleString('en-US')} VMs`).waitFor({ timeout: 120_000 });
    const rowsInPage = await page.getByRole('row').count();
    // Two polls to settle, then the window.
    await sleep(4_000);
    const trace = await startTrace(page);
    await mark(page, 'audit:window|start');
    const before = proxy.counts.changedAnswers;
    const requestsBefore = structuredClone(proxy.counts.requests);
    await sleep(seconds * 1000);
    await mark(page, 'audit:window|end');
    const atEnd = proxy.counts.changedAnswers;
    const inWindow = diff(proxy.counts.requests, requestsBefore);
    const events = await trace.stop();
    const win = { fromTs: markTs(events, 'audit:window|start'), toTs: markTs(events, 'audit:window|end') };
    const f = figures(events, url, win);
    f.rowsInPage = rowsInPage;
    f.changedAnswersInWindow = atEnd - before;
    f.requestsInWindow = inWindow;
    f.pageErrors = errors;
    log(`  baseline${all ? ' (every row)' : ''}: ${f.busyMs} ms busy in ${f.windowS} s, ${rowsInPage} rows in the page`);
    return { figures: f, events };
  } finally {
    await context.close();
  }
}

/// The first `n` hostnames of the simulator's Erigones list that are running.
export async function runningHosts(simUrl, n) {
  const r = await fetch(`${simUrl}/erigones/api/vm/status/`, { headers: { 'ES-API-KEY': 'demo-key' } });
  const body = await r.json();
  return body.result.filter((v) => v.status === 'running').slice(0, n).map((v) => v.hostname);
}

/// Vigil's first load without throttling, observed in the page: the largest contentful paint
/// (time and element) and every layout shift with the elements that moved — what Lighthouse
/// 12.2.3 cannot attribute on this Chromium (its RootCauses gatherer fails).
export async function firstLoad(browser, url, viewport, cpuSlowdown = 1) {
  const mobile = viewport.width < 600;
  const context = await browser.newContext({ viewport, isMobile: mobile, hasTouch: mobile, deviceScaleFactor: mobile ? 1.75 : 1 });
  await context.addInitScript(() => {
    const describe = (n) => {
      if (!n || !n.nodeName) return '?';
      const e = n.nodeType === 1 ? n : n.parentElement;
      if (!e) return n.nodeName;
      const cls = e.className && typeof e.className === 'string' ? `.${e.className.trim().split(/\s+/).join('.')}` : '';
      return `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${cls} “${(e.textContent || '').trim().slice(0, 40)}”`;
    };
    window.__audit = { lcp: null, shifts: [] };
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) window.__audit.lcp = { ms: Math.round(e.startTime), element: describe(e.element) };
    }).observe({ type: 'largest-contentful-paint', buffered: true });
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) {
        if (e.hadRecentInput) continue;
        window.__audit.shifts.push({ value: Math.round(e.value * 1000) / 1000, atMs: Math.round(e.startTime), sources: (e.sources || []).map((s) => describe(s.node)) });
      }
    }).observe({ type: 'layout-shift', buffered: true });
  });
  const page = await context.newPage();
  try {
    if (cpuSlowdown > 1) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpuSlowdown });
    }
    await page.goto(url);
    await page.waitForTimeout(8_000);
    const a = await page.evaluate(() => window.__audit);
    return {
      viewport: `${viewport.width}×${viewport.height}${cpuSlowdown > 1 ? `, CPU ${cpuSlowdown}× slower` : ''}`,
      lcpMs: a.lcp?.ms ?? null,
      lcpElement: a.lcp?.element ?? null,
      cls: Math.round(a.shifts.reduce((s, x) => s + x.value, 0) * 1000) / 1000,
      shifts: a.shifts.sort((x, y) => y.value - x.value),
    };
  } finally {
    await context.close();
  }
}
