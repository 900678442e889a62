// The VM list and a VM's page as a new user meets them, on the demo providers inside the page:
// every column at 1,280 px without sideways scrolling, a card per VM at 360 px, the "Actions"
// menu by keyboard, a VM found by part of its IP address and the address copied, the VM page's
// tabs, and axe-core's WCAG checks on each of those screens and the create form (0 violations).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { axe } from './lib/axe.js';
import { LONG, newTab, screenshot, setup } from './lib/harness.js';
import { eventually, notYet, vmsRegion, waitForVms } from './lib/ui.js';

const TABS = ['Overview', 'Power', 'Network', 'Snapshots', 'Backups', 'Resize', 'Rebuild', 'Rename', 'Delete', 'History'];

/// axe-core's WCAG 2.x A/AA rules (and its best practices) on the page as it is now.

/// The demo console at `width` × `height`, every provider listed.
async function demo(env, width, height) {
  const context = await env.browser.newContext({ viewport: { width, height } });
  const page = await newTab(context, env);
  await waitForVms(page, undefined, LONG);
  await eventually('every provider listed', async () => {
    const loading = await vmsRegion(page).getByText(/loading VMs/).count();
    return loading === 0 || notYet(`${loading} still loading`);
  });
  return { context, page };
}

/// Nothing on the page scrolls sideways: `{doc, wrap}` as scrollWidth − clientWidth (≤ 0).
const overflow = (page) =>
  page.evaluate(() => {
    const d = document.documentElement;
    const w = document.querySelector('.table-wrap');
    return { doc: d.scrollWidth - d.clientWidth, wrap: w ? w.scrollWidth - w.clientWidth : 0 };
  });

