// The provider's own activity, as a customer with the console open meets it: a reboot a
// colleague starts directly at vigil-sim-server (an HTTP request with the colleague's
// credentials, behind Vigil's back) shows up as "started elsewhere" in the VM's row and in
// Activity, and ends verified; while it is followed, no poll round sends more than one request
// more than an idle one, and none is a write. "From the provider" lists the provider's history
// with who started each entry; axe-core finds nothing on the Activity panel with it open.
// Screenshots: docs/screenshots/elsewhere-*.png at 1,280 and 360 px, light and dark.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { axe } from './lib/axe.js';
import { LONG, REPO, SHORT, dialect, newTab, setup } from './lib/harness.js';
import { activityRegion, addConnection, closeSettings, eventually, notYet, vmsRegion, waitForVms } from './lib/ui.js';

const COLLEAGUE = 'colleague-token';

async function call(method, url, headers) {
  const r = await fetch(url, { method, headers: { 'content-type': 'application/json', ...headers } });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

/// ONETSolutions: the colleague reboots the instance named `name` (`POST …/reboot`).
async function onetColleagueReboot(base, name) {
  const auth = { authorization: `Bearer ${COLLEAGUE}` };
  const list = await call('GET', `${base}/compute/instances`, auth);
  const items = list.results;
  const vm = items.find((v) => v.name === name);
  if (!vm) throw new Error(`no ONETSolutions instance named ${name}`);
  await call('POST', `${base}/compute/instances/${vm.id}/reboot`, auth);
}

/// Erigones: someone with the API key reboots the VM whose alias is `name`.
async function erigonesReboot(base, name) {
  const auth = { 'es-api-key': dialect('Erigones').secret };
  const { result } = await call('GET', `${base}/vm/status/`, auth);
  const vm = result.find((v) => v.alias === name);
  if (!vm) throw new Error(`no Erigones VM with alias ${name}`);
  await call('PUT', `${base}/vm/${vm.hostname}/status/reboot/`, auth);
}

/// The tab hidden (the user looks elsewhere) or shown again: shown, the console looks at once.
const setVisible = (page, visible) =>
  page.evaluate((v) => {
    if (v) delete document.visibilityState;
    else Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  }, visible);

/// The page's provider requests, with when each was sent, grouped into poll rounds (requests
/// sent within 300 ms of the round's first).
function recorder(page, simUrl) {
  const log = [];
  page.on('request', (r) => {
    const u = r.url();
    if (u.startsWith(simUrl) && !u.startsWith(`${simUrl}/_sim/`) && r.method() !== 'OPTIONS') {
      log.push({ at: Date.now(), what: `${r.method()} ${u.slice(simUrl.length)}` });
    }
  });
  return {
    mark: () => log.length,
    rounds(from, to = log.length) {
      const out = [];
      for (const e of log.slice(from, to)) {
        const last = out.at(-1);
        if (last && e.at - last[0].at <= 300) last.push(e);
        else out.push([e]);
      }
      return out;
    },
  };
}

/// A running, idle row of the connection named `conn`: the VM's name.
async function runningVm(page, conn) {
  return eventually('a running VM', async () => {
    for (const row of await vmsRegion(page).getByRole('row').filter({ hasText: conn }).all()) {
      if ((await row.getAttribute('data-busy')) !== 'false') continue;
      if ((await row.getByTestId('status').innerText()) !== 'running') continue;
      return row.getByRole('rowheader').getByRole('link').innerText();
    }
    return notYet('none running and idle');
  }, { timeout: LONG });
}

const rowOf = (page, name) =>
  vmsRegion(page).getByRole('row').filter({ has: page.getByRole('link', { name, exact: true }) });


async function shot(page, name) {
  await page.screenshot({ path: path.join(REPO, 'docs/screenshots', `${name}.png`), fullPage: false });
}

/// One dialect: the console open on it; a colleague's reboot while it is; its row and entry;
/// the rounds counted. Returns the page (still open) for the rest of the test.
async function followed(env, context, d, act, connName) {
  const page = await newTab(context, env);
  const rec = recorder(page, env.sim.url);
  await addConnection(page, { provider: d.label, name: connName, base: `${env.sim.url}${d.prefix}`, user: d.user, secret: d.secret });
  await closeSettings(page);
  await waitForVms(page, undefined, LONG);
  const vm = await runningVm(page, connName);
  // An idle round, for the baseline: hidden, then shown (the console lists again at once).
  await setVisible(page, false);
  let from = rec.mark();
  await setVisible(page, true);
  await eventually('an idle round', async () => rec.rounds(from).length > 0 || notYet('none'));
  // Over once nothing more was sent for 1.5 s (a listing may take parts: Erigones' status,
  // then its full list).
  let seen = { n: -1, since: Date.now() };
  await eventually('the idle round over', async () => {
    const n = rec.mark();
    if (n !== seen.n) seen = { n, since: Date.now() };
    return Date.now() - seen.since >= 1_500 || notYet(`${n - from} sent`);
  }, { interval: 250 });
  // Everything an idle look sends: the baseline of a round.
  const idle = rec.mark() - from;
  // The colleague acts while the user looks at another tab; back here, the console looks.
  await setVisible(page, false);
  await act(vm);
  from = rec.mark();
  await setVisible(page, true);
  const row = rowOf(page, vm);
  const tag = row.getByTestId('elsewhere');
  await eventually(`${vm}: started elsewhere in its row`, async () =>
    (await tag.count()) > 0 || notYet(await row.innerText()), { timeout: LONG, interval: 100 });
  const entry = activityRegion(page).locator('li.entry[data-origin="elsewhere"]');
  await entry.first().waitFor({ timeout: SHORT });
  const said = { row: await tag.innerText(), entry: await entry.first().innerText() };
  await eventually('its verified end', async () => {
    const phase = await entry.first().getAttribute('data-phase');
    return phase === 'Succeeded' || notYet(`${phase}: ${await entry.first().innerText()}`);
  }, { timeout: LONG, interval: 250 });
  const rounds = rec.rounds(from);
  const writes = rounds.flat().filter((e) => !e.what.startsWith('GET '));
  assert.deepEqual(writes, [], 'nothing written for another\'s operation');
  for (const r of rounds) {
    assert.ok(r.length <= idle + 1, `a round of ${r.length} (idle: ${idle}): ${r.map((e) => e.what).join(', ')}`);
  }
  await eventually(`${vm}: the row idle again`, async () =>
    (await tag.count()) === 0 || notYet(await row.innerText()));
  return { page, vm, seen: said, rounds: rounds.length, idle, most: Math.max(...rounds.map((r) => r.length)) };
}

describe('operations started elsewhere, and the provider\'s history', () => {
  let env;
  before(async () => {
    // Actions at 1/2 of their realistic duration: a reboot runs ~10 s, long enough to be seen.
    env = await setup({ ownSim: { speed: 2 } });
  });
  after(async () => {
    await env?.close();
  });

  test('ONETSolutions: a colleague\'s reboot shows as started elsewhere by them, ends verified, ≤ 1 request more per round', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const d = dialect('ONETSolutions');
      const base = `${env.sim.url}${d.prefix}`;
      const { page, seen, rounds, idle, most } = await followed(env, context, d, (vm) => onetColleagueReboot(base, vm), 'Team ONET');
      console.log(`ONETSolutions: idle look ${idle} request(s); ${rounds} round(s) while followed, at most ${most}`);
      assert.equal(seen.row, 'started elsewhere by colleague@vigil.test');
      assert.match(seen.entry, /started elsewhere by colleague@vigil\.test/);
      assert.match(seen.entry, /reboot_vps/);
      assert.ok(rounds > 0 && idle > 0);
      assert.deepEqual(page.errors, []);
    } finally {
      await context.close();
    }
  });

  test('Erigones: a reboot started at the API shows as started elsewhere and ends verified', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      const d = dialect('Erigones');
      const base = `${env.sim.url}${d.prefix}`;
      const { page, seen, rounds, idle, most } = await followed(env, context, d, (vm) => erigonesReboot(base, vm), 'Team Erigones');
      console.log(`Erigones: idle look ${idle} request(s); ${rounds} round(s) while followed, at most ${most}`);
      assert.match(seen.row, /^started elsewhere/);
      assert.match(seen.entry, /started elsewhere/);
      assert.deepEqual(page.errors, []);
    } finally {
      await context.close();
    }
  });

  for (const [width, height] of [[1280, 900], [360, 800]]) {
    for (const scheme of ['light', 'dark']) {
      test(`From the provider at ${width} px, ${scheme}: the colleague's task with who started it; axe finds nothing`, async () => {
        const context = await env.browser.newContext({ viewport: { width, height }, colorScheme: scheme });
        try {
          const d = dialect('ONETSolutions');
          const base = `${env.sim.url}${d.prefix}`;
          const page = await newTab(context, env);
          await addConnection(page, { provider: d.label, name: 'Team ONET', base, secret: d.secret });
          await closeSettings(page);
          await waitForVms(page, undefined, LONG);
          const vm = await runningVm(page, 'Team ONET');
          await onetColleagueReboot(base, vm);
          const act = activityRegion(page);
          const tab = act.getByRole('tab', { name: 'From the provider' });
          await tab.click();
          assert.equal(await tab.getAttribute('aria-selected'), 'true');
          const panel = act.getByRole('tabpanel');
          const theirs = panel.locator('li.feed-entry').filter({ hasText: 'colleague@vigil.test' });
          await eventually('the colleague\'s task in the history', async () =>
            (await theirs.count()) > 0 || notYet(await panel.innerText()), { timeout: LONG });
          assert.match(await theirs.first().innerText(), /reboot_vps/);
          await axe(page, `the Activity panel, From the provider, ${width} px ${scheme}`, '.activity-panel');
          if (width === 1280) {
            await act.scrollIntoViewIfNeeded();
          } else {
            await act.evaluate((e) => e.scrollIntoView());
          }
          await shot(page, `elsewhere-provider-${width}-${scheme}`);
          // Back to Vigil's own: a row and entry started elsewhere, for the pictures.
          await act.getByRole('tab', { name: 'Vigil\'s operations' }).click();
          await setVisible(page, false);
          await eventually('the colleague reboots it again', async () => {
            try {
              await onetColleagueReboot(base, vm);
              return true;
            } catch (e) {
              return notYet(String(e));
            }
          }, { timeout: LONG, interval: 500 });
          await setVisible(page, true);
          await rowOf(page, vm).getByTestId('elsewhere').waitFor({ timeout: LONG });
          await activityRegion(page).locator('li.entry[data-origin="elsewhere"]').first().waitFor();
          await rowOf(page, vm).scrollIntoViewIfNeeded();
          await shot(page, `elsewhere-row-${width}-${scheme}`);
          assert.deepEqual(page.errors, []);
        } finally {
          await context.close();
        }
      });
    }
  }
});
