// Screenshots of the Rebuild tab, a guarded resize in progress, and a failed guarded change with
// its "Roll back to the snapshot taken at …" (1,280 × 800 and 360 × 740, light and dark), into
// docs/screenshots/. Against a vigil-sim-server of its own at speed 20 (the demo runs at real
// pace: a Hostway snapshot takes 3 minutes there).
// By hand, after a release build and `cargo build -p vigil-sim-server`:
//   VIGIL_SIM_BIN=<target>/debug/vigil-sim-server node tests/e2e/shots-guarded.js [out-dir]

import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { app, dialect, launch, REPO, spawnSim, VMS } from './lib/harness.js';
import { addConnection, closeSettings, vmRow, vmsRegion, waitForVms } from './lib/ui.js';

const out = process.argv[2] ?? path.join(REPO, 'docs/screenshots');
mkdirSync(out, { recursive: true });
const SIZES = [[1280, 800], [360, 740]];

const sim = await spawnSim();
const server = await app();
const browser = await launch();
const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const page = await context.newPage();
await page.goto(server.url);

/// The page as it is now, at each size and in each scheme.
async function shots(name) {
  for (const [width, height] of SIZES) {
    await page.setViewportSize({ width, height });
    for (const colorScheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme });
      await page.waitForTimeout(150);
      await page.screenshot({ path: path.join(out, `${name}-${width}-${colorScheme}.png`) });
    }
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: 'light' });
}

for (const label of ['cloudsfor', 'Hostway']) {
  const d = dialect(label);
  await addConnection(page, {
    provider: d.label,
    name: `My ${label}`,
    base: `${sim.url}${d.prefix}`,
    user: d.user,
    secret: d.secret,
  });
}
await closeSettings(page);
await waitForVms(page, 2 * VMS, 90_000);

const vmPage = page.getByRole('region', { name: 'Virtual machine' });
const panel = vmPage.getByRole('tabpanel');
async function open(vm, provider, tab) {
  await vmRow(page, vm, provider).getByRole('link', { name: vm }).click();
  await vmPage.getByRole('tab', { name: tab, exact: true }).click();
  await panel.waitFor();
}
const back = () => page.getByRole('link', { name: 'All VMs' }).click();

// The Rebuild tab of a running cloudsfor VM, its image chosen and its name typed.
const row = vmsRegion(page).getByRole('row').filter({ hasText: 'My cloudsfor' }).filter({ hasText: 'running' }).first();
const cvm = await row.getByRole('rowheader').getByRole('link').innerText();
await open(cvm, 'My cloudsfor', 'Rebuild');
await panel.getByRole('combobox', { name: 'Image to rebuild from' }).waitFor({ timeout: 60_000 });
await panel.getByRole('textbox', { name: /Type the VM's name/ }).fill(cvm);
await shots('rebuild-tab');
await back();

// A Hostway VM "Snapshot first" is offered for: a guarded resize in progress.
const names = await vmsRegion(page).getByRole('row').filter({ hasText: 'My Hostway' }).filter({ hasText: 'ACTIVE' })
  .getByRole('rowheader').getByRole('link').allInnerTexts();
let form;
let guard;
for (const vm of names) {
  await open(vm, 'My Hostway', 'Resize');
  form = panel.getByRole('form', { name: `Resize ${vm}` });
  guard = form.getByRole('checkbox', { name: 'Snapshot first' });
  await guard.waitFor();
  await page.waitForTimeout(300);
  if (await guard.isEnabled()) break;
  await back();
}
const now = (await form.innerText()).match(/Now: flavor (\d+)/)?.[1];
const flavor = now === '6' ? '5' : '6';
const entry = panel.getByRole('region', { name: 'Progress' }).getByRole('listitem').filter({ hasText: /snapshot first/ }).first();
const ended = async () => {
  await page.waitForFunction(
    (el) => el && !['Submitted', 'Accepted', 'InProgress', 'Verifying'].includes(el.getAttribute('data-phase')),
    await entry.elementHandle(), { timeout: 180_000 });
};
await form.getByRole('combobox', { name: 'Flavor id' }).fill(flavor);
await guard.check();
await form.getByRole('button', { name: 'Resize', exact: true }).click();
await entry.waitFor();
await page.waitForTimeout(1000);
await shots('guarded-resize-progress');
await ended();

// The same flavor again: refused by the provider after the snapshot; the rollback offered.
await guard.waitFor({ state: 'visible' });
await page.waitForFunction((el) => !el.disabled, await guard.elementHandle(), { timeout: 60_000 });
await form.getByRole('combobox', { name: 'Flavor id' }).fill(flavor);
await guard.check();
await form.getByRole('button', { name: 'Resize', exact: true }).click();
await page.waitForTimeout(500);
await ended();
await entry.getByRole('button', { name: /^Roll back to the snapshot taken at/ }).waitFor({ timeout: 60_000 });
await entry.scrollIntoViewIfNeeded();
await shots('guarded-resize-rollback');

await context.close();
await browser.close();
server.stop();
sim.stop();
console.log('done');
