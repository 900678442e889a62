// A VM's Snapshots and Backups tabs, walked as a user does against vigil-sim over HTTP, by
// accessible names: a snapshot taken appears and reaches ready (and the provider's own list
// says so), is restored and deleted (gone from the provider's list); Hostway's 4th snapshot is
// refused before anything is sent; a backup taken and restored (ZennoHosting, ONETSolutions);
// cloudsfor's automatic backups turned on and off (the provider's VM says so); axe-core finds
// nothing on either tab.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { axe } from './lib/axe.js';
import { LONG, SHORT, VMS, dialect, openConsole, screenshot, setup } from './lib/harness.js';
import {
  addConnection,
  closeSettings,
  eventually,
  firstVmAllowing,
  notYet,
  vmRow,
  vmsRegion,
  waitForVms,
} from './lib/ui.js';

const basic = (user, password) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/// The provider's API, read (or written) directly: the simulator as any client sees it.
async function api(method, url, auth, body, extra = {}) {
  const auth_ = auth ? { authorization: auth } : {};
  const r = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...auth_, ...extra },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}


/// A console with one connection to the simulator's `label` dialect, on the page of its `nth`
/// VM, tab `tab`; returns the page, the VM's name and its id (from the address).
async function vmTab(env, label, tab, nth = 0) {
  const d = dialect(label);
  const { context, page } = await openConsole(env);
  const base = `${env.sim.url}${d.prefix}`;
  await addConnection(page, { provider: d.label, name: `Points ${label}`, base, user: d.user, secret: d.secret });
  await closeSettings(page);
  await waitForVms(page, VMS, LONG);
  const link = vmsRegion(page).getByRole('rowheader').getByRole('link').nth(nth);
  const name = await link.innerText();
  await link.click();
  await page.getByRole('tab', { name: tab, exact: true }).click();
  await page.getByRole('region', { name: 'Virtual machine' }).getByRole('tabpanel').waitFor();
  const hash = decodeURIComponent(await page.evaluate(() => location.hash));
  const id = hash.split('/')[3];
  // The list is read when the tab opens.
  await page.getByRole('region', { name: 'Virtual machine' }).getByRole('tabpanel').getByText('Reading the list…').waitFor({ state: 'hidden', timeout: LONG });
  return { context, page, d, base, name, id };
}

