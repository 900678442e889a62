// A bad day at the providers: server errors in bursts, 429s with Retry-After, dropped
// connections (half of them after the write was applied), slow and malformed answers. Every
// operation still ends — Done, Failed or Needs check, said on screen — and none is left spinning.
//
// On a simulator of its own, started with seeded --faults (crates/sim/src/faults.rs).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DIALECTS, LONG, VMS, openConsole, screenshot, setup } from './lib/harness.js';
import {
  actionEnabled,
  activityRegion,
  addConnection,
  allEntries,
  closeSettings,
  eventually,
  isOpenPhase,
  notYet,
  rowName,
  runAction,
  showOnly,
  vmCount,
  vmRow,
  vmStatus,
  vmsRegion,
} from './lib/ui.js';

const FAULTS = '5xx=0.08,burst=3,429=0.04,drop=0.04,latency=20..250,malformed=0.02';
/// Reboots started per dialect.
const PER_DIALECT = 2;
/// What an ended operation may say under faults.
const ENDED = ['Succeeded', 'Failed', 'NeedsCheck', 'TimedOut'];

describe('under injected faults', () => {
  let env;
  before(async () => {
    env = await setup({ ownSim: { faults: FAULTS } });
  });
  after(async () => {
    await env?.close();
  });

  test('every dialect: every reboot ends, none is left spinning', async (t) => {
    const { context, page } = await openConsole(env);
    try {
      for (const d of DIALECTS) {
        await addConnection(page, {
          provider: d.label,
          name: `Faulty ${d.label}`,
          base: `${env.sim.url}${d.prefix}`,
          user: d.user,
          secret: d.secret,
        });
      }
      await closeSettings(page);

      // Every connection lists its VMs; one whose listing failed is retried, as a user would.
      const all = DIALECTS.length * VMS;
      await eventually(`all ${all} VMs listed`, async () => {
        for (const retry of await vmsRegion(page).getByRole('button', { name: 'Retry' }).all()) {
          await retry.click().catch(() => {});
        }
        const text = await vmCount(page).innerText();
        return text === `${all} of ${all} VMs` || notYet(text);
      }, { timeout: LONG, interval: 1_000 });

      // Reboot the first running VMs of every connection.
      const started = [];
      // (A VM whose last read failed has no known state, so no Reboot button yet: wait for one.)
      for (const d of DIALECTS) {
        const provider = `Faulty ${d.label}`;
        await showOnly(page, provider);
        const rows = vmsRegion(page).getByRole('row').filter({ has: page.getByRole('cell', { name: provider, exact: true }) });
        await eventually(`${PER_DIALECT} rebootable VMs on ${provider}`, async () => {
          for (const row of await rows.all()) {
            const mine = started.filter((s) => s.d === d);
            if (mine.length === PER_DIALECT) return true;
            const vm = await rowName(row);
            if (!mine.some((s) => s.vm === vm) && (await actionEnabled(page, 'Reboot', vm, row))) {
              await runAction(page, 'Reboot', vm, row);
              started.push({ d, vm, provider, title: `Reboot ${vm}` });
            }
          }
          return started.filter((s) => s.d === d).length === PER_DIALECT;
        }, { timeout: LONG, interval: 1_000 });
      }
      assert.equal(started.length, DIALECTS.length * PER_DIALECT, 'enough running VMs to reboot');
      await showOnly(page, null);

      // Every one of them ends.
      const entries = await eventually('every operation to end', async () => {
        const all = await allEntries(page);
        const open = all.filter((e) => isOpenPhase(e.phase));
        if (all.length < started.length || open.length) {
          throw new Error(`${all.length} entries, still open: ${open.map((e) => `${e.title} (${e.phase})`).join(', ')}`);
        }
        return all;
      }, { timeout: 3 * LONG, interval: 1_000 });
      await screenshot(page, 'faults-all-ended');

      assert.equal(entries.length, started.length, 'one entry per click, nothing duplicated by retries');
      for (const e of entries) assert.ok(ENDED.includes(e.phase), `${e.title}: ${e.phase}`);
      const tally = entries.reduce((m, e) => ({ ...m, [e.phase]: (m[e.phase] ?? 0) + 1 }), {});
      t.diagnostic(`phases: ${JSON.stringify(tally)}`);

      // What each says is true of its row: Done means running again; the uncertain ones
      // offer "Check now".
      for (const s of started) {
        const item = activityRegion(page)
          .getByRole('listitem')
          .filter({ has: page.getByText(s.title, { exact: true }) })
          .filter({ hasText: s.provider });
        assert.equal(await item.count(), 1, `${s.title} (${s.provider}) is in the activity list once`);
        const e = { phase: await item.getAttribute('data-phase') };
        await showOnly(page, s.provider);
        if (e.phase === 'Succeeded') {
          await eventually(`${s.vm} (${s.provider}) running after Done`, async () =>
            (await vmStatus(page, s.vm, s.provider).innerText()) === s.d.running);
        }
        if (['NeedsCheck', 'TimedOut'].includes(e.phase)) {
          assert.ok(await item.getByRole('button', { name: 'Check now' }).isVisible(), `${s.title} offers Check now`);
        }
        assert.equal(await vmRow(page, s.vm, s.provider).count(), 1, `${s.vm} (${s.provider}) is still listed`);
        assert.notEqual(await vmStatus(page, s.vm, s.provider).innerText(), 'rebooting…', `${s.vm}'s row is not left spinning`);
      }

      // The faults really happened.
      const { faults } = await env.sim.stats();
      t.diagnostic(`injected: ${JSON.stringify(faults)}`);
      // (Seeded, but which request draws which fault depends on timing: only the most
      // frequent kinds are required.)
      assert.ok(faults['5xx'] > 0, `server errors were injected: ${JSON.stringify(faults)}`);
      assert.ok(faults['429'] + faults.dropped_before + faults.dropped_after > 0, '429s or drops too');
      assert.deepEqual(page.errors, [], 'no page errors');
    } finally {
      await context.close();
    }
  });
});
