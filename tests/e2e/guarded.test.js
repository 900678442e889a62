// A VM rebuilt from the Rebuild tab on each provider that offers it, and "Snapshot first" (a
// guarded change): a guarded resize that succeeds, one the provider refuses and its "Roll back to
// the snapshot taken at …", and ZennoHosting saying why it cannot guard. Against
// vigil-sim-server, by accessible names; axe-core on the Rebuild tab and a form with the guard.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { axe } from './lib/axe.js';
import { LONG, VMS, dialect, openConsole, screenshot, setup } from './lib/harness.js';
import {
  addConnection,
  closeSettings,
  eventually,
  firstVmAllowing,
  notYet,
  vmRow,
  vmsRegion,
  waitForEnd,
  waitForVms,
} from './lib/ui.js';


async function consoleWith(env, label) {
  const d = dialect(label);
  const { context, page } = await openConsole(env);
  await addConnection(page, {
    provider: d.label,
    name: `My ${label}`,
    base: `${env.sim.url}${d.prefix}`,
    user: d.user,
    secret: d.secret,
  });
  await closeSettings(page);
  await waitForVms(page, VMS, LONG);
  return { context, page };
}

const vmPage = (page) => page.getByRole('region', { name: 'Virtual machine' });
const panel = (page) => vmPage(page).getByRole('tabpanel');
const progress = (page) => panel(page).getByRole('region', { name: 'Progress' });

/// Opens `vm`'s page at `tab`.
async function openTab(page, vm, tab) {
  await vmRow(page, vm).getByRole('link', { name: vm }).click();
  await vmPage(page).getByRole('heading', { name: new RegExp(`^${vm}`) }).waitFor({ timeout: LONG });
  await vmPage(page).getByRole('tab', { name: tab, exact: true }).click();
  await panel(page).waitFor();
}

/// The entry (in the tab's Progress) whose title matches `re`, once ended: `{phase, text, entry}`.
async function endOf(page, re, timeout = 3 * LONG) {
  const entry = progress(page)
    .getByRole('listitem')
    .filter({ has: page.locator('.entry-title', { hasText: re }) })
    .first();
  return eventually(`“${re}” to end in the tab`, async () => {
    const phase = await entry.getAttribute('data-phase', { timeout: 1_000 });
    if (!phase || ['Submitted', 'Accepted', 'InProgress', 'Verifying'].includes(phase)) return notYet(phase);
    return { phase, text: (await entry.innerText()).replace(/\s+/g, ' '), entry };
  }, { timeout, interval: 250 });
}

