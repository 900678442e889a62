// A small static server that compresses like a configured host: a request that accepts br or
// gzip gets the precompressed `.br` / `.gz` next to the file when the build wrote one, else the
// file compressed here once (brotli quality 11, gzip 9) and kept in memory. Used by `./x audit`
// only where the deploy kit's nginx is not available; the figures say which served them.

import { createServer, request as httpRequest } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.wasm', '.css', '.svg', '.json']);

async function exists(file) {
  try {
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/// Forwards a request under `prefix` to `upstream` (like the deploy kit's relay).
function relay(req, res, prefix, upstream) {
  const u = new URL(upstream);
  const headers = { ...req.headers, host: u.host };
  delete headers.origin;
  const up = httpRequest({ host: u.hostname, port: u.port, method: req.method, path: req.url.slice(prefix.length - 1), headers }, (ur) => {
    res.writeHead(ur.statusCode ?? 502, ur.headers);
    ur.pipe(res);
  });
  up.on('error', () => res.writeHead(502).end());
  req.pipe(up);
}

/// Serves `dir` on a loopback port (0: a free one), with `/relay/acme/` forwarded to `upstream`
/// when given; resolves to `{url, stop}`.
export function serveCompressed(dir, { port = 0, upstream } = {}) {
  const cache = new Map();
  const server = createServer(async (req, res) => {
    if (upstream && req.url.startsWith('/relay/acme/')) return relay(req, res, '/relay/acme/', upstream);
    try {
      const urlPath = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      let file = path.join(dir, path.normalize(urlPath).replace(/^(\.\.[/\\])+/, ''));
      if (!file.startsWith(path.resolve(dir))) file = path.join(dir, 'index.html');
      if (!(await exists(file))) {
        const idx = path.join(file, 'index.html');
        file = (await exists(idx)) ? idx : path.join(dir, 'index.html');
      }
      const ext = path.extname(file);
      const accept = String(req.headers['accept-encoding'] ?? '');
      const enc = COMPRESSIBLE.has(ext) ? (/\bbr\b/.test(accept) ? 'br' : /\bgzip\b/.test(accept) ? 'gzip' : null) : null;
      let body;
      if (enc) {
        const key = `${file}|${enc}`;
        body = cache.get(key);
        if (!body) {
          const pre = `${file}.${enc === 'br' ? 'br' : 'gz'}`;
          if (await exists(pre)) body = await readFile(pre);
          else {
            const raw = await readFile(file);
            body =
              enc === 'br'
                ? brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } })
                : gzipSync(raw, { level: 9 });
          }
          cache.set(key, body);
        }
      } else {
        body = await readFile(file);
      }
      const hashed = /-[0-9a-f]{16}(_bg)?\.(js|wasm|css)$/.test(file);
      const headers = {
        'content-type': TYPES[ext] ?? 'application/octet-stream',
        'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
        'content-length': body.length,
        vary: 'Accept-Encoding',
      };
      if (enc) headers['content-encoding'] = enc;
      res.writeHead(200, headers);
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        stop: () =>
          new Promise((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
        server: 'node (tests/audit/lib/serve.js, gzip/brotli)',
      });
    });
  });
}

// `node lib/serve.js DIR PORT`: serve from the command line.
if (import.meta.url === `file://${process.argv[1]}`) {
  const s = await serveCompressed(process.argv[2] ?? '.', { port: Number(process.argv[3] ?? 0), upstream: process.argv[4] });
  console.log(`serving ${process.argv[2]} at ${s.url}`);
}
