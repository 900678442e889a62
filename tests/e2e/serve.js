// Serves a built console like a CDN would (used by ./x e2e):
//   node tests/e2e/serve.js DIR PORT
// Files as they are; any other path (a deep link) gets index.html. Loopback only.

import { serveStatic } from './lib/static.js';

const [dir, port] = process.argv.slice(2);
if (!dir || !port) {
  console.error('usage: node tests/e2e/serve.js DIR PORT');
  process.exit(2);
}
const { url } = await serveStatic(dir, Number(port));
console.log(`serving ${dir} at ${url}`);