/// Rebuilds `vm` from the Rebuild tab (the image preselected), followed to its end in the tab.
async function rebuild(page, vm, { shot } = {}) {
  await openTab(page, vm, 'Rebuild');
  const form = panel(page).getByRole('form', { name: `Rebuild ${vm}` });
  const picker = form.getByRole('combobox', { name: 'Image to rebuild from' });
  await picker.waitFor({ timeout: LONG });
  await eventually('an image chosen', async () => (await picker.inputValue()) !== '');
  const options = await picker.locator('option').allInnerTexts();
  assert.ok(options.length > 0, 'images offered');
  await form.getByRole('textbox', { name: /Type the VM's name to confirm/ }).fill(vm);
  if (shot) await screenshot(page, shot);
  await form.getByRole('button', { name: 'Rebuild', exact: true }).click();
  const end = await endOf(page, /^Rebuild from/);
  return { end, options };
}

describe('rebuild and snapshot first', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => {
    await env?.close();
  });

  test('cloudsfor: a rebuild from the tab, to its verified end; axe finds nothing', async () => {
    const { context, page } = await consoleWith(env, 'cloudsfor');
    try {
      const vm = await firstVmAllowing(page, 'Reboot');
      await openTab(page, vm, 'Rebuild');
      await panel(page).getByRole('combobox', { name: 'Image to rebuild from' }).waitFor({ timeout: LONG });
      assert.match(await panel(page).innerText(), /replaces the disk/);
      await axe(page, 'the Rebuild tab');
      await vmPage(page).getByRole('tab', { name: 'Overview', exact: true }).click();
      await page.getByRole('link', { name: 'All VMs' }).click();
      const { end, options } = await rebuild(page, vm, { shot: 'rebuild-tab' });
      assert.equal(end.phase, 'Succeeded', end.text);
      assert.ok(options.some((o) => /\(current image\)$/.test(o)) || options.length > 1, options.join(' | '));
      const stats = (await env.sim.stats()).dialects.cloudsfor;
      assert.ok(JSON.stringify(stats.endpoints).includes('actions'), 'the rebuild reached the provider');
    } finally {
      await context.close();
    }
  });

  test('ONETSolutions: reinstall from an image of the catalogue, to its verified end', async () => {
    const { context, page } = await consoleWith(env, 'ONETSolutions');
    try {
      const vm = await firstVmAllowing(page, 'Reboot');
      const { end } = await rebuild(page, vm);
      assert.equal(end.phase, 'Succeeded', end.text);
    } finally {
      await context.close();
    }
  });

  test('Erigones: a stopped VM redeployed from its current image only, said so', async () => {
    const { context, page } = await consoleWith(env, 'Erigones');
    try {
      const vm = await firstVmAllowing(page, 'Start'); // a stopped one
      await openTab(page, vm, 'Rebuild');
      const text = await panel(page).innerText();
      assert.match(text, /current image only/);
      assert.match(text, /rebuilds only a stopped VM/);
      await vmPage(page).getByRole('tab', { name: 'Overview', exact: true }).click();
      await page.getByRole('link', { name: 'All VMs' }).click();
      const { end, options } = await rebuild(page, vm);
      assert.equal(options.length, 1, options.join(' | '));
      assert.equal(end.phase, 'Succeeded', end.text);
    } finally {
      await context.close();
    }
  });

  test('Hostway: a guarded resize takes the snapshot, then resizes; a refused one rolls back', async () => {
    const { context, page } = await consoleWith(env, 'Hostway');
    try {
      // The first running VM "Snapshot first" is offered for (Hostway keeps at most 3).
      const names = await vmsRegion(page).getByRole('rowheader').getByRole('link').allInnerTexts();
      let vm;
      for (const name of names) {
        if (!/ACTIVE/.test(await vmRow(page, name).innerText())) continue;
        await openTab(page, name, 'Resize');
        const box = panel(page).getByRole('checkbox', { name: 'Snapshot first' });
        await box.waitFor();
        await page.waitForTimeout(300);
        if (await box.isEnabled()) {
          vm = name;
          break;
        }
        await page.getByRole('link', { name: 'All VMs' }).click();
      }
      assert.ok(vm, 'a Hostway VM that can be guarded');
      const form = panel(page).getByRole('form', { name: `Resize ${vm}` });
      const guard = form.getByRole('checkbox', { name: 'Snapshot first' });
      const now = (await form.innerText()).match(/Now: flavor (\d+)/)?.[1];
      const other = now === '6' ? '5' : '6';
      await form.getByRole('combobox', { name: 'Flavor id' }).fill(other);
      await guard.check();
      await axe(page, 'the Resize form with “Snapshot first”');
      await form.getByRole('button', { name: 'Resize', exact: true }).click();
      const entry = progress(page).getByRole('listitem').filter({ hasText: /snapshot first/ }).first();
      await eventually('the snapshot step shown', async () => /Take snapshot|snapshot/i.test(await entry.innerText()));
      await screenshot(page, 'guarded-resize-progress');
      const ok = await endOf(page, /snapshot first/);
      assert.equal(ok.phase, 'Succeeded', ok.text);
      assert.match(ok.text, /before-resize-\d{6}/);
      assert.equal(await ok.entry.getByRole('button', { name: /^Roll back/ }).count(), 0, 'no rollback after a success');

      // The same flavor again: the provider refuses it after the snapshot.
      await eventually('the form to take another', () => guard.isEnabled(), { timeout: LONG });
      await form.getByRole('combobox', { name: 'Flavor id' }).fill(other);
      await guard.check();
      await form.getByRole('button', { name: 'Resize', exact: true }).click();
      const failed = await endOf(page, /snapshot first/);
      assert.equal(failed.phase, 'Failed', failed.text);
      const back = failed.entry.getByRole('button', { name: /^Roll back to the snapshot taken at \d{1,2}:\d{2}/ });
      await back.waitFor({ timeout: LONG });
      await screenshot(page, 'guarded-resize-rollback');
      await back.click();
      const restored = await endOf(page, /^Roll back to snapshot/);
      assert.equal(restored.phase, 'Succeeded', restored.text);
      assert.equal(await back.count(), 0, 'the rollback is offered once');
      const statuses = JSON.stringify((await env.sim.stats()).dialects.hostway);
      assert.ok(statuses.includes('400'), `the provider refused the resize: ${statuses}`);
    } finally {
      await context.close();
    }
  });

  test('ONETSolutions: a resize to a size of its catalogue, to its verified end', async () => {
    const { context, page } = await consoleWith(env, 'ONETSolutions');
    try {
      const vm = await firstVmAllowing(page, 'Reboot');
      await openTab(page, vm, 'Resize');
      const form = panel(page).getByRole('form', { name: `Resize ${vm}` });
      const picker = form.getByRole('combobox', { name: 'New size' });
      await picker.waitFor({ timeout: LONG });
      const options = await eventually('the sizes listed', async () => {
        const o = await picker.locator('option').allInnerTexts();
        return o.length > 2 ? o : notYet(o);
      });
      const current = options.filter((o) => /\(current size\)$/.test(o));
      assert.equal(current.length, 1, options.join(' | '));
      const to = options.find((o, i) => i > 0 && !/\(current size\)$/.test(o));
      await picker.selectOption({ label: to });
      await axe(page, 'the Resize form (ONETSolutions)');
      await form.getByRole('button', { name: 'Resize', exact: true }).click();
      const end = await endOf(page, /^Resize to/);
      assert.equal(end.phase, 'Succeeded', end.text);
      const name = to.split(' · ')[0];
      await eventually('the VM shows its new size', async () => {
        const text = await vmPage(page).innerText();
        return text.includes(name) || notYet(text.slice(0, 200));
      });
    } finally {
      await context.close();
    }
  });

  test('ZennoHosting takes no snapshots: “Snapshot first” says why, disabled', async () => {
    const { context, page } = await consoleWith(env, 'ZennoHosting');
    try {
      const vm = await firstVmAllowing(page, 'Reboot');
      // ZennoHosting does not resize; its backup restore offers the guard, and says why not.
      await openTab(page, vm, 'Backups');
      const guard = panel(page).getByRole('checkbox', { name: 'Snapshot first' });
      await guard.waitFor();
      assert.equal(await guard.isDisabled(), true);
      assert.match(await panel(page).innerText(), /ZennoHosting takes no snapshots, so a snapshot cannot be taken first/);
      await axe(page, 'a form with “Snapshot first” not offered');
    } finally {
      await context.close();
    }
  });
});
