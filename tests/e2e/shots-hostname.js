// Screenshots of a VM page's Rename tab with its Change hostname form (an ONETSolutions VM) after
// a hostname change followed to its end, and of its Overview showing the hostname, at
// 1,280 × 800 and 360 × 740, light and dark, into docs/screenshots/
// (vm-page-hostname-<width>-<scheme>.png, vm-page-overview-hostname-…).
// axe-core must find nothing on either tab (the script fails otherwise).
// By hand, after a release build: node tests/e2e/shots-hostname.js [out-dir]

import path from 'node:path';
import { mkdirSync } from 'node:fs';
import AxeBuilder from '@axe-core/playwright';
import { app, launch, REPO } from './lib/harness.js';

const out = process.argv[2] ?? path.join(REPO, 'docs/screenshots');
mkdirSync(out, { recursive: true });

const server = await app();
const browser = await launch();

const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const page = await context.newPage();
await page.goto(server.url);
await page.getByText(/^\d[\d,. ]* of \d[\d,. ]* VMs$/).waitFor({ timeout: 30_000 });
await page.waitForFunction(() => !/loading VMs/.test(document.body.innerText), null, { timeout: 30_000 });
const row = page.locator("tr.vm[data-conn='demo-onetsolutions'][data-busy='false']")
  .filter({ has: page.locator('[data-testid=status]', { hasText: /^running$/ }) }).first();
const id = await row.getAttribute('data-vm');
const go = (tab) => page.evaluate((h) => { location.hash = h; }, `#/vms/demo-onetsolutions/${id}${tab}`);

await go('/rename');
const field = page.getByRole('textbox', { name: 'New hostname' });
await field.waitFor();
await field.fill('web-front-01.example.net');
await page.getByRole('button', { name: 'Change hostname', exact: true }).click();
// The demo provider keeps a real provider's pace.
await page.locator('li.entry[data-phase=Succeeded]').filter({ hasText: 'Change hostname to' })
  .first().waitFor({ timeout: 240_000 });

for (const tab of ['/rename', '']) {
  await go(tab);
  await page.getByRole('region', { name: 'Virtual machine' }).getByRole('tabpanel').waitFor();
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  const said = result.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(' | ')}`);
  console.log(`axe on the ${tab || 'overview'} tab: ${said.length} violations`, said);
  if (said.length) process.exitCode = 1;
}

for (const [w, h] of [[1280, 800], [360, 740]]) {
  for (const scheme of ['light', 'dark']) {
    await page.setViewportSize({ width: w, height: h });
    await page.emulateMedia({ colorScheme: scheme });
    for (const [tab, file] of [['/rename', 'vm-page-hostname'], ['', 'vm-page-overview-hostname']]) {
      await go(tab);
      await page.getByRole('region', { name: 'Virtual machine' }).getByRole('tabpanel').waitFor();
      await page.waitForTimeout(400);
      for (const b of await page.locator('.notices button').all()) await b.click().catch(() => {});
      await page.screenshot({ path: path.join(out, `${file}-${w}-${scheme}.png`), fullPage: true });
    }
  }
}
await context.close();
await browser.close();
server.stop();
