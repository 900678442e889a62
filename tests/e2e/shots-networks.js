// Screenshots of the Networks page on the demo providers (every connection's networks, the
// ZennoHosting public IPs with their port forwards, what the others lack and why), at
// 1,280 × 800 and 360 × 740, light and dark, into docs/screenshots/networks-<width>-<scheme>.png.
// A network is created first (followed to ready) so that the page shows one the user made.
// By hand, after a release build: node tests/e2e/shots-networks.js [out-dir]

import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { app, launch, REPO } from './lib/harness.js';

const out = process.argv[2] ?? path.join(REPO, 'docs/screenshots');
mkdirSync(out, { recursive: true });

const server = await app();
const browser = await launch();

/// The Networks page with every list read.
async function open(page) {
  await page.evaluate(() => { location.hash = '#/networks'; });
  await page.getByRole('heading', { name: 'Networks', level: 2 }).waitFor();
  await page.waitForFunction(
    () => document.querySelectorAll('section.net-conn').length >= 5 && !/Reading…/.test(document.body.innerText),
    null,
    { timeout: 60_000 },
  );
}

const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const page = await context.newPage();
await page.goto(server.url);
await page.getByText(/^\d[\d,. ]* of \d[\d,. ]* VMs$/).waitFor({ timeout: 30_000 });
await page.waitForFunction(() => !/loading VMs/.test(document.body.innerText), null, { timeout: 30_000 });
await open(page);
const zh = page.locator("section.net-conn[data-conn='demo-zennohosting']");
const form = zh.getByRole('form', { name: /^Create network/ }).first();
await form.getByRole('textbox', { name: 'Network name' }).fill('lab-net');
await form.getByRole('button', { name: 'Create network', exact: true }).click();
// The demo provider keeps a real provider's pace: the range comes within a minute or two.
await zh.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'lab-net', exact: true }) })
  .filter({ hasText: 'ready' }).waitFor({ timeout: 240_000 });

for (const [w, h] of [[1280, 800], [360, 740]]) {
  for (const scheme of ['light', 'dark']) {
    await page.setViewportSize({ width: w, height: h });
    await page.emulateMedia({ colorScheme: scheme });
    await open(page);
    // The "done" notices (fixed at the bottom) would cover the page at 360 px.
    for (const b of await page.locator('.notices button').all()) await b.click().catch(() => {});
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(out, `networks-${w}-${scheme}.png`), fullPage: true });
  }
}
await context.close();
await browser.close();
server.stop();
