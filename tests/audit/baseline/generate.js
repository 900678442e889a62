// Writes the plain-page baseline (page/) into a directory of its own, with `.gz` and `.br`
// next to each file as the release build has them, so it is served exactly like dist/.

import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));

/// Generates the baseline into `dir` (a new temporary directory without one); returns it.
export function generateBaseline(dir = mkdtempSync(path.join(tmpdir(), 'vigil-audit-baseline-'))) {
  cpSync(path.join(here, 'page'), dir, { recursive: true });
  chmodSync(dir, 0o755); // readable by a server running as another user (nginx's workers)
  for (const name of readdirSync(dir)) {
    if (!/\.(html|js|css|svg)$/.test(name)) continue;
    const raw = readFileSync(path.join(dir, name));
    writeFileSync(path.join(dir, `${name}.gz`), gzipSync(raw, { level: 9 }));
    writeFileSync(
      path.join(dir, `${name}.br`),
      brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
    );
  }
  return dir;
}
