//! Typed ids: an operation's id is not a VM's, and the compiler says so.
//!
//! Each is a string underneath (`#[serde(transparent)]`): ids are made by the engine (`OpId`,
//! `WfId`, `BulkId`), by the user (`ConnId`) or by the provider (`VmId`, `ResId`), and are kept
//! across reloads as plain strings.

use serde::{Deserialize, Serialize};

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            pub fn new(s: impl Into<String>) -> Self {
                $name(s.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name(s.to_string())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                $name(s)
            }
        }

        impl From<&String> for $name {
            fn from(s: &String) -> Self {
                $name(s.clone())
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
    };
}

string_id!(
    /// One tracked operation.
    OpId
);
string_id!(
    /// One workflow (several operations on one VM, followed as one).
    WfId
);
string_id!(
    /// One bulk action (one action or plan on many VMs).
    BulkId
);
string_id!(
    /// One configured provider connection.
    ConnId
);
string_id!(
    /// A VM, as its provider names it (cloudsfor's id, Erigones' hostname, Hostway's server id…).
    VmId
);
string_id!(
    /// Any other resource, as its provider names it (a snapshot, a backup, a network…).
    ResId
);

/// A request in flight: the shell hands its answer back with the same token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Token(pub u64);

/// A VM of one connection: the key of a row.
pub type VmKey = (ConnId, VmId);
