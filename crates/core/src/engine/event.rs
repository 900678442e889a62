//! What the engine tells the shell: what changed (to re-render), notices (tone and words
//! decided here), and what to save and share.

use serde::{Deserialize, Serialize};

use crate::engine::sync::{Saved, Share};
use crate::ids::{BulkId, ConnId, OpId, VmId, WfId};

/// Something the page shows changed: re-render what reads it, and only that.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Change {
    /// One VM's data, or the operation shown on it.
    Vm(ConnId, VmId),
    /// VMs came or went on a connection (the list's rows), or its list state changed.
    Vms(ConnId),
    Op(OpId),
    Workflow(WfId),
    Bulk(BulkId),
    /// A connection's settings or list state.
    Connection(ConnId),
    /// A part of a connection's catalogue changed state (told only then): the create form's
    /// choices, and what the user's role allows (a VM's Delete reads it).
    Catalogue(ConnId),
    /// A connection's provider history: asked for, read, or failed to read.
    Activity(ConnId),
    /// A VM's snapshots or backups: asked for, read, or failed to read.
    Points(ConnId, VmId, crate::model::PointKind),
    /// A list ([`crate::Command::ReadList`]): asked for, read, or failed to read. Told for a
    /// VM's snapshots and backups too (with [`Change::Points`]), in the VM's scope.
    List(ConnId, crate::model::Scope, crate::model::ResourceKind),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Tone {
    Success,
    Error,
    Info,
}

/// What the notice is about, so the page can link to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum About {
    Op(OpId),
    Workflow(WfId),
    Bulk(BulkId),
    Connection(ConnId),
}

/// Something the user should hear about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub tone: Tone,
    pub text: String,
    pub about: About,
}

/// What the engine tells the shell, in order.
#[derive(Clone, Debug, PartialEq)]
pub enum Event {
    Changed(Change),
    Notice(Notice),
    /// Write these entries to storage and drop those (the leading tab only).
    Save(Saved),
    /// Tell the other tabs (the leading tab only).
    Share(Share),
    /// The polling policy's learned state, to keep across reloads.
    Learned(String),
    /// What the provider showed once for an operation (Hostway's generated root password of a
    /// new server): show it to the user now; it is kept nowhere, saved and shared never.
    Secret {
        op: OpId,
        secret: crate::dialect::Secret,
    },
}
