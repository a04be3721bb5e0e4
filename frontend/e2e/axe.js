// axe-core in the browser tests: injected into the page under test (it is a
// dev dependency, never shipped) and run over the document or a part of it.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** @typedef {import('playwright-core').Page} Page */

/**
 * The serious and critical accessibility violations on the page (or inside
 * `include`, a CSS selector), one line each, empty when there are none.
 * @param {Page} page
 * @param {string} [include]
 * @returns {Promise<string[]>}
 */
export async function seriousViolations(page, include) {
  // Evaluated through the debugging protocol, so the page's
  // Content-Security-Policy does not block it.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(source);
  const results = await page.evaluate(
    async (sel) =>
      // @ts-ignore axe is injected above
      (await window.axe.run(sel ? { include: [sel] } : document, { resultTypes: ['violations'] })).violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(1, 2).join(' ')}`),
      })),
    include ?? null,
  );
  return results
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id} (${v.help}): ${v.nodes.join(' | ')}`);
}
