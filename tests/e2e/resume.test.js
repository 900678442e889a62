// Reload mid-operation: the operation is still there after the reload, is followed to its
// verified end, and is not sent to the provider a second time.
//
// On a simulator of its own at --speed 4 (a reboot takes ~5 s), so that the page is reloaded
// while the provider is still rebooting.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DIALECTS, LONG, VMS, openConsole, screenshot, setup } from './lib/harness.js';
import {
  runAction,
  activityEntry,
  addConnection,
  closeSettings,
  eventually,
  firstVmAllowing,
  isOpenPhase,
  notYet,
  phaseOf,
  vmStatus,
  waitForEnd,
  waitForVms,
} from './lib/ui.js';

describe('an operation survives a reload', () => {
  let env;
  before(async () => {
    env = await setup({ ownSim: { speed: 4 } });
  });
  after(async () => {
    await env?.close();
  });

  for (const d of DIALECTS) {
    test(`${d.label}: reload while a reboot runs, it resumes to a verified end`, async (t) => {
      const { context, page } = await openConsole(env);
      try {
        const writes = [];
        page.on('request', (r) => {
          if (r.url().startsWith(env.sim.url) && !['GET', 'OPTIONS'].includes(r.method())) {
            writes.push(`${r.method()} ${r.url().slice(env.sim.url.length)}`);
          }
        });
        const seen = page.sent;
        await addConnection(page, {
          provider: d.label,
          name: `My ${d.label}`,
          base: `${env.sim.url}${d.prefix}`,
          user: d.user,
          secret: d.secret,
        });
        await closeSettings(page);
        await waitForVms(page, VMS, LONG);

        const vm = await firstVmAllowing(page, 'Reboot');
        const title = `Reboot ${vm}`;
        await runAction(page, 'Reboot', vm);
        const entry = activityEntry(page, title);
        await eventually(`${title} accepted by the provider`, async () => {
          const phase = await phaseOf(entry);
          return ['Accepted', 'InProgress'].includes(phase) || notYet(phase);
        });
        const before = seen.count;

        // The page goes away mid-operation and comes back (same tab: same sessionStorage).
        await page.reload();
        await entry.waitFor({ timeout: LONG });
        const resumed = await phaseOf(entry);
        t.diagnostic(`${title}: ${resumed} right after the reload`);
        assert.notEqual(resumed, 'NeedsCheck', 'a reload alone is no reason to doubt the outcome');
        if (isOpenPhase(resumed)) {
          assert.equal(await vmStatus(page, vm).innerText(), 'rebooting…', 'the row says it is still rebooting');
        }
        const end = await waitForEnd(page, title);
        assert.equal(end.phase, 'Succeeded', `${title} after the reload: ${end.text}`);
        await eventually(`${vm} to show ${d.running} again`, async () =>
          (await vmStatus(page, vm).innerText()) === d.running);
        assert.ok(seen.count > before, 'the reloaded page asked the provider itself');

        // Only the one reboot (and, for Erigones, nothing else) was written to the provider.
        const actions = writes.filter((w) => !w.includes('/accounts/login'));
        assert.equal(actions.length, 1, `one write, not resent after the reload: ${actions.join(', ')}`);
        if (d.label === 'cloudsfor') await screenshot(page, 'resumed-after-reload-cloudsfor');
        assert.deepEqual(page.errors, []);
      } finally {
        await context.close();
      }
    });
  }
});
