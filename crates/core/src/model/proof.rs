//! What proves that an operation happened.
//!
//! A VM that shows the state an action was meant to reach proves the action only where it did
//! not show that state before: a start (the VM was off), a rename to a new name. A reboot, a
//! power cycle, a password reset or a backup restore leave the VM looking as they found it, and
//! so does a rename to the name it has: for these the VM's state says nothing, and only
//! **evidence** proves them —
//!
//! - the provider's own report of the task's success, read under the id it gave for ours
//!   ([`TaskEnd::Reported`]: Erigones' task status, cloudsfor's action found by type and start,
//!   ONETSolutions' task, ZennoHosting's `operationStatus` tied to our command);
//! - where the provider reports nothing else, its resource leaving the busy state our action put
//!   it in ([`TaskEnd::Settled`] where [`crate::dialect::Caps::settles_as_report`]: Hostway's
//!   `PROCESSING`);
//! - for an action that boots the VM, a boot seen after the action was accepted (Erigones'
//!   `uptime`, read as seconds since the VM came up).
//!
//! A task that vanished ([`TaskEnd::Gone`]: a `404`, "does not exist") or whose traces were
//! cleared ([`TaskEnd::Settled`] elsewhere: ZennoHosting's `operation: null`) without such
//! evidence ends *Needs check*, never *done*.

use serde::{Deserialize, Serialize};

use crate::model::{Action, ActionKind, Expect, Vm};
use crate::time::Millis;

/// What proves an action happened, besides its task's end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Proof {
    /// The VM showing the target proves it: the VM did not show it before.
    Target,
    /// The VM showed the target before the action as after it: only evidence proves it (see
    /// the module). `boots`: the action boots the VM, so a boot after acceptance is evidence.
    Evidence { boots: bool },
}

/// How the end of an operation's task was seen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TaskEnd {
    /// The provider reported the task finished, under the id it gave for ours.
    Reported,
    /// The provider no longer knows the task (a `404` for its id).
    Gone,
    /// The resource shows nothing under way any more (Hostway back from `PROCESSING`,
    /// ZennoHosting's status fields cleared, the task gone from Erigones' pending tasks), and
    /// nothing reports how it ended. `seen_working`: the provider was seen working on ours.
    Settled { seen_working: bool },
    /// Its task was never followed to an end (a submit whose answer was lost, checked by hand).
    Unseen,
}

impl TaskEnd {
    /// The provider said how it ended.
    pub fn is_reported(self) -> bool {
        self == TaskEnd::Reported
    }
}

impl ActionKind {
    /// Whether the action leaves the VM looking as it found it whatever it did: a reboot or a
    /// power cycle leave it running, a password reset changes nothing the API shows, a restore
    /// replaces the disk and boots the VM as it was. Only evidence proves these.
    pub fn leaves_vm_as_found(self) -> bool {
        matches!(
            self,
            ActionKind::Reboot
                | ActionKind::PowerCycle
                | ActionKind::PasswordReset
                | ActionKind::RestoreBackup
                | ActionKind::RestoreSnapshot
                | ActionKind::SnapshotToImage
                // The host's state read again: the VM may show nothing new.
                | ActionKind::SyncState
                // Only the provider's report of how it ended tells: "settled" says nothing.
                | ActionKind::Elsewhere
                // The node's status stored: nothing the VM shows changes.
                | ActionKind::RefreshFromNode
        )
    }

    /// Whether the action boots the VM when it works (a boot after its acceptance is evidence).
    pub fn boots(self) -> bool {
        matches!(
            self,
            ActionKind::Reboot
                | ActionKind::PowerCycle
                | ActionKind::RestoreBackup
                | ActionKind::Rebuild
                | ActionKind::Start
                | ActionKind::StartFromIso
        )
    }
}

impl Proof {
    /// The rule where nothing is known of the VM before (an operation kept by an older version).
    pub fn of_kind(kind: ActionKind) -> Proof {
        if kind.leaves_vm_as_found() {
            Proof::Evidence {
                boots: kind.boots(),
            }
        } else {
            Proof::Target
        }
    }
}

impl Action {
    /// What proves this action happened: `expect` is what it must show, `before` the VM as seen
    /// when it was asked for (none for a new VM).
    pub fn proof(&self, before: Option<&Vm>, expect: &Expect) -> Proof {
        let kind = self.kind();
        let shown_before = before.is_some_and(|vm| expect.check(Some(vm)).is_ok());
        if kind.leaves_vm_as_found() || shown_before {
            Proof::Evidence {
                boots: kind.boots(),
            }
        } else {
            Proof::Target
        }
    }
}

/// What is known, besides the VM's state, when an operation is checked.
#[derive(Clone, Copy, Debug, Default)]
pub struct Evidence {
    /// The provider's resource settling is its whole report (Hostway).
    pub settles_as_report: bool,
    /// The VM has been up since no earlier than this (from its uptime, counted from when the
    /// data was asked for).
    pub up_since: Option<Millis>,
}

