//! Every intent the engine takes: the user's, and what storage or other tabs bring.

use serde::{Deserialize, Serialize};

use crate::dialect::ConnectionConfig;
use crate::engine::sync::Share;
use crate::ids::{BulkId, ConnId, OpId, VmId, WfId};
use crate::model::{Action, VmSpec};
use crate::workflow::{BulkWork, Plan, SavedState};

/// How eagerly the shell wants the engine to work.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Pace {
    /// The page is visible: the policy's schedule as is.
    Foreground,
    /// The tab is hidden: at most one round of requests every [`super::BACKGROUND_GAP`].
    Background,
    /// No network: nothing is sent and nothing times out.
    Offline,
    /// Another tab polls: this one sends nothing and shows what that tab shares.
    Follower,
}

/// An intent. The user's ones may cross to the leading tab (serialised); those that carry
/// credentials or whole states refuse to be serialised, so they never leave the tab.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Command {
    /// One action on one VM.
    Act {
        conn: ConnId,
        vm: VmId,
        action: Action,
    },
    /// One action on a connection's networks, public IPs or port-forward rules
    /// ([`crate::model::ActionKind::res_kind`]): `scope` is the list the item is (or will be)
    /// in — a project's ([`crate::model::Scope::Place`]) or the connection's, a public IP's for
    /// its rules. Joining a VM to a network is an [`Command::Act`] on the VM.
    ActRes {
        conn: ConnId,
        scope: crate::model::Scope,
        action: Action,
    },
    /// A new VM.
    Create {
        conn: ConnId,
        spec: VmSpec,
    },
    /// Deletes a VM; `typed_name` is what the user typed back to confirm.
    Delete {
        conn: ConnId,
        vm: VmId,
        typed_name: String,
    },
    /// A workflow (Stop, stop → resize → start) on one VM.
    Workflow {
        conn: ConnId,
        vm: VmId,
        plan: Plan,
    },
    /// One action or plan on many VMs.
    Bulk {
        targets: Vec<(ConnId, VmId)>,
        work: BulkWork,
    },
    /// Asks the provider to cancel an operation's task.
    Cancel {
        op: OpId,
    },
    /// Looks again at a timed-out or uncertain operation.
    CheckNow {
        op: OpId,
    },
    /// Runs an operation that ended without its result again.
    Retry {
        op: OpId,
    },
    ForceNow {
        workflow: WfId,
    },
    CancelWorkflow {
        workflow: WfId,
    },
    /// Rolls a guarded change back to the snapshot it took first, where
    /// [`crate::View::rollback_offer`] offers it: a [`Plan::RollBack`] workflow.
    RollBack {
        wf: WfId,
    },
    /// Reads a VM's snapshots or backups now ([`crate::View::points`] shows them, a
    /// [`crate::engine::Change::Points`] says when they changed).
    ReadPoints {
        conn: ConnId,
        vm: VmId,
        kind: crate::model::PointKind,
    },
    /// Reads the provider's own history of the connection ("From the provider"): its newest
    /// page again, or (`more`) the next older one ([`crate::View::activity_feed`];
    /// [`crate::engine::Change::Activity`] says when it changed). Refused where the provider
    /// publishes none ([`crate::Caps::activity`]).
    ReadActivity {
        conn: ConnId,
        #[serde(default)]
        more: bool,
    },
    /// Reads a list now: a connection's (or its project's) networks or public IPs, a public
    /// IP's port forwards, a VM's volumes — or a VM's snapshots or backups (as
    /// [`Command::ReadPoints`]). [`crate::View::list`] shows it (snapshots and backups:
    /// [`crate::View::points`]); a [`crate::engine::Change::List`] says when it changed.
    ReadList {
        conn: ConnId,
        scope: crate::model::Scope,
        kind: crate::model::ResourceKind,
    },
    /// Lists a connection's VMs again now (also after refused credentials).
    Refresh {
        conn: ConnId,
    },
    /// Reads the provider's catalogues for the create form; with `region`, the parts that
    /// belong to the region chosen (ZennoHosting's project's SSH keys).
    LoadCatalogue {
        conn: ConnId,
        #[serde(default)]
        region: Option<String>,
    },
    /// Replaces the connections (settings saved): new ones list at once, gone ones end their
    /// operations as *Needs check*.
    #[serde(skip_serializing)]
    SetConnections(Vec<ConnectionConfig>),
    #[serde(skip_serializing)]
    AddConnection(ConnectionConfig),
    RemoveConnection(ConnId),
    /// Visibility, network, or leading/following.
    Pace(Pace),
    /// What was kept before a reload: operations resume, workflows go on.
    #[serde(skip_serializing)]
    Import(SavedState),
    /// The polling policy's learned durations, kept before a reload.
    ImportLearning(String),
    /// This tab polls now (the leading one went away): what it shows is resumed, kept and
    /// shared; it works at the foreground's pace until the next `Pace`.
    TakeOver,
    /// What the leading tab shares (a following tab): activity, VMs, and catalogues, which
    /// a following tab reads only this way (it forwards `LoadCatalogue` and `Create`).
    #[serde(skip_serializing)]
    Mirror(Share),
    /// A tab joined: share everything once.
    ShareAll,
    /// Forgets finished operations, workflows and bulks (the activity list is cleared).
    ClearFinished,
}

