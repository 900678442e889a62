//! One connection's VMs as last seen, when each was read, and the listing under way.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};

use serde::{Deserialize, Serialize};

use crate::dialect::VmPage;
use crate::error::{ApiError, ErrorKind};
use crate::ids::VmId;
use crate::model::Vm;
use crate::time::Millis;

/// How many parts of one listing may be read at once (Hostway's per-server reads).
pub const LIST_CONCURRENCY: usize = 4;

/// A listing that needs more parts than this is cut off with an error (a provider whose
/// pagination never ends). Hostway reads one part per server, so it is generous.
pub const MAX_LIST_PARTS: usize = 50_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ListState {
    Loading,
    Ready {
        at: Millis,
    },
    /// The last read failed; the VMs shown are from the last good read, if any.
    Failed {
        error: ApiError,
        at: Millis,
    },
}

/// A listing under way.
#[derive(Default)]
pub(crate) struct Listing {
    acc: Vec<Vm>,
    /// Where each VM is in `acc`.
    at: HashMap<VmId, usize>,
    /// When the request that read each VM of `acc` went out.
    fresh: HashMap<VmId, Millis>,
    queue: VecDeque<Option<String>>,
    pub in_flight: usize,
    error: Option<ApiError>,
    /// Parts already sent again after a 5xx or a network error (once each per listing).
    retried: HashSet<Option<String>>,
    /// Every cursor asked for.
    seen: HashSet<Option<String>>,
    /// How often each part's request (`METHOD url`) was sent: more than once (twice for a part
    /// read again after a passing fault) is a loop.
    sent: HashMap<String, u8>,
    /// When its first request went out.
    started: Option<Millis>,
}

impl Listing {
    /// A part to read now, if any may go.
    pub fn next_part(&mut self, now: Millis) -> Option<Option<String>> {
        if self.in_flight >= LIST_CONCURRENCY {
            return None;
        }
        let cursor = self.queue.pop_front()?;
        self.in_flight += 1;
        self.started.get_or_insert(now);
        Some(cursor)
    }

    /// Whether sending this part's request would repeat one this listing sent already, other
    /// than to read a part again after a passing fault: the provider's pages loop.
    pub fn would_loop(&self, cursor: &Option<String>, request: &str) -> bool {
        let sent = self.sent.get(request).copied().unwrap_or(0);
        sent > u8::from(self.retried.contains(cursor))
    }

    /// Notes a part's request as sent.
    pub fn note_sent(&mut self, request: String) {
        *self.sent.entry(request).or_default() += 1;
    }

    pub fn has_parts_to_send(&self) -> bool {
        self.in_flight < LIST_CONCURRENCY && !self.queue.is_empty()
    }

    /// A part read: its VMs kept (read by a request that went out at `sent`), the parts it
    /// points to queued — unless one came back again or there are too many: the listing ends
    /// with that error.
    fn read_page(&mut self, page: VmPage, sent: Millis) {
        for vm in page.vms {
            // A part that tells more of a VM another part listed (Erigones' addresses after
            // its statuses) completes it; the first part's status stands.
            if let Some(&i) = self.at.get(&vm.id) {
                let known = &mut self.acc[i];
                known.locked |= vm.locked;
                known.complete_from(&vm);
                continue;
            }
            self.at.insert(vm.id.clone(), self.acc.len());
            self.fresh.insert(vm.id.clone(), sent);
            self.acc.push(vm);
        }
        for next in page.next.into_iter().map(Some) {
            let why = if self.seen.contains(&next) || self.queue.contains(&next) {
                let page = next.as_deref().unwrap_or_default();
                format!("the page “{page}” came back again")
            } else if self.seen.len() + self.queue.len() >= MAX_LIST_PARTS {
                format!("it has more than {MAX_LIST_PARTS} parts")
            } else {
                self.queue.push_back(next);
                continue;
            };
            self.error
                .get_or_insert(ApiError::bad_response("the VM list", why));
            self.queue.clear();
            break;
        }
    }

