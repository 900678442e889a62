// The Volumes page (#/volumes), walked as a user does against vigil-sim over HTTP, by
// accessible names (issue 16, "Done when" on ONETSolutions): a volume created on a VM, attached,
// resized and deleted, each followed to its verified end in the page, with the provider's own
// API agreeing; a detach from a running VM asks first; axe-core finds nothing on the page.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { axe } from './lib/axe.js';
import { LONG, VMS, dialect, openConsole, screenshot, setup } from './lib/harness.js';
import { addConnection, closeSettings, eventually, notYet, vmsRegion, waitForVms } from './lib/ui.js';


/// The provider's API, read directly: the simulator as any client sees it.
async function api(url, token) {
  const r = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`GET ${url}: ${r.status} ${text}`);
  return JSON.parse(text);
}

const CONN = 'Volumes ONET';
const section = (page) => page.getByRole('region', { name: `Volumes of ${CONN}` });
const volRow = (page, name) =>
  section(page).getByRole('table').getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });

/// Waits until the section's operation titled as `title` has ended; returns its phase.
async function opEnds(page, title, timeout = LONG) {
  const ops = section(page).getByRole('region', { name: 'Volume operations' });
  return eventually(`${title} to end`, async () => {
    const entry = ops.getByRole('listitem').filter({ hasText: title }).first();
    if ((await entry.count()) === 0) return notYet('not shown');
    const phase = await entry.getAttribute('data-phase');
    return (phase && !['Submitted', 'Accepted', 'InProgress', 'Verifying'].includes(phase)) ? phase : notYet(phase);
  }, { timeout, interval: 250 });
}

/// The volume row's cells: size, state, attached to.
async function cells(page, name) {
  const c = volRow(page, name).getByRole('cell');
  return [(await c.nth(0).innerText()).trim(), (await c.nth(1).innerText()).trim(), (await c.nth(2).innerText()).trim()];
}

