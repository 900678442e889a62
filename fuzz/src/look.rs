//! Everything the page reads and says about an engine's state, read at `now`: the view's lists,
//! every operation's, workflow's and bulk's words and durations. Hostile values must not panic
//! here either (the page renders them on every change).

use vigil_core::engine::{ActivityFilter, VmFilter};
use vigil_core::{words, Engine, Millis};

pub fn look(e: &Engine, now: Millis) {
    let v = e.view();
    let mut said = String::new();
    for op in v.operations() {
        said.push_str(&words::describe_action(&op.action));
        if let Some(n) = &op.note {
            said.push_str(&n.to_string());
        }
        if let Some(err) = &op.last_error {
            said.push_str(&err.to_string());
        }
        let busy = v.busy_of(op);
        said.push_str(&busy.describe(now));
        said.push_str(&busy.short(now));
        said.push_str(&busy.label());
        op.elapsed(now);
        v.polls(&op.id);
        v.can_cancel(&op.id);
        v.can_retry(&op.id);
    }
    for wf in v.workflows() {
        wf.countdown_left(now);
        wf.current_step();
        if let Some(n) = &wf.note {
            said.push_str(&n.to_string());
        }
        for s in &wf.steps {
            said.push_str(&s.label.to_string());
            if let Some(n) = &s.note {
                said.push_str(&n.to_string());
            }
        }
        v.can_force_now(&wf.id);
    }
    for b in v.bulks() {
        if let Some(sum) = v.bulk_summary(&b.id) {
            for (_, outcome) in &sum.items {
                said.push_str(&format!("{outcome:?}"));
            }
        }
    }
    for filter in [ActivityFilter::All, ActivityFilter::NeedsCheck] {
        v.activity(filter, None);
    }
    v.vm_rows(&VmFilter::default());
    let conns: Vec<_> = v.connections().map(|c| c.id.clone()).collect();
    for conn in &conns {
        v.create_allowed(conn).ok();
        for vm in v.vms(conn).iter().take(4) {
            if let Some(b) = v.busy_on(conn, &vm.id) {
                said.push_str(&b.describe(now));
            }
            said.push_str(&v.status_label(conn, vm));
            v.choices(conn, &vm.id);
            v.activity(ActivityFilter::All, Some((conn, &vm.id)));
        }
    }
    std::hint::black_box(said);
}
