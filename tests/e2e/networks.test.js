// The Networks page and a VM's Network tab, walked as a new user does on ZennoHosting against
// vigil-sim over HTTP, by accessible names (issue 16, "Done when"): a network created (its range
// shown once the provider assigns it), two VMs joined from their Network tabs (each with its
// internal address, the provider's VM agreeing), a public IP allocated, a port forwarded to one
// VM, the rule changed and deleted — each followed in the page to its verified end, and the
// provider's own API read after each. axe-core finds nothing on the Networks page or the tab.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { axe } from './lib/axe.js';
import { LONG, VMS, dialect, openConsole, screenshot, setup } from './lib/harness.js';
import { addConnection, closeSettings, escapeRe, eventually, notYet, vmsRegion, waitForVms } from './lib/ui.js';

async function api(method, url, token, body) {
  const r = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${method} ${url}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}


/// Waits until the newest operation entry titled as `title` in the "Under way and recent" list
/// has ended; returns its phase.
async function opEnds(page, title, timeout = LONG) {
  const ops = page.getByRole('region', { name: /^Under way and recent/ }).first();
  return eventually(`${title} to end`, async () => {
    const entry = ops.getByRole('listitem').filter({ hasText: title }).first();
    if ((await entry.count()) === 0) return notYet('not shown');
    const phase = await entry.getAttribute('data-phase');
    return (phase && !['Submitted', 'Accepted', 'InProgress', 'Verifying'].includes(phase)) ? phase : notYet(phase);
  }, { timeout, interval: 250 });
}

const rowOf = (scope, header) =>
  scope.getByRole('row').filter({ has: scope.page().getByRole('rowheader', { name: header, exact: true }) });

/// The cells of the row whose header is `header` in `table`, as text (the header first).
async function cells(table, header) {
  const row = rowOf(table, header);
  if ((await row.count()) === 0) return null;
  return [header, ...(await row.getByRole('cell').allInnerTexts()).map((t) => t.trim())];
}

async function openNetworks(page) {
  await page.getByRole('link', { name: 'Networks', exact: true }).click();
  await page.getByRole('heading', { name: 'Networks', level: 2 }).waitFor();
}

async function openVmNetworkTab(page, name) {
  await page.getByRole('link', { name: 'Virtual machines', exact: true }).click();
  await vmsRegion(page).getByRole('rowheader').getByRole('link', { name, exact: true }).click();
  await page.getByRole('tab', { name: 'Network', exact: true }).click();
  await page.getByRole('region', { name: 'Virtual machine' }).getByRole('tabpanel').waitFor();
}

