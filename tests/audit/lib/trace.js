// Main-thread figures from a Chrome trace recorded over CDP (Tracing.start with the
// devtools.timeline categories): every top-level task (RunTask / ThreadControllerImpl::RunTask,
// the outermost where they nest) on the page's renderer main thread, their total, the long ones
// (> 50 ms) with what they spent their time on, and the cost of applying each provider answer
// the audit marked (`audit:resp|<changed VMs>|<bytes>|<path>`, see lib/instrument.js).

export const CATEGORIES = [
  '-*',
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.frame',
  'toplevel',
  'blink.user_timing',
  'v8.execute',
  'loading',
  '__metadata',
];

/// Starts tracing on a Playwright page's CDP session; `stop()` resolves to the trace events.
export async function startTrace(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Tracing.start', {
    transferMode: 'ReturnAsStream',
    traceConfig: { includedCategories: CATEGORIES, recordMode: 'recordContinuously' },
  });
  return {
    async stop() {
      const done = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
      await cdp.send('Tracing.end');
      const { stream } = await done;
      const chunks = [];
      for (;;) {
        const { data, eof, base64Encoded } = await cdp.send('IO.read', { handle: stream, size: 8 << 20 });
        chunks.push(base64Encoded ? Buffer.from(data, 'base64').toString('utf8') : data);
        if (eof) break;
      }
      await cdp.send('IO.close', { handle: stream });
      await cdp.detach().catch(() => {});
      const parsed = JSON.parse(chunks.join(''));
      return Array.isArray(parsed) ? parsed : parsed.traceEvents;
    },
  };
}

const FRAME_NAMES = new Set(['UpdateLayoutTree', 'Layout', 'PrePaint', 'Paint', 'Layerize', 'Commit', 'BeginMainThreadFrame', 'UpdateLayer']);