impl Proof {
    /// Whether the operation, accepted at `accepted_at` and whose task ended as `end`, is proven
    /// by what is known besides its target state (`Target`: always).
    pub fn proven(self, end: TaskEnd, accepted_at: Option<Millis>, ev: Evidence) -> bool {
        let Proof::Evidence { boots } = self else {
            return true;
        };
        match end {
            TaskEnd::Reported => true,
            TaskEnd::Settled { .. } if ev.settles_as_report => true,
            _ => boots && matches!((ev.up_since, accepted_at), (Some(up), Some(at)) if up > at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::VmId;
    use crate::model::{Addressed, PowerState, Resize, Resource, Size};

    fn vm(power: PowerState, name: &str) -> Vm {
        Vm {
            id: VmId::new("v"),
            name: name.into(),
            status_raw: format!("{power:?}"),
            power,
            locked: false,
            size: Size {
                vcpus: Some(2),
                memory_gb: Some(4),
                disk_gb: Some(50),
                flavor: None,
            },
            region: None,
            image: None,
            snapshot_count: Some(1),
            project: None,
            addresses: Vec::new(),
            image_id: None,
            uptime_s: None,
            features: Vec::new(),
            networks: Vec::new(),
            vpc: None,
            status_only: false,
            hostname: None,
        }
    }

    fn proof(action: Action, before: &Vm) -> Proof {
        let expect = action.expectation(Some(before), Addressed::No);
        action.proof(Some(before), &expect)
    }

    #[test]
    fn every_kind_says_what_proves_it() {
        let (on, off) = (
            vm(PowerState::Running, "web"),
            vm(PowerState::Stopped, "web"),
        );
        let evidence = |boots| Proof::Evidence { boots };
        for (action, before, want) in [
            // The target state is the state they start from: evidence only.
            (Action::Reboot, &on, evidence(true)),
            (Action::PowerCycle, &on, evidence(true)),
            (Action::PasswordReset, &on, evidence(false)),
            (
                Action::RestoreBackup {
                    backup_id: "b".into(),
                    name: String::new(),
                },
                &on,
                evidence(true),
            ),
            // Even where the VM was off: a restore's disk is not something the VM shows.
            (
                Action::RestoreBackup {
                    backup_id: "b".into(),
                    name: String::new(),
                },
                &off,
                evidence(true),
            ),
            (Action::Rename { name: "web".into() }, &on, evidence(false)),
            (
                Action::Resize(Resize::One {
                    resource: Resource::Ram,
                    size: 4,
                }),
                &off,
                evidence(false),
            ),
            // The target differs from where they start: the target proves them.
            (Action::Start, &off, Proof::Target),
            (Action::Shutdown, &on, Proof::Target),
            (Action::PowerOff, &on, Proof::Target),
            (Action::Rename { name: "db".into() }, &on, Proof::Target),
            (
                Action::Resize(Resize::One {
                    resource: Resource::Ram,
                    size: 8,
                }),
                &off,
                Proof::Target,
            ),
            (
                Action::Snapshot {
                    name: "s".into(),
                    description: String::new(),
                },
                &on,
                Proof::Target,
            ),
            (Action::Delete { stop_first: false }, &on, Proof::Target),
        ] {
            assert_eq!(proof(action.clone(), before), want, "{action:?}");
        }
        let create = Action::Create(Box::default());
        let expect = create.expectation(None, Addressed::No);
        assert_eq!(create.proof(None, &expect), Proof::Target);
        // Kept by an older version: by kind alone.
        assert_eq!(Proof::of_kind(ActionKind::Reboot), evidence(true));
        assert_eq!(Proof::of_kind(ActionKind::Rename), Proof::Target);
    }

    #[test]
    fn evidence_is_a_report_under_our_id_a_settling_that_is_the_report_or_a_boot_after_acceptance()
    {
        let reboot = Proof::Evidence { boots: true };
        let reset = Proof::Evidence { boots: false };
        let at = Some(1_000);
        let none = Evidence::default();
        let booted = |up| Evidence {
            settles_as_report: false,
            up_since: Some(up),
        };
        assert!(reboot.proven(TaskEnd::Reported, at, none));
        assert!(!reboot.proven(TaskEnd::Gone, at, none));
        assert!(!reboot.proven(TaskEnd::Settled { seen_working: true }, at, none));
        assert!(!reboot.proven(TaskEnd::Unseen, at, none));
        // Up since after acceptance: booted by it. Up since before: not.
        assert!(reboot.proven(TaskEnd::Gone, at, booted(1_001)));
        assert!(!reboot.proven(TaskEnd::Gone, at, booted(1_000)));
        assert!(!reset.proven(TaskEnd::Gone, at, booted(5_000)));
        let hostway = Evidence {
            settles_as_report: true,
            up_since: None,
        };
        assert!(reset.proven(
            TaskEnd::Settled {
                seen_working: false
            },
            at,
            hostway
        ));
        assert!(!reset.proven(TaskEnd::Gone, at, hostway));
        assert!(Proof::Target.proven(TaskEnd::Gone, None, none));
    }
}
