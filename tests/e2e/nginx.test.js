// The deploy kit for real: Debian's nginx serving the release dist/ with deploy/nginx.conf (its
// headers rendered by deploy/render.mjs) and relaying /relay/acme/ to vigil-sim-server's
// Erigones. A hosting provider's config.json offers one preset and no demo; the user types only
// the API key; an operation through the relay ends verified and the simulator agrees; the
// console loads under the header CSP without a single violation, refuses to be framed, and its
// assets come precompressed with the right cache headers.
//
// `./x e2e` runs this file in a pass of its own with its nginx (VIGIL_E2E_NGINX_URL,
// VIGIL_E2E_NGINX_DIR) in front of the shared simulator; run alone
// (`node --test tests/e2e/nginx.test.js`) it starts both itself. In ./x's main pass (which
// serves dist/ without nginx) it is skipped.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { LONG, SHORT, VMS, dialect, launch, screenshot, sim, spawnSim } from './lib/harness.js';
import { BROTLI_MODULE, CORS_ORIGIN, PRESET, RELAY, startNginx } from './lib/nginx.js';
import { eventually, runAction, settingsPanel, vmStatus, waitForEnd, waitForVms, firstVmAllowing } from './lib/ui.js';

const MAIN_PASS = !process.env.VIGIL_E2E_NGINX_URL && !!process.env.VIGIL_E2E_APP_URL;
const ERIGONES = dialect('Erigones');

/// A raw HTTP exchange (Origin and Accept-Encoding as given, nothing decoded).
function raw(url, { method = 'GET', headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

/// The simulator's own record of the Erigones VM aliased `alias` (the provider's API, directly).
async function groundTruth(simUrl, alias) {
  const r = await fetch(`${simUrl}${ERIGONES.prefix}/vm/status/`, { headers: { 'es-api-key': ERIGONES.secret } });
  const { result } = await r.json();
  return result.find((v) => v.alias === alias);
}

/// The page's errors from now on (its exceptions and console errors; a refused request's own
/// "Failed to load resource" line aside).
function errorsOf(page) {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
  });
  return errors;
}

