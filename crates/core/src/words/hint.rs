//! What the page says beside a form or a button that follows from a provider's facts or from
//! where things stand: typed values, decided here from [`Caps`] and the VM, said in English by
//! their [`std::fmt::Display`]. Tests assert on the values.

use serde::{Deserialize, Serialize};

use crate::dialect::{Caps, DialectKind};
use crate::model::{Action, ActionKind, Vm};
use crate::time::{format_elapsed, Millis, SECOND};
use crate::workflow::Workflow;

/// A sentence beside a form or a confirmation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Hint {
    // ----- confirmations of abrupt actions -----
    /// Power off: like pulling the plug.
    PowerOffLosesData,
    /// Power cycle: a hard reset.
    PowerCycleIsHard,
    /// Password reset: the old password stops working…
    PasswordReplaced,
    /// …and the provider delivers the new one itself.
    PasswordDeliveredByProvider,
    /// Restore: the disk is replaced by the backup.
    RestoreReplacesDisk,
    /// A snapshot restore (rollback) replaces the disk; newer snapshots may go.
    RollbackReplacesDisk,
    /// A deleted snapshot or backup cannot come back.
    PointDeleteIsFinal,
    /// A bulk of abrupt actions.
    AbruptForGuests,
    // ----- Stop -----
    /// The Stop counts down, and can be forced or cancelled meanwhile.
    StopCountsDown,
    /// The provider runs the countdown itself (Erigones' `stop` with `timeout`).
    ProviderCountsDown { provider: DialectKind },
    // ----- resizing -----
    /// Resizing by amounts: one changed resource is sent alone, several together.
    ResizeSendsChanged,
    // ----- hostname -----
    /// The hostname is changed inside the guest by a task; the VM's name stays.
    HostnameInGuest,
    // ----- snapshots -----
    /// The provider's snapshot rules.
    SnapshotRules {
        provider: DialectKind,
        max_per_vm: Option<usize>,
        unique_names: bool,
        refused_with_extra_volumes: bool,
    },
    /// The VM has as many snapshots as the provider keeps.
    SnapshotsFull { provider: DialectKind, max: usize },
    // ----- deleting -----
    /// A delete cannot be undone.
    DeleteIsForGood,
    /// The provider deletes only stopped VMs: this one is powered off first, as a step.
    PoweredOffFirst { provider: DialectKind },
    // ----- creating -----
    /// The provider generates the administrator password and shows it once: in this tab, or
    /// (`here` false) in the tab that polls.
    PasswordShownOnce { provider: DialectKind, here: bool },
    /// Another tab polls: it reads the provider's choices and this form shows them once read.
    ChoicesReadByPollingTab,
}

/// How a hint is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HintTone {
    /// The confirmation's own sentence.
    Plain,
    /// An aside.
    Aside,
    /// A warning: something is lost, or will be refused.
    Warning,
}

impl Hint {
    pub fn tone(&self) -> HintTone {
        match self {
            Hint::PowerOffLosesData
            | Hint::PowerCycleIsHard
            | Hint::PasswordReplaced
            | Hint::RestoreReplacesDisk
            | Hint::StopCountsDown => HintTone::Plain,
            Hint::AbruptForGuests | Hint::SnapshotsFull { .. } | Hint::DeleteIsForGood => {
                HintTone::Warning
            }
            _ => HintTone::Aside,
        }
    }

    /// What the confirmation of `kind` on one VM says before it runs.
    pub fn confirming(kind: ActionKind) -> Vec<Hint> {
        match kind {
            ActionKind::PowerOff => vec![Hint::PowerOffLosesData],
            ActionKind::PowerCycle => vec![Hint::PowerCycleIsHard],
            ActionKind::PasswordReset => {
                vec![Hint::PasswordReplaced, Hint::PasswordDeliveredByProvider]
            }
            ActionKind::RestoreBackup => vec![Hint::RestoreReplacesDisk],
            ActionKind::RestoreSnapshot => vec![Hint::RollbackReplacesDisk],
            ActionKind::DeleteSnapshot | ActionKind::DeleteBackup => vec![Hint::PointDeleteIsFinal],
            ActionKind::SetHostname => vec![Hint::HostnameInGuest],
            _ => Vec::new(),
        }
    }

    /// What the Stop form says: the countdown, and who runs it.
    pub fn stopping(caps: &Caps) -> Vec<Hint> {
        let mut out = vec![Hint::StopCountsDown];
        if caps.forces_stop {
            out.push(Hint::ProviderCountsDown {
                provider: caps.kind,
            });
        }
        out
    }

