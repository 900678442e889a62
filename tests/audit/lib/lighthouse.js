// Lighthouse 12.2.3 through its node API, Chromium launched by chrome-launcher with the
// project's flags and a fresh profile each run; mobile (the default config) and desktop presets.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import { CHROMIUM_ARGS } from '../../e2e/lib/harness.js';
import { median } from './trace.js';

// The e2e suite's Chromium flags (the closed network refuses what the others would fetch).
export const CHROMIUM_FLAGS = CHROMIUM_ARGS;

const CATEGORIES = ['performance', 'accessibility', 'best-practices'];

/// One Lighthouse run of `url` with `preset` ('mobile' | 'desktop'): the figures, and the
/// audits that cost accessibility or best-practices points.
export async function lighthouseRun(url, preset) {
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'vigil-audit-lh-'));
  const chrome = await chromeLauncher.launch({
    chromePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    chromeFlags: CHROMIUM_FLAGS,
    userDataDir,
    logLevel: 'silent',
  });
  try {
    const flags = { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: CATEGORIES };
    const config = preset === 'desktop' ? desktopConfig : undefined;
    const { lhr } = await lighthouse(url, flags, config);
    const error = lhr.runtimeError?.code ?? Object.values(lhr.audits).find((a) => a.id === 'largest-contentful-paint' && a.errorMessage)?.errorMessage;
    if (error) return { error: String(error) };
    const score = (c) => (lhr.categories[c]?.score == null ? null : Math.round(lhr.categories[c].score * 100));
    const num = (a) => lhr.audits[a]?.numericValue ?? null;
    const failing = (c) =>
      (lhr.categories[c]?.auditRefs ?? [])
        .filter((r) => r.weight > 0 && lhr.audits[r.id]?.score !== null && lhr.audits[r.id]?.score < 1)
        .map((r) => r.id);
    const opportunities = Object.values(lhr.audits)
      .filter((a) => a.details?.type === 'opportunity' && (a.numericValue ?? 0) > 100)
      .map((a) => ({ id: a.id, ms: Math.round(a.numericValue) }));
    return {
      performance: score('performance'),
      lcpMs: Math.round(num('largest-contentful-paint')),
      fcpMs: Math.round(num('first-contentful-paint')),
      tbtMs: Math.round(num('total-blocking-time')),
      cls: Math.round(num('cumulative-layout-shift') * 1000) / 1000,
      accessibility: score('accessibility'),
      bestPractices: score('best-practices'),
      longTasks: (lhr.audits['long-tasks']?.details?.items ?? []).slice(0, 3).map((i) => ({ url: String(i.url).split('/').pop() || '(page)', ms: Math.round(i.duration), atMs: Math.round(i.startTime) })),
      bootup: (lhr.audits['bootup-time']?.details?.items ?? []).slice(0, 3).map((i) => ({ url: String(i.url).split('/').pop() || '(page)', scriptMs: Math.round(i.scripting ?? 0), totalMs: Math.round(i.total ?? 0) })),
      mainThread: (lhr.audits['mainthread-work-breakdown']?.details?.items ?? []).slice(0, 4).map((i) => `${i.groupLabel ?? i.group} ${Math.round(i.duration)} ms`),
      failing: { accessibility: failing('accessibility'), bestPractices: failing('best-practices'), performance: failing('performance').slice(0, 10) },
      opportunities,
      runWarnings: lhr.runWarnings ?? [],
      benchmarkIndex: lhr.environment?.benchmarkIndex ?? null,
    };
  } finally {
    await chrome.kill();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

/// `runs` Lighthouse runs of each page, alternating between them; each figure's median.
export async function lighthouseMedians(pages, preset, runs, log) {
  const results = Object.fromEntries(Object.keys(pages).map((k) => [k, []]));
  for (let i = 0; i < runs; i++) {
    for (const [name, url] of Object.entries(pages)) {
      const t = Date.now();
      let r = await lighthouseRun(url, preset);
      for (let retry = 0; r.error && retry < 2; retry++) {
        log(`  lighthouse ${preset} ${name} #${i + 1} failed (${r.error}); again`);
        r = await lighthouseRun(url, preset);
      }
      if (r.error) {
        log(`  lighthouse ${preset} ${name} #${i + 1} failed three times (${r.error}): left out of the median`);
        results[name].push(r);
        continue;
      }
      results[name].push(r);
      log(`  lighthouse ${preset} ${name} #${i + 1}: performance ${r.performance}, LCP ${r.lcpMs} ms, TBT ${r.tbtMs} ms, CLS ${r.cls}, a11y ${r.accessibility}, best practices ${r.bestPractices} (${((Date.now() - t) / 1000).toFixed(0)} s)`);
    }
  }
  const out = {};
  for (const [name, rs] of Object.entries(results)) {
    const ok = rs.filter((r) => !r.error);
    const m = (k) => median(ok.map((r) => r[k]));
    out[name] = {
      performance: m('performance'),
      lcpMs: m('lcpMs'),
      fcpMs: m('fcpMs'),
      tbtMs: m('tbtMs'),
      cls: m('cls'),
      accessibility: m('accessibility'),
      bestPractices: m('bestPractices'),
      runs: rs,
    };
  }
  return out;
}
