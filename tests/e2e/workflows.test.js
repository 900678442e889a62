// The workflows a customer runs as one tracked operation, against vigil-sim-server: Stop with a
// countdown (force now), resize of a running VM as stop → resize → start, a bulk action with
// its per-VM summary, a VM page opened from a deep link, and all of it by keyboard too.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LONG, VMS, dialect, openConsole, screenshot, setup } from './lib/harness.js';
import {
  runAction,
  activityEntry,
  addConnection,
  closeSettings,
  eventually,
  firstVmAllowing,
  vmRow,
  vmStatus,
  vmsRegion,
  waitForEnd,
  waitForVms,
} from './lib/ui.js';

/// The console with one connection of `label` added in Settings and its VMs listed.
async function consoleWith(env, label) {
  const d = dialect(label);
  const { context, page } = await openConsole(env);
  const name = `My ${label}`;
  await addConnection(page, {
    provider: d.label,
    name,
    base: `${env.sim.url}${d.prefix}`,
    user: d.user,
    secret: d.secret,
  });
  await closeSettings(page);
  await waitForVms(page, VMS, LONG);
  return { context, page, name };
}

const dialog = (page) => page.getByRole('dialog');

describe('workflows', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => {
    await env?.close();
  });

  test('Stop counts down before powering off; Force now powers off at once', async () => {
    const { context, page } = await consoleWith(env, 'cloudsfor');
    try {
      const vm = await firstVmAllowing(page, 'Stop');
      await runAction(page, 'Stop', vm);
      const form = dialog(page);
      await form.getByRole('spinbutton', { name: 'Power off after (seconds)' }).fill('600');
      await screenshot(page, 'stop-dialog');
      await form.getByRole('button', { name: 'Stop', exact: true }).click();
      await form.waitFor({ state: 'hidden' });

      const entry = activityEntry(page, `Stop ${vm}`);
      await eventually('the countdown', async () =>
        /Powering off in \d+ min \d+ s unless it shuts down first/.test(await entry.innerText()));
      await screenshot(page, 'stop-countdown');
      await entry.getByRole('button', { name: `Force now: Stop ${vm}` }).click();

      const end = await waitForEnd(page, `Stop ${vm}`);
      assert.equal(end.phase, 'Succeeded', end.text);
      await eventually(`${vm} to be off`, async () =>
        (await vmStatus(page, vm).innerText()) === 'stopped');
    } finally {
      await context.close();
    }
  });

  test('Erigones runs the countdown itself: one stop request carries it', async () => {
    const { context, page } = await consoleWith(env, 'Erigones');
    const stops = [];
    page.on('request', (r) => {
      if (r.method() === 'PUT' && r.url().includes('/status/stop/')) stops.push(r.postData());
    });
    try {
      const vm = await firstVmAllowing(page, 'Stop');
      await runAction(page, 'Stop', vm);
      const form = dialog(page);
      assert.match(await form.innerText(), /the provider forces the VM off when it ends/);
      await form.getByRole('spinbutton', { name: 'Power off after (seconds)' }).fill('90');
      await form.getByRole('button', { name: 'Stop', exact: true }).click();
      const end = await waitForEnd(page, `Stop ${vm}`);
      assert.equal(end.phase, 'Succeeded', end.text);
      assert.equal(stops.length, 1, `one stop request: ${JSON.stringify(stops)}`);
      assert.deepEqual(JSON.parse(stops[0]), { force: false, timeout: 90 });
    } finally {
      await context.close();
    }
  });

  test('resizing a running cloudsfor VM runs stop → resize → start as one operation', async () => {
    const { context, page } = await consoleWith(env, 'cloudsfor');
    try {
      const vm = await firstVmAllowing(page, 'Stop'); // a running one
      await runAction(page, 'Resize', vm);
      const form = dialog(page);
      assert.match(await form.innerText(), /must be off to resize: Vigil stops it/);
      const cpu = form.getByRole('spinbutton', { name: 'vCPUs' });
      const more = Number(await cpu.inputValue()) + 1;
      await cpu.fill(String(more));
      await screenshot(page, 'resize-dialog');
      await form.getByRole('button', { name: 'Stop, resize and start' }).click();

      const title = `Resize cpu to ${more} vCPU (VM off) ${vm}`;
      const entry = activityEntry(page, title);
      await entry.waitFor();
      const end = await waitForEnd(page, title, 3 * LONG);
      assert.equal(end.phase, 'Succeeded', end.text);
      const steps = await entry.getByRole('listitem').allInnerTexts();
      // `Shut down — Done (Verified on the VM.)`: the state, without the step's note.
      const state = (what) => steps.find((s) => s.startsWith(what))?.split(' — ')[1]?.replace(/ \(.*\)$/, '');
      assert.equal(state('Shut down'), 'Done', steps.join(' | '));
      assert.equal(state('Resize'), 'Done', steps.join(' | '));
      assert.equal(state('Start'), 'Done', steps.join(' | '));
      await screenshot(page, 'resize-done');
      assert.equal(await vmStatus(page, vm).innerText(), 'running');
      assert.match(await vmRow(page, vm).innerText(), new RegExp(`\\b${more} vCPU\\b`));
    } finally {
      await context.close();
    }
  });

  test('a bulk reboot reports each VM: done, or skipped with the reason', async () => {
    const { context, page } = await consoleWith(env, 'cloudsfor');
    try {
      const running = await firstVmAllowing(page, 'Reboot');
      const stopped = await firstVmAllowing(page, 'Start');
      for (const vm of [running, stopped]) {
        await vmsRegion(page).getByRole('checkbox', { name: `Select ${vm}`, exact: true }).check();
      }
      const bar = page.getByRole('toolbar', { name: 'Actions on the selected VMs' });
      assert.match(await bar.innerText(), /2 selected/);
      await bar.getByRole('button', { name: 'Reboot 2 selected VMs' }).click();
      const form = dialog(page);
      assert.match(await form.innerText(), /Reboot on 1 of 2 VMs/);
      assert.match(await form.innerText(), new RegExp(`${stopped} — `), 'the skipped VM is named');
      await form.getByRole('button', { name: 'Reboot 1 VM', exact: true }).click();

      const summary = page.getByRole('region', { name: 'Bulk action result' });
      await eventually('the bulk result', async () => {
        const t = await summary.innerText();
        return (/1 done/.test(t) && /1 skipped/.test(t)) || Promise.reject(new Error(t));
      }, { timeout: LONG });
      const text = await summary.innerText();
      assert.match(text, new RegExp(`${running} — done, verified`));
      assert.match(text, new RegExp(`${stopped} — skipped: `));
      await screenshot(page, 'bulk-summary');
    } finally {
      await context.close();
    }
  });

  test('a deep link opens the VM page; the whole flow works by keyboard alone', async () => {
    const { context, page } = await consoleWith(env, 'cloudsfor');
    try {
      const vm = await firstVmAllowing(page, 'Reboot');
      const href = await vmRow(page, vm).getByRole('link', { name: vm }).getAttribute('href');
      assert.match(href, /^#\/vms\/[^/]+\/[^/]+\/overview$/);

      // Opened directly, as from a bookmark (the settings live in this tab's sessionStorage).
      await page.goto(`${env.appUrl}/${href}`);
      await page.reload(); // a fresh load at that address, not an in-page hash change
      const pageRegion = page.getByRole('region', { name: 'Virtual machine' });
      await pageRegion.getByRole('heading', { name: new RegExp(`^${vm}`) }).waitFor({ timeout: LONG });
      assert.match(await pageRegion.innerText(), /Status from the provider/);
      await screenshot(page, 'vm-page');

      // Keyboard only: Tab to the tabs, → to Power (the address follows), Tab to the VM's Reboot
      // button, Enter, and follow it in its history.
      const tabs = pageRegion.getByRole('tablist', { name: 'Sections of this VM' });
      assert.equal(await tabs.getByRole('tab', { selected: true }).innerText(), 'Overview');
      let focused = '';
      for (let i = 0; i < 60 && focused !== 'tab'; i++) {
        await page.keyboard.press('Tab');
        focused = await page.evaluate(() => document.activeElement?.getAttribute('role') ?? '');
      }
      assert.equal(focused, 'tab', 'the tabs are reachable with Tab');
      await page.keyboard.press('ArrowRight');
      await eventually('the Power tab to show', async () =>
        (await tabs.getByRole('tab', { selected: true }).innerText()) === 'Power' && page.url().endsWith('/power'));
      const reboot = pageRegion.getByRole('button', { name: `Reboot ${vm}`, exact: true });
      await eventually('Reboot to be enabled', () => reboot.isEnabled());
      focused = '';
      for (let i = 0; i < 60 && focused !== `Reboot ${vm}`; i++) {
        await page.keyboard.press('Tab');
        focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? '');
      }
      assert.equal(focused, `Reboot ${vm}`, 'Reboot is reachable with Tab');
      await page.keyboard.press('Enter');
      const end = await waitForEnd(page, `Reboot ${vm}`);
      assert.equal(end.phase, 'Succeeded', end.text);
      await tabs.getByRole('tab', { name: 'History' }).click();
      await eventually("the VM's history to show it", async () =>
        (await pageRegion.getByRole('tabpanel', { name: 'History' }).getByRole('listitem')
          .filter({ hasText: `Reboot ${vm}` }).count()) > 0);
      // The back button goes back to the tab before.
      await page.goBack();
      await eventually('Power again after Back', async () =>
        (await tabs.getByRole('tab', { selected: true }).innerText()) === 'Power');

      // A confirmation by keyboard: Escape closes it and nothing is sent.
      const powerOff = pageRegion.getByRole('button', { name: `Power off ${vm}`, exact: true });
      await eventually('Power off to be enabled', () => powerOff.isEnabled());
      await powerOff.focus();
      await page.keyboard.press('Enter');
      await dialog(page).waitFor();
      assert.match(await dialog(page).innerText(), /pulling the plug/);
      await page.keyboard.press('Escape');
      await dialog(page).waitFor({ state: 'hidden' });
      assert.equal(await activityEntry(page, `Power off ${vm}`).count(), 0, 'nothing sent');
      // Focus comes back once the dialog has left the page (everything else is inert until then).
      await eventually('focus to go back to the button', async () =>
        (await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))) ===
        `Power off ${vm}`);

      await pageRegion.getByRole('link', { name: '← All VMs' }).click();
      await vmsRegion(page).waitFor();
    } finally {
      await context.close();
    }
  });
});
