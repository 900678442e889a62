#!/usr/bin/env node
// Writes the deploy kit's header files for a built console, from its index.html (the hashes of
// Trunk's inline loader) and its config.json (the presets' origins, for connect-src):
//
//   node deploy/render.mjs <dist> [--config <config.json>]
//
// into <dist>: `_headers` (Netlify, Cloudflare Pages), `vigil-headers.conf` (nginx: include it,
// see deploy/nginx.conf) and `vigil-headers.caddy` (Caddy: import it, see deploy/Caddyfile).
// Run it again after changing config.json. `--config` copies that file to <dist>/config.json
// first. Nothing is sent anywhere.

import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HASHED, NO_CACHE, headerPolicy, inlineHashes, securityHeaders } from './csp.mjs';

const IMMUTABLE = 'public, max-age=31536000, immutable';

/// config.json as the console will read it: missing is the defaults; unreadable stops here
/// (the console would ignore it and the CSP would not match what users see).
export function readConfig(dist) {
  const file = path.join(dist, 'config.json');
  if (!existsSync(file)) return {};
  const text = readFileSync(file, 'utf8');
  let config;
  try {
    config = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file} is not valid JSON: ${e.message}`);
  }
  const presets = Array.isArray(config.presets) ? config.presets : [];
  for (const [i, p] of presets.entries()) {
    const base = String(p?.base_url ?? '');
    if (!/^https?:\/\/[^/@?#\s]+/i.test(base) && !/^\/(?!\/)/.test(base)) {
      throw new Error(`${file}: preset ${i + 1}'s base_url "${base}" is neither https://… nor a /path`);
    }
  }
  return config;
}

/// The files of `dist` (top level, where Trunk puts them) that never change under their name.
const hashedFiles = (dist) => readdirSync(dist).filter((f) => HASHED.test(f)).sort();

export function render(dist) {
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const config = readConfig(dist);
  const policy = headerPolicy(inlineHashes(html), config);
  const headers = securityHeaders(policy);

  // nginx: add_header lines, on every response (`always`: errors too).
  const nginx = [
    '# Written by deploy/render.mjs from index.html and config.json: do not edit, render again.',
    ...headers.map(([k, v]) => `add_header ${k} "${v}" always;`),
    '',
  ].join('\n');

  // Caddy: one header block.
  const caddy = [
    '# Written by deploy/render.mjs from index.html and config.json: do not edit, render again.',
    'header {',
    ...headers.map(([k, v]) => `\t${k} "${v}"`),
    '\t-Server',
    '}',
    '',
  ].join('\n');

  // Netlify / Cloudflare Pages: rules merge, so Cache-Control is set per file, never on /*.
  const rules = [
    '# Written by deploy/render.mjs from index.html and config.json: do not edit, render again.',
    '/*',
    ...headers.map(([k, v]) => `  ${k}: ${v}`),
    '/',
    '  Cache-Control: no-cache',
    ...NO_CACHE.flatMap((f) => [f, '  Cache-Control: no-cache']),
    ...hashedFiles(dist).flatMap((f) => [`/${f}`, `  Cache-Control: ${IMMUTABLE}`]),
    '',
  ].join('\n');

  writeFileSync(path.join(dist, 'vigil-headers.conf'), nginx);
  writeFileSync(path.join(dist, 'vigil-headers.caddy'), caddy);
  writeFileSync(path.join(dist, '_headers'), rules);
  // A precompressed copy of an older config.json would be served instead of the new one.
  for (const ext of ['.gz', '.br']) rmSync(path.join(dist, `config.json${ext}`), { force: true });
  return policy;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const dist = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--config');
  const i = args.indexOf('--config');
  if (!dist || (i >= 0 && !args[i + 1])) {
    console.error('usage: node deploy/render.mjs <dist> [--config <config.json>]');
    process.exit(2);
  }
  try {
    if (i >= 0) copyFileSync(args[i + 1], path.join(dist, 'config.json'));
    const policy = render(dist);
    console.log(`wrote ${dist}/_headers, vigil-headers.conf, vigil-headers.caddy\nContent-Security-Policy: ${policy}`);
  } catch (e) {
    console.error(String(e.message ?? e));
    process.exit(1);
  }
}
