// A VM's Network tab on ONETSolutions, walked as a user does against vigil-sim over HTTP, by
// accessible names: an IP assigned (the provider's instance lists it), its reverse DNS set (the
// provider's instance shows the PTR), a firewall rule applied (the provider's firewall returns
// it), the console opened (a new tab at the session's URL, with no opener and no referrer);
// each operation followed to Done in the tab. axe-core finds nothing on the tab; screenshots at
// 1,280 and 360 px, light and dark, go to docs/screenshots/network-tab-*.png.

import assert from 'node:assert/strict';
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { axe } from './lib/axe.js';
import { LONG, REPO, VMS, dialect, openConsole, setup } from './lib/harness.js';
import { addConnection, closeSettings, eventually, notYet, vmsRegion, waitForVms } from './lib/ui.js';

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


const panel = (page) => page.getByRole('tabpanel', { name: 'Network' });

/// Waits until the tab's newest operation whose entry says `title` has ended; its phase.
async function opEnds(page, title, timeout = LONG) {
  const ops = panel(page).getByRole('region', { name: 'Operations here' });
  return eventually(`${title} to end`, async () => {
    const entry = ops.getByRole('listitem').filter({ hasText: title }).first();
    if ((await entry.count()) === 0) return notYet('not shown');
    const phase = await entry.getAttribute('data-phase');
    return (phase && !['Submitted', 'Accepted', 'InProgress', 'Verifying'].includes(phase)) ? phase : notYet(phase);
  }, { timeout, interval: 250 });
}

