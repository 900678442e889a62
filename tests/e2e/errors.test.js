// Every dialect, when the provider says no: one documented refusal per dialect
// (shared/providers/<dialect>.md), shown to the user in the provider's own words.
//
// These run on a simulator of their own at realistic speed (--speed 1), so that an action
// started behind Vigil's back is still running when Vigil's own request arrives.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LONG, dialect, openConsole, screenshot, setup } from './lib/harness.js';
import { erigonesStop, hostwayReboot } from './lib/provider.js';
import {
  runAction,
  addConnection,
  closeSettings,
  eventually,
  firstVmAllowing,
  notices,
  vmStatus,
  vmsRegion,
  waitForEnd,
  waitForVms,
} from './lib/ui.js';

describe('documented provider errors, shown as the provider said them', () => {
  let env;
  before(async () => {
    env = await setup({ ownSim: { speed: 1 } });
  });
  after(async () => {
    await env?.close();
  });

  /// Opens a console with one connection to `label`'s simulator (credentials overridable).
  async function consoleWith(label, creds = {}) {
    const d = dialect(label);
    const { context, page } = await openConsole(env);
    const name = `My ${label}`;
    await addConnection(page, {
      provider: label,
      name,
      base: `${env.sim.url}${d.prefix}`,
      user: creds.user ?? d.user,
      secret: creds.secret ?? d.secret,
    });
    await closeSettings(page);
    return { context, page, name, d };
  }

  /// A connection the provider refuses to talk to: its error is shown where its VMs would be.
  async function refusedConnection(label, secret, providerWords) {
    const { context, page, name } = await consoleWith(label, { secret });
    try {
      const alert = vmsRegion(page).getByRole('alert');
      await alert.waitFor({ timeout: LONG });
      const text = await alert.innerText();
      assert.ok(text.includes(providerWords), `the provider's words are shown: ${text}`);
      const line = await vmsRegion(page).getByRole('paragraph').filter({ has: page.getByRole('alert') }).innerText();
      assert.ok(line.includes(name), `the error names the connection: ${line}`);
      assert.ok(await vmsRegion(page).getByRole('button', { name: 'Retry' }).isVisible(), 'it can be retried');
      assert.equal(await vmsRegion(page).getByRole('rowheader').count(), 0, 'no VMs are made up');
      assert.ok(!(await page.locator('body').innerText()).includes(secret), 'the token is not shown');
      assert.ok(!page.url().includes(secret), 'nor put in the URL');
      await screenshot(page, `error-${label}-connection`);
    } finally {
      await context.close();
    }
  }

  test('cloudsfor: a demo-mode account is refused a snapshot (422), the activity says why', async () => {
    // README: trial@vigil.test / trial is a demo-mode account that refuses snapshots.
    const { context, page } = await consoleWith('cloudsfor', { user: 'trial@vigil.test', secret: 'trial' });
    try {
      await waitForVms(page, undefined, LONG); // a trial account has fewer VMs
      const vm = await firstVmAllowing(page, 'Take snapshot');
      await runAction(page, 'Take snapshot', vm);
      const form = page.getByRole('form', { name: `Take snapshot ${vm}` });
      await form.getByRole('textbox', { name: 'Snapshot name' }).fill('before-upgrade');
      await form.getByRole('button', { name: 'Take snapshot', exact: true }).click();

      const title = `Snapshot “before-upgrade” ${vm}`;
      const end = await waitForEnd(page, title);
      assert.equal(end.phase, 'Failed', end.text);
      assert.match(end.text, /\bFailed\b/);
      assert.match(end.text, /not available in demo mode/, `the provider's reason is kept: ${end.text}`);
      await eventually('an error notification', async () =>
        (await notices(page).innerText()).includes(vm));
      await screenshot(page, 'error-cloudsfor-snapshot-refused');
      assert.ok(!page.url().includes('trial'), 'credentials never reach the URL');
      assert.deepEqual(page.errors, []);
    } finally {
      await context.close();
    }
  });

  test('ZennoHosting: a wrong API token (401) is shown on the connection', async () => {
    await refusedConnection('ZennoHosting', 'not-the-token-4242', 'Missing or invalid bearer token');
  });

  test('Erigones: reboot of a VM someone else is stopping is refused (417 Bad action)', async () => {
    const { context, page } = await consoleWith('Erigones');
    try {
      await waitForVms(page, 12, LONG);
      const vm = await firstVmAllowing(page, 'Reboot');
      // Another console stops it: Erigones sets `stopping` at once; reboot needs `running`.
      await erigonesStop(`${env.sim.url}${dialect('Erigones').prefix}`, dialect('Erigones'), vm);
      await runAction(page, 'Reboot', vm);
      const end = await waitForEnd(page, `Reboot ${vm}`);
      assert.equal(end.phase, 'Failed', end.text);
      assert.match(end.text, /Bad action/, `the provider's words are kept: ${end.text}`);
      await screenshot(page, 'error-Erigones-reboot-refused');
      assert.deepEqual(page.errors, []);
    } finally {
      await context.close();
    }
  });

  test('ONETSolutions: a wrong API token (401) is shown on the connection', async () => {
    await refusedConnection('ONETSolutions', 'sk-onetsolutions-wrong', 'Invalid token.');
  });

  test('Hostway: reboot of a server that is already rebooting is refused (409)', async () => {
    const { context, page } = await consoleWith('Hostway');
    try {
      await waitForVms(page, 12, LONG);
      const vm = await firstVmAllowing(page, 'Reboot');
      await hostwayReboot(`${env.sim.url}${dialect('Hostway').prefix}`, dialect('Hostway'), vm);
      await runAction(page, 'Reboot', vm);
      const end = await waitForEnd(page, `Reboot ${vm}`);
      assert.equal(end.phase, 'Failed', end.text);
      assert.match(end.text, /already rebooting/i, end.text);
      assert.match(end.text, /Already rebooting/, `the provider's words are kept: ${end.text}`);
      // The refusal makes Vigil look at the server again: the row shows the other reboot.
      await eventually(`${vm}'s row to show the server busy`, async () =>
        (await vmStatus(page, vm).innerText()).startsWith('PROCESSING'));
      await screenshot(page, 'error-Hostway-already-rebooting');
      assert.deepEqual(page.errors, []);
    } finally {
      await context.close();
    }
  });
});