describe('the VM list and a VM page', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => {
    await env?.close();
  });

  test('at 1,280 px every column shows without sideways scrolling, and axe finds nothing', async () => {
    const { context, page } = await demo(env, 1280, 800);
    try {
      const table = vmsRegion(page).getByRole('table');
      const headers = await table.getByRole('columnheader').all();
      const names = [];
      for (const h of headers) {
        const box = await h.boundingBox();
        names.push((await h.innerText()).trim());
        assert.ok(box && box.x >= 0 && box.x + box.width <= 1280, `column “${names.at(-1)}” within the viewport: ${JSON.stringify(box)}`);
      }
      assert.deepEqual(names.slice(1), ['Name', 'Status', 'IP address', 'Region', 'Size', 'Provider', 'Actions']);
      const o = await overflow(page);
      assert.ok(o.doc <= 0 && o.wrap <= 0, `no horizontal scroll: ${JSON.stringify(o)}`);
      // A public address in the list, and the names that two connections share say which.
      const first = table.getByRole('row').nth(1);
      assert.match(await first.getByRole('cell').nth(2).innerText(), /\d+\.\d+\.\d+\.\d+|:/);
      assert.ok((await page.locator('.conn-tag').count()) > 0, 'shared names show their connection');
      await axe(page, 'the list at 1,280 px');
      await screenshot(page, 'list-1280');
    } finally {
      await context.close();
    }
  });

  test('the Actions menu: keyboard, the reason of a disabled item written in it, Escape', async () => {
    const { context, page } = await demo(env, 1280, 800);
    try {
      const region = vmsRegion(page);
      const button = region.getByRole('button', { name: /^Actions for / }).first();
      const vm = (await button.getAttribute('aria-label')).replace('Actions for ', '');
      assert.equal(await button.getAttribute('aria-haspopup'), 'menu');
      assert.equal(await button.getAttribute('aria-expanded'), 'false');
      await button.focus();
      await page.keyboard.press('ArrowDown');
      const menu = page.getByRole('menu', { name: `Actions for ${vm}` });
      await menu.waitFor();
      assert.equal(await button.getAttribute('aria-expanded'), 'true');
      const items = await menu.getByRole('menuitem').all();
      assert.ok(items.length >= 3, 'the other commands are in the menu');
      const focused = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
      assert.equal(await focused(), await items[0].getAttribute('aria-label'), 'the first item has focus');
      await page.keyboard.press('End');
      assert.equal(await focused(), await items.at(-1).getAttribute('aria-label'));
      await page.keyboard.press('ArrowDown');
      assert.equal(await focused(), await items[0].getAttribute('aria-label'), '↓ wraps around');
      await page.keyboard.press('ArrowUp');
      assert.equal(await focused(), await items.at(-1).getAttribute('aria-label'), '↑ wraps around');
      await page.keyboard.press('Home');
      assert.equal(await focused(), await items[0].getAttribute('aria-label'));
      // A command that may not run now says why, in the menu itself.
      const disabled = menu.locator('[role=menuitem][aria-disabled=true]');
      if ((await disabled.count()) > 0) {
        assert.ok((await disabled.first().innerText()).split('\n').length >= 2, 'the reason is written under it');
      }
      await axe(page, 'the list with a menu open');
      await page.keyboard.press('Escape');
      await menu.waitFor({ state: 'hidden' });
      assert.equal(await focused(), `Actions for ${vm}`, 'Escape gives focus back to the button');
      // A click outside closes it too.
      await button.click();
      await menu.waitFor();
      await page.getByRole('heading', { name: 'Virtual machines' }).click();
      await menu.waitFor({ state: 'hidden' });
      assert.equal(await button.getAttribute('aria-expanded'), 'false');
    } finally {
      await context.close();
    }
  });

  test('part of an IP address finds its VM; the address copies to the clipboard', async () => {
    const { context, page } = await demo(env, 1280, 800);
    try {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.appUrl });
      const region = vmsRegion(page);
      const row = region.getByRole('row').filter({ has: page.getByRole('button', { name: /^Copy / }) }).nth(3);
      const name = await row.getByRole('rowheader').getByRole('link').innerText();
      const ip = (await row.getByRole('button', { name: /^Copy / }).getAttribute('aria-label')).replace('Copy ', '');
      const piece = ip.includes(':') ? ip.split(':').slice(-2).join(':') : ip.split('.').slice(-2).join('.');
      await region.getByRole('searchbox', { name: 'Search' }).fill(piece);
      await eventually(`“${piece}” to find ${name}`, async () => {
        const names = await region.getByRole('rowheader').getByRole('link').allInnerTexts();
        return (names.includes(name) && names.length < 10) || notYet(names);
      });
      const copy = region.getByRole('row').filter({ has: page.getByRole('button', { name: `Copy ${ip}` }) })
        .getByRole('button', { name: `Copy ${ip}` });
      await copy.click();
      await eventually('“Copied” beside the button, or how to copy by hand', async () => {
        const said = await copy.locator('xpath=..').innerText();
        return /Copied|refused/.test(said) || notYet(said);
      });
      if ((await copy.locator('xpath=..').innerText()).includes('Copied')) {
        assert.equal(await page.evaluate(() => navigator.clipboard.readText()), ip);
      }
    } finally {
      await context.close();
    }
  });

  test("every provider's VMs show an address in the list, and one is found by it", async () => {
    const { context, page } = await demo(env, 1280, 800);
    try {
      const region = vmsRegion(page);
      const provider = region.getByRole('combobox', { name: 'Provider' });
      const options = (await provider.locator('option').all()).slice(1);
      assert.equal(options.length, 5, 'the five demo providers');
      for (const option of options) {
        const [value, label] = [await option.getAttribute('value'), await option.innerText()];
        await provider.selectOption(value);
        const copies = () => region.getByRole('button', { name: /^Copy / });
        await eventually(`${label}: an address shown`, async () => {
          const n = await copies().count();
          return n > 0 || notYet(`${n} addresses`);
        });
        const ip = (await copies().first().getAttribute('aria-label')).replace('Copy ', '');
        await region.getByRole('searchbox', { name: 'Search' }).fill(ip);
        await eventually(`${label}: ${ip} finds its VM`, async () => {
          const rows = await region.getByRole('rowheader').count();
          return rows >= 1 || notYet(`${rows} rows`);
        });
        await region.getByRole('searchbox', { name: 'Search' }).fill('');
      }
    } finally {
      await context.close();
    }
  });

  test('at 360 px a card per VM with name, status, address and menu; nothing scrolls sideways', async () => {
    const { context, page } = await demo(env, 360, 740);
    try {
      const o = await overflow(page);
      assert.ok(o.doc <= 0 && o.wrap <= 0, `no horizontal scroll at 360 px: ${JSON.stringify(o)}`);
      const row = vmsRegion(page).getByRole('row').nth(1);
      for (const part of [row.getByRole('rowheader'), row.getByTestId('status'), row.getByRole('button', { name: /^Actions for / })]) {
        const box = await part.boundingBox();
        assert.ok(box && box.x >= 0 && box.x + box.width <= 360, `inside the card: ${JSON.stringify(box)}`);
      }
      await axe(page, 'the list at 360 px');
      // A tap on an action shows where it was tapped: the card's status says what runs.
      const vm = (await row.getByRole('button', { name: /^Actions for / }).getAttribute('aria-label')).replace('Actions for ', '');
      await row.getByRole('button', { name: `Actions for ${vm}` }).click();
      const reboot = page.getByRole('menuitem', { name: `Reboot ${vm}` });
      if ((await reboot.count()) > 0 && (await reboot.getAttribute('aria-disabled')) !== 'true') {
        await reboot.click();
        await eventually('the card to say rebooting…', async () => {
          const s = await row.getByTestId('status').innerText();
          return s === 'rebooting…' || notYet(s);
        });
        const box = await row.getByTestId('status').boundingBox();
        assert.ok(box.y >= 0 && box.y + box.height <= 740, 'the status is on screen, by the tap');
      }
      await screenshot(page, 'list-360');
    } finally {
      await context.close();
    }
  });

  test("a VM's page: each tab by its link, ←/→ between them, Back, and axe on every tab", async () => {
    const { context, page } = await demo(env, 1280, 800);
    try {
      const link = vmsRegion(page).getByRole('rowheader').getByRole('link').first();
      await link.click();
      const region = page.getByRole('region', { name: 'Virtual machine' });
      const tabs = region.getByRole('tablist', { name: 'Sections of this VM' });
      await tabs.waitFor();
      assert.deepEqual(await tabs.getByRole('tab').allInnerTexts(), TABS);
      for (const name of TABS) {
        await tabs.getByRole('tab', { name }).click();
        const panel = region.getByRole('tabpanel', { name });
        await panel.waitFor();
        assert.ok(page.url().endsWith(`/${name.toLowerCase()}`), page.url());
        assert.ok((await panel.innerText()).trim().length > 0, `${name} says something`);
        await axe(page, `the VM page's ${name} tab`);
        await screenshot(page, `vm-page-${name.toLowerCase()}`);
      }
      await tabs.getByRole('tab', { name: 'Overview' }).focus();
      await page.keyboard.press('ArrowRight');
      await region.getByRole('tabpanel', { name: 'Power' }).waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Power', 'focus moves with the tab');
      await page.keyboard.press('ArrowLeft');
      await region.getByRole('tabpanel', { name: 'Overview' }).waitFor();
      await page.keyboard.press('End');
      await region.getByRole('tabpanel', { name: 'History' }).waitFor();
      await page.goBack();
      await region.getByRole('tabpanel', { name: 'Overview' }).waitFor();
    } finally {
      await context.close();
    }
  });

  test('the create form has no axe violations', async () => {
    const { context, page } = await demo(env, 1280, 800);
    try {
      await vmsRegion(page).getByRole('button', { name: /^Create VM on / }).first().click();
      const form = page.getByRole('form', { name: 'Create VM', exact: true });
      await form.getByRole('textbox', { name: /^Name/ }).waitFor({ timeout: LONG });
      await axe(page, 'the create form');
    } finally {
      await context.close();
    }
  });
});
