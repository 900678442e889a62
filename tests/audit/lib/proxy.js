// A pass-through proxy in front of vigil-sim-server for the 10,000-VM scenario. It forwards
// every request as it is and, outside the browser (so the page pays nothing for it), counts in
// each answer the VMs whose status differs from the last status this proxy saw for them; the
// count goes back in an `x-audit-changed` header (exposed to the page by CORS) that
// lib/instrument.js turns into a user-timing mark. Both pages talk to the same simulator
// through it, so both pay the same few milliseconds of extra latency.

import { createServer, request as httpRequest } from 'node:http';

/// The VMs of an Erigones answer: `[hostname, status]` for each object that has both.
function statuses(body) {
  const out = [];
  const visit = (v) => {
    if (!v || typeof v !== 'object') return;
    if (Array.isArray(v)) return v.forEach(visit);
    if (typeof v.hostname === 'string' && typeof v.status === 'string') out.push([v.hostname, v.status]);
  };
  visit(body?.result);
  return out;
}

export function startProxy(target) {
  const known = new Map();
  const t = new URL(target);
  const counts = { answers: 0, changedAnswers: 0, requests: {} };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const headers = { ...req.headers, host: t.host };
      const up = httpRequest(
        { host: t.hostname, port: t.port, method: req.method, path: req.url, headers },
        (ur) => {
          const body = [];
          ur.on('data', (c) => body.push(c));
          ur.on('end', () => {
            const buf = Buffer.concat(body);
            const h = { ...ur.headers };
            delete h['content-length'];
            delete h['transfer-encoding'];
            let changed = 0;
            if (req.method === 'GET' && /json/.test(String(ur.headers['content-type'] ?? ''))) {
              try {
                for (const [host, status] of statuses(JSON.parse(buf.toString('utf8')))) {
                  if (known.has(host) && known.get(host) !== status) changed++;
                  known.set(host, status);
                }
              } catch {
                /* not JSON after all */
              }
              counts.answers++;
              if (changed) counts.changedAnswers++;
            }
            h['x-audit-changed'] = String(changed);
            const kind = `${req.method} ${req.url.replace(/\/vm\/[^/?]+\.vigil\.test/, '/vm/{vm}').replace(/\/task\/[^/?]+/, '/task/{id}')} ${ur.statusCode}`;
            const k = (counts.requests[kind] ??= { n: 0, bytes: 0, changed: 0 });
            k.n++;
            k.bytes += buf.length;
            k.changed += changed;
            const expose = String(h['access-control-expose-headers'] ?? '');
            h['access-control-expose-headers'] = expose ? `${expose}, x-audit-changed` : 'x-audit-changed';
            h['content-length'] = String(buf.length);
            res.writeHead(ur.statusCode ?? 502, h);
            res.end(buf);
          });
        },
      );
      up.on('error', () => {
        res.writeHead(502).end();
      });
      up.end(Buffer.concat(chunks));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        counts,
        /// Forget what was seen (a new page starts from its own first list).
        reset() {
          known.clear();
          counts.answers = 0;
          counts.changedAnswers = 0;
          counts.requests = {};
        },
        stop: () =>
          new Promise((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      }),
    );
  });
}
