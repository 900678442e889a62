// Every dialect, as a new customer meets it: add the connection in Settings, see the VMs,
// reboot one and watch it to a verified end.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DIALECTS, LONG, VMS, openConsole, screenshot, setup } from './lib/harness.js';
import {
  actionEnabled,
  runAction,
  activityEntry,
  addConnection,
  closeSettings,
  eventually,
  firstVmAllowing,
  notices,
  vmRow,
  vmStatus,
  vmsRegion,
  waitForEnd,
  waitForVms,
} from './lib/ui.js';

describe('every dialect against vigil-sim-server', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => {
    await env?.close();
  });

  for (const d of DIALECTS) {
    test(`${d.label}: add the connection, list its VMs, reboot one to a verified end`, async () => {
      const { context, page } = await openConsole(env);
      const { sent } = page;
      try {
        // Nothing configured yet: the demo providers are shown, and say so.
        await page.getByText('Demo providers — simulated VMs').waitFor();

        const name = `My ${d.label}`;
        const panel = await addConnection(page, {
          provider: d.label,
          name,
          base: `${env.sim.url}${d.prefix}`,
          user: d.user,
          secret: d.secret,
        });
        const listed = await panel.getByRole('listitem').filter({ hasText: name }).innerText();
        assert.match(listed, new RegExp(`${d.label}`), 'the connection is listed with its provider');
        assert.ok(listed.includes(`${env.sim.url}${d.prefix}`), 'and its base URL');
        await screenshot(page, `settings-${d.label}`);
        for (const secret of [d.secret, d.user].filter(Boolean)) {
          assert.ok(!page.url().includes(secret), `credentials stay out of the URL: ${page.url()}`);
        }
        await closeSettings(page);

        // The provider's VMs, and only those (the demo is hidden once a connection exists).
        const names = await waitForVms(page, VMS, LONG);
        await page.getByText('Demo providers — simulated VMs').waitFor({ state: 'hidden' });
        const onIt = vmsRegion(page).getByRole('row').filter({ has: page.getByRole('cell', { name, exact: true }) });
        assert.equal(await onIt.count(), names.length, 'every row is on the new connection');
        assert.equal(new Set(names).size, names.length, 'VM names are unique on one connection');
        await screenshot(page, `vm-list-${d.label}`);

        // Reboot a running VM.
        const vm = await firstVmAllowing(page, 'Reboot');
        assert.equal(await vmStatus(page, vm).innerText(), d.running, `${vm} is running before`);
        await runAction(page, 'Reboot', vm);

        // At once the row says what is happening and the VM cannot be rebooted twice.
        await eventually(`${vm}'s row to say rebooting…`, async () =>
          (await vmStatus(page, vm).innerText()) === 'rebooting…');
        assert.ok(!(await actionEnabled(page, 'Reboot', vm)), 'no second reboot while one runs');
        await activityEntry(page, `Reboot ${vm}`).waitFor();

        // …and it ends verified: Done in the activity list, running again in the VM list.
        const end = await waitForEnd(page, `Reboot ${vm}`);
        assert.equal(end.phase, 'Succeeded', `Reboot ${vm}: ${end.text}`);
        assert.match(end.text, /\bDone\b/);
        assert.match(end.text, new RegExp(`Provider ${name}`));
        await eventually(`${vm} to show ${d.running} again`, async () =>
          (await vmStatus(page, vm).innerText()) === d.running);
        await eventually(`${vm} to allow a reboot again`, () => actionEnabled(page, 'Reboot', vm));
        assert.equal(await vmRow(page, vm).count(), 1);
        await eventually('a notification naming the VM', async () =>
          (await notices(page).innerText()).includes(vm));
        await screenshot(page, `activity-done-${d.label}`);

        assert.ok(sent.count > 0);
        for (const secret of [d.secret, d.user].filter(Boolean)) {
          assert.ok(!page.url().includes(secret), 'credentials never reach the page URL');
          // (Hostway's and ONET's demo account ids contain "demo", like the password: skip those.)
          if (d.prefix.includes(secret)) continue;
          const leaked = sent.urls.filter((u) => u.includes(encodeURIComponent(secret)) || u.includes(secret));
          assert.deepEqual(leaked, [], 'nor any request URL');
        }
        assert.deepEqual(page.errors, [], 'no page errors');
      } finally {
        await context.close();
      }
    });
  }
});
