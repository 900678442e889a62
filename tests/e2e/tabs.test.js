// Two tabs of one browser (shared localStorage and BroadcastChannel): one polls the provider,
// the other shows the same state without sending a single request, and takes over when the
// polling tab closes.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LONG, SHORT, VMS, dialect, newTab, openConsole, screenshot, setup } from './lib/harness.js';
import {
  runAction,
  addConnection,
  closeSettings,
  eventually,
  firstVmAllowing,
  notYet,
  unlock,
  vmStatus,
  waitForEnd,
  waitForVms,
} from './lib/ui.js';

const POLLS = 'This tab polls';
const FOLLOWS = 'Following another tab';
const role = (page) => page.getByRole('banner').getByText(new RegExp(`^(${POLLS}|${FOLLOWS})$`));

describe('several tabs, one poller', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => {
    await env?.close();
  });

  test('cloudsfor: the second tab follows, shows the same reboot to its end, and takes over', async () => {
    const d = dialect('cloudsfor');
    const { context, page: a } = await openConsole(env);
    const fromA = a.sent;
    try {
      // Remembered on this device (sealed with a passphrase), so a second tab has the same
      // connection once it is unlocked there.
      await addConnection(a, {
        provider: d.label,
        name: 'Shared cloudsfor',
        base: `${env.sim.url}${d.prefix}`,
        user: d.user,
        secret: d.secret,
        remember: true,
      });
      await closeSettings(a);
      await waitForVms(a, VMS, LONG);
      assert.equal(await role(a).innerText(), POLLS);

      const b = await newTab(context, env);
      const fromB = b.sent;
      await unlock(b);
      await waitForVms(b, VMS, LONG);
      assert.equal(await role(b).innerText(), FOLLOWS, 'the second tab does not poll');
      assert.equal(await role(a).innerText(), POLLS);
      await screenshot(b, 'two-tabs-follower');

      // An action started in the following tab: the polling tab runs it, both show it.
      const vm = await firstVmAllowing(b, 'Reboot');
      await runAction(b, 'Reboot', vm);
      for (const [who, page] of [['follower', b], ['poller', a]]) {
        await eventually(`${who}: ${vm} rebooting…`, async () =>
          (await vmStatus(page, vm).innerText()) === 'rebooting…', { timeout: SHORT, interval: 100 });
      }
      for (const [who, page] of [['poller', a], ['follower', b]]) {
        const end = await waitForEnd(page, `Reboot ${vm}`);
        assert.equal(end.phase, 'Succeeded', `${who}: ${end.text}`);
        await eventually(`${who}: ${vm} running again`, async () =>
          (await vmStatus(page, vm).innerText()) === d.running);
      }
      await screenshot(b, 'two-tabs-follower-done');

      // Only the polling tab talked to the provider, and the provider saw nothing else.
      assert.equal(fromB.count, 0, `the following tab sent: ${fromB.urls.join(', ')}`);
      assert.ok(fromA.count > 0, 'the polling tab did the work');
      // (The tab counts a request when it sends it, the simulator when it arrives.)
      await eventually('the simulator to have seen exactly the polling tab\'s requests', async () => {
        const seen = (await env.sim.stats()).dialects.cloudsfor.requests;
        return seen === fromA.count || notYet(`simulator ${seen}, polling tab ${fromA.count}`);
      }, { interval: 20 });

      // The polling tab closes: the other takes over and polls from then on.
      await a.close();
      await eventually('the second tab to take over', async () => (await role(b).innerText()) === POLLS, {
        timeout: LONG,
      });
      await eventually('the new poller to ask the provider', async () => fromB.count > 0, { timeout: LONG });
      assert.deepEqual(a.errors, []);
      assert.deepEqual(b.errors, []);
    } finally {
      await context.close();
    }
  });
});
