//! Everything the page reads, read-only: connections, VMs, operations, workflows, bulks, and
//! the decisions about them (what a row shows, which buttons are enabled and why not, the
//! list's order, the activity list).

use serde::{Deserialize, Serialize};

use crate::catalogue::{Catalogue, Field};
use crate::dialect::{Caps, ConnectionConfig};
use crate::engine::command::{Command, Pace};
use crate::engine::inventory::ListState;
use crate::engine::rules;
use crate::engine::workflows::{summary, Workflows};
use crate::engine::Core;
use crate::ids::{BulkId, ConnId, OpId, VmId, WfId};
use crate::model::{ActionKind, Operation, Origin, Phase, PowerState, Vm, VmSpec};
use crate::time::Millis;
use crate::words::{Refusal, StepLabel};
use crate::workflow::{Bulk, BulkSummary, Plan, Workflow, DEFAULT_STOP_GRACE_S};

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
    /// Matched, case-insensitively, against name, id, region, status and IP addresses.
    pub query: String,
    /// Only this connection's VMs.
    pub connection: Option<ConnId>,
    pub state: StateFilter,
    pub sort: SortKey,
}

/// A row of the VM list: a VM, or a new one the provider has not listed yet.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RowKey {
    Vm(ConnId, VmId),
    /// A create whose VM is not in the list yet ("creating…").
    Creating(OpId),
}

/// One line of the activity list: a workflow (with its steps) or an operation of no workflow.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ActivityItem {
    Op(OpId),
    Workflow(WfId),
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
            ActivityFilter::NeedsCheck => phase.needs_check(),
        }
    }
}

/// What a button on a VM stands for: one action, or the graceful stop that powers off after a
/// countdown (a tracked workflow).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum VmCommand {
    Action(ActionKind),
    Stop,
}

impl VmCommand {
    /// A stable name for tests and styling: `Reboot`, `Stop`.
    pub fn id(self) -> String {
        match self {
            VmCommand::Action(k) => format!("{k:?}"),
            VmCommand::Stop => "Stop".into(),
        }
    }

    pub fn is_destructive(self) -> bool {
        matches!(self, VmCommand::Action(k) if k.is_destructive())
    }
}

/// One button for one VM: enabled or why not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    pub command: VmCommand,
    /// `None` when it may run now; else why not.
    pub reason: Option<Refusal>,
    /// A resize the provider takes only with the VM off, which Vigil runs as stop → resize →
    /// start.
    pub through_stop: bool,
}

/// A VM's running operation, as its row and page show it.
#[derive(Clone, Debug, PartialEq)]
pub struct Busy {
    pub kind: ActionKind,
    /// The workflow it is a step of: its plan, the step under way (1-based), how many there
    /// are, and the step's label.
    pub workflow: Option<(Plan, usize, usize, StepLabel)>,
    pub phase: Phase,
    /// The provider's own percentage, where it gives one.
    pub progress: Option<u8>,
    /// When the provider accepted it (or we sent it, until it answers).
    pub since: Millis,
    /// How long this kind usually takes on this provider (learned).
    pub typical: Option<Millis>,
    /// Who started it: this console, or someone elsewhere (the provider's panel, its CLI, a
    /// colleague), with what the provider calls it ([`crate::model::Action::Elsewhere`]).
    pub origin: Origin,
    /// What the provider calls an operation started elsewhere (empty until it says).
    pub elsewhere_as: Option<String>,
}

impl Busy {
    /// "rebooting…", "Stop · step 1 of 2: Shut down".
    pub fn label(&self) -> String {
        match &self.elsewhere_as {
            Some(raw) if self.workflow.is_none() => crate::words::elsewhere_progressive(raw),
            _ => crate::words::busy_label(self.kind, self.workflow.as_ref()),
        }
    }

    /// "started elsewhere by casey@example.com"; `None` for this console's own.
    pub fn started_by(&self) -> Option<String> {
        crate::words::origin(&self.origin)
    }

    /// "Verifying · 12 s, usually ~20 s" / "In progress · 45 % · 12 s".
    pub fn describe(&self, now: Millis) -> String {
        format!(
            "{} · {}",
            crate::words::phase_label(self.phase),
            crate::words::so_far(
                now.saturating_sub(self.since),
                self.progress,
                self.typical,
                ", usually ~"
            )
        )
    }

