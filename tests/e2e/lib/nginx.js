// The deploy kit's nginx for the end-to-end pass: deploy/nginx.conf rendered for loopback (its
// "# EDIT(...)" lines replaced), serving a copy of dist/ with a config.json whose preset goes
// through the relay to vigil-sim-server, run by Debian's nginx with every path under one prefix
// directory in /tmp (no root-owned pid, log or temp paths).
//
//   node tests/e2e/lib/nginx.js prepare <dir> <dist> <sim-url> <port>   (what ./x runs)
//   import { startNginx } from './lib/nginx.js'                        (a test on its own)

import { spawn, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { render } from '../../../deploy/render.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(here, '../../..');

/// The relay's name, and where it forwards to on the simulator (which serves Erigones' API, at
/// `/erigones/api`, under a path of its own: a provider's origin, here).
export const RELAY = { name: 'acme', upstream: '/erigones/' };
/// The preset config.json offers (the user types only Erigones' API key).
export const PRESET = { name: 'Acme Cloud', provider: 'erigones', base_url: `/relay/${RELAY.name}/api` };
/// An origin that may call the relay cross-origin (CORS), and only it.
export const CORS_ORIGIN = 'http://console.vigil.test';
export const BROTLI_MODULE = '/usr/lib/nginx/modules/ngx_http_brotli_static_module.so';

/// deploy/nginx.conf with each `# EDIT(key)` line replaced by `edits[key]` (a line, or null to
/// drop it). A key the file has that `edits` lacks is an error: the kit changed.
export function renderSite(edits) {
  const src = readFileSync(path.join(REPO, 'deploy/nginx.conf'), 'utf8');
  const seen = new Set();
  const out = src.split('\n').flatMap((line) => {
    const m = line.match(/^(\s*).*#\s*EDIT\(([a-z0-9-]+)\)/);
    if (!m) return [line];
    const [, indent, key] = m;
    seen.add(key);
    if (!(key in edits)) throw new Error(`deploy/nginx.conf: no test value for EDIT(${key})`);
    return edits[key] === null ? [] : [`${indent}${edits[key]}`];
  });
  const unused = Object.keys(edits).filter((k) => !seen.has(k));
  if (unused.length) throw new Error(`deploy/nginx.conf has no EDIT(${unused.join(', ')})`);
  return out.join('\n');
}

/// deploy/nginx.conf's server for `site` on a loopback `port`: its headers rendered for it,
/// precompressed files, and the relay at `relay` forwarding to `upstream` (an origin and path).
export function loopbackServer({ port, site, accessLog, corsOrigin, relay, upstream }) {
  return renderSite({
    listen: `listen 127.0.0.1:${port};`,
    listen6: null,
    'server-name': 'server_name 127.0.0.1;',
    tls: null,
    root: `root ${site};`,
    'access-log': accessLog,
    headers: `include ${site}/vigil-headers.conf;`,
    brotli: existsSync(BROTLI_MODULE) ? 'brotli_static on;' : null,
    'cors-origin': `"${corsOrigin}" $http_origin;`,
    'relay-name': `location ^~ ${relay} {`,
    'relay-upstream': `proxy_pass ${upstream};`,
    'relay-tls': null,
  });
}

/// The whole nginx.conf around rendered servers (the first whole; of the others, their server
/// blocks only: the maps and the log format once), every path nginx writes under `dir`.
export function mainConf(dir, servers) {
  const tmp = path.join(dir, 'tmp');
  const blocks = servers.map((text, i) => (i === 0 ? text : text.slice(text.indexOf('\nserver {'))));
  return [
    existsSync(BROTLI_MODULE) ? `load_module ${BROTLI_MODULE};` : '# (no brotli_static module: .gz only)',
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
  ].join('\n');
}

/// Writes everything nginx needs under `dir`: site/ (dist/ with the test's config.json and
/// headers rendered for it), nginx.conf. Returns the paths.
export function prepare({ dir, dist, simUrl, port }) {
  const site = path.join(dir, 'site');
  rmSync(site, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'tmp'), { recursive: true });
  cpSync(dist, site, { recursive: true });
  const config = { presets: [PRESET], demo: false, target_lag_s: 1 };
  writeFileSync(path.join(site, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);
  render(site);
  const server = loopbackServer({
    port,
    site,
    accessLog: `access_log ${dir}/access.log vigil;`,
    corsOrigin: CORS_ORIGIN,
    relay: `/relay/${RELAY.name}/`,
    upstream: `${new URL(simUrl).origin}${RELAY.upstream}`,
  });
  const main = mainConf(dir, [server]);
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(conf, main);
  return { conf, site, accessLog: path.join(dir, 'access.log'), errorLog: path.join(dir, 'error.log') };
}

const nginxArgs = (dir, conf) => ['-p', dir, '-c', conf, '-e', path.join(dir, 'error.log')];

export async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/// nginx in the foreground on a free loopback port, for a test run on its own (./x starts its
/// own instead). `stop()` ends it and removes its directory.
export async function startNginx({ dist = path.join(REPO, 'dist'), simUrl }) {
  const dir = path.join('/tmp', `vigil-nginx-${process.pid}-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const paths = prepare({ dir, dist, simUrl, port });
  execFileSync('nginx', [...nginxArgs(dir, paths.conf), '-t', '-q']);
  const child = spawn('nginx', [...nginxArgs(dir, paths.conf), '-g', 'daemon off;'], { stdio: 'ignore' });
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGQUIT');
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', stop);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i += 1) {
    try {
      if ((await fetch(`${url}/index.html`)).ok) break;
    } catch {
      /* not yet */
    }
    if (i > 100) throw new Error(`nginx did not start: ${readFileSync(paths.errorLog, 'utf8')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, dir, ...paths, stop };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [cmd, dir, dist, simUrl, port] = process.argv.slice(2);
  if (cmd !== 'prepare' || !port) {
    console.error('usage: node tests/e2e/lib/nginx.js prepare <dir> <dist> <sim-url> <port>');
    process.exit(2);
  }
  const { conf } = prepare({ dir, dist, simUrl, port: Number(port) });
  console.log(conf);
}
