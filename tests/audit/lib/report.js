// The table `./x audit` prints: figure, Vigil, baseline, ratio, goal, met / missed by how much.

const fmt = (x, unit = '') => (x == null ? '—' : `${Number.isInteger(x) ? x.toLocaleString('en-US') : x.toLocaleString('en-US', { maximumFractionDigits: 2 })}${unit}`);
const ratio = (a, b) => (a == null || b == null || b === 0 ? null : Math.round((a / b) * 100) / 100);

/// `{goal, verdict}` for a figure against a goal.
function judge(kind, value, target, base) {
  if (value == null) return { goal: '', verdict: 'not measured' };
  switch (kind) {
    case 'min': // value ≥ target
      return { goal: `≥ ${fmt(target)}`, verdict: value >= target ? 'met' : `missed by ${fmt(Math.round((target - value) * 1000) / 1000)}` };
    case 'max': // value ≤ target
      return { goal: `≤ ${fmt(target)}`, verdict: value <= target ? 'met' : `missed by ${fmt(Math.round((value - target) * 1000) / 1000)}` };
    case 'ratio': { // value ≤ target × base
      const r = ratio(value, base);
      if (r == null) return { goal: `≤ ${target}× baseline`, verdict: 'no baseline' };
      return { goal: `≤ ${target}× baseline`, verdict: r <= target ? 'met' : `missed by ${fmt(Math.round((r - target) * 100) / 100)}× (${fmt(Math.round(value - target * base))} over)` };
    }
    default:
      return { goal: '', verdict: '' };
  }
}

export function rows(result) {
  const out = [];
  const add = (figure, v, b, unit, kind, target) => {
    const j = judge(kind, v, target, b);
    out.push({ figure, vigil: fmt(v, unit), baseline: fmt(b, unit), ratio: ratio(v, b) == null ? '—' : `${ratio(v, b)}×`, goal: j.goal, verdict: j.verdict });
  };
  const s = result.size;
  if (s) {
    add('initial transfer, gzip (KB)', Math.round(s.initial.gzip / 102.4) / 10, null, '', 'max', 200);
    add('initial transfer, brotli (KB)', Math.round(s.initial.brotli / 102.4) / 10, null, '', '', null);
    add('on demand (demo worker), gzip (KB)', Math.round(s.onDemand.gzip / 102.4) / 10, null, '', '', null);
    add('on demand (demo worker), brotli (KB)', Math.round(s.onDemand.brotli / 102.4) / 10, null, '', '', null);
  }
  for (const preset of ['mobile', 'desktop']) {
    const l = result.lighthouse?.[preset];
    if (!l) continue;
    const [v, b] = [l.vigil, l.baseline];
    add(`LH ${preset}: performance`, v.performance, b.performance, '', preset === 'mobile' ? 'min' : '', 90);
    add(`LH ${preset}: LCP (ms)`, v.lcpMs, b.lcpMs, '', 'ratio', 1.5);
    add(`LH ${preset}: FCP (ms)`, v.fcpMs, b.fcpMs, '', '', null);
    add(`LH ${preset}: TBT (ms)`, v.tbtMs, b.tbtMs, '', '', null);
    add(`LH ${preset}: CLS`, v.cls, b.cls, '', 'max', 0.02);
    add(`LH ${preset}: accessibility`, v.accessibility, b.accessibility, '', 'min', 100);
    add(`LH ${preset}: best practices`, v.bestPractices, b.bestPractices, '', 'min', 100);
  }
  const sc = result.scenario;
  if (sc) {
    const [v, b, a] = [sc.vigil, sc.baseline, sc.baselineAll];
    const n = result.settings.vms.toLocaleString('en-US');
    add(`${n} VMs: main thread busy (ms in ${v.windowS} s)`, v.busyMs, b.busyMs, '', 'ratio', 2);
    add(`  same, vs every row rendered`, v.busyMs, a?.busyMs, '', '', null);
    add(`${n} VMs: long tasks (> 50 ms)`, v.longTasks, b.longTasks, '', '', null);
    add(`${n} VMs: time in long tasks (ms)`, v.longMs, b.longMs, '', '', null);
    add(`${n} VMs: longest task (ms)`, v.maxTaskMs, b.maxTaskMs, '', 'max', 100);
    add(`one-VM change: median (ms)`, v.oneChange.medianMs, b.oneChange.medianMs, '', 'max', 2);
    add(`one-VM change: max (ms)`, v.oneChange.maxMs, b.oneChange.maxMs, '', '', null);
    add(`rows in the page`, v.rowsInPage, b.rowsInPage, '', '', null);
  }
  return out;
}

