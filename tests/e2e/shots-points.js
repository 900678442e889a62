// Screenshots of a VM page's Snapshots tab (a Hostway VM) and Backups tab (a ZennoHosting VM)
// on the demo providers, at 1,280 × 800 and 360 × 740, light and dark, into docs/screenshots/
// (vm-page-snapshots-<width>-<scheme>.png, vm-page-backups-…). Each list is read, and a
// snapshot (backup) taken first so that the table has a row the user made.
// By hand, after a release build: node tests/e2e/shots-points.js [out-dir]

import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { app, launch, REPO } from './lib/harness.js';

const out = process.argv[2] ?? path.join(REPO, 'docs/screenshots');
mkdirSync(out, { recursive: true });

const server = await app();
const browser = await launch();

/// The page of the first demo VM of `slug`, tab `tab`, once its list is read.
const ids = {};
async function open(page, slug, tab) {
  const id = ids[slug];
  await page.evaluate((h) => { location.hash = h; }, `#/vms/demo-${slug}/${id}/${tab}`);
  await page.getByRole('region', { name: 'Virtual machine' }).getByRole('tabpanel').waitFor();
  await page.getByText('Reading the list…').waitFor({ state: 'hidden', timeout: 30_000 });
}

/// The new point listed, and ready if the demo provider gets there within 4 minutes (its pace
/// is a real provider's; else it is shown as it is, being created).
async function settle(page, name) {
  const row = page.getByRole('row').filter({ hasText: name });
  await row.waitFor({ timeout: 60_000 }).catch(async (e) => {
    await page.screenshot({ path: '/tmp/tabs15-shot-fail.png', fullPage: true });
    throw e;
  });
  await row.filter({ hasText: 'ready' }).waitFor({ timeout: 240_000 }).catch(() => {});
}

const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const page = await context.newPage();
await page.goto(server.url);
await page.getByText(/^\d[\d,. ]* of \d[\d,. ]* VMs$/).waitFor({ timeout: 30_000 });
await page.waitForFunction(() => !/loading VMs/.test(document.body.innerText), null, { timeout: 30_000 });
for (const slug of ['hostway', 'zennohosting']) {
  ids[slug] = await page.locator(`tr.vm[data-conn='demo-${slug}']`).first().getAttribute('data-vm');
}
// One snapshot and one backup taken, followed to ready.
await open(page, 'hostway', 'snapshots');
if ((await page.locator('table.points tbody tr').count()) < 3) {
  await page.getByRole('textbox', { name: 'Snapshot name' }).fill('before-upgrade');
  await page.getByRole('button', { name: 'Take snapshot', exact: true }).click();
}
await open(page, 'zennohosting', 'backups');
await page.getByRole('textbox', { name: 'Backup name' }).fill('nightly-manual');
await page.getByRole('button', { name: 'Back up now', exact: true }).click();
// The demo providers keep a real provider's pace: a few minutes.
await settle(page, 'nightly-manual');
await open(page, 'hostway', 'snapshots');
await settle(page, 'before-upgrade');

for (const [w, h] of [[1280, 800], [360, 740]]) {
  for (const scheme of ['light', 'dark']) {
    await page.setViewportSize({ width: w, height: h });
    await page.emulateMedia({ colorScheme: scheme });
    for (const [slug, tab] of [['hostway', 'snapshots'], ['zennohosting', 'backups']]) {
      await open(page, slug, tab);
      await page.waitForTimeout(400);
      // The "done" notices (fixed at the bottom) would cover the table at 360 px.
      for (const b of await page.locator('.notices button').all()) await b.click().catch(() => {});
      await page.screenshot({ path: path.join(out, `vm-page-${tab}-${w}-${scheme}.png`), fullPage: true });
    }
  }
}
await context.close();
await browser.close();
server.stop();