/// The renderer main thread of the page at `url` (its origin): `{pid, tid}`.
export function mainThread(events, url) {
  const origin = new URL(url).origin;
  const names = new Map();
  for (const e of events) {
    if (e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain') names.set(`${e.pid}:${e.tid}`, { pid: e.pid, tid: e.tid });
  }
  // The browser says which process renders which frame.
  for (const e of events) {
    if (e.name !== 'TracingStartedInBrowser' && e.name !== 'FrameCommittedInBrowser') continue;
    const frames = e.args?.data?.frames ?? [e.args?.data].filter(Boolean);
    for (const f of frames) {
      if (f?.processId && String(f.url ?? '').startsWith(origin) && !f.parent) {
        const t = [...names.values()].find((n) => n.pid === f.processId);
        if (t) return t;
      }
    }
  }
  // Else the renderer main thread that ran the most.
  let best = null;
  let bestTime = -1;
  for (const t of names.values()) {
    const time = events
      .filter((e) => e.pid === t.pid && e.tid === t.tid && e.ph === 'X' && e.name === 'RunTask')
      .reduce((s, e) => s + (e.dur ?? 0), 0);
    if (time > bestTime) [best, bestTime] = [t, time];
  }
  return best;
}

/// Analyses the main thread between `fromTs` and `toTs` (trace µs; defaults: the whole trace).
export function analyse(events, url, { fromTs = -Infinity, toTs = Infinity } = {}) {
  const thread = mainThread(events, url);
  if (!thread) throw new Error('no renderer main thread in the trace');
  const onThread = events
    .filter((e) => e.pid === thread.pid && e.tid === thread.tid && (e.ph === 'X' || e.ph === 'I' || e.ph === 'i' || e.ph === 'R' || e.ph === 'n' || e.ph === 'b'))
    .sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  // Top-level tasks: the outermost RunTask complete events. DevTools' RunTask also covers the
  // microtask checkpoint after the task (where promise callbacks, so wasm futures, run);
  // ThreadControllerImpl::RunTask does not, and is used only by a Chromium without the former.
  const taskName = onThread.some((e) => e.ph === 'X' && e.name === 'RunTask') ? 'RunTask' : 'ThreadControllerImpl::RunTask';
  const tasks = [];
  let end = -Infinity;
  for (const e of onThread) {
    if (e.ph !== 'X' || e.name !== taskName) continue;
    if (e.ts < end) continue; // nested in the previous task
    if (e.ts < fromTs || e.ts > toTs) continue;
    tasks.push({ ts: e.ts, dur: e.dur ?? 0, end: e.ts + (e.dur ?? 0), children: [], marks: [] });
    end = e.ts + (e.dur ?? 0);
  }
  // Everything else on the thread goes into the task that contains it.
  let ti = 0;
  for (const e of onThread) {
    if (e.name === taskName) continue;
    while (ti < tasks.length && tasks[ti].end < e.ts) ti++;
    const t = tasks[ti];
    if (!t || e.ts < t.ts) continue;
    if (e.ph === 'X') t.children.push(e);
    else if (e.cat?.includes('blink.user_timing') && e.name.startsWith('audit:')) t.marks.push(e.name);
  }
  // Also user-timing marks from any phase (Chrome records marks as instant or 'R' events).
  const ms = (us) => us / 1000;
  const busy = tasks.reduce((s, t) => s + t.dur, 0);
  const long = tasks.filter((t) => t.dur > 50_000);
  const selfByName = selfTimes(tasks);
  return {
    thread,
    windowMs: ms((Number.isFinite(toTs) ? toTs : tasks.at(-1)?.end ?? 0) - (Number.isFinite(fromTs) ? fromTs : tasks[0]?.ts ?? 0)),
    tasks: tasks.length,
    busyMs: ms(busy),
    longTasks: long.length,
    longMs: ms(long.reduce((s, t) => s + t.dur, 0)),
    maxTaskMs: ms(tasks.reduce((m, t) => Math.max(m, t.dur), 0)),
    breakdown: top(selfByName, 12),
    byTrigger: triggers(tasks),
    timers: timers(tasks, onThread, fromTs, toTs),
    long: long
      .sort((a, b) => b.dur - a.dur)
      .slice(0, 8)
      .map((t) => ({ ms: round(ms(t.dur)), atMs: round(ms(t.ts - tasks[0].ts)), spentOn: top(selfTimes([t]), 6), calls: calls(t), marks: t.marks })),
    answers: answers(tasks),
  };
}

/// Self time (µs) per event name over the given tasks (a stack sweep over nested X events).
function selfTimes(tasks) {
  const self = new Map();
  for (const t of tasks) {
    const stack = [{ end: t.end, name: '(in the task, outside any traced event)', child: 0, dur: t.dur }];
    const close = (until) => {
      while (stack.length > 1 && stack.at(-1).end <= until) {
        const top = stack.pop();
        self.set(top.name, (self.get(top.name) ?? 0) + Math.max(0, top.dur - top.child));
      }
    };
    for (const c of t.children) {
      close(c.ts);
      stack.at(-1).child += c.dur ?? 0;
      stack.push({ end: c.ts + (c.dur ?? 0), name: label(c), child: 0, dur: c.dur ?? 0 });
    }
    close(Infinity);
    const root = stack[0];
    self.set(root.name, (self.get(root.name) ?? 0) + Math.max(0, root.dur - root.child));
  }
  return self;
}

function label(e) {
  if (e.name === 'ThreadControllerImpl::RunTask') return '(in the task, outside any traced event)';
  if (e.name === 'FunctionCall' || e.name === 'EvaluateScript' || e.name === 'v8.compile') {
    const d = e.args?.data ?? {};
    const file = String(d.url ?? '').split('/').pop();
    return `${e.name}${d.functionName ? ` ${d.functionName}` : ''}${file ? ` (${file})` : ''}`;
  }
  if (e.name === 'EventDispatch') return `EventDispatch ${e.args?.data?.type ?? ''}`.trim();
  return e.name;
}

/// What started each task, with the total time and count of the tasks each started: an answer
/// the audit marked, a timer, an animation frame callback, an event, a rendering frame alone…
function triggers(tasks) {
  const by = new Map();
  const STARTERS = ['TimerFire', 'FireAnimationFrame', 'EventDispatch', 'FunctionCall', 'RunMicrotasks', 'ParseHTML', 'EvaluateScript', 'v8.run', 'MinorGC', 'MajorGC'];
  for (const t of tasks) {
    let k;
    if (t.marks.length) k = 'a provider answer applied';
    else {
      const c = t.children.find((x) => STARTERS.includes(x.name));
      if (c) k = c.name === 'EventDispatch' ? `EventDispatch ${c.args?.data?.type ?? ''}`.trim() : c.name;
      else if (t.children.some((x) => FRAME_NAMES.has(x.name))) k = 'rendering (style, layout, paint)';
      else k = t.dur > 1000 ? 'other' : 'other (tasks < 1 ms)';
    }
    const e = by.get(k) ?? { name: k, ms: 0, tasks: 0 };
    e.ms += t.dur / 1000;
    e.tasks += 1;
    by.set(k, e);
  }
  return [...by.values()].sort((a, b) => b.ms - a.ms).map((e) => ({ ...e, ms: round(e.ms) }));
}

/// The timers that ran in the window: for each range of timeouts the page armed, how many tasks its
/// timers fired and their time (TimerInstall says the timeout of each timer id).
function timers(tasks, onThread, fromTs, toTs) {
  const timeoutOf = new Map();
  for (const e of onThread) {
    if (e.name !== 'TimerInstall') continue;
    const ms = e.args?.data?.timeout ?? 0;
    const bucket = ms < 17 ? '0–16 ms' : ms < 100 ? '17–99 ms' : ms < 1000 ? '100–999 ms' : ms < 10_000 ? '1–10 s' : '≥ 10 s';
    timeoutOf.set(e.args?.data?.timerId, `${bucket}${e.args?.data?.singleShot === false ? ' interval' : ''}`);
  }
  const by = new Map();
  for (const t of tasks) {
    for (const c of t.children) {
      if (c.name !== 'TimerFire') continue;
      const k = timeoutOf.get(c.args?.data?.timerId) ?? 'armed before the trace';
      const e = by.get(k) ?? { timeout: k, fired: 0, ms: 0 };
      e.fired += 1;
      e.ms += t.dur / 1000;
      by.set(k, e);
    }
  }
  return [...by.values()].sort((a, b) => b.ms - a.ms).slice(0, 8).map((e) => ({ ...e, ms: round(e.ms) }));
}

function calls(t) {
  const seen = new Map();
  for (const c of t.children) {
    if (!['TimerFire', 'FireAnimationFrame', 'EventDispatch', 'FunctionCall', 'RunMicrotasks', 'XHRReadyStateChange', 'ResourceFinish'].includes(c.name)) continue;
    const k = label(c);
    seen.set(k, (seen.get(k) ?? 0) + (c.dur ?? 0));
  }
  return top(seen, 5);
}

const round = (x) => Math.round(x * 100) / 100;
function top(map, n) {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, us]) => ({ name, ms: round(us / 1000) }));
}

