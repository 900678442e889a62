// What keeps a user's credentials and work safe across tabs: remembered connections are sealed
// with a passphrase (never plain on the device); "Sign out" forgets them in every tab at once;
// a page that stops (a panic) says so and hands the polling over to another tab.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LONG, SHORT, VMS, dialect, newTab, openConsole, screenshot, setup } from './lib/harness.js';
import { PASSPHRASE, addConnection, closeSettings, eventually, unlock, waitForVms } from './lib/ui.js';

const role = (page) => page.locator('.tab-role');
const storageDump = (page) =>
  page.evaluate(() => JSON.stringify({ local: { ...localStorage }, session: { ...sessionStorage } }));

describe('credentials and a stopped page', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => {
    await env?.close();
  });

  test('remembered connections are sealed, unlocked per tab, and signed out of everywhere', async () => {
    const d = dialect('cloudsfor');
    const { context, page: a } = await openConsole(env);
    try {
      await addConnection(a, {
        provider: d.label,
        name: 'Sealed cloudsfor',
        base: `${env.sim.url}${d.prefix}`,
        user: d.user,
        secret: d.secret,
        remember: true,
      });
      await closeSettings(a);
      await waitForVms(a, VMS, LONG);
      await eventually('the connection sealed on this device', async () =>
        (await a.evaluate(() => localStorage.getItem('vigil.settings.sealed.v1'))) !== null);
      const local = await a.evaluate(() => JSON.stringify({ ...localStorage }));
      assert.ok(!local.includes(d.user), 'the credentials are not in localStorage in plain text');
      assert.ok(!local.includes('Sealed cloudsfor'), 'nor the connection');

      // A second tab starts locked; a wrong passphrase is refused inline, the right one opens.
      const b = await newTab(context, env);
      const form = b.getByRole('form', { name: 'Unlock' });
      await form.getByLabel('Passphrase', { exact: true }).fill('not the passphrase');
      await form.getByRole('button', { name: 'Unlock', exact: true }).click();
      await form.getByRole('alert').waitFor({ timeout: SHORT });
      await unlock(b, PASSPHRASE);
      await waitForVms(b, VMS, LONG);
      await screenshot(b, 'unlocked-second-tab');

      // Sign out in the first tab, activity too: both tabs forget at once.
      await a.getByRole('button', { name: 'Sign out', exact: true }).click();
      await a.getByRole('checkbox', { name: /^Also clear the activity/ }).check();
      await a.getByRole('button', { name: 'Sign out of every tab' }).click();
      for (const [who, page] of [['signing tab', a], ['other tab', b]]) {
        await eventually(`${who}: the connection gone`, async () =>
          (await page.getByRole('button', { name: 'Sign out', exact: true }).count()) === 0 &&
          (await page.getByRole('cell', { name: 'Sealed cloudsfor', exact: true }).count()) === 0);
        const kept = await storageDump(page);
        assert.ok(!kept.includes(d.user), `${who}: no credentials kept: ${kept.slice(0, 300)}`);
        assert.ok(!kept.includes('vigil.settings'), `${who}: no settings kept`);
      }
      // The other tab cannot write its old settings back: reloading it finds nothing to unlock.
      await b.reload();
      await b.getByRole('heading', { name: 'Virtual machines' }).waitFor({ timeout: SHORT });
      assert.equal(await b.getByRole('form', { name: 'Unlock' }).count(), 0);
      assert.deepEqual(a.errors, []);
      assert.deepEqual(b.errors, []);
    } finally {
      await context.close();
    }
  });

  test('a panic shows the overlay, and another tab takes over the polling', async () => {
    const { context, page: a } = await openConsole(env);
    try {
      await context.addInitScript(() => localStorage.setItem('vigil.test.hooks', '1'));
      await a.reload();
      await eventually('the first tab polls', async () => (await role(a).getAttribute('data-role')) === 'leader',
        { timeout: SHORT });
      const b = await newTab(context, env);
      assert.equal(await role(b).getAttribute('data-role'), 'follower');

      await a.evaluate(() => window.vigilTestPanic()).catch(() => {});
      const overlay = a.locator('#vigil-stopped');
      await overlay.waitFor({ timeout: SHORT });
      assert.equal(await overlay.getAttribute('role'), 'alert');
      assert.ok(await overlay.getByRole('link', { name: 'Reload' }).isVisible());
      await screenshot(a, 'stopped-overlay');
      await eventually('the second tab takes over', async () =>
        (await role(b).getAttribute('data-role')) === 'leader', { timeout: SHORT });
      assert.deepEqual(b.errors, []);
    } finally {
      await context.close();
    }
  });
});
