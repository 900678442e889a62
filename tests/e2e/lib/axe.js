// axe-core on the page as it is (WCAG 2.1 A/AA and best practices): no violation, each one said
// by rule, impact and the first elements it found.

import assert from 'node:assert/strict';
import AxeBuilder from '@axe-core/playwright';

/// Asserts axe-core finds nothing on `page` (or, with `include`, on that part of it); `what`
/// names the screen in the failure. Returns how many violations there were (0).
export async function axe(page, what, include) {
  let builder = new AxeBuilder({ page });
  if (include) builder = builder.include(include);
  const result = await builder.withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const said = result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`,
  );
  assert.deepEqual(said, [], `axe on ${what}`);
  return result.violations.length;
}