    /// What the snapshot form says: the provider's rules, and whether this VM is full.
    pub fn snapshotting(caps: &Caps, vm: &Vm) -> Vec<Hint> {
        let s = &caps.snapshots;
        let provider = caps.kind;
        let mut out = Vec::new();
        if s.max_per_vm.is_some() || s.unique_names || s.refused_with_extra_volumes {
            out.push(Hint::SnapshotRules {
                provider,
                max_per_vm: s.max_per_vm,
                unique_names: s.unique_names,
                refused_with_extra_volumes: s.refused_with_extra_volumes,
            });
        }
        if let Some(max) = s
            .max_per_vm
            .filter(|max| vm.snapshot_count.is_some_and(|n| n >= *max))
        {
            out.push(Hint::SnapshotsFull { provider, max });
        }
        out
    }

    /// What the delete confirmation says, for the delete the engine would send
    /// ([`crate::View::delete_action`]).
    pub fn deleting(caps: &Caps, delete: &Action) -> Vec<Hint> {
        let mut out = vec![Hint::DeleteIsForGood];
        if matches!(delete, Action::Delete { stop_first: true }) {
            out.push(Hint::PoweredOffFirst {
                provider: caps.kind,
            });
        }
        out
    }

    /// What the create form says besides its fields: a password shown once, where the
    /// provider generates one (`leads`: this tab polls, so the notice shows here).
    pub fn creating(caps: &Caps, leads: bool) -> Vec<Hint> {
        let once = caps.create.is_some_and(|c| c.shows_password_once);
        once.then_some(Hint::PasswordShownOnce {
            provider: caps.kind,
            here: leads,
        })
        .into_iter()
        .collect()
    }
}

impl std::fmt::Display for Hint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Hint::PowerOffLosesData => write!(
                f,
                "Power off cuts the power like pulling the plug: unsaved data in the VM is lost. \
                 Prefer Stop, which shuts down gracefully first."
            ),
            Hint::PowerCycleIsHard => write!(
                f,
                "Power cycle is a hard reset: the guest gets no chance to shut down cleanly."
            ),
            Hint::PasswordReplaced => write!(
                f,
                "The provider sets a new password for the VM's administrator account; the old \
                 one stops working."
            ),
            Hint::PasswordDeliveredByProvider => write!(
                f,
                "The provider's API does not return the new password to Vigil: it delivers it \
                 itself (usually by e-mail to the account owner). Vigil never stores passwords."
            ),
            Hint::RollbackReplacesDisk => write!(
                f,
                "Restoring replaces the VM's disk with the snapshot: changes since it was taken \
                 are lost, and the provider may delete newer snapshots."
            ),
            Hint::PointDeleteIsFinal => write!(f, "Deleting cannot be undone."),
            Hint::RestoreReplacesDisk => write!(
                f,
                "Restoring replaces the VM's disk with the backup: changes since the backup are \
                 lost."
            ),
            Hint::AbruptForGuests => write!(
                f,
                "This is abrupt for the guests: unsaved data in them is lost."
            ),
            Hint::StopCountsDown => write!(
                f,
                "{} You can force it or cancel while it counts down.",
                super::choice_hint(crate::engine::VmCommand::Stop, false)
            ),
            Hint::ProviderCountsDown { provider } => write!(
                f,
                "{} runs this countdown itself: the stop request carries it, and the provider \
                 forces the VM off when it ends.",
                provider.label()
            ),
            Hint::HostnameInGuest => write!(
                f,
                "The hostname is changed inside the VM by a task of the provider (letters, \
                 digits, hyphens and dots); the VM's name stays as it is."
            ),
            Hint::ResizeSendsChanged => write!(
                f,
                "Changing one resource sends it alone; several go together."
            ),
            Hint::SnapshotRules {
                provider,
                max_per_vm,
                unique_names,
                refused_with_extra_volumes,
            } => {
                let mut rules = Vec::new();
                if let Some(n) = max_per_vm {
                    rules.push(format!("keeps at most {n} snapshots per VM"));
                }
                if *unique_names {
                    rules.push("names must be unique on the VM".to_string());
                }
                if *refused_with_extra_volumes {
                    rules.push("VMs with extra volumes cannot be snapshotted".to_string());
                }
                write!(f, "{} {}.", provider.label(), rules.join("; "))
            }
            Hint::SnapshotsFull { provider, max } => write!(
                f,
                "This VM already has {max} snapshots: {} will refuse another. Delete one first.",
                provider.label()
            ),
            Hint::DeleteIsForGood => write!(
                f,
                "This cannot be undone: the VM and its data are gone for good."
            ),
            Hint::PoweredOffFirst { provider } => write!(
                f,
                "{} deletes only stopped VMs: Vigil powers this one off first, as a step of the \
                 delete.",
                provider.label()
            ),
            Hint::PasswordShownOnce { provider, here } => write!(
                f,
                "{} generates the administrator password with the VM: Vigil shows it once, in a \
                 notice{}, and keeps it nowhere.",
                provider.label(),
                if *here {
                    ""
                } else {
                    " in the tab that polls the providers"
                }
            ),
            Hint::ChoicesReadByPollingTab => write!(
                f,
                "The tab that polls the providers reads their choices; they show here as soon \
                 as it has them."
            ),
        }
    }
}