describe('the deploy kit: nginx with its headers and relay', { skip: MAIN_PASS && 'run by ./x in its nginx pass' }, () => {
  let env;
  before(async () => {
    const simServer = process.env.VIGIL_E2E_NGINX_URL ? await sim() : await spawnSim();
    const nginx = process.env.VIGIL_E2E_NGINX_URL
      ? { url: process.env.VIGIL_E2E_NGINX_URL.replace(/\/$/, ''), dir: process.env.VIGIL_E2E_NGINX_DIR, stop() {} }
      : await startNginx({ simUrl: simServer.url });
    env = { sim: simServer, nginx, browser: await launch() };
  });
  after(async () => {
    await env?.browser.close().catch(() => {});
    env?.nginx.stop();
    env?.sim.stop();
  });

  test('a preset from config.json, only a key typed, a power off through the relay verified; no CSP violation', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    // Every CSP violation the page (or its worker's document) reports, from before its first script.
    await context.addInitScript(() => {
      window.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`), true);
    });
    const page = await context.newPage();
    page.setDefaultTimeout(SHORT);
    const errors = errorsOf(page);
    const requests = [];
    page.on('request', (r) => requests.push(r.url()));
    const assets = [];
    page.on('response', (r) => assets.push(r));
    try {
      const doc = await page.goto(env.nginx.url);
      const csp = doc.headers()['content-security-policy'];
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/=]+'/, 'the loader by its hash');
      assert.match(csp, /frame-ancestors 'none'/);
      assert.match(csp, /connect-src 'self'(;|$)/, 'a relay preset only needs the console\'s own origin');
      assert.doesNotMatch(csp, /unsafe-inline|\*/);
      assert.equal(doc.headers()['x-frame-options'], 'DENY');
      assert.equal(doc.headers()['x-content-type-options'], 'nosniff');
      assert.equal(doc.headers()['referrer-policy'], 'no-referrer');
      assert.match(doc.headers()['strict-transport-security'], /max-age=\d+/);
      assert.equal(doc.headers()['cache-control'], 'no-cache');

      // No demo (config.json says so) and nothing configured: Settings opens on the preset.
      const panel = settingsPanel(page);
      await panel.waitFor({ timeout: LONG });
      const preset = panel.locator(`[data-preset][data-dialect="${PRESET.provider}"]`);
      await preset.waitFor();
      assert.equal(await page.locator('.demo-badge').count(), 0, 'no demo');
      await preset.getByRole('button').click();
      // The form asks only for the credentials: no provider, name or base URL to type.
      const form = panel.locator('form.conn-form');
      assert.equal(await form.locator('select[name="dialect"], input[name="name"], input[name="base"]').count(), 0);
      await form.locator('input[name="secret"]').fill(ERIGONES.secret);
      await form.locator('button[type="submit"]').click();
      await preset.waitFor({ state: 'detached' });
      const listed = panel.locator('.conn-list li').filter({ hasText: PRESET.name });
      const base = `${env.nginx.url}${PRESET.base_url}`;
      assert.ok((await listed.innerText()).includes(base), `the connection goes to ${base}`);
      await panel.getByRole('button', { name: 'Close', exact: true }).click();

      // The provider's VMs, through the relay.
      await waitForVms(page, VMS, LONG);
      const vm = await firstVmAllowing(page, 'Power off');
      const before = await groundTruth(env.sim.url, vm);
      assert.equal(before.status, 'running');
      await runAction(page, 'Power off', vm);
      const confirm = page.getByRole('form', { name: `Power off ${vm}`, exact: true });
      await confirm.locator('button[type="submit"]').click();
      const end = await waitForEnd(page, `Power off ${vm}`);
      assert.equal(end.phase, 'Succeeded', end.text);
      await eventually(`${vm} to show stopped`, async () => (await vmStatus(page, vm).innerText()) === 'stopped');
      // The provider agrees.
      assert.equal((await groundTruth(env.sim.url, vm)).status, 'stopped');

      // Every provider request went to the relay on the console's origin, none straight to the API.
      const api = requests.filter((u) => u.includes('/relay/') || u.startsWith(env.sim.url));
      assert.ok(api.length > 0);
      assert.deepEqual(api.filter((u) => !u.startsWith(`${env.nginx.url}/relay/${RELAY.name}/`)), []);

      // Not one violation of the header or the <meta> policy, and no errors.
      assert.deepEqual(await page.evaluate(() => window.__csp), []);
      assert.deepEqual(errors, []);

      // The browser got the assets compressed, hashed ones for a year.
      const hashed = assets.filter((r) => /-[0-9a-f]{8,16}(_bg)?\.(js|wasm|css)$/.test(new URL(r.url()).pathname));
      assert.ok(hashed.some((r) => r.url().endsWith('.wasm')), 'the wasm was loaded');
      for (const r of hashed) {
        const h = await r.allHeaders();
        assert.match(h['content-encoding'] ?? '', /^(br|gzip)$/, `${r.url()} compressed`);
        assert.match(h['cache-control'], /immutable/, `${r.url()} cached`);
      }
      await screenshot(page, 'nginx-preset');

      // (The listener does hear: a style attribute, which the policy forbids, is reported.)
      const heard = await page.evaluate(async () => {
        const d = document.createElement('div');
        d.setAttribute('style', 'outline: 1px solid red');
        document.body.append(d);
        await new Promise((r) => setTimeout(r, 200));
        d.remove();
        return window.__csp;
      });
      assert.ok(heard.some((v) => v.startsWith('style-src')), `the probe violation was heard: ${heard}`);

      // Signing out leaves nothing: not the demo either, which this site does not offer.
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await page.getByRole('button', { name: 'Sign out of every tab' }).click();
      await eventually('the connection gone', async () =>
        (await page.getByRole('button', { name: 'Sign out', exact: true }).count()) === 0 &&
        (await page.locator('tr.vm').count()) === 0);
      await page.waitForTimeout(1500);
      assert.equal(await page.locator('.demo-badge').count(), 0, 'no demo after signing out');
      assert.equal(page.workers().length, 0, 'the demo worker never started');
      assert.deepEqual(requests.filter((u) => u.includes('vigil-demo-worker')), []);
    } finally {
      await context.close();
    }
  });

  test('with the demo offered, the demo providers run in their worker under the same CSP', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    await context.addInitScript(() => {
      window.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) =>
        window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`), true);
    });
    // The same site with "demo": true (the header CSP does not depend on it).
    await context.route('**/config.json', (route) =>
      route.fulfill({ contentType: 'application/json', body: JSON.stringify({ presets: [PRESET], demo: true }) }));
    const page = await context.newPage();
    page.setDefaultTimeout(SHORT);
    const errors = errorsOf(page);
    const workers = [];
    page.on('worker', (w) => workers.push(w.url()));
    try {
      await page.goto(env.nginx.url);
      await page.locator('.demo-badge').waitFor({ timeout: LONG });
      await waitForVms(page, undefined, LONG);
      assert.ok(workers.some((u) => u.startsWith(`${env.nginx.url}/`)), `a worker from the console's origin: ${workers}`);
      assert.deepEqual(await page.evaluate(() => window.__csp), []);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test('a config.json carrying credentials is refused whole and said; the console runs on its defaults', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const secret = 'hoster-leaked-key-123';
    await context.route('**/config.json', (route) =>
      route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({ presets: [{ ...PRESET, api_key: secret }], demo: false }),
      }));
    const page = await context.newPage();
    page.setDefaultTimeout(SHORT);
    try {
      await page.goto(env.nginx.url);
      const notice = page.locator('.notices .notice.error').filter({ hasText: 'presets[0].api_key' });
      await notice.waitFor({ timeout: LONG });
      assert.ok(!(await notice.innerText()).includes(secret), 'the value is not repeated');
      // The defaults: the demo, and no preset offered.
      await page.locator('.demo-badge').waitFor();
      await waitForVms(page, undefined, LONG);
      assert.equal(await page.locator('[data-preset]').count(), 0);
      assert.ok(!(await page.content()).includes(secret));
    } finally {
      await context.close();
    }
  });

  test('precompressed files, cache headers, the relay\'s CORS and a log without credentials', async () => {
    const html = await (await fetch(`${env.nginx.url}/`)).text();
    // The stylesheet's href, and the js and wasm the loader imports (Trunk.toml's pattern_script).
    const files = [...html.matchAll(/"\/?([^"]+-[0-9a-f]{8,16}(?:_bg)?\.(?:js|wasm|css))"/g)].map((m) => m[1]);
    assert.ok(files.some((f) => f.endsWith('.wasm')) && files.some((f) => f.endsWith('.js')), files.join(', '));
    const want = existsSync(BROTLI_MODULE) ? 'br' : 'gzip';
    for (const f of files) {
      const r = await raw(`${env.nginx.url}/${f}`, { headers: { 'accept-encoding': 'br, gzip' } });
      assert.equal(r.headers['content-encoding'], want, f);
      assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable', f);
      const g = await raw(`${env.nginx.url}/${f}`, { headers: { 'accept-encoding': 'gzip' } });
      assert.equal(g.headers['content-encoding'], 'gzip', f);
    }
    for (const f of ['index.html', 'config.json', 'vigil-demo-worker_loader.js', 'vigil-demo-worker.js', 'vigil-demo-worker_bg.wasm']) {
      const r = await raw(`${env.nginx.url}/${f}`);
      if (f.startsWith('vigil-demo-worker') && r.status === 404) continue; // a build without the worker
      assert.equal(r.status, 200, f);
      assert.equal(r.headers['cache-control'], 'no-cache', f);
      assert.match(r.headers['content-security-policy'], /frame-ancestors 'none'/, f);
    }
    // A deep link is the app; the generated header files are not served.
    const deep = await raw(`${env.nginx.url}/vms/some/where`);
    assert.equal(deep.status, 200);
    assert.match(deep.headers['content-type'], /text\/html/);
    assert.equal((await raw(`${env.nginx.url}/vigil-headers.conf`)).status, 404);

    // The relay: CORS for the listed console origin only.
    const relay = `${env.nginx.url}/relay/${RELAY.name}/api/vm/status/`;
    const pre = { method: 'OPTIONS', headers: { 'access-control-request-method': 'GET', 'access-control-request-headers': 'es-api-key' } };
    const ok = await raw(relay, { ...pre, headers: { ...pre.headers, origin: CORS_ORIGIN } });
    assert.equal(ok.headers['access-control-allow-origin'], CORS_ORIGIN);
    assert.match(ok.headers['access-control-allow-headers'], /es-api-key/);
    const other = await raw(relay, { ...pre, headers: { ...pre.headers, origin: 'http://elsewhere.test' } });
    assert.equal(other.headers['access-control-allow-origin'], undefined);
    const got = await raw(relay, { headers: { 'es-api-key': ERIGONES.secret, origin: 'http://elsewhere.test' } });
    assert.equal(got.status, 200, 'the relay reaches the provider');
    assert.equal(got.headers['access-control-allow-origin'], undefined, 'the provider\'s own CORS is not passed on');

    // The access log has the relayed requests and never the key.
    if (env.nginx.dir) {
      const log = readFileSync(path.join(env.nginx.dir, 'access.log'), 'utf8');
      assert.match(log, /\/relay\/acme\/api\/vm\/status\//);
      assert.ok(!log.includes(ERIGONES.secret), 'no credentials in the access log');
    }
  });

  test('the console refuses to be framed by another site', async () => {
    // A page on another origin (another loopback port) that frames the console.
    const framer = createServer((_, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><title>framer</title><iframe id="f" src="${env.nginx.url}/" width="800" height="600"></iframe>`);
    });
    await new Promise((r) => framer.listen(0, '127.0.0.1', r));
    const context = await env.browser.newContext();
    try {
      const page = await context.newPage();
      const blocked = page.waitForEvent('console', { predicate: (m) => /frame-ancestors|X-Frame-Options/.test(m.text()), timeout: SHORT }).catch(() => null);
      await page.goto(`http://127.0.0.1:${framer.address().port}/`);
      await page.waitForTimeout(2_000);
      const frame = page.frames().find((f) => f !== page.mainFrame());
      assert.ok(frame, 'the iframe exists');
      const rendered = await frame.locator('.topbar, [data-preset], table').count().catch(() => 0);
      assert.equal(rendered, 0, 'nothing of the console renders in the frame');
      assert.ok(!frame.url().startsWith(env.nginx.url) || rendered === 0);
      assert.ok(await blocked, 'the browser says it refused the frame');
    } finally {
      await context.close();
      framer.close();
    }
  });
});