    /// A part could not be read. One lost to a passing fault (a 5xx, a dropped connection) is
    /// read again once before the whole listing counts as failed: with a read per server
    /// (Hostway), one bad answer in a dozen would otherwise fail most listings. Refused
    /// credentials end the listing at once.
    fn read_failed(&mut self, cursor: Option<String>, e: ApiError) {
        if matches!(e.kind, ErrorKind::Server | ErrorKind::Network)
            && self.retried.insert(cursor.clone())
        {
            self.seen.remove(&cursor);
            self.queue.push_back(cursor);
            return;
        }
        if matches!(e.kind, ErrorKind::Unauthorized | ErrorKind::Forbidden) {
            self.queue.clear();
        }
        self.error.get_or_insert(e);
    }

    /// Puts a part taken by [`Listing::next_part`] back (the budget could not send it).
    pub fn put_back(&mut self, cursor: Option<String>) {
        self.in_flight = self.in_flight.saturating_sub(1);
        self.queue.push_front(cursor);
    }
}

/// What a listing's part did.
pub(crate) enum Listed {
    /// More parts are on their way or queued.
    Going,
    /// The listing ended and replaced the VMs.
    Done,
    /// The listing ended with this error (what it did read was kept).
    Failed(ApiError),
}

#[derive(Default)]
pub(crate) struct Inventory {
    vms: Vec<Vm>,
    index: HashMap<VmId, usize>,
    /// The list cursor each VM was last seen under (for dialects without a single-VM read).
    pub cursor_of: HashMap<VmId, Option<String>>,
    /// When the request that produced each VM's current data went out: a verification only
    /// trusts data asked for after the task was seen finished.
    pub fresh_at: HashMap<VmId, Millis>,
    /// When the request went out that last showed each VM's power state alone (a list of the
    /// VMs in one state): verifies what waits for that state only.
    pub power_fresh_at: HashMap<VmId, Millis>,
    /// When each VM came up, no earlier than (from the uptime its last read gave, counted from
    /// when that read was asked for); kept apart from the VM so its data does not tick.
    pub up_since: HashMap<VmId, Millis>,
    /// When the last complete listing began: a VM missing from it was gone by then.
    pub listed_since: Option<Millis>,
    pub list: Option<ListState>,
    /// When to start the next full listing; `None` while one runs or when waiting for the user.
    pub list_due: Option<Millis>,
    pub listing: Option<Listing>,
    /// VMs whose data changed since the last [`Inventory::take_changes`].
    changed: BTreeSet<VmId>,
    /// VMs came or went since then.
    membership: bool,
}

impl Inventory {
    pub fn new(now: Millis) -> Self {
        Inventory {
            list: Some(ListState::Loading),
            list_due: Some(now),
            ..Inventory::default()
        }
    }

    pub fn all(&self) -> &[Vm] {
        &self.vms
    }

    pub fn get(&self, id: &VmId) -> Option<&Vm> {
        self.index.get(id).map(|&i| &self.vms[i])
    }

    /// The one VM of that name (none when there are several).
    pub fn by_name(&self, name: &str) -> Option<&Vm> {
        let mut it = self.vms.iter().filter(|v| v.name.trim() == name.trim());
        let first = it.next()?;
        it.next().is_none().then_some(first)
    }

    /// When the data on this VM was asked for (the full data, or its power state alone where
    /// `power_only`).
    pub fn fresh(&self, id: &VmId, power_only: bool) -> Option<Millis> {
        let full = self.fresh_at.get(id).copied();
        let power = power_only
            .then(|| self.power_fresh_at.get(id).copied())
            .flatten();
        full.max(power)
    }

    fn reindex(&mut self) {
        self.index = self
            .vms
            .iter()
            .enumerate()
            .map(|(i, v)| (v.id.clone(), i))
            .collect();
    }

    fn put(&mut self, vm: Vm) {
        match self.index.get(&vm.id) {
            Some(&i) => {
                let slot = &mut self.vms[i];
                // A single-VM read may not say which project the VM lives in (ZennoHosting);
                // the listing did, and a VM does not move.
                let mut vm = vm;
                if vm.project.is_none() {
                    vm.project = slot.project.take();
                }
                vm.complete_from(slot);
                if *slot != vm {
                    self.changed.insert(vm.id.clone());
                }
                *slot = vm;
            }
            None => {
                self.index.insert(vm.id.clone(), self.vms.len());
                self.changed.insert(vm.id.clone());
                self.membership = true;
                self.vms.push(vm);
            }
        }
    }