describe('the Volumes page', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => {
    await env?.close();
  });

  test('ONETSolutions: a volume created, attached, resized and deleted, each verified', async () => {
    const d = dialect('ONETSolutions');
    const { context, page } = await openConsole(env);
    const base = `${env.sim.url}${d.prefix}`;
    try {
      await addConnection(page, { provider: d.label, name: CONN, base, secret: d.secret });
      await closeSettings(page);
      await waitForVms(page, VMS, LONG);
      const running = vmsRegion(page).getByRole('row').filter({ hasText: 'running' }).first();
      const vmName = await running.getByRole('rowheader').getByRole('link').innerText();
      const vmHref = await running.getByRole('rowheader').getByRole('link').getAttribute('href');
      const vmId = decodeURIComponent(vmHref).split('/')[3];
      await page.getByRole('link', { name: 'Volumes', exact: true }).click();
      await page.getByRole('heading', { name: 'Volumes', level: 2 }).waitFor();
      await section(page).getByText('Reading the volumes…').waitFor({ state: 'hidden', timeout: LONG });
      await axe(page, 'the Volumes page');

      // Create: on the running VM, 20 GB (the provider names it).
      const form = section(page).getByRole('form', { name: 'Create volume', exact: true });
      await form.getByText('The provider names a new volume itself.').waitFor();
      await form.getByRole('combobox', { name: 'VM' }).selectOption({ label: vmName });
      await form.getByRole('spinbutton', { name: 'Size (GB)' }).fill('20');
      await form.getByRole('button', { name: 'Create volume', exact: true }).click();
      assert.equal(await opEnds(page, /Create volume of 20 GB/), 'Succeeded');
      const listed = async () =>
        (await api(`${base}/compute/instances/${vmId}/volumes?page_size=100`, d.secret)).results;
      const made = (await listed()).find((v) => v.size_gb === 20 && v.status === 'available');
      assert.ok(made, 'the provider lists the new volume, available');
      await volRow(page, made.name).waitFor();
      assert.deepEqual(await cells(page, made.name), ['20 GB', 'available', 'not attached']);
      await screenshot(page, 'volumes-created');

      // Attach to its VM.
      await section(page).getByRole('button', { name: `Attach ${made.name}`, exact: true }).click();
      const attach = page.getByRole('form', { name: `Attach volume ${made.name}`, exact: true });
      await attach.getByRole('combobox', { name: 'Attach to VM' }).selectOption({ label: vmName });
      await attach.getByRole('button', { name: 'Attach volume', exact: true }).click();
      await attach.waitFor({ state: 'hidden' });
      assert.equal(await opEnds(page, new RegExp(`Attach volume ${made.name}`)), 'Succeeded');
      await eventually('attached in the page', async () => {
        const c = await cells(page, made.name);
        return c[2] === vmName || notYet(c.join(' | '));
      });
      assert.equal((await listed()).find((v) => v.id === made.id).attached, true);

      // Resize: a shrink is refused before sending; 40 GB is followed to its end.
      await section(page).getByRole('button', { name: `Resize ${made.name}`, exact: true }).click();
      const resize = page.getByRole('form', { name: `Resize volume ${made.name}`, exact: true });
      const size = resize.getByRole('spinbutton', { name: 'New size (GB)' });
      await size.fill('10');
      const sentBefore = page.sent.urls.filter((u) => u.includes('/resize')).length;
      await resize.getByRole('button', { name: 'Resize volume', exact: true }).click();
      await resize.getByRole('alert').getByText(/Volumes only grow: this one has 20 GB/).waitFor();
      assert.equal(page.sent.urls.filter((u) => u.includes('/resize')).length, sentBefore, 'nothing sent');
      await size.fill('40');
      await resize.getByRole('button', { name: 'Resize volume', exact: true }).click();
      await resize.waitFor({ state: 'hidden' });
      assert.equal(await opEnds(page, /Resize volume to 40 GB/), 'Succeeded');
      await eventually('40 GB in the page', async () => {
        const c = await cells(page, made.name);
        return c[0] === '40 GB' || notYet(c.join(' | '));
      });
      assert.equal((await listed()).find((v) => v.id === made.id).size_gb, 40);

      // Detach: the VM runs, so the dialog asks first, then detaches.
      await section(page).getByRole('button', { name: `Detach ${made.name}`, exact: true }).click();
      const detach = page.getByRole('form', { name: `Detach volume ${made.name}`, exact: true });
      await detach.getByText(/is running: detaching the volume while the VM uses it may lose data/).waitFor();
      await axe(page, 'the detach confirmation');
      await detach.getByRole('button', { name: 'Detach anyway', exact: true }).click();
      await detach.waitFor({ state: 'hidden' });
      assert.equal(await opEnds(page, new RegExp(`Detach volume ${made.name}`)), 'Succeeded');
      await eventually('detached in the page', async () => {
        const c = await cells(page, made.name);
        return c[2] === 'not attached' || notYet(c.join(' | '));
      });

      // Delete, confirmed: gone from the page and from the provider's list.
      await section(page).getByRole('button', { name: `Delete ${made.name}`, exact: true }).click();
      const del = page.getByRole('form', { name: `Delete volume ${made.name}`, exact: true });
      await del.getByText(/destroys the data on it/).waitFor();
      await del.getByRole('button', { name: 'Delete volume', exact: true }).click();
      await del.waitFor({ state: 'hidden' });
      assert.equal(await opEnds(page, new RegExp(`Delete volume ${made.name}`)), 'Succeeded');
      await volRow(page, made.name).waitFor({ state: 'detached', timeout: LONG });
      assert.equal((await listed()).find((v) => v.id === made.id), undefined);
      assert.deepEqual(page.errors, []);
    } catch (e) {
      await screenshot(page, 'volumes-failure');
      throw e;
    } finally {
      await context.close();
    }
  });
});