export function table(result) {
  const rs = rows(result);
  const head = { figure: 'figure', vigil: 'Vigil', baseline: 'baseline', ratio: 'ratio', goal: 'goal', verdict: 'met / missed by' };
  const cols = Object.keys(head);
  const width = Object.fromEntries(cols.map((c) => [c, Math.max(head[c].length, ...rs.map((r) => r[c].length))]));
  const line = (r) => cols.map((c, i) => (i === 0 || c === 'goal' || c === 'verdict' ? r[c].padEnd(width[c]) : r[c].padStart(width[c]))).join('  ').trimEnd();
  const lines = [
    '',
    `Vigil ${result.commit}, ${result.date.slice(0, 16).replace('T', ' ')} UTC, ${result.machine.cores} cores (load ${result.machine.loadAtStart?.[0]} at the start, ${result.machine.loadAtEnd?.[0]} at the end), ${result.chromium}; served by ${result.server}`,
    line(head),
    cols.map((c) => '-'.repeat(width[c])).join('  '),
    ...rs.map(line),
  ];
  for (const preset of ['mobile', 'desktop']) {
    const runs = result.lighthouse?.[preset]?.vigil?.runs;
    if (!runs?.length) continue;
    // The run whose performance score is the median one.
    const med = result.lighthouse[preset].vigil.performance;
    const i = Math.max(0, runs.findIndex((x) => x.performance === med));
    const r = runs[i];
    lines.push(`LH ${preset}, Vigil (run ${i + 1}, the median score): long tasks ${r.longTasks.map((x) => `${x.ms} ms at ${x.atMs} ms (${x.url})`).join(', ') || 'none'}; main thread ${r.mainThread.join(', ')}; audits below 1: ${[...r.failing.accessibility, ...r.failing.bestPractices].join(', ') || 'none'}`);
  }
  for (const d of result.loads ?? []) {
    lines.push(`Vigil's first load at ${d.viewport} (no throttling): LCP ${d.lcpMs} ms on ${d.lcpElement}; layout shifts ${d.cls}: ${d.shifts.slice(0, 3).map((x) => `${x.value} at ${x.atMs} ms (${x.sources.join(' ; ')})`).join(' | ') || 'none'}`);
  }
  const sc = result.scenario;
  if (sc) {
    lines.push('', `one-VM change: ${sc.vigil.oneChange.samples} answers in Vigil's trace changed exactly one VM (${sc.baseline.oneChange.samples} in the baseline's); its time is the task that received the answer plus what follows it up to the next rendered frame.`);
    for (const [who, f] of [['Vigil', sc.vigil], ['baseline', sc.baseline]]) {
      lines.push(`${who}'s main thread over the window, by what started each task: ${f.byTrigger.slice(0, 6).map((x) => `${x.name} ${x.ms} ms (${x.tasks})`).join(', ')}`);
    }
    lines.push(`Vigil's timers in the window, by the timeout armed: ${sc.vigil.timers.map((x) => `${x.timeout}: fired ${x.fired}×, ${x.ms} ms`).join('; ') || 'none'}`);
    const reqs = (f) => Object.entries(f.requestsInWindow ?? {}).sort((a, b) => b[1].n - a[1].n).slice(0, 5).map(([k, v]) => `${k} ×${v.n} (${fmt(Math.round(v.bytes / 1024))} KB)`).join(', ');
    lines.push(`requests in the window — Vigil: ${reqs(sc.vigil) || 'none'}; baseline: ${reqs(sc.baseline) || 'none'}`);
    const one = sc.vigil.oneChange.list[0];
    if (one) lines.push(`an answer that changed one VM (Vigil, ${one.path}, ${one.bytes} bytes): ${one.totalMs} ms — ${one.spentOn.map((x) => `${x.name} ${x.ms}`).join(', ')}`);
    lines.push(`Vigil's main thread over the window, by what it ran (self time): ${sc.vigil.breakdown.slice(0, 8).map((x) => `${x.name} ${x.ms} ms`).join(', ')}`);
    for (const t of sc.vigil.long.slice(0, 5)) {
      lines.push(`  long task ${t.ms} ms at +${(t.atMs / 1000).toFixed(1)} s: ${t.spentOn.map((x) => `${x.name} ${x.ms}`).join(', ')}${t.marks.length ? `; answers: ${t.marks.join(' ')}` : ''}`);
    }
  }
  return lines.join('\n');
}