const panel = (page) => page.getByRole('region', { name: 'Virtual machine' }).getByRole('tabpanel');
const pointRow = (page, name) =>
  panel(page).getByRole('table').getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${name}`) }) });

/// Waits until the point named `name` is listed in the tab with the state `state`.
async function waitForState(page, name, state, timeout = LONG) {
  await eventually(`${name} ${state}`, async () => {
    const row = pointRow(page, name);
    if ((await row.count()) === 0) return notYet('not listed');
    const s = (await row.getByRole('cell').first().innerText()).trim();
    return s === state || notYet(s);
  }, { timeout, interval: 250 });
}

/// Waits until the tab's operation titled as `title` (a regular expression) has ended; returns
/// its phase.
async function opEnds(page, title, timeout = LONG) {
  const ops = panel(page).getByRole('region', { name: 'Operations here' });
  return eventually(`${title} to end`, async () => {
    const entry = ops.getByRole('listitem').filter({ hasText: title }).first();
    if ((await entry.count()) === 0) return notYet('not shown');
    const phase = await entry.getAttribute('data-phase');
    return (phase && !['Submitted', 'Accepted', 'InProgress', 'Verifying'].includes(phase)) ? phase : notYet(phase);
  }, { timeout, interval: 250 });
}

/// Confirms `action` ("Restore", "Delete") on the point `point` in its dialog.
async function confirm(page, action, kind, point) {
  await panel(page).getByRole('button', { name: `${action} ${point}`, exact: true }).click();
  const form = page.getByRole('form', { name: `${action} ${kind} ${point}`, exact: true });
  await form.getByRole('button', { name: `${action} ${kind}`, exact: true }).click();
  await form.waitFor({ state: 'hidden' });
}

describe('snapshots and backups on the VM page', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => {
    await env?.close();
  });

  test('Hostway: a snapshot taken, ready, restored and deleted; the 4th refused before sending', async () => {
    const { context, page, d, base, name, id } = await vmTab(env, 'Hostway', 'Snapshots');
    const auth = basic(d.user, d.secret);
    const listed = async () => (await api('GET', `${base}/servers/${id}/snapshots`, auth)).snapshots;
    try {
      // The provider's rules are said before anything is sent.
      await panel(page).getByText(/Hostway keeps at most 3 snapshots per VM; names must be unique/).waitFor();
      await axe(page, 'the Snapshots tab (Hostway)');
      const form = page.getByRole('form', { name: `Take snapshot ${name}`, exact: true });
      const take = async (snap) => {
        await form.getByRole('textbox', { name: 'Snapshot name' }).fill(snap);
        await form.getByRole('button', { name: 'Take snapshot', exact: true }).click();
      };
      await take('e2e-a');
      await waitForState(page, 'e2e-a', 'ready');
      assert.equal(await opEnds(page, /Snapshot “e2e-a”/), 'Succeeded');
      const a = (await listed()).find((s) => s.name === 'e2e-a');
      assert.ok(a, 'the provider lists it');
      assert.equal(a.status, 'ACTIVE');
      await screenshot(page, 'points-hostway-snapshot');

      // Up to the provider's 3, then a 4th is refused here: nothing is sent.
      for (const extra of ['e2e-b', 'e2e-c']) {
        if ((await listed()).length >= 3) break;
        await take(extra);
        await waitForState(page, extra, 'ready');
      }
      await eventually('3 listed', async () => (await listed()).length === 3 || notYet((await listed()).length));
      const before4 = page.sent.urls.filter((u) => u.startsWith('POST') && u.includes('/snapshots')).length;
      await take('e2e-d');
      await form.getByRole('alert').getByText('The provider keeps at most 3 snapshots per VM: delete one first.').waitFor();
      const after4 = page.sent.urls.filter((u) => u.startsWith('POST') && u.includes('/snapshots')).length;
      assert.equal(after4, before4, 'no snapshot request was sent');
      assert.equal((await listed()).length, 3);

      // Restored: the rollback's confirmation says the disk is replaced.
      await panel(page).getByRole('button', { name: 'Restore e2e-a', exact: true }).click();
      const restore = page.getByRole('form', { name: 'Restore snapshot e2e-a', exact: true });
      await restore.getByText(/Restoring replaces the VM's disk with the snapshot/).waitFor();
      await restore.getByRole('button', { name: 'Restore snapshot', exact: true }).click();
      await restore.waitFor({ state: 'hidden' });
      assert.equal(await opEnds(page, /Restore snapshot “e2e-a”/), 'Succeeded');

      // Deleted: gone from the tab and from the provider's list.
      await confirm(page, 'Delete', 'snapshot', 'e2e-a');
      assert.equal(await opEnds(page, /Delete snapshot “e2e-a”/), 'Succeeded');
      await eventually('e2e-a gone from the tab', async () => (await pointRow(page, 'e2e-a').count()) === 0);
      assert.ok(!(await listed()).some((s) => s.name === 'e2e-a'), 'gone from the provider');
      assert.deepEqual(page.errors, []);
    } finally {
      await context.close();
    }
  });

  test('Erigones: a snapshot taken, ready, rolled back once the VM is stopped, and deleted', async () => {
    // A stopped VM: Erigones rolls back only a stopped one.
    const d = dialect('Erigones');
    const { context, page } = await openConsole(env);
    const base = `${env.sim.url}${d.prefix}`;
    await addConnection(page, { provider: d.label, name: 'Points Erigones', base, user: d.user, secret: d.secret });
    await closeSettings(page);
    await waitForVms(page, VMS, LONG);
    const listed = async (vm) =>
      (await api('GET', `${base}/vm/${vm}/snapshot/?full=true`, null, undefined, { 'ES-API-KEY': d.secret })).result;
    try {
      const name = await firstVmAllowing(page, 'Start');
      await vmRow(page, name).getByRole('link', { name }).click();
      await page.getByRole('tab', { name: 'Snapshots', exact: true }).click();
      await page.getByRole('region', { name: 'Virtual machine' }).getByRole('tabpanel').getByText('Reading the list…').waitFor({ state: 'hidden', timeout: LONG });
      const id = decodeURIComponent(await page.evaluate(() => location.hash)).split('/')[3];
      await axe(page, 'the Snapshots tab (Erigones)');
      const form = page.getByRole('form', { name: `Take snapshot ${name}`, exact: true });
      await form.getByRole('textbox', { name: 'Snapshot name' }).fill('e2e-erig');
      await form.getByRole('button', { name: 'Take snapshot', exact: true }).click();
      await waitForState(page, 'e2e-erig', 'ready');
      assert.equal(await opEnds(page, /Snapshot “e2e-erig”/), 'Succeeded');
      assert.ok((await listed(id)).some((s) => s.name === 'e2e-erig'), 'the provider lists it');

      await panel(page).getByRole('button', { name: 'Restore e2e-erig', exact: true }).click();
      const restore = page.getByRole('form', { name: 'Restore snapshot e2e-erig', exact: true });
      await restore.getByRole('button', { name: 'Restore snapshot', exact: true }).click();
      await eventually('the restore sent', async () => (await restore.count()) === 0 || notYet(await restore.innerText()));
      assert.equal(await opEnds(page, /Restore snapshot “e2e-erig”/), 'Succeeded');

      await confirm(page, 'Delete', 'snapshot', 'e2e-erig');
      assert.equal(await opEnds(page, /Delete snapshot “e2e-erig”/), 'Succeeded');
      await eventually('gone from the tab', async () => (await pointRow(page, 'e2e-erig').count()) === 0);
      assert.ok(!(await listed(id)).some((s) => s.name === 'e2e-erig'), 'gone from the provider');
      assert.deepEqual(page.errors, []);
    } finally {
      await context.close();
    }
  });

  test('ZennoHosting: a backup taken, ready, restored (picked from the list) and deleted; no snapshots, said why', async () => {
    const { context, page, d, base, name, id } = await vmTab(env, 'ZennoHosting', 'Backups');
    const auth = `Bearer ${d.secret}`;
    const { items: projects } = await api('GET', `${base}/projects`, auth);
    const listed = async () => (await api('GET', `${base}/projects/${projects[0].id}/vms/${id}/backups`, auth)).items;
    try {
      await axe(page, 'the Backups tab (ZennoHosting)');
      // No backup id to type anywhere.
      assert.equal(await panel(page).getByRole('textbox', { name: 'Backup id' }).count(), 0);
      const form = page.getByRole('form', { name: 'Back up now', exact: true });
      await form.getByRole('textbox', { name: 'Backup name' }).fill('e2e-bk');
      await form.getByRole('button', { name: 'Back up now', exact: true }).click();
      await waitForState(page, 'e2e-bk', 'ready');
      assert.equal(await opEnds(page, /Back up “e2e-bk”/), 'Succeeded');
      assert.equal((await listed()).find((b) => b.name === 'e2e-bk')?.status, 'ready');
      await screenshot(page, 'points-zenno-backup');

      await confirm(page, 'Restore', 'backup', 'e2e-bk');
      assert.equal(await opEnds(page, /Restore backup “e2e-bk”/), 'Succeeded');
      await confirm(page, 'Delete', 'backup', 'e2e-bk');
      assert.equal(await opEnds(page, /Delete backup “e2e-bk”/), 'Succeeded');
      assert.ok(!(await listed()).some((b) => b.name === 'e2e-bk'), 'gone from the provider');

      await page.getByRole('tab', { name: 'Snapshots', exact: true }).click();
      await panel(page).getByText('ZennoHosting does not offer: snapshots. The provider publishes no way to do this.').waitFor();
      assert.equal(await panel(page).getByRole('button').count(), 0, 'no dead button');
      assert.equal(name.length > 0, true);
      assert.deepEqual(page.errors, []);
    } finally {
      await context.close();
    }
  });

  test('ONETSolutions: with the add-on active, a backup taken, and restored once the VM is stopped', async () => {
    const { context, page, d, base, name, id } = await vmTab(env, 'ONETSolutions', 'Backups');
    const auth = `Bearer ${d.secret}`;
    const listed = async () => (await api('GET', `${base}/compute/instances/${id}/backups`, auth)).results;
    try {
      await panel(page).getByText(/Backups are a paid add-on with this provider/).waitFor();
      await panel(page).getByText('A VM is restored from a backup only while it is stopped.').waitFor();
      // The add-on, bought in the provider's own console.
      await api('POST', `${base}/compute/instances/${id}/addons/activate`, auth, { addon_id: 2, billing_cycle: 'monthly' });
      const form = page.getByRole('form', { name: 'Back up now', exact: true });
      await form.getByRole('textbox', { name: 'Backup name' }).fill('e2e-onet');
      await form.getByRole('button', { name: 'Back up now', exact: true }).click();
      await waitForState(page, 'e2e-onet', 'ready');
      assert.equal(await opEnds(page, /Back up “e2e-onet”/), 'Succeeded');
      const b = (await listed()).find((x) => x.name === 'e2e-onet');
      assert.equal(b?.status, 'available', JSON.stringify(await listed()));

      // A running VM: the restore is refused before sending, in the dialog; then it is
      // stopped (from the Power tab).
      if ((await page.getByTestId('status').innerText()) !== 'stopped') {
        await panel(page).getByRole('button', { name: 'Restore e2e-onet', exact: true }).click();
        const restore = page.getByRole('form', { name: 'Restore backup e2e-onet', exact: true });
        await restore.getByRole('button', { name: 'Restore backup', exact: true }).click();
        await restore.getByRole('alert').getByText(/stopped/).waitFor();
        await restore.getByRole('button', { name: 'Cancel', exact: true }).click();
        await page.getByRole('tab', { name: 'Power', exact: true }).click();
        await panel(page).getByRole('button', { name: `Power off ${name}`, exact: true }).click();
        const off = page.getByRole('form', { name: `Power off ${name}`, exact: true });
        await off.getByRole('button', { name: 'Power off', exact: true }).click();
        await eventually(`${name} stopped`, async () => {
          const s = await page.getByTestId('status').innerText();
          return s === 'stopped' || notYet(s);
        }, { timeout: LONG });
      }
      await page.getByRole('tab', { name: 'Backups', exact: true }).click();
      await confirm(page, 'Restore', 'backup', 'e2e-onet');
      assert.equal(await opEnds(page, /Restore backup “e2e-onet”/), 'Succeeded');
      assert.deepEqual(page.errors, []);
    } finally {
      await context.close();
    }
  });

  test('ONETSolutions: with the snapshot add-on, a snapshot taken and made into an image', async () => {
    const { context, page, d, base, name, id } = await vmTab(env, 'ONETSolutions', 'Snapshots', 1);
    const auth = `Bearer ${d.secret}`;
    try {
      await api('POST', `${base}/compute/instances/${id}/addons/activate`, auth, { addon_id: 1, billing_cycle: 'monthly' });
      const form = page.getByRole('form', { name: `Take snapshot ${name}`, exact: true });
      await form.getByRole('textbox', { name: 'Snapshot name' }).fill('e2e-snap');
      await form.getByRole('button', { name: 'Take snapshot', exact: true }).click();
      await waitForState(page, 'e2e-snap', 'ready');
      assert.equal(await opEnds(page, /Snapshot “e2e-snap”/), 'Succeeded');
      await panel(page).getByRole('button', { name: 'Make image e2e-snap', exact: true }).click();
      const make = page.getByRole('form', { name: 'Make image e2e-snap', exact: true });
      await make.getByRole('button', { name: 'Make image', exact: true }).click();
      await make.waitFor({ state: 'hidden' });
      assert.equal(await opEnds(page, /Make image/), 'Succeeded');
      const images = (await api('GET', `${base}/compute/images?page_size=100`, auth)).results;
      assert.ok(images.some((i) => i.name.includes('(from snapshot e2e-snap)')), 'the provider lists the image');
      assert.deepEqual(page.errors, []);
    } finally {
      await context.close();
    }
  });

  test('cloudsfor: automatic backups turned on and off, as the provider\'s VM says; a snapshot taken, restored and deleted', async () => {
    const { context, page, d, base, name, id } = await vmTab(env, 'cloudsfor', 'Backups');
    const auth = basic(d.user, d.secret);
    const features = async () => {
      const v = await api('GET', `${base}/vms/${id}`, auth);
      return (v.vm ?? v).features ?? [];
    };
    try {
      await axe(page, 'the Backups tab (cloudsfor)');
      await panel(page).getByText('cloudsfor does not offer: Back up now. The provider takes these on its own schedule only.').waitFor();
      const was = (await features()).includes('backups');
      const flip = async (on) => {
        await panel(page).getByRole('button', { name: on ? 'Turn automatic backups on' : 'Turn automatic backups off', exact: true }).click();
        await panel(page).getByText(on ? 'Automatic backups are on.' : 'Automatic backups are off.').waitFor({ timeout: LONG });
        await eventually('the provider agrees', async () => (await features()).includes('backups') === on);
      };
      await panel(page).getByText(was ? 'Automatic backups are on.' : 'Automatic backups are off.').waitFor();
      await flip(!was);
      await flip(was);

      // A snapshot (the demo-account rule said before; this account is not one): taken, listed
      // by the provider, restored, deleted.
      await page.getByRole('tab', { name: 'Snapshots', exact: true }).click();
      await panel(page).getByText("The provider's demo accounts cannot take snapshots.").waitFor();
      await axe(page, 'the Snapshots tab (cloudsfor)');
      const snaps = async () => (await api('GET', `${base}/vms/${id}/snapshots`, auth)).snapshots;
      const form = page.getByRole('form', { name: `Take snapshot ${name}`, exact: true });
      await form.getByRole('textbox', { name: 'Snapshot name' }).fill('e2e-cf');
      await form.getByRole('button', { name: 'Take snapshot', exact: true }).click();
      assert.equal(await opEnds(page, /Snapshot “e2e-cf”/), 'Succeeded');
      await waitForState(page, 'e2e-cf', 'ready');
      assert.ok((await snaps()).some((x) => x.name === 'e2e-cf'), 'the provider lists it');
      await confirm(page, 'Restore', 'snapshot', 'e2e-cf');
      assert.equal(await opEnds(page, /Restore snapshot “e2e-cf”/), 'Succeeded');
      await confirm(page, 'Delete', 'snapshot', 'e2e-cf');
      assert.equal(await opEnds(page, /Delete snapshot “e2e-cf”/), 'Succeeded');
      assert.ok(!(await snaps()).some((x) => x.name === 'e2e-cf'), 'gone from the provider');
      assert.deepEqual(page.errors, []);
    } finally {
      await context.close();
    }
  });
});

void SHORT;