impl Command {
    /// Whether another tab may ask for it: the user's intents on operations, workflows, bulks
    /// and connections' VM lists. What only the tab itself says (its connections and their
    /// credentials, its pace, what its storage or the leading tab brings) never crosses.
    pub fn crosses_tabs(&self) -> bool {
        !matches!(
            self,
            Command::SetConnections(_)
                | Command::AddConnection(_)
                | Command::RemoveConnection(_)
                | Command::Pace(_)
                | Command::Import(_)
                | Command::ImportLearning(_)
                | Command::TakeOver
                | Command::Mirror(_)
                | Command::ShareAll
        )
    }

    /// A command from another tab's message: `None` when it does not read as one, or is one no
    /// tab may ask another for ([`Command::crosses_tabs`]).
    pub fn from_tab(text: &str) -> Option<Command> {
        serde_json::from_str::<Command>(text)
            .ok()
            .filter(Command::crosses_tabs)
    }
}

/// What a command started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Started {
    Op(OpId),
    Workflow(WfId),
    Bulk(BulkId),
    /// Done at once (nothing to follow).
    Nothing,
}

impl Started {
    pub fn op(&self) -> Option<&OpId> {
        match self {
            Started::Op(id) => Some(id),
            _ => None,
        }
    }

    pub fn workflow(&self) -> Option<&WfId> {
        match self {
            Started::Workflow(id) => Some(id),
            _ => None,
        }
    }

    pub fn bulk(&self) -> Option<&BulkId> {
        match self {
            Started::Bulk(id) => Some(id),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_users_intents_cross_tabs() {
        let act = Command::Act {
            conn: "c".into(),
            vm: "v1".into(),
            action: Action::Reboot,
        };
        let text = serde_json::to_string(&act).unwrap();
        assert_eq!(Command::from_tab(&text), Some(act));
        for local in [
            r#"{"SetConnections":[]}"#,
            r#"{"RemoveConnection":"c"}"#,
            r#"{"Import":{"operations":[]}}"#,
            r#"{"Pace":"Offline"}"#,
            r#""TakeOver""#,
            r#"{"ImportLearning":"[]"}"#,
            "not json",
        ] {
            assert_eq!(Command::from_tab(local), None, "{local}");
        }
        assert_eq!(
            Command::from_tab(r#""ClearFinished""#),
            Some(Command::ClearFinished)
        );
        // A rollback is the user's intent on a workflow: any tab may ask the polling one.
        let back = Command::RollBack { wf: "w1".into() };
        let text = serde_json::to_string(&back).unwrap();
        assert_eq!(Command::from_tab(&text), Some(back));
    }
}