async function shots(page) {
  const out = path.join(REPO, 'docs/screenshots');
  mkdirSync(out, { recursive: true });
  for (const [w, h] of [[1280, 800], [360, 740]]) {
    for (const scheme of ['light', 'dark']) {
      await page.setViewportSize({ width: w, height: h });
      await page.emulateMedia({ colorScheme: scheme });
      await panel(page).getByRole('heading', { name: 'IP addresses' }).scrollIntoViewIfNeeded();
      await page.screenshot({ path: path.join(out, `network-tab-${w}-${scheme}.png`), fullPage: true });
    }
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.emulateMedia({ colorScheme: 'light' });
}

describe("a VM's Network tab", () => {
  let env;
  before(async () => {
    env = await setup();
  });
  after(async () => {
    await env?.close();
  });

  test('ONETSolutions: an IP assigned, its reverse DNS set, a firewall rule applied, the console opened', async () => {
    const d = dialect('ONETSolutions');
    const { context, page } = await openConsole(env);
    const base = `${env.sim.url}${d.prefix}`;
    const instance = async (id) => api('GET', `${base}/compute/instances/${id}`, d.secret);
    try {
      await addConnection(page, { provider: d.label, name: 'Network ONET', base, secret: d.secret });
      await closeSettings(page);
      await waitForVms(page, VMS, LONG);
      // A running VM's page, Network tab.
      const rows = vmsRegion(page).getByRole('row').filter({ has: page.getByTestId('status').getByText('running', { exact: true }) });
      await rows.first().getByRole('rowheader').getByRole('link').click();
      await page.getByRole('tab', { name: 'Network', exact: true }).click();
      await panel(page).waitFor();
      const id = decodeURIComponent(await page.evaluate(() => location.hash)).split('/')[3];
      const before = (await instance(id)).ip_addresses.map((a) => a.address);
      await panel(page).getByRole('table', { name: "The VM's IP addresses" }).waitFor();
      // Every address listed with its Copy.
      for (const a of before) {
        await panel(page).getByRole('rowheader', { name: new RegExp(`^${a.replace(/[.]/g, '\\.')}`) }).waitFor();
      }
      await axe(page, 'the Network tab (ONETSolutions)');

      // Assign IP → Done, and the provider's instance lists a new public IPv4.
      await panel(page).getByRole('button', { name: 'Assign IPv4', exact: true }).click();
      assert.equal(await opEnds(page, 'Assign IP'), 'Succeeded');
      const added = (await instance(id)).ip_addresses.find((a) => !before.includes(a.address));
      assert.ok(added && added.type === 'public' && added.version === 4, JSON.stringify(added));
      await panel(page).getByRole('rowheader', { name: new RegExp(`^${added.address.replace(/[.]/g, '\\.')}`) }).waitFor();

      // Its reverse DNS, edited in place → Done, and the provider's PTR reads back.
      await panel(page).getByRole('button', { name: `Edit reverse DNS ${added.address}`, exact: true }).click();
      const form = panel(page).getByRole('form', { name: `Edit reverse DNS ${added.address}`, exact: true });
      await form.getByRole('textbox', { name: `Reverse DNS ${added.address}` }).fill('mail.example.com');
      await form.getByRole('button', { name: 'Save reverse DNS', exact: true }).click();
      assert.equal(await opEnds(page, 'Set reverse DNS'), 'Succeeded');
      const ptr = (await instance(id)).ip_addresses.find((a) => a.address === added.address).reverse_dns;
      assert.equal(ptr, 'mail.example.com');

      // A firewall rule, typed in the table → Apply → Done, and the provider returns it.
      const fw = panel(page).getByRole('form', { name: 'Firewall', exact: true });
      await fw.getByRole('button', { name: 'Add rule', exact: true }).click();
      const n = await fw.getByRole('table').getByRole('row').count() - 1;
      // A rule refused here first: nothing sent.
      await fw.getByRole('textbox', { name: `Ports, rule ${n}` }).fill('99999');
      await fw.getByRole('button', { name: 'Apply firewall', exact: true }).click();
      await fw.getByRole('alert').getByText(new RegExp(`^Rule ${n}: Ports are numbers from 1 to 65535`)).waitFor();
      await fw.getByRole('textbox', { name: `Ports, rule ${n}` }).fill('22');
      await fw.getByRole('textbox', { name: `Source, rule ${n}` }).fill('203.0.113.0/24');
      await fw.getByRole('button', { name: 'Apply firewall', exact: true }).click();
      assert.equal(await opEnds(page, 'Apply firewall'), 'Succeeded');
      const rules = (await api('GET', `${base}/compute/instances/${id}/firewall`, d.secret)).rules;
      assert.deepEqual(rules[rules.length - 1], {
        direction: 'in', protocol: 'tcp', port_range: '22', source: '203.0.113.0/24', action: 'allow',
      });

      // The console: asked for, followed to Done, opened from the ready link in a new tab.
      await context.route('https://console.onetsolutions.net/**', (route) =>
        route.fulfill({ status: 200, contentType: 'text/html', body: '<title>VNC</title><p>console</p>' }));
      await panel(page).getByRole('button', { name: 'Open console', exact: true }).click();
      assert.equal(await opEnds(page, 'Open console'), 'Succeeded');
      const link = panel(page).getByRole('link', { name: 'Open the console in a new tab', exact: true });
      await link.waitFor();
      assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
      const tasks = (await api('GET', `${base}/compute/tasks?page_size=100`, d.secret)).results;
      const task = tasks.find((t) => t.task_type === 'get_vnc_url' && t.instance_id === id && t.status === 'completed');
      const session = await api('GET', `${base}/compute/instances/${id}/console/${task.result.session_id}`, d.secret);
      const [popup] = await Promise.all([context.waitForEvent('page'), link.click()]);
      await popup.waitForLoadState();
      assert.equal(popup.url(), session.url);
      assert.equal(await popup.evaluate(() => window.opener), null, 'no opener');
      assert.equal(await popup.evaluate(() => document.referrer), '', 'no referrer');
      await popup.close();
      // Never in the page's storage.
      const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
      assert.ok(!stored.includes(session.url), 'the console URL is not kept');

      await axe(page, 'the Network tab after its operations (ONETSolutions)');
      await shots(page);
    } finally {
      await context.close();
    }
  });

  test('another provider says why each part is absent', async () => {
    const d = dialect('cloudsfor');
    const { context, page } = await openConsole(env);
    try {
      const base = `${env.sim.url}${d.prefix}`;
      await addConnection(page, { provider: d.label, name: 'Network cloudsfor', base, user: d.user, secret: d.secret });
      await closeSettings(page);
      await waitForVms(page, VMS, LONG);
      await vmsRegion(page).getByRole('rowheader').getByRole('link').first().click();
      await page.getByRole('tab', { name: 'Network', exact: true }).click();
      await panel(page).getByText('cloudsfor does not offer: Open console. The provider publishes no way to do this.').waitFor();
      assert.equal(await panel(page).getByRole('button', { name: 'Open console' }).count(), 0, 'no dead button');
      await axe(page, 'the Network tab (cloudsfor)');
    } finally {
      await context.close();
    }
  });
});
