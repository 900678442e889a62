// The deploy kit's nginx for the audit: deploy/nginx.conf with its "# EDIT(...)" lines filled in
// for loopback, its headers rendered by deploy/render.mjs for each site (the CSP included), the
// precompressed .br/.gz served as they are. Three servers: Vigil (dist/ with its own
// config.json), the baseline for Lighthouse and the baseline for the scenario. Each relays
// /relay/acme/ (the kit's relay) to a simulator: the page talks to its own origin, which the
// CSP allows, and both pages pay the same hop. Every path nginx writes is under one /tmp dir.

import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { render } from '../../../deploy/render.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const BROTLI = '/usr/lib/nginx/modules/ngx_http_brotli_static_module.so';
export const RELAY = '/relay/acme';

export function nginxAvailable() {
  try {
    execFileSync('nginx', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/// deploy/nginx.conf with each `# EDIT(key)` line replaced by `edits[key]` (null drops it).
function renderSite(edits) {
  const src = readFileSync(path.join(REPO, 'deploy/nginx.conf'), 'utf8');
  const missing = new Set();
  const out = src.split('\n').flatMap((line) => {
    const m = line.match(/^(\s*).*#\s*EDIT\(([a-z0-9-]+)\)/);
    if (!m) return [line];
    if (!(m[2] in edits)) missing.add(m[2]);
    return edits[m[2]] == null ? [] : [`${m[1]}${edits[m[2]]}`];
  });
  if (missing.size) throw new Error(`deploy/nginx.conf has EDIT(${[...missing].join(', ')}) the audit does not fill in`);
  return out.join('\n');
}

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/// `sites`: `{name: {root, upstream}}`. Resolves to `{urls: {name: url}, stop}`.
export async function startNginx(sites) {
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-audit-nginx-'));
  chmodSync(dir, 0o755); // nginx's workers run as another user
  mkdirSync(path.join(dir, 'tmp'), { recursive: true });
  const urls = {};
  const blocks = [];
  let first = true;
  for (const [name, { root, upstream }] of Object.entries(sites)) {
    const site = path.join(dir, name);
    cpSync(root, site, { recursive: true });
    render(site);
    const port = await freePort();
    urls[name] = `http://127.0.0.1:${port}`;
    const text = renderSite({
      listen: `listen 127.0.0.1:${port};`,
      listen6: null,
      'server-name': 'server_name 127.0.0.1;',
      tls: null,
      root: `root ${site};`,
      'access-log': 'access_log off;',
      headers: `include ${site}/vigil-headers.conf;`,
      brotli: existsSync(BROTLI) ? 'brotli_static on;' : null,
      'cors-origin': '"http://cors.invalid" $http_origin;',
      'relay-name': `location ^~ ${RELAY}/ {`,
      'relay-upstream': `proxy_pass ${new URL(upstream).origin}/;`,
      'relay-tls': null,
    });
    // The maps and log format once; then each site's server block.
    blocks.push(first ? text : text.slice(text.indexOf('\nserver {')));
    first = false;
  }
  const tmp = path.join(dir, 'tmp');
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    [
      existsSync(BROTLI) ? `load_module ${BROTLI};` : '# (no brotli_static module: .gz only)',
      'worker_processes 1;',
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      'events { worker_connections 512; }',
      'http {',
      '    include /etc/nginx/mime.types;',
      '    default_type application/octet-stream;',
      `    client_body_temp_path ${tmp}/body;`,
      `    proxy_temp_path ${tmp}/proxy;`,
      `    fastcgi_temp_path ${tmp}/fastcgi;`,
      `    uwsgi_temp_path ${tmp}/uwsgi;`,
      `    scgi_temp_path ${tmp}/scgi;`,
      ...blocks,
      '}',
      '',
    ].join('\n'),
  );
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