describe('networks, public IPs and port forwards (ZennoHosting)', () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => {
    await env?.close();
  });

  test('a network, two VMs joined, a public IP, a port forwarded, changed and deleted — each to its verified end', async () => {
    const d = dialect('ZennoHosting');
    const base = `${env.sim.url}${d.prefix}`;
    const { context, page } = await openConsole(env);
    try {
      await addConnection(page, { provider: d.label, name: 'Net zh', base, secret: d.secret });
      await closeSettings(page);
      await waitForVms(page, VMS, LONG);
      // A project with two running VMs, as the provider lists them.
      let project;
      let vms;
      for (const p of (await api('GET', `${base}/projects`, d.secret)).items) {
        const running = (await api('GET', `${base}/projects/${p.id}/vms`, d.secret)).items.filter((v) => v.state === 'running');
        if (running.length >= 2) {
          project = p.id;
          vms = running.slice(0, 2);
          break;
        }
      }
      assert.ok(project, 'a project with two running VMs');

      // 1. A network: created, then its range shown once the provider assigns it.
      await openNetworks(page);
      await axe(page, 'the Networks page');
      const create = page.getByRole('form', { name: `Create network ${project}`, exact: true });
      await create.getByRole('textbox', { name: 'Network name' }).fill('e2e-lab');
      await create.getByRole('button', { name: 'Create network', exact: true }).click();
      assert.equal(await opEnds(page, /Create network e2e-lab/), 'Succeeded');
      const place = page.locator('.net-place').filter({ has: page.getByRole('form', { name: `Create network ${project}`, exact: true }) });
      const nets = place.getByRole('table', { name: 'Private networks' });
      const listed = (await api('GET', `${base}/projects/${project}/networks`, d.secret)).items.find((n) => n.name === 'e2e-lab');
      assert.equal(listed.status, 'active');
      assert.match(listed.cidr, /^\d+\.\d+\.\d+\.\d+\/\d+$/);
      await eventually('the range shown', async () => {
        const c = await cells(nets, 'e2e-lab');
        return (c && c[1] === listed.cidr && c[2] === 'ready') || notYet(c);
      });

      // 2. Two VMs joined, each from its Network tab: verified on the VM with its address.
      for (const vm of vms) {
        await openVmNetworkTab(page, vm.name);
        const join = page.getByRole('form', { name: 'Attach to network', exact: true });
        await join.getByRole('combobox', { name: 'Network' }).selectOption(listed.id);
        await join.getByRole('button', { name: 'Join', exact: true }).click();
        assert.equal(await opEnds(page, new RegExp(`Attach to network ${escapeRe(vm.name)}`)), 'Succeeded');
        const theVm = (await api('GET', `${base}/projects/${project}/vms/${vm.id}`, d.secret));
        const entry = (theVm.networks ?? []).find((n) => n.networkId === listed.id || n.id === listed.id);
        assert.ok(entry, `the provider's VM ${vm.name} lists the network`);
        const ip = entry.internalIp ?? entry.ip;
        await eventually(`${vm.name} in e2e-lab`, async () => {
          const c = await cells(page.getByRole('table', { name: 'Private networks' }), 'e2e-lab');
          return (c && c[1] === ip) || notYet(c);
        });
      }
      await axe(page, 'the Network tab');
      await openNetworks(page);
      await eventually('both VMs in the network', async () => {
        const c = await cells(nets, 'e2e-lab');
        return (c && vms.every((v) => c[3].includes(v.name))) || notYet(c);
      });

      // 3. A public IP allocated: the new address shown.
      const before = new Set((await api('GET', `${base}/projects/${project}/public-ips`, d.secret)).items.map((i) => i.id));
      await place.getByRole('button', { name: 'Allocate public IP', exact: true }).click();
      assert.equal(await opEnds(page, /Allocate public IP/), 'Succeeded');
      const fresh = (await api('GET', `${base}/projects/${project}/public-ips`, d.secret)).items.find((i) => !before.has(i.id));
      assert.ok(fresh?.address, 'the provider gave an address');
      assert.equal(fresh.status, 'active');
      const address = fresh.address;

      // 4. A port forwarded to the first VM; changed; deleted.
      const rules = async () => (await api('GET', `${base}/projects/${project}/public-ips/${fresh.id}/port-forwards`, d.secret)).items;
      await page.locator('li.public-ip').filter({ hasText: address }).locator('summary').click();
      const add = page.getByRole('form', { name: `Add port forward · ${address}`, exact: true });
      await add.getByRole('combobox', { name: 'Protocol' }).selectOption('tcp');
      await add.getByRole('spinbutton', { name: 'External port' }).fill('8080');
      await add.getByRole('combobox', { name: 'VM' }).selectOption({ label: vms[0].name });
      await add.getByRole('spinbutton', { name: 'Internal port' }).fill('80');
      await add.getByRole('button', { name: 'Add port forward', exact: true }).click();
      assert.equal(await opEnds(page, /Add port forward/), 'Succeeded');
      const table = page.getByRole('table', { name: `Port forwards of ${address}` });
      await eventually('the rule listed', async () => {
        const c = await cells(table, '8080');
        return (c && c[0] === '8080' && c.includes(vms[0].name) && c.includes('80') && c.includes('ready')) || notYet(c);
      });
      let r = (await rules()).find((x) => x.externalPort === 8080);
      assert.deepEqual([r.protocol, r.vmId, r.internalPort, r.status], ['tcp', vms[0].id, 80, 'active']);

      await page.getByRole('button', { name: `Change port forward tcp/8080 · ${address}`, exact: true }).click();
      const change = page.getByRole('form', { name: `Change port forward tcp/8080 · ${address}`, exact: true });
      await change.getByRole('spinbutton', { name: 'Internal port' }).fill('8000');
      await change.getByRole('button', { name: 'Save', exact: true }).click();
      assert.equal(await opEnds(page, /Change port forward/), 'Succeeded');
      await eventually('the rule changed', async () => {
        const c = await cells(table, '8080');
        return (c && c.includes('8000') && c.includes('ready')) || notYet(c);
      });
      r = (await rules()).find((x) => x.externalPort === 8080);
      assert.deepEqual([r.internalPort, r.status], [8000, 'active']);

      await page.getByRole('button', { name: `Delete port forward tcp/8080 · ${address}`, exact: true }).click();
      const confirm = page.getByRole('form', { name: `Delete port forward tcp/8080 · ${address}`, exact: true });
      await confirm.getByRole('button', { name: `Delete port forward tcp/8080 · ${address}`, exact: true }).click();
      assert.equal(await opEnds(page, /Delete port forward/), 'Succeeded');
      await eventually('the rule gone', async () => (await rowOf(table, '8080').count()) === 0 || notYet('still listed'));
      assert.equal((await rules()).filter((x) => x.externalPort === 8080 && x.status !== 'deleted').length, 0);

      // A network with VMs in it is refused before anything is sent, naming them.
      await page.getByRole('button', { name: 'Delete network e2e-lab', exact: true }).click();
      const said = await page.getByRole('alert').filter({ hasText: /still has VMs in it/ }).first().innerText();
      for (const v of vms) assert.match(said, new RegExp(escapeRe(v.name)));
      await axe(page, 'the Networks page with a rule table');
      assert.deepEqual(page.errors, []);
    } catch (e) {
      await screenshot(page, 'networks-failure');
      throw e;
    } finally {
      await context.close();
    }
  });
});
