//! What the VM list shows: search, filters and order, decided here so the page only renders.

use serde::{Deserialize, Serialize};

use crate::engine::Engine;
use crate::model::{ActionKind, Phase, PowerState, Vm};
use crate::time::{format_duration, format_elapsed, Millis};
use crate::workflow::{Plan, DEFAULT_STOP_GRACE_S};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum StateFilter {
    #[default]
    All,
    Running,
    Stopped,
    /// An operation of ours is open on it, the provider locks it, or it is changing.
    Busy,
    /// A status Vigil does not know.
    Unknown,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortKey {
    #[default]
    Name,
    Provider,
    Status,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VmFilter {
    /// Matched, case-insensitively, against name, id, region and status.
    pub query: String,
    /// Only this connection's VMs.
    pub connection: Option<String>,
    pub state: StateFilter,
    pub sort: SortKey,
}

impl VmFilter {
    fn matches(&self, engine: &Engine, conn: &str, vm: &Vm) -> bool {
        if self.connection.as_deref().is_some_and(|c| c != conn) {
            return false;
        }
        let busy =
            vm.locked || vm.power.is_transitional() || engine.open_op_for(conn, &vm.id).is_some();
        let state_ok = match self.state {
            StateFilter::All => true,
            StateFilter::Running => vm.power == PowerState::Running && !busy,
            StateFilter::Stopped => vm.power == PowerState::Stopped && !busy,
            StateFilter::Busy => busy,
            StateFilter::Unknown => matches!(vm.power, PowerState::Unknown(_)),
        };
        let q = self.query.trim().to_lowercase();
        state_ok
            && (q.is_empty()
                || [
                    Some(vm.name.as_str()),
                    Some(vm.id.as_str()),
                    vm.region.as_deref(),
                    Some(vm.status_raw.as_str()),
                ]
                .into_iter()
                .flatten()
                .any(|f| f.to_lowercase().contains(&q)))
    }
}

impl Engine {
    /// The (connection, VM id) rows to show, filtered and in order.
    pub fn vm_rows(&self, filter: &VmFilter) -> Vec<(String, String)> {
        let mut rows: Vec<(&str, &str, &Vm)> = self
            .connections()
            .flat_map(|c| {
                let name = c.name.as_str();
                self.vms(&c.id)
                    .iter()
                    .filter(|v| filter.matches(self, &c.id, v))
                    .map(move |v| (c.id.as_str(), name, v))
            })
            .collect();
        // Keys computed once per row, not once per comparison (10,000 VMs re-sort on every
        // answer).
        let name_key = |v: &Vm| (v.name.to_lowercase(), v.id.clone());
        match filter.sort {
            SortKey::Name => rows.sort_by_cached_key(|r| name_key(r.2)),
            SortKey::Provider => rows.sort_by_cached_key(|r| (r.1.to_lowercase(), name_key(r.2))),
            SortKey::Status => {
                rows.sort_by_cached_key(|r| (self.status_label(r.0, r.2), name_key(r.2)))
            }
        }
        rows.into_iter()
            .map(|(c, _, v)| (c.to_string(), v.id.clone()))
            .collect()
    }
}

/// One line of the activity list: a workflow (with its steps) or an operation of no workflow.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ActivityItem {
    Op(String),
    Workflow(String),
}

/// Which states the activity list shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ActivityFilter {
    #[default]
    All,
    InProgress,
    Done,
    /// Failed, cancelled or superseded.
    Failed,
    /// Needs check or timed out.
    NeedsCheck,
}

impl ActivityFilter {
    pub fn admits(self, phase: Phase) -> bool {
        match self {
            ActivityFilter::All => true,
            ActivityFilter::InProgress => phase.is_open(),
            ActivityFilter::Done => phase == Phase::Succeeded,
            ActivityFilter::Failed => {
                matches!(phase, Phase::Failed | Phase::Cancelled | Phase::Superseded)
            }
            ActivityFilter::NeedsCheck => matches!(phase, Phase::NeedsCheck | Phase::TimedOut),
        }
    }
}

