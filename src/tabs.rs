//! Several tabs, one poller: a lease in localStorage elects the tab that polls
//! (vigil-core's `election` decides), a BroadcastChannel carries its state to the others and
//! their intents to it. When the leading tab closes, another takes over within seconds.

use serde::{Deserialize, Serialize};
use vigil_core::election::Lease;
use vigil_core::workflow::{BulkWork, Plan, SavedState};
use vigil_core::{Action, ListState, Vm};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{BroadcastChannel, MessageEvent};

/// Tabs showing the same connections form a group with one poller; the group is named after
/// its connections' ids (a tab with other connections polls its own).
pub fn group_of<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    let mut ids: Vec<&str> = ids.collect();
    ids.sort_unstable();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in ids.join("\n").bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn lease_key(group: &str) -> String {
    format!("vigil.leader.v1.{group}")
}

/// What a following tab asks the leading one to do.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Intent {
    Run {
        conn: String,
        vm: String,
        action: Action,
    },
    CheckNow {
        op: String,
    },
    Cancel {
        op: String,
    },
    Refresh {
        conn: String,
    },
    Workflow {
        conn: String,
        vm: String,
        plan: Plan,
    },
    Bulk {
        targets: Vec<(String, String)>,
        work: BulkWork,
    },
    ForceNow {
        workflow: String,
    },
    CancelWorkflow {
        workflow: String,
    },
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Message {
    /// The leading tab's operations, workflows, bulks and VMs.
    State {
        state: SavedState,
        inventory: Vec<(String, Vec<Vm>, ListState)>,
    },
    Intent(Intent),
    /// A new follower asks for the state now.
    Hello,
    /// The leading tab is going away: elect now.
    Bye,
}

/// The channel and its listener; dropping it closes the channel.
pub struct Channel {
    channel: BroadcastChannel,
    _listener: Closure<dyn FnMut(MessageEvent)>,
}

impl Channel {
    pub fn open(group: &str, mut on_message: impl FnMut(Message) + 'static) -> Option<Channel> {
        let channel = BroadcastChannel::new(&format!("vigil.tabs.v1.{group}")).ok()?;
        let listener = Closure::<dyn FnMut(MessageEvent)>::new(move |ev: MessageEvent| {
            if let Some(text) = ev.data().as_string() {
                // Anything unreadable (another version's tab) is ignored.
                if let Ok(msg) = serde_json::from_str(&text) {
                    on_message(msg);
                }
            }
        });
        channel.set_onmessage(Some(listener.as_ref().unchecked_ref()));
        Some(Channel {
            channel,
            _listener: listener,
        })
    }

    pub fn post(&self, msg: &Message) {
        if let Ok(text) = serde_json::to_string(msg) {
            let _ = self.channel.post_message(&text.into());
        }
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}

fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn read_lease(group: &str) -> Option<Lease> {
    let text = local()?.get_item(&lease_key(group)).ok()??;
    serde_json::from_str(&text).ok()
}

pub fn write_lease(group: &str, lease: &Lease) {
    if let (Some(s), Ok(text)) = (local(), serde_json::to_string(lease)) {
        let _ = s.set_item(&lease_key(group), &text);
    }
}

/// Gives the lease up, if it is `me`'s.
pub fn release_lease(group: &str, me: &str) {
    if read_lease(group).is_some_and(|l| l.holder == me) {
        if let Some(s) = local() {
            let _ = s.remove_item(&lease_key(group));
        }
    }
}

/// A random id for this tab.
pub fn tab_id() -> String {
    format!("tab-{:x}", (js_sys::Math::random() * 1e15) as u64)
}
