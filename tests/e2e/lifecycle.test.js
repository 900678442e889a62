// Every dialect, a VM's whole life as a customer lives it: created from the provider's own
// catalogues (the row says "creating…" at once and follows it to running), then deleted once
// its name is typed back (another name is refused) — "deleting…" until the provider shows it
// gone. And an Erigones VM owner, whose role may not create VMs, is told so instead of a form.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DIALECTS, LONG, VMS, dialect, openConsole, screenshot, setup } from './lib/harness.js';
import {
  runAction,
  addConnection,
  closeSettings,
  deleteForm,
  eventually,
  fillCreateForm,
  notYet,
  openCreateForm,
  vmRow,
  vmStatus,
  waitForEnd,
  waitForVms,
} from './lib/ui.js';

describe('create and delete a VM on every dialect against vigil-sim-server', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => {
    await env?.close();
  });

  async function consoleOn(d, { secret = d.secret } = {}) {
    const { context, page } = await openConsole(env);
    const conn = `My ${d.label}`;
    await addConnection(page, { provider: d.label, name: conn, base: `${env.sim.url}${d.prefix}`, user: d.user, secret });
    await closeSettings(page);
    return { context, page, conn };
  }

  const statusOf = async (page, vm) => vmStatus(page, vm).innerText({ timeout: 1_000 });

  for (const d of DIALECTS) {
    test(`${d.label}: create a VM from the catalogues, follow it to running, delete it`, async () => {
      const { context, page, conn } = await consoleOn(d);
      try {
        await waitForVms(page, VMS, LONG);
        const vm = `e2e-${d.label.toLowerCase()}`;
        const form = await openCreateForm(page, conn);
        await fillCreateForm(form, vm);
        await screenshot(page, `create-form-${d.label}`);
        await form.getByRole('button', { name: 'Create VM', exact: true }).click();
        await form.waitFor({ state: 'hidden' });

        // At once: the new VM's row, creating; then running, verified.
        await eventually(`${vm} creating…`, async () => {
          const s = await statusOf(page, vm);
          return s === 'creating…' || notYet(s);
        }, { timeout: 5_000, interval: 100 });
        await eventually(`${vm} ${d.running}`, async () => {
          const s = await statusOf(page, vm);
          return s === d.running || notYet(s);
        }, { timeout: LONG, interval: 250 });
        const created = await waitForEnd(page, `Create VM ${vm}`);
        assert.equal(created.phase, 'Succeeded', created.text);

        // Delete: another name is refused, the VM's own deletes it.
        await runAction(page, 'Delete', vm);
        const del = deleteForm(page, vm);
        await del.getByRole('textbox').fill(`${vm}-typo`);
        await del.getByRole('button', { name: 'Delete', exact: true }).click();
        await del.getByRole('alert').filter({ hasText: "Type the VM's name" }).waitFor();
        assert.equal(await del.getByRole('textbox').inputValue(), `${vm}-typo`, 'what was typed stays');
        await del.getByRole('textbox').fill(vm);
        await screenshot(page, `delete-dialog-${d.label}`);
        await del.getByRole('button', { name: 'Delete', exact: true }).click();
        await del.waitFor({ state: 'hidden' });
        // "deleting…" until the provider shows it gone (at once on cloudsfor: 204, then 404).
        await eventually(`${vm} deleting… (or gone already)`, async () => {
          if ((await vmRow(page, vm).count()) === 0) return true;
          const s = await statusOf(page, vm);
          return s === 'deleting…' || notYet(s);
        }, { timeout: 5_000, interval: 50 });
        await vmRow(page, vm).waitFor({ state: 'detached', timeout: LONG });
        const deleted = await waitForEnd(page, `Delete ${vm}`);
        assert.equal(deleted.phase, 'Succeeded', deleted.text);
        await waitForVms(page, VMS, LONG);
        assert.deepEqual(page.errors, [], 'no page errors');
      } finally {
        await context.close();
      }
    });
  }

  test('Erigones: a VM owner is told before the form that the role may not create VMs', async () => {
    const { context, page, conn } = await consoleOn(dialect('Erigones'), { secret: 'owner-key' });
    try {
      await waitForVms(page, undefined, LONG);
      const form = await openCreateForm(page, conn, { refused: true });
      const said = await form.getByRole('alert').first().innerText();
      assert.equal(said, 'Your Erigones role may not create VMs: that needs an administrator.');
      assert.equal(await form.getByRole('textbox', { name: /^Name/ }).count(), 0, 'no form to fill in');
      await screenshot(page, 'create-refused-Erigones-owner');
      await form.getByRole('button', { name: 'Cancel', exact: true }).click();
      assert.deepEqual(page.errors, []);
    } finally {
      await context.close();
    }
  });
});
