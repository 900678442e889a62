// Screenshots of the VM list (1,280 × 800 and 360 × 740, light and dark) and of a VM page per
// tab, on the demo providers, into docs/screenshots/; and the list's cumulative layout shift
// while the providers answer (PerformanceObserver, `layout-shift` entries without recent input).
// By hand, after a release build: node tests/e2e/shots.js [out-dir]

import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { app, launch, REPO } from './lib/harness.js';

const out = process.argv[2] ?? path.join(REPO, 'docs/screenshots');
mkdirSync(out, { recursive: true });
const TABS = ['overview', 'power', 'network', 'snapshots', 'backups', 'resize', 'rebuild', 'rename', 'delete', 'history'];

const server = await app();
const browser = await launch();

async function open(width, height, colorScheme) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme });
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__cls = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
    }).observe({ type: 'layout-shift', buffered: true });
  });
  await page.goto(server.url);
  await page.getByText(/^\d[\d,. ]* of \d[\d,. ]* VMs$/).waitFor({ timeout: 30_000 });
  await page.waitForFunction(() => !/loading VMs/.test(document.body.innerText), null, { timeout: 30_000 });
  await page.waitForTimeout(1500);
  return { context, page };
}

const report = {};
for (const [w, h] of [[1280, 800], [360, 740]]) {
  for (const scheme of ['light', 'dark']) {
    const { context, page } = await open(w, h, scheme);
    report[`cls-${w}-${scheme}`] = await page.evaluate(() => window.__cls);
    report[`overflow-${w}`] = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    if (w === 1280) {
      report.columns = await page.evaluate(() =>
        [...document.querySelectorAll('table.vms thead th')].map((th) => {
          const r = th.getBoundingClientRect();
          return `${th.innerText.trim() || 'select'} ${Math.round(r.left)}–${Math.round(r.right)}`;
        }));
    }
    await page.screenshot({ path: path.join(out, `list-${w}-${scheme}.png`) });
    await context.close();
  }
}

const { context, page } = await open(1280, 800, 'light');
// A cloudsfor VM that is running, with its addresses.
await page
  .getByRole('region', { name: 'Virtual machines' })
  .getByRole('row')
  .filter({ has: page.getByRole('cell', { name: 'Demo cloudsfor', exact: true }) })
  .filter({ has: page.getByRole('button', { name: /^Copy / }) })
  .filter({ hasText: 'running' })
  .first()
  .getByRole('rowheader')
  .getByRole('link')
  .click();
for (const tab of TABS) {
  await page.getByRole('tab', { name: new RegExp(`^${tab}$`, 'i') }).click();
  await page.getByRole('region', { name: 'Virtual machine' }).getByRole('tabpanel').waitFor();
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(out, `vm-page-${tab}.png`) });
}
await context.close();
await browser.close();
server.stop();
console.log(JSON.stringify(report, null, 2));
