//! The domain: VMs, the actions a user can ask for, what they target, and operations with their
//! lifecycle. No English here: [`crate::words`] renders every value for the user.

mod action;
mod action_targets;
mod expectation;
mod hostname;
mod mismatch;
mod names;
mod operation;
mod point;
mod proof;
mod resexpect;
mod resource;
mod spec;
mod target;
mod vm;
mod vmexpect;
mod vmnet;

pub use action::{
    Action, ActionKind, BootFrom, Resize, Resource, VmSpec, VolumeSpec, CURRENT_IMAGE,
};
pub use hostname::{check_hostname, normal_hostname, HOSTNAME_LABEL_MAX, HOSTNAME_MAX};
pub use names::{check_name, is_invisible};
pub use operation::{Operation, Origin, Phase, ProviderRef, RefKind, TaskState};
pub use point::{normalize_time, Point, PointKind, PointList, PointState};
pub use proof::{Evidence, Proof, TaskEnd};
pub use resource::{
    forward_name, ForwardSpec, Member, Protocol, Res, ResDetail, ResList, ResState, ResourceKind,
    Scope,
};
pub use target::{
    Addressed, Expect, Mismatch, NetExpect, PointSeen, PowerTarget, ResExpect, ResSeen, ResTarget,
    Seen, Target, VmExpect,
};
pub use vm::{Address, PowerState, Size, Vm, VmNetwork};
pub use vmexpect::{NewAddress, PtrExpect};
pub use vmnet::{
    check_ptr, check_rules, port_range, same_ptr, ConsoleSession, FirewallRule, FwAction,
    FwDirection, FwProtocol, MAX_PORT, MAX_RULES,
};
