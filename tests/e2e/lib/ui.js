// The console as a user sees it: regions, buttons and labels by their accessible names, and the
// text on screen. (The one exception is an activity entry's `data-phase`, the machine-readable
// twin of its visible phase badge, which the browser tests use too.)

import { LONG, SHORT } from './harness.js';

/// Polls `probe` until it returns something truthy (and returns that), or fails after
/// `timeout` ms saying what it waited for and what it last saw. `probe` may throw to mean
/// "not yet"; its message becomes "last seen".
export async function eventually(what, probe, { timeout = SHORT, interval = 200 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
      last = v;
    } catch (e) {
      last = e.message;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}; last seen: ${JSON.stringify(last)}`);
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}

/// For probes: `return done || notYet(whatWasSeen)` (a falsy value would say less).
export function notYet(seen) {
  throw new Error(typeof seen === 'string' ? seen : JSON.stringify(seen));
}

export const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// ----- settings -------------------------------------------------------------------------------

export const settingsPanel = (page) => page.getByRole('region', { name: 'Provider connections' });

export async function openSettings(page) {
  const panel = settingsPanel(page);
  if (!(await panel.isVisible())) {
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
  }
  await panel.waitFor({ timeout: SHORT });
  return panel;
}

/// The passphrase remembered connections are sealed with in these tests.
export const PASSPHRASE = 'correct horse battery';

/// Unlocks the connections remembered on this device, in a tab that has not yet.
export async function unlock(page, passphrase = PASSPHRASE) {
  const form = page.getByRole('form', { name: 'Unlock' });
  await form.getByLabel('Passphrase', { exact: true }).fill(passphrase);
  await form.getByRole('button', { name: 'Unlock', exact: true }).click();
  await form.waitFor({ state: 'hidden', timeout: SHORT });
}

/// Fills "Add a connection" as a user would and submits it; waits until it is listed.
/// `login` (Erigones): log in with username and password instead of an API key.
export async function addConnection(page, { provider, name, base, user, secret, login = false, remember = false }) {
  const panel = await openSettings(page);
  const form = panel;
  await form.getByRole('combobox', { name: 'Provider', exact: true }).selectOption({ label: provider });
  if (login) await form.getByRole('checkbox', { name: /^Log in with username and password/ }).check();
  await form.getByRole('textbox', { name: 'Name', exact: true }).fill(name);
  await form.getByRole('textbox', { name: 'Base URL', exact: true }).fill(base);
  if (user !== undefined) await form.getByRole('textbox', { name: /^Username/ }).fill(user);
  await form.getByRole('textbox', { name: /^(Password|API token|API key)/ }).fill(secret);
  if (remember) {
    await panel.getByRole('checkbox', { name: /^Remember connections on this device/ }).check();
    const pass = panel.getByLabel('Passphrase', { exact: true });
    if (await pass.isVisible()) {
      await pass.fill(PASSPHRASE);
      await panel.getByLabel('Passphrase again', { exact: true }).fill(PASSPHRASE);
      await panel.getByRole('button', { name: 'Remember', exact: true }).click();
      await pass.waitFor({ state: 'hidden', timeout: SHORT });
    }
  }
  await form.getByRole('button', { name: 'Add connection' }).click();
  await panel.getByRole('listitem').filter({ hasText: name }).waitFor({ timeout: SHORT });
  return panel;
}

export async function closeSettings(page) {
  await settingsPanel(page).getByRole('button', { name: 'Close', exact: true }).click();
  await settingsPanel(page).waitFor({ state: 'hidden', timeout: SHORT });
}

// ----- VM list --------------------------------------------------------------------------------

export const vmsRegion = (page) => page.getByRole('region', { name: 'Virtual machines' });

/// The row of the VM named `name` (optionally only on the connection named `provider`).
export function vmRow(page, name, provider) {
  let row = vmsRegion(page)
    .getByRole('row')
    .filter({ has: page.getByRole('rowheader', { name, exact: true }) });
  if (provider) row = row.filter({ has: page.getByRole('cell', { name: provider, exact: true }) });
  return row;
}

export const vmStatus = (page, name, provider) => vmRow(page, name, provider).getByTestId('status');

/// The list's own count, "12 of 12 VMs".
export const vmCount = (page) => vmsRegion(page).getByText(/^\d+ of \d+ VMs$/);

/// Waits until the list says it has `n` VMs (any number, without `n`) and shows them all;
/// returns the names shown.
export async function waitForVms(page, n, timeout = SHORT) {
  const want = n === undefined ? /^([1-9]\d*) of \1 VMs$/ : new RegExp(`^${n} of ${n} VMs$`);
  await eventually(`${n ?? 'the'} VMs listed`, async () => {
    const text = await vmCount(page).innerText({ timeout: 1_000 });
    return want.test(text) || notYet(text);
  }, { timeout });
  const names = await vmsRegion(page).getByRole('rowheader').getByRole('link').allInnerTexts();
  if (n !== undefined && names.length !== n) throw new Error(`${n} VMs said, ${names.length} shown`);
  return names;
}

/// The list's Provider filter: only the connection named `provider` (or all, without one).
export async function showOnly(page, provider) {
  await vmsRegion(page)
    .getByRole('search')
    .getByRole('combobox', { name: 'Provider', exact: true })
    .selectOption({ label: provider ?? 'All' });
}

/// A VM's command `action` in the list: the row's primary button ("Start web-01"), or the item
/// of its "Actions" menu (there, hidden, while the menu is closed). `scope`: a row or region.
export const actionControl = (page, action, vm, scope = vmsRegion(page)) => {
  const name = `${action} ${vm}`;
  return scope
    .getByRole('button', { name, exact: true })
    .or(scope.getByRole('menuitem', { name, exact: true, includeHidden: true }))
    .first();
};

/// Whether `action` may run on `vm` now (a disabled menu item says why, and is aria-disabled).
export async function actionEnabled(page, action, vm, scope) {
  const c = actionControl(page, action, vm, scope);
  if ((await c.count()) === 0) return false;
  return (await c.getAttribute('aria-disabled')) !== 'true' && !(await c.isDisabled());
}

/// Runs `action` on `vm` from the list as a user does: its primary button where the row has
/// one, else "Actions for <vm>" → the menu item.
export async function runAction(page, action, vm, scope = vmsRegion(page)) {
  const name = `${action} ${vm}`;
  const button = scope.getByRole('button', { name, exact: true });
  if ((await button.count()) > 0) return button.click();
  await scope.getByRole('button', { name: `Actions for ${vm}`, exact: true }).click();
  await scope.getByRole('menuitem', { name, exact: true }).click();
}

/// The first VM (in list order) on which `action` may run now; returns its name.
export async function firstVmAllowing(page, action, timeout = SHORT) {
  const re = new RegExp(`^${escapeRe(action)} (.+)$`);
  const region = vmsRegion(page);
  const controls = region
    .getByRole('button', { name: re })
    .or(region.getByRole('menuitem', { name: re, includeHidden: true }));
  return eventually(`a VM that allows ${action}`, async () => {
    for (const c of await controls.all()) {
      const label = await c.getAttribute('aria-label');
      const m = label && label.match(re);
      if (!m || /^[\d,.\s]+ selected VMs?$/.test(m[1])) continue;
      if ((await c.getAttribute('aria-disabled')) !== 'true' && !(await c.isDisabled())) return m[1];
    }
    return null;
  }, { timeout });
}

/// The name of the VM a row is for (its link; the name cell may also say its connection).
export const rowName = (row) => row.getByRole('rowheader').getByRole('link').innerText();

// ----- activity -------------------------------------------------------------------------------

export const activityRegion = (page) => page.getByRole('region', { name: 'Activity' });

/// The activity entry titled exactly `title` (e.g. "Reboot web-01").
export const activityEntry = (page, title) =>
  activityRegion(page)
    .getByRole('listitem')
    .filter({ has: page.getByText(title, { exact: true }) });

const OPEN = ['Submitted', 'Accepted', 'InProgress', 'Verifying'];
export const isOpenPhase = (p) => OPEN.includes(p);

export async function phaseOf(entry) {
  return entry.getAttribute('data-phase', { timeout: 1_000 });
}

/// Waits until the entry titled `title` has ended (any phase that is not open); returns
/// `{phase, text}`.
export async function waitForEnd(page, title, timeout = LONG) {
  const entry = activityEntry(page, title);
  return eventually(`“${title}” to end in the activity list`, async () => {
    const phase = await phaseOf(entry);
    if (!phase || isOpenPhase(phase)) throw new Error(`phase ${phase}`);
    return { phase, text: (await entry.innerText()).replace(/\s+/g, ' ') };
  }, { timeout, interval: 250 });
}

/// Every entry in the activity list: `{title, phase}`.
export async function allEntries(page) {
  const out = [];
  for (const li of await activityRegion(page).getByRole('listitem').all()) {
    out.push({
      title: (await li.innerText()).split('\n')[0].trim(),
      phase: await li.getAttribute('data-phase'),
    });
  }
  return out;
}

/// The text of the notifications area.
export const notices = (page) => page.getByLabel('Notifications');

// ----- create and delete ----------------------------------------------------------------------

/// The "Create VM" form, opened from the connection named `conn`; waits until its fields are
/// there (the provider's catalogue read) or it says why not (`refused`).
export async function openCreateForm(page, conn, { refused = false } = {}) {
  await vmsRegion(page).getByRole('button', { name: `Create VM on ${conn}`, exact: true }).click();
  const form = page.getByRole('form', { name: 'Create VM', exact: true });
  const ready = refused ? form.getByRole('alert') : form.getByRole('textbox', { name: /^Name/ });
  await ready.first().waitFor({ timeout: LONG });
  return form;
}

/// Fills the create form as a user would: the name, then the first choice of each list the
/// provider asks for (in order: a region may narrow the sizes, a tariff its configurations), or
/// the smallest amounts.
export async function fillCreateForm(form, name) {
  await form.getByRole('textbox', { name: /^Name/ }).fill(name);
  for (const label of ['Region', 'Zone', 'Location', 'Project', 'Size', 'Configuration', 'Image', 'Network', 'Security group']) {
    const select = form.getByRole('combobox', { name: new RegExp(`^${label}\\b`) });
    if ((await select.count()) === 0) continue;
    const values = await select
      .locator('option:not([disabled])')
      .evaluateAll((os) => os.map((o) => o.value).filter((v) => v));
    if (values.length) await select.selectOption(values[0]);
  }
  for (const [label, value] of [['vCPUs', '1'], ['RAM (MB)', '1024'], ['Disk (GB)', '10']]) {
    const box = form.getByRole('spinbutton', { name: new RegExp(`^${escapeRe(label)}`) });
    if ((await box.count()) > 0) await box.fill(value);
  }
}

/// The delete confirmation of `vm`.
export const deleteForm = (page, vm) => page.getByRole('form', { name: `Delete ${vm}`, exact: true });
