//! Why a resource does not show yet what an operation meant it to: each check's typed answer,
//! rendered for the user by [`crate::words`].

use serde::{Deserialize, Serialize};

use crate::ids::VmId;
use crate::model::{ForwardSpec, PointState, ResState, Size};

/// What does not match yet, for the user (rendered by [`crate::words`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Mismatch {
    /// The VM's status, as the provider gives it.
    Power {
        status: String,
    },
    Locked,
    Name {
        current: String,
    },
    Size {
        current: Size,
    },
    SnapshotNotListed,
    /// The VM does not show the image it was rebuilt from (`None`: it shows none).
    Image {
        current: Option<String>,
    },
    /// Automatic backups are not (`on`: still) switched as asked.
    Backups {
        on: bool,
    },
    NoAddress,
    NoPublicAddress,
    /// The resource is not (or no longer) in the provider's list.
    NotListed,
    /// The resource is still there (a delete).
    StillThere {
        status: String,
    },
    /// The snapshot or backup is not in its VM's list (yet).
    PointNotListed,
    /// The snapshot or backup is not ready: its status as the provider gives it (its
    /// [`PointState`] where the provider gives no words).
    PointNotReady {
        state: PointState,
        status: String,
    },
    /// The VM's list of snapshots or backups has not been read since.
    PointsUnread,
    /// The list the resource is in has not been read since.
    ResUnread,
    /// The network, public IP, rule or volume is not in its list (yet).
    ResNotListed,
    /// It is not ready: its state, and its status as the provider gives it.
    ResNotReady {
        state: ResState,
        status: String,
    },
    /// The network shows no range (CIDR) yet.
    NoCidr,
    /// The public IP shows no address yet.
    NoIpAddress,
    /// The rule does not show the values sent (`None`: values that could not be read).
    ForwardDiffers {
        current: Option<ForwardSpec>,
    },
    /// The VM is not joined to the network (yet).
    NotAttached {
        network: String,
    },
    /// The VM is joined to the network but shows no internal address there.
    NoInternalIp {
        network: String,
    },
    /// The VM is still joined to the network.
    StillAttached {
        network: String,
    },
    /// The VM is not in the VPC asked for: the one it shows (`None`: none).
    Vpc {
        current: Option<String>,
    },
    /// The VM does not show the hostname asked for: the one it shows (`None`: none).
    Hostname {
        current: Option<String>,
    },
    /// The VM shows no new public address of this version yet.
    NoNewAddress {
        version: u8,
    },
    /// The VM still shows the address.
    AddressStillThere {
        address: String,
    },
    /// The VM does not show the address at all.
    AddressNotShown {
        address: String,
    },
    /// The address shows another reverse DNS name (`None`: none).
    Ptr {
        address: String,
        current: Option<String>,
    },
    /// The firewall shows other rules than those sent (`count`: how many it shows; `unread`:
    /// some could not be read).
    FirewallDiffers {
        count: usize,
        unread: bool,
    },
    /// The console session shows no URL yet.
    NoConsoleUrl,
    /// The volume does not show the size asked for: the one it shows (`None`: none).
    VolumeSize {
        current: Option<u32>,
    },
    /// The volume is not attached as asked: the VM it shows attached to (`None`: none).
    VolumeAttachment {
        current: Option<VmId>,
    },
}