    /// Takes the uptime a read by a request that went out at `sent` gave for `vm`: the VM came
    /// up no earlier than `sent` less the uptime (in whole seconds, so one more). A read without
    /// one leaves nothing known.
    fn take_uptime(&mut self, vm: &mut Vm, sent: Millis) {
        match vm.uptime_s.take() {
            Some(s) => {
                let up = s.saturating_add(1).saturating_mul(1000);
                let up = Millis::try_from(up).unwrap_or(Millis::MAX);
                self.up_since.insert(vm.id.clone(), sent.saturating_sub(up));
            }
            None => {
                self.up_since.remove(&vm.id);
            }
        }
    }

    /// VMs read by a request that went out at `sent`.
    pub fn merge(&mut self, vms: Vec<Vm>, sent: Millis) {
        for mut vm in vms {
            self.take_uptime(&mut vm, sent);
            self.fresh_at.insert(vm.id.clone(), sent);
            self.power_fresh_at.remove(&vm.id);
            self.put(vm);
        }
    }

    /// VMs shown in one power state by a list that went out at `sent`; data asked for later
    /// already tells more.
    pub fn merge_power(&mut self, vms: Vec<Vm>, sent: Millis) {
        for vm in vms {
            let newer = |m: &HashMap<VmId, Millis>| m.get(&vm.id).is_some_and(|&t| t > sent);
            if newer(&self.fresh_at) || newer(&self.power_fresh_at) || self.get(&vm.id).is_none() {
                continue;
            }
            self.power_fresh_at.insert(vm.id.clone(), sent);
            self.put(vm);
        }
    }

    /// The provider says the VM is gone (a `404` to a request that went out at `sent`).
    pub fn remove(&mut self, id: &VmId, sent: Millis) {
        if self.fresh_at.get(id).is_some_and(|&t| t > sent) {
            return; // Seen since: it is back (or the answer is older than what we know).
        }
        self.drop_vm(id);
        self.fresh_at.insert(id.clone(), sent);
        self.power_fresh_at.remove(id);
        self.up_since.remove(id);
        self.cursor_of.remove(id);
    }

    fn drop_vm(&mut self, id: &VmId) {
        if let Some(i) = self.index.get(id).copied() {
            self.vms.remove(i);
            self.reindex();
            self.changed.insert(id.clone());
            self.membership = true;
        }
    }

    /// Starts a listing when one is due.
    pub fn start_listing_if_due(&mut self, now: Millis) {
        if self.listing.is_none() && self.list_due.is_some_and(|d| d <= now) {
            self.list_due = None;
            self.listing = Some(Listing {
                queue: VecDeque::from([None]),
                ..Listing::default()
            });
        }
    }

    /// Lists again as soon as possible.
    pub fn refresh(&mut self, now: Millis) {
        if self.listing.is_none() {
            self.list_due = Some(now);
        }
    }

    /// One part of the listing answered (its request went out at `sent`).
    pub fn on_part(
        &mut self,
        cursor: Option<String>,
        parsed: Result<VmPage, ApiError>,
        sent: Millis,
        now: Millis,
    ) -> Listed {
        if self.listing.is_none() {
            return Listed::Going;
        }
        let parsed = parsed.map(|mut page| {
            for vm in page.vms.iter_mut() {
                self.cursor_of.insert(vm.id.clone(), cursor.clone());
                self.take_uptime(vm, sent);
            }
            page
        });
        let Some(l) = self.listing.as_mut() else {
            return Listed::Going;
        };
        l.in_flight = l.in_flight.saturating_sub(1);
        l.seen.insert(cursor.clone());
        match parsed {
            Ok(page) => l.read_page(page, sent),
            Err(e) => l.read_failed(cursor, e),
        }
        if l.in_flight > 0 || !l.queue.is_empty() {
            return Listed::Going;
        }
        let l = self.listing.take().expect("checked above");
        self.finish_listing(l, sent, now)
    }

