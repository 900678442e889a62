// The deploy kit's one source of truth for Vigil's Content Security Policy and headers: read the
// built index.html's inline scripts (Trunk's loader) and the site's config.json, and say the
// policy as a <meta> tag, an nginx include, a `_headers` file (Netlify, Cloudflare Pages) and a
// Caddy snippet. Used by finish-dist.mjs (Trunk's post_build hook) and render.mjs.

import { createHash } from 'node:crypto';

/// `'sha256-…'` of a script's or style's text exactly as it stands between its tags.
export const hashOf = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/// The inline `<script>`s (no `src`) and `<style>`s of an HTML page, as CSP hashes.
export function inlineHashes(html) {
  const scripts = [];
  const styles = [];
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
    if (/\bsrc\s*=/i.test(m[1])) continue;
    scripts.push(hashOf(m[2]));
  }
  for (const m of html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style\s*>/gi)) styles.push(hashOf(m[1]));
  return { scripts: [...new Set(scripts)], styles: [...new Set(styles)] };
}

/// `style="…"` attributes in the page: `style-src` without 'unsafe-inline' blocks them (styles
/// set from script through CSSOM, `element.style.x = …`, are not affected).
export const styleAttributes = (html) => [...html.matchAll(/<[a-z][^>]*\sstyle\s*=\s*["'][^"']*["']/gi)].map((m) => m[0]);

/// The origins the console may connect to, from config.json: 'self' (which covers presets on a
/// relay path) and each absolute preset's origin. With no presets the users type their
/// providers' URLs themselves, so any https: origin is allowed.
export function connectSources(config) {
  const presets = Array.isArray(config?.presets) ? config.presets : [];
  const out = ["'self'"];
  if (presets.length === 0) out.push('https:');
  for (const p of presets) {
    const base = String(p?.base_url ?? '');
    if (!/^https?:\/\//i.test(base)) continue;
    const origin = new URL(base).origin;
    if (!out.includes(origin)) out.push(origin);
  }
  return out;
}

/// The policy sent as a header. `frame-ancestors` only works there (a <meta> ignores it).
export function headerPolicy({ scripts, styles }, config) {
  return [
    "default-src 'none'",
    ["script-src 'self' 'wasm-unsafe-eval'", ...scripts].join(' '),
    ["style-src 'self'", ...styles].join(' '),
    "img-src 'self' data:",
    `connect-src ${connectSources(config).join(' ')}`,
    "worker-src 'self'",
    "manifest-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

/// The <meta> policy of the built page: the source's, with the inline scripts' (and styles')
/// hashes added and any 'unsafe-inline' dropped.
export function metaPolicy(source, { scripts, styles }) {
  const directives = source
    .split(';')
    .map((d) => d.trim())
    .filter(Boolean)
    .map((d) => d.split(/\s+/).filter((t) => t !== "'unsafe-inline'"));
  const add = (name, hashes) => {
    if (hashes.length === 0) return;
    let d = directives.find((x) => x[0] === name);
    if (!d) {
      d = [name, "'self'"];
      directives.push(d);
    }
    for (const h of hashes) if (!d.includes(h)) d.push(h);
  };
  add('script-src', scripts);
  add('style-src', styles);
  return directives.map((d) => d.join(' ')).join('; ');
}

const META = /(<meta\s+http-equiv=["']Content-Security-Policy["']\s+content=")([^"]*)("[^>]*>)/i;

/// The page's <meta> CSP, or null.
export const metaOf = (html) => html.match(META)?.[2] ?? null;

/// `html` with its <meta> CSP replaced.
export const withMeta = (html, policy) => html.replace(META, (_, a, _old, c) => `${a}${policy}${c}`);

/// The headers every response carries.
export function securityHeaders(policy) {
  return [
    ['Content-Security-Policy', policy],
    ['Strict-Transport-Security', 'max-age=63072000; includeSubDomains'],
    ['X-Content-Type-Options', 'nosniff'],
    ['Referrer-Policy', 'no-referrer'],
    ['X-Frame-Options', 'DENY'],
    ['Cross-Origin-Opener-Policy', 'same-origin'],
    ['Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()'],
  ];
}

/// Files that are fetched again each time (their names never change): the page, the site's
/// config and the demo worker, whose files Trunk does not hash.
export const NO_CACHE = [
  '/index.html',
  '/config.json',
  '/vigil-demo-worker_loader.js',
  '/vigil-demo-worker.js',
  '/vigil-demo-worker_bg.wasm',
];

/// A hashed asset's name: `name-<16 hex>.js`, `…_bg.wasm`, `.css` (Trunk's filehash).
export const HASHED = /-[0-9a-f]{16}(_bg)?\.(js|wasm|css)$/;