/// A Stop's countdown to power off, as the activity list shows it: how long is left, in whole
/// seconds rounded up and never more than the countdown itself, and who powers the VM off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Countdown {
    /// Left, in whole seconds (as ms).
    pub left: Millis,
    /// How far it has run, 0–100.
    pub percent: u8,
    /// The provider powers the VM off itself (Erigones).
    pub provider_forces: bool,
}

impl Countdown {
    /// The countdown of `wf` at `now`, while it runs.
    pub fn of(wf: &Workflow, now: Millis) -> Option<Countdown> {
        let left = wf.countdown_left(now)?;
        let total = wf.countdown.map(|(a, b)| b - a).unwrap_or(1).max(1);
        let percent = (100 - left * 100 / total).clamp(0, 100) as u8;
        Some(Countdown {
            left: ((left + SECOND - 1) / SECOND * SECOND).min(total),
            percent,
            provider_forces: wf.provider_forces,
        })
    }

    /// For the progress bar's accessible name: `Countdown to power off: 42 s left`.
    pub fn label(&self) -> String {
        format!("Countdown to power off: {} left", format_elapsed(self.left))
    }
}

impl std::fmt::Display for Countdown {
    /// `Powering off in 42 s unless it shuts down first.`
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let who = if self.provider_forces {
            "The provider powers it off"
        } else {
            "Powering off"
        };
        write!(
            f,
            "{who} in {} unless it shuts down first.",
            format_elapsed(self.left)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dialect::DialectKind;

    #[test]
    fn the_delete_confirmation_follows_the_delete_the_engine_sends() {
        let caps = DialectKind::Erigones.caps();
        assert_eq!(
            Hint::deleting(caps, &Action::Delete { stop_first: true }),
            vec![
                Hint::DeleteIsForGood,
                Hint::PoweredOffFirst {
                    provider: DialectKind::Erigones
                }
            ]
        );
        assert_eq!(
            Hint::deleting(caps, &Action::Delete { stop_first: false }),
            vec![Hint::DeleteIsForGood]
        );
    }

    #[test]
    fn snapshot_rules_come_from_the_caps() {
        let caps = DialectKind::Hostway.caps();
        let vm = Vm {
            id: "v".into(),
            name: "web-01".into(),
            power: crate::model::PowerState::Running,
            status_raw: "ACTIVE".into(),
            locked: false,
            size: crate::model::Size::default(),
            region: None,
            image: None,
            snapshot_count: Some(3),
            project: None,
            addresses: Vec::new(),
            image_id: None,
            uptime_s: None,
            features: Vec::new(),
            networks: Vec::new(),
            vpc: None,
            status_only: false,
            hostname: None,
        };
        let hints = Hint::snapshotting(caps, &vm);
        assert!(matches!(
            hints[0],
            Hint::SnapshotRules {
                max_per_vm: Some(3),
                unique_names: true,
                ..
            }
        ));
        assert_eq!(
            hints[1],
            Hint::SnapshotsFull {
                provider: DialectKind::Hostway,
                max: 3
            }
        );
        assert!(Hint::snapshotting(DialectKind::ZennoHosting.caps(), &vm).is_empty());
    }

    #[test]
    fn a_password_shown_once_says_where() {
        let caps = DialectKind::Hostway.caps();
        assert_eq!(
            Hint::creating(caps, false),
            vec![Hint::PasswordShownOnce {
                provider: DialectKind::Hostway,
                here: false
            }]
        );
        assert!(Hint::creating(DialectKind::Cloudsfor.caps(), true).is_empty());
    }
}