    /// The listing's last part answered: what it read replaces the VMs, or, where it failed,
    /// updates those it read and keeps the others.
    fn finish_listing(&mut self, l: Listing, sent: Millis, now: Millis) -> Listed {
        // What the listing read replaces what a list of power states said before.
        self.power_fresh_at
            .retain(|id, _| !l.fresh.contains_key(id));
        // What was asked for after a part went out (a read, a 404) tells more than that part:
        // it stays — a VM found gone since is not brought back.
        let newer = |id: &VmId, part: Millis| self.fresh_at.get(id).is_some_and(|&f| f > part);
        let stale: HashSet<VmId> = l
            .fresh
            .iter()
            .filter(|(id, &part)| newer(id, part))
            .map(|(id, _)| id.clone())
            .collect();
        let acc: Vec<Vm> = l
            .acc
            .into_iter()
            .filter_map(|vm| {
                if stale.contains(&vm.id) {
                    self.get(&vm.id).cloned()
                } else {
                    Some(vm)
                }
            })
            .collect();
        self.fresh_at
            .extend(l.fresh.into_iter().filter(|(id, _)| !stale.contains(id)));
        match l.error {
            None => {
                self.replace_vms(acc, l.started.unwrap_or(sent));
                self.listed_since = l.started;
                self.list = Some(ListState::Ready { at: now });
                Listed::Done
            }
            Some(error) => {
                // Keep what was shown; update what this listing did read.
                for vm in acc {
                    self.put(vm);
                }
                self.list = Some(ListState::Failed {
                    error: error.clone(),
                    at: now,
                });
                Listed::Failed(error)
            }
        }
    }

    /// The VMs a complete listing read replace those known; the ones it did not list were gone
    /// by `gone_at`, when it began.
    fn replace_vms(&mut self, mut vms: Vec<Vm>, gone_at: Millis) {
        let old: HashMap<VmId, Vm> = self.vms.drain(..).map(|v| (v.id.clone(), v)).collect();
        for vm in vms.iter_mut() {
            match old.get(&vm.id) {
                Some(o) if *o == *vm => {}
                Some(o) => {
                    if vm.project.is_none() {
                        vm.project = o.project.clone();
                    }
                    vm.complete_from(o);
                    if *o == *vm {
                        continue;
                    }
                    self.changed.insert(vm.id.clone());
                }
                None => {
                    self.changed.insert(vm.id.clone());
                    self.membership = true;
                }
            }
        }
        let gone: Vec<VmId> = old
            .keys()
            .filter(|id| !vms.iter().any(|v| &v.id == *id))
            .cloned()
            .collect();
        if !gone.is_empty() {
            self.membership = true;
        }
        for id in gone {
            self.cursor_of.remove(&id);
            self.up_since.remove(&id);
            self.fresh_at.insert(id.clone(), gone_at);
            self.changed.insert(id);
        }
        self.vms = vms;
        self.reindex();
    }

    /// What changed since the last call: the VMs whose data changed, and whether VMs came or
    /// went.
    pub fn take_changes(&mut self) -> (Vec<VmId>, bool) {
        let changed = std::mem::take(&mut self.changed).into_iter().collect();
        (changed, std::mem::replace(&mut self.membership, false))
    }

    /// Replaces the VMs with what another tab shares (a following tab).
    pub fn mirror(&mut self, upsert: Vec<Vm>, removed: &[VmId], replace: bool) {
        if replace {
            let keep: HashSet<&VmId> = upsert.iter().map(|v| &v.id).collect();
            let gone: Vec<VmId> = self
                .vms
                .iter()
                .filter(|v| !keep.contains(&v.id))
                .map(|v| v.id.clone())
                .collect();
            for id in gone {
                self.drop_vm(&id);
            }
        }
        for id in removed {
            self.drop_vm(id);
        }
        for vm in upsert {
            self.put(vm);
        }
    }
}