/// For each marked answer, the main-thread time it took to apply it: the task that received it
/// (the page's code that reads, decides and updates the DOM runs there, in microtasks), then
/// every task that follows within 16 ms of the previous one up to and including the next
/// rendering frame (style, layout, paint of the change), without a task that received another
/// answer. `{changed, bytes, path, applyMs, totalMs}`.
function answers(tasks) {
  const out = [];
  tasks.forEach((t, i) => {
    for (const m of t.marks) {
      const [, changed, bytes, ...rest] = m.split('|');
      let total = t.dur;
      let frame = t.children.some((c) => FRAME_NAMES.has(c.name));
      let prevEnd = t.end;
      for (let j = i + 1; !frame && j < tasks.length; j++) {
        const n = tasks[j];
        if (n.ts - prevEnd > 16_000 || n.marks.length) break;
        total += n.dur;
        prevEnd = n.end;
        frame = n.children.some((c) => FRAME_NAMES.has(c.name));
      }
      out.push({
        spentOn: top(selfTimes([t]), 4),
        changed: Number(changed),
        bytes: Number(bytes),
        path: rest.join('|'),
        applyMs: round(t.dur / 1000),
        totalMs: round(total / 1000),
        sharedTask: t.marks.length > 1,
      });
    }
  });
  return out;
}

export function median(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
