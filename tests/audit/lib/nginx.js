// The deploy kit's nginx for the audit: deploy/nginx.conf with its "# EDIT(...)" lines filled in
// for loopback (tests/e2e/lib/nginx.js, as the e2e pass does), its headers rendered by deploy/render.mjs for each site (the CSP included), the
// precompressed .br/.gz served as they are. Three servers: Vigil (dist/ with its own
// config.json), the baseline for Lighthouse and the baseline for the scenario. Each relays
// /relay/acme/ (the kit's relay) to a simulator: the page talks to its own origin, which the
// CSP allows, and both pages pay the same hop. Every path nginx writes is under one /tmp dir.

import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { render } from '../../../deploy/render.mjs';
import { BROTLI_MODULE as BROTLI, freePort, loopbackServer, mainConf } from '../../e2e/lib/nginx.js';

export const RELAY = '/relay/acme';

export function nginxAvailable() {
  try {
    execFileSync('nginx', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/// `sites`: `{name: {root, upstream}}`. Resolves to `{urls: {name: url}, stop}`.
export async function startNginx(sites) {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-audit-nginx-'));
  chmodSync(dir, 0o755); // nginx's workers run as another user
  mkdirSync(path.join(dir, 'tmp'), { recursive: true });
  const urls = {};
  const blocks = [];
  for (const [name, { root, upstream }] of Object.entries(sites)) {
    const site = path.join(dir, name);
    cpSync(root, site, { recursive: true });
    render(site);
    const port = await freePort();
    urls[name] = `http://127.0.0.1:${port}`;
    blocks.push(
      loopbackServer({
        port,
        site,
        accessLog: 'access_log off;',
        corsOrigin: 'http://cors.invalid',
        relay: `${RELAY}/`,
        upstream: `${new URL(upstream).origin}/`,
      }),
    );
  }
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(conf, mainConf(dir, blocks));
  const args = ['-p', dir, '-c', conf, '-e', path.join(dir, 'error.log')];
  execFileSync('nginx', [...args, '-t', '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const child = spawn('nginx', [...args, '-g', 'daemon off;'], { stdio: 'ignore' });
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGQUIT');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let i = 0; ; i++) {
    try {
      const r = await fetch(`${Object.values(urls)[0]}/index.html`);
      if (r.ok) break;
    } catch {
      /* not yet */
    }
    if (i > 100 || child.exitCode !== null) {
      const log = existsSync(path.join(dir, 'error.log')) ? readFileSync(path.join(dir, 'error.log'), 'utf8').split('\n').slice(-20).join('\n') : '';
      await stop();
      throw new Error(`nginx did not start:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { urls, stop, brotli: existsSync(BROTLI) };
}