    /// For a table cell: "12 s of ~20 s", "45 % · 12 s", "12 s".
    pub fn short(&self, now: Millis) -> String {
        crate::words::so_far(
            now.saturating_sub(self.since),
            self.progress,
            self.typical,
            " of ~",
        )
    }
}

/// Read-only access to the engine.
pub struct View<'a> {
    pub(crate) core: &'a Core,
    pub(crate) wfs: &'a Workflows,
    pace: Pace,
}

impl<'a> View<'a> {
    pub(crate) fn new(core: &'a Core, wfs: &'a Workflows, pace: Pace) -> Self {
        View { core, wfs, pace }
    }

    pub fn pace(&self) -> Pace {
        self.pace
    }

    // ----- connections and VMs ---------------------------------------------------------------

    pub fn connections(&self) -> impl Iterator<Item = &'a ConnectionConfig> {
        self.core.conns.values().map(|c| &c.cfg)
    }

    pub fn connection(&self, id: &ConnId) -> Option<&'a ConnectionConfig> {
        self.core.conn(id).map(|c| &c.cfg)
    }

    pub fn caps(&self, conn: &ConnId) -> Option<&'static Caps> {
        self.core.conn(conn).map(|c| c.caps)
    }

    pub fn vms(&self, conn: &ConnId) -> &'a [Vm] {
        self.core.conn(conn).map(|c| c.inv.all()).unwrap_or(&[])
    }

    pub fn vm(&self, conn: &ConnId, vm: &VmId) -> Option<&'a Vm> {
        self.core.vm(conn, vm)
    }

    pub fn list_state(&self, conn: &ConnId) -> Option<&'a ListState> {
        self.core.conn(conn).and_then(|c| c.inv.list.as_ref())
    }

    /// The create form's choices, once asked for ([`crate::Command::LoadCatalogue`]).
    /// A VM's snapshots or backups as last read (`None`: never asked for); ask with
    /// [`Command::ReadPoints`].
    pub fn points(
        &self,
        conn: &ConnId,
        vm: &VmId,
        kind: crate::model::PointKind,
    ) -> Option<&'a crate::model::PointList> {
        self.core.conn(conn)?.points.get(vm, kind)
    }

    /// A list of networks, public IPs, port forwards or volumes as last read (`None`: never
    /// asked for); ask with [`Command::ReadList`].
    pub fn list(
        &self,
        conn: &ConnId,
        scope: &crate::model::Scope,
        kind: crate::model::ResourceKind,
    ) -> Option<&'a crate::model::ResList> {
        self.core.conn(conn)?.lists.get(scope, kind)
    }

    pub fn catalogue(&self, conn: &ConnId) -> Option<&'a Catalogue> {
        self.core.conn(conn).and_then(|c| c.catalogue.as_ref())
    }

    /// Every problem with a new VM, by field, before anything is sent.
    pub fn check_create(&self, conn: &ConnId, spec: &VmSpec) -> Vec<(Field, Refusal)> {
        rules::create_problems(self.core, conn, spec)
    }

    /// The images the rebuild picker offers for this VM (see [`crate::rebuild::rebuild_images`]):
    /// the catalogue must be loaded ([`Command::LoadCatalogue`]) where the provider rebuilds
    /// from it.
    pub fn rebuild_images(
        &self,
        conn: &ConnId,
        vm: &VmId,
    ) -> Result<Vec<crate::rebuild::RebuildImage>, Refusal> {
        let c = self.core.conn(conn).ok_or(Refusal::UnknownConnection)?;
        let vm = c.inv.get(vm).ok_or(Refusal::VmNotListed)?;
        crate::rebuild::rebuild_images(c.caps, c.catalogue.as_ref(), vm)
    }

    /// The sizes the resize picker offers for this VM (see [`crate::resize::sizes`]): the
    /// catalogue must be loaded ([`Command::LoadCatalogue`]).
    pub fn resize_sizes(
        &self,
        conn: &ConnId,
        vm: &VmId,
    ) -> Result<Vec<crate::resize::SizeChoice>, Refusal> {
        let c = self.core.conn(conn).ok_or(Refusal::UnknownConnection)?;
        let vm = c.inv.get(vm).ok_or(Refusal::VmNotListed)?;
        crate::resize::sizes(c.caps, c.catalogue.as_ref(), vm)
    }

    /// The ISO images a VM of this connection can start from ("Start from ISO…"), once its
    /// catalogue is loaded ([`Command::LoadCatalogue`]).
    pub fn iso_images(&self, conn: &ConnId) -> crate::boot::IsoList {
        match self.core.conn(conn) {
            Some(c) => crate::boot::iso_images(c.caps, c.catalogue.as_ref()),
            None => crate::boot::IsoList::Absent(Refusal::UnknownConnection),
        }
    }

    /// Whether VMs may be created on this connection (else why not: not offered, or the role).
    pub fn create_allowed(&self, conn: &ConnId) -> Result<(), Refusal> {
        rules::create_allowed(self.core, conn)
    }

    // ----- operations, workflows, bulks ---------------------------------------------------

    /// Every operation, oldest first.
    pub fn operations(&self) -> impl Iterator<Item = &'a Operation> {
        self.core.ops.iter().map(|r| &r.op)
    }

    pub fn operation(&self, id: &OpId) -> Option<&'a Operation> {
        self.core.ops.get(id).map(|r| &r.op)
    }

    /// Looks and reads the operation has cost so far (this tab, since it was resumed).
    pub fn polls(&self, id: &OpId) -> u32 {
        self.core.ops.get(id).map_or(0, |r| r.sched.polls)
    }

    pub fn open_op_for(&self, conn: &ConnId, vm: &VmId) -> Option<&'a Operation> {
        self.core.ops.open_on(conn, vm).map(|r| &r.op)
    }

    /// Every workflow, oldest first.
    pub fn workflows(&self) -> impl Iterator<Item = &'a Workflow> {
        self.wfs.list.iter().map(|r| &r.wf)
    }

    pub fn workflow(&self, id: &WfId) -> Option<&'a Workflow> {
        self.wfs.get(id).map(|r| &r.wf)
    }

    pub fn workflow_for_op(&self, op: &OpId) -> Option<&'a Workflow> {
        self.wfs.for_op(op)
    }

    pub fn open_workflow_for(&self, conn: &ConnId, vm: &VmId) -> Option<&'a Workflow> {
        self.wfs.open_on(conn, vm)
    }

    pub fn bulks(&self) -> &'a [Bulk] {
        &self.wfs.bulks
    }

    pub fn bulk(&self, id: &BulkId) -> Option<&'a Bulk> {
        self.wfs.bulks.iter().find(|b| &b.id == id)
    }

    /// Each VM's outcome and the counts.
    pub fn bulk_summary(&self, id: &BulkId) -> Option<BulkSummary> {
        Some(summary(self.core, self.wfs, self.bulk(id)?))
    }

    /// Everything as it is kept across reloads (what the [`crate::Event::Save`]s so far add up
    /// to).
    pub fn saved_state(&self) -> crate::workflow::SavedState {
        crate::engine::sync::kept_state(self.core, self.wfs)
    }

    // ----- what may run ---------------------------------------------------------------------

    /// Whether `cmd` would be refused now, and why: the same checks
    /// [`crate::Engine::handle_command`] makes before it carries a command out, without
    /// carrying it out. A following tab asks before it forwards an intent to the polling one.
    pub fn check(&self, cmd: &Command) -> Result<(), Refusal> {
        rules::check(self.core, self.wfs, cmd)
    }

    /// What a delete of this VM would send: a forced power off first where the provider
    /// deletes only stopped VMs and this one is not ([`crate::Action::Delete`]).
    pub fn delete_action(&self, conn: &ConnId, vm: &VmId) -> Option<crate::Action> {
        let vm = self.core.vm(conn, vm)?;
        self.caps(conn)?.delete?;
        Some(rules::delete_action(self.core, conn, vm))
    }

    pub fn allowed(&self, conn: &ConnId, vm: &VmId, kind: ActionKind) -> Result<(), Refusal> {
        rules::allowed(self.core, self.wfs, conn, vm, kind)
    }

    pub fn plan_allowed(&self, conn: &ConnId, vm: &VmId, plan: &Plan) -> Result<(), Refusal> {
        rules::plan_allowed(self.core, self.wfs, conn, vm, plan)
    }

    pub fn resize_needs_stop(&self, conn: &ConnId, vm: &VmId) -> bool {
        rules::resize_needs_stop(self.core, self.wfs, conn, vm)
    }

    pub fn can_cancel(&self, op: &OpId) -> bool {
        rules::can_cancel(self.core, op)
    }

    pub fn can_force_now(&self, wf: &WfId) -> bool {
        rules::can_force_now(self.wfs, wf)
    }

    pub fn can_retry(&self, op: &OpId) -> bool {
        rules::can_retry(self.core, self.wfs, op)
    }

    /// How long `kind` usually takes on this connection's provider (learned, or the prior).
    pub fn typical_duration(&self, conn: &ConnId, kind: ActionKind) -> Option<Millis> {
        let dialect = self.core.conn(conn)?.cfg.dialect;
        self.core.policy.typical(dialect, kind)
    }

    /// The buttons a VM shows, in order, each enabled or with the reason it is not.
    pub fn choices(&self, conn: &ConnId, vm: &VmId) -> Vec<Choice> {
        let Some(c) = self.core.conn(conn) else {
            return Vec::new();
        };
        let stop = Plan::Stop {
            grace_s: DEFAULT_STOP_GRACE_S,
        };
        let mut kinds: Vec<ActionKind> = c.caps.actions.to_vec();
        if c.caps.delete.is_some() {
            kinds.push(ActionKind::Delete);
        }
        let mut out = Vec::new();
        for kind in kinds {
            let mut choice = Choice {
                command: VmCommand::Action(kind),
                reason: self.allowed(conn, vm, kind).err(),
                through_stop: false,
            };
            if kind == ActionKind::Resize && self.resize_needs_stop(conn, vm) {
                choice.reason = None;
                choice.through_stop = true;
            }
            out.push(choice);
            if kind == ActionKind::Shutdown && c.caps.offers(ActionKind::PowerOff) {
                out.push(Choice {
                    command: VmCommand::Stop,
                    reason: self.plan_allowed(conn, vm, &stop).err(),
                    through_stop: false,
                });
            }
        }
        out
    }

    // ----- lists ----------------------------------------------------------------------------

    fn busy(&self, conn: &ConnId, vm: &Vm) -> bool {
        vm.locked || vm.power.is_transitional() || self.open_op_for(conn, &vm.id).is_some()
    }

    fn matches(&self, filter: &VmFilter, conn: &ConnId, vm: &Vm) -> bool {
        if filter.connection.as_ref().is_some_and(|c| c != conn) {
            return false;
        }
        let busy = self.busy(conn, vm);
        let state_ok = match filter.state {
            StateFilter::All => true,
            StateFilter::Running => vm.power == PowerState::Running && !busy,
            StateFilter::Stopped => vm.power == PowerState::Stopped && !busy,
            StateFilter::Busy => busy,
            StateFilter::Unknown => matches!(vm.power, PowerState::Unknown(_)),
        };
        let q = filter.query.trim().to_lowercase();
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
                .chain(vm.addresses.iter().map(|a| a.ip.as_str()))
                .any(|f| f.to_lowercase().contains(&q)))
    }

    /// The rows to show, filtered and in order: new VMs not listed yet first.
    pub fn vm_rows(&self, filter: &VmFilter) -> Vec<RowKey> {
        let mut rows: Vec<RowKey> = self
            .creating()
            .filter(|op| {
                filter
                    .connection
                    .as_ref()
                    .is_none_or(|c| c == &op.connection)
            })
            .filter(|_| matches!(filter.state, StateFilter::All | StateFilter::Busy))
            .map(|op| RowKey::Creating(op.id.clone()))
            .collect();
        let mut listed: Vec<(&ConnectionConfig, &Vm)> = self
            .core
            .conns
            .values()
            .flat_map(|c| {
                c.inv
                    .all()
                    .iter()
                    .filter(|v| self.matches(filter, &c.cfg.id, v))
                    .map(move |v| (&c.cfg, v))
            })
            .collect();
        // Keys computed once per row, not once per comparison (10,000 VMs re-sort on answers).
        let name_key = |v: &Vm| (crate::present::natural_key(&v.name), v.id.clone());
        match filter.sort {
            SortKey::Name => listed.sort_by_cached_key(|r| name_key(r.1)),
            SortKey::Provider => {
                listed.sort_by_cached_key(|r| (r.0.name.to_lowercase(), name_key(r.1)))
            }
            SortKey::Status => {
                listed.sort_by_cached_key(|r| (self.status_label(&r.0.id, r.1), name_key(r.1)))
            }
        }
        rows.extend(
            listed
                .into_iter()
                .map(|(c, v)| RowKey::Vm(c.id.clone(), v.id.clone())),
        );
        rows
    }

    /// Open creates whose VM is not in the list yet.
    pub fn creating(&self) -> impl Iterator<Item = &'a Operation> + '_ {
        self.operations().filter(|op| {
            op.is_open()
                && op.action.kind() == ActionKind::Create
                && op
                    .vm_id()
                    .is_none_or(|id| self.vm(&op.connection, id).is_none())
        })
    }

    /// What the VM's row says: the running operation's verb, else the provider's status.
    pub fn status_label(&self, conn: &ConnId, vm: &Vm) -> String {
        match self.open_op_for(conn, &vm.id) {
            Some(op) => match &op.action {
                crate::model::Action::Elsewhere { raw } => crate::words::elsewhere_progressive(raw),
                a => crate::words::progressive(a.kind()).to_string(),
            },
            None if vm.locked => format!("{} (locked)", vm.status_raw),
            None => vm.status_raw.clone(),
        }
    }

    /// The activity list, newest first: workflows (their steps inside them) and the
    /// operations of no workflow, in the states `filter` admits, optionally of one VM.
    pub fn activity(
        &self,
        filter: ActivityFilter,
        vm: Option<(&ConnId, &VmId)>,
    ) -> Vec<ActivityItem> {
        let of_vm =
            |c: &ConnId, v: Option<&VmId>| vm.is_none_or(|(vc, vv)| vc == c && v == Some(vv));
        let mut list: Vec<(Millis, ActivityItem)> = self
            .workflows()
            .filter(|w| of_vm(&w.connection, Some(&w.vm_id)) && filter.admits(w.phase))
            .map(|w| (w.started_at, ActivityItem::Workflow(w.id.clone())))
            .collect();
        list.extend(
            self.operations()
                .filter(|o| {
                    of_vm(&o.connection, o.vm_id())
                        && filter.admits(o.phase)
                        && self.workflow_for_op(&o.id).is_none()
                })
                .map(|o| (o.submitted_at, ActivityItem::Op(o.id.clone()))),
        );
        list.sort_by_key(|x| std::cmp::Reverse(x.0));
        list.into_iter().map(|(_, i)| i).collect()
    }

    /// The operation (or workflow) open on a VM, as its row shows it.
    pub fn busy_on(&self, conn: &ConnId, vm: &VmId) -> Option<Busy> {
        let op = self.open_op_for(conn, vm);
        if let Some(wf) = self.open_workflow_for(conn, vm) {
            let step = wf.steps.iter().position(|s| Some(s) == wf.current_step());
            let workflow = step.map(|i| {
                (
                    wf.plan.clone(),
                    i + 1,
                    wf.steps.len(),
                    wf.steps[i].label.clone(),
                )
            });
            return Some(Busy {
                kind: op.map_or(ActionKind::Shutdown, |o| o.action.kind()),
                workflow,
                phase: op.map_or(Phase::InProgress, |o| o.phase),
                progress: op.and_then(|o| o.progress),
                since: op.map(Operation::since).unwrap_or(wf.started_at),
                typical: op.and_then(|o| self.typical_duration(conn, o.action.kind())),
                origin: Origin::Console,
                elsewhere_as: None,
            });
        }
        let op = op?;
        Some(self.busy_of(op))
    }

    /// An operation as a busy row shows it.
    pub fn busy_of(&self, op: &Operation) -> Busy {
        Busy {
            kind: op.action.kind(),
            workflow: None,
            phase: op.phase,
            progress: op.progress,
            since: op.since(),
            typical: self.typical_duration(&op.connection, op.action.kind()),
            origin: op.origin.clone(),
            elsewhere_as: match &op.action {
                crate::model::Action::Elsewhere { raw } => Some(raw.clone()),
                _ => None,
            },
        }
    }
}