/// What a button on a VM stands for: one action, or the graceful stop that powers off after a
/// countdown (a tracked workflow).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Command {
    Action(ActionKind),
    Stop,
}

impl Command {
    pub fn label(self) -> &'static str {
        match self {
            Command::Action(k) => k.label(),
            Command::Stop => "Stop",
        }
    }

    /// A stable name for tests and styling: `Reboot`, `Stop`.
    pub fn id(self) -> String {
        match self {
            Command::Action(k) => format!("{k:?}"),
            Command::Stop => "Stop".into(),
        }
    }

    pub fn is_destructive(self) -> bool {
        matches!(self, Command::Action(k) if k.is_destructive())
    }
}

/// One button for one VM: enabled or why not, and what it will do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    pub command: Command,
    /// `None` when it may run now; else why not, in words.
    pub reason: Option<String>,
    /// What it does, for the tooltip of an enabled button.
    pub hint: String,
}

/// A VM's running operation, as its row and page show it.
#[derive(Clone, Debug, PartialEq)]
pub struct Busy {
    /// "rebooting…"
    pub label: String,
    pub phase: Phase,
    /// The provider's own percentage, where it gives one.
    pub progress: Option<u8>,
    /// When the provider accepted it (or we sent it, until it answers).
    pub since: Millis,
    /// How long this kind usually takes on this provider (learned).
    pub typical: Option<Millis>,
}

impl Busy {
    /// "Verifying · 12 s, usually ~20 s" / "In progress · 45 % · 12 s".
    pub fn describe(&self, now: Millis) -> String {
        format!(
            "{} · {}",
            self.phase.label(),
            self.so_far(now, ", usually ~")
        )
    }

    /// For a table cell: "12 s of ~20 s", "45 % · 12 s", "12 s".
    pub fn short(&self, now: Millis) -> String {
        self.so_far(now, " of ~")
    }

    /// The provider's percentage and the time so far, or the time against the usual.
    fn so_far(&self, now: Millis, against: &str) -> String {
        let elapsed = format_elapsed(now - self.since);
        match (self.progress, self.typical) {
            (Some(p), _) => format!("{p} % · {elapsed}"),
            (None, Some(t)) => format!("{elapsed}{against}{}", format_duration(round_typical(t))),
            (None, None) => elapsed,
        }
    }
}

/// Typical durations are estimates: say them in round figures.
fn round_typical(ms: Millis) -> Millis {
    let s = (ms + 500) / 1000;
    let rounded = match s {
        0..=9 => s.max(1),
        10..=59 => (s + 2) / 5 * 5,
        60..=599 => (s + 15) / 30 * 30,
        _ => (s + 30) / 60 * 60,
    };
    rounded * 1000
}

impl Engine {
    /// The buttons a VM shows, in order, each enabled or with the reason it is not.
    pub fn choices(&self, conn: &str, vm_id: &str) -> Vec<Choice> {
        let base = self.action_choices(conn, vm_id);
        let has = |k: ActionKind| base.iter().any(|(kind, _)| *kind == k);
        let stop = Plan::Stop {
            grace_s: DEFAULT_STOP_GRACE_S,
        };
        let mut out = Vec::new();
        for (kind, allowed) in &base {
            let mut choice = Choice {
                command: Command::Action(*kind),
                reason: allowed.clone().err(),
                hint: kind.label().to_string(),
            };
            if *kind == ActionKind::Resize && self.resize_needs_stop(conn, vm_id) {
                choice.reason = None;
                choice.hint = "The VM must be off to resize: Vigil stops it, resizes it and \
                               starts it again, as one operation."
                    .into();
            }
            out.push(choice);
            if *kind == ActionKind::Shutdown && has(ActionKind::PowerOff) {
                out.push(Choice {
                    command: Command::Stop,
                    reason: self.plan_allowed(conn, vm_id, &stop).err(),
                    hint: "Shut down gracefully, then power off if the VM is still running \
                           when the countdown ends."
                        .into(),
                });
            }
        }
        out
    }

