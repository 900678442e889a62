// Screenshots of the Volumes page (#/volumes) on the demo providers, at 1,280 × 800 and
// 360 × 740, light and dark, into docs/screenshots/volumes-<width>-<scheme>.png. An ONET volume
// is created first and followed to its end, so that the page shows an operation and a row the
// user made beside the seeded ones; the providers without volumes say why.
// By hand, after a release build: node tests/e2e/shots-volumes.js [out-dir]

import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { app, launch, REPO } from './lib/harness.js';

const out = process.argv[2] ?? path.join(REPO, 'docs/screenshots');
mkdirSync(out, { recursive: true });

const server = await app();
const browser = await launch();

async function open(page) {
  await page.evaluate(() => { location.hash = '#/volumes'; });
  await page.getByRole('heading', { name: 'Volumes', level: 2 }).waitFor();
  await page.waitForFunction(() => !/Reading the volumes…/.test(document.body.innerText), null, { timeout: 60_000 });
}

const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const page = await context.newPage();
await page.goto(server.url);
await page.getByText(/^\d[\d,. ]* of \d[\d,. ]* VMs$/).waitFor({ timeout: 30_000 });
await page.waitForFunction(() => !/loading VMs/.test(document.body.innerText), null, { timeout: 30_000 });
await open(page);
const onet = page.locator("section[aria-labelledby='vol-demo-onetsolutions']");
const form = onet.getByRole('form', { name: 'Create volume', exact: true });
await form.getByRole('spinbutton', { name: 'Size (GB)' }).fill('30');
await form.getByRole('button', { name: 'Create volume', exact: true }).click();
// The demo provider keeps a real provider's pace: about half a minute.
await onet.getByRole('listitem').filter({ hasText: 'Create volume of 30 GB' })
  .and(page.locator('[data-phase=Succeeded]')).waitFor({ timeout: 180_000 }).catch(() => {});

for (const [w, h] of [[1280, 800], [360, 740]]) {
  for (const scheme of ['light', 'dark']) {
    await page.setViewportSize({ width: w, height: h });
    await page.emulateMedia({ colorScheme: scheme });
    await open(page);
    await page.waitForTimeout(400);
    for (const b of await page.locator('.notices button').all()) await b.click().catch(() => {});
    await page.screenshot({ path: path.join(out, `volumes-${w}-${scheme}.png`), fullPage: true });
  }
}
await context.close();
await browser.close();
server.stop();