    /// A resize the provider refuses only because the VM runs, and that Vigil can do as
    /// stop → resize → start ([`Plan::ColdResize`]) instead.
    pub fn resize_needs_stop(&self, conn: &str, vm_id: &str) -> bool {
        let running = self
            .vm(conn, vm_id)
            .is_some_and(|v| v.power == PowerState::Running && !v.locked);
        let stop = Plan::Stop {
            grace_s: DEFAULT_STOP_GRACE_S,
        };
        running
            && self.allowed(conn, vm_id, ActionKind::Resize).is_err()
            && self.plan_allowed(conn, vm_id, &stop).is_ok()
    }

    /// Whether "Retry" may run this operation's action again now: it ended without the VM
    /// showing its result, and the action is allowed on the VM as it is.
    pub fn can_retry(&self, op_id: &str) -> bool {
        self.operation(op_id).is_some_and(|o| {
            matches!(
                o.phase,
                Phase::Failed | Phase::Cancelled | Phase::TimedOut | Phase::NeedsCheck
            ) && self
                .allowed(&o.connection, &o.vm_id, o.action.kind())
                .is_ok()
        })
    }

    /// The activity list, newest first: workflows (their steps inside them) and the
    /// operations of no workflow, in the states `filter` admits, optionally of one VM.
    pub fn activity(&self, filter: ActivityFilter, vm: Option<(&str, &str)>) -> Vec<ActivityItem> {
        let of_vm = |c: &str, v: &str| vm.is_none_or(|(vc, vv)| vc == c && vv == v);
        let mut list: Vec<(Millis, ActivityItem)> = self
            .workflows()
            .iter()
            .filter(|w| of_vm(&w.connection, &w.vm_id) && filter.admits(w.phase))
            .map(|w| (w.started_at, ActivityItem::Workflow(w.id.clone())))
            .collect();
        list.extend(
            self.operations()
                .iter()
                .filter(|o| {
                    of_vm(&o.connection, &o.vm_id)
                        && filter.admits(o.phase)
                        && self.workflow_for_op(&o.id).is_none()
                })
                .map(|o| (o.submitted_at, ActivityItem::Op(o.id.clone()))),
        );
        list.sort_by_key(|x| std::cmp::Reverse(x.0));
        list.into_iter().map(|(_, i)| i).collect()
    }

    /// The operation (or workflow) open on a VM, as its row shows it.
    pub fn busy_on(&self, conn: &str, vm_id: &str) -> Option<Busy> {
        let op = self.open_op_for(conn, vm_id);
        if let Some(wf) = self.open_workflow_for(conn, vm_id) {
            let n = wf.steps.len();
            let step = wf
                .steps
                .iter()
                .position(|s| Some(s) == wf.current_step())
                .map(|i| format!(" · step {} of {n}: {}", i + 1, wf.steps[i].label))
                .unwrap_or_default();
            return Some(Busy {
                label: format!("{}{step}", wf.plan.describe()),
                phase: op.map_or(Phase::InProgress, |o| o.phase),
                progress: op.and_then(|o| o.progress),
                since: op
                    .map(|o| o.accepted_at.unwrap_or(o.submitted_at))
                    .unwrap_or(wf.started_at),
                typical: op.and_then(|o| self.typical_duration(conn, o.action.kind())),
            });
        }
        let op = op?;
        Some(Busy {
            label: op.action.kind().progressive().to_string(),
            phase: op.phase,
            progress: op.progress,
            since: op.accepted_at.unwrap_or(op.submitted_at),
            typical: self.typical_duration(conn, op.action.kind()),
        })
    }
}
