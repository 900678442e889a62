//! ONETSolutions' remaining customer task types against vigil-sim (issue 16, item 4): an IP
//! assigned, its reverse DNS set, the IP removed, firewall rules applied, the state refreshed
//! from the host, a console session opened — each `Succeeded` only while the simulator's ground
//! truth agrees at that moment. Also: refusals before sending (typed, nothing sent), the
//! provider's own words when it refuses, a firewall apply resumed after a reload, the console
//! URL never kept, and the other providers' typed reasons.

mod common;

use common::*;
use vigil_core::dialect::{Absent, Avail};
use vigil_core::words::VmNetRefusal;
use vigil_core::{
    Action, ActionKind, ConnId, ConsoleState, DialectKind, FirewallRule, FwAction, FwDirection,
    FwProtocol, Phase, Refusal, ResourceKind, Scope, Target, VmId,
};

const ONET: &str = "onetsolutions";

fn world(seed: u64) -> World {
    World::new(DialectKind::OnetSolutions, scenario(seed, 0.0))
}

fn running(w: &World) -> String {
    w.vm_where(|v| v.status_raw == "running" && v.addresses.iter().any(|a| a.public))
        .id
        .to_string()
}

fn rule(protocol: FwProtocol, ports: &str, source: &str, action: FwAction) -> FirewallRule {
    FirewallRule {
        direction: FwDirection::In,
        protocol,
        ports: ports.into(),
        source: source.into(),
        action,
    }
}

/// The public addresses the truth holds for `vm` among `candidates`.
fn held(w: &World, vm: &str, address: &str) -> bool {
    w.sim.reverse_dns(ONET, vm, address).is_some()
}

#[test]
fn an_ip_is_assigned_given_a_reverse_dns_name_and_removed_each_verified() {
    let mut w = world(171);
    let vm = running(&w);
    let before: Vec<String> = w
        .engine
        .vm("c", &vm)
        .unwrap()
        .addresses
        .iter()
        .map(|a| a.ip.clone())
        .collect();
    let id = w.act_vm(&vm, Action::AssignIp { version: 4 }).unwrap();
    let (v, b) = (vm.clone(), before.clone());
    let op = w.succeeds_checked(&id, move |sim, _| {
        let fact = sim.vm_fact(ONET, &v).ok_or("no VM")?;
        // A public address the VM did not hold before, held now in the truth.
        let new = fact
            .addresses
            .iter()
            .any(|a| !b.contains(a) && matches!(sim.reverse_dns(ONET, &v, a), Some(Some(_))));
        new.then_some(())
            .ok_or_else(|| "no new public address in the truth".into())
    });
    assert_eq!(op.phase, Phase::Succeeded);
    let new = w
        .engine
        .vm("c", &vm)
        .unwrap()
        .addresses
        .into_iter()
        .find(|a| a.public && a.version == 4 && !before.contains(&a.ip))
        .expect("the VM shows the new address")
        .ip;
    assert!(held(&w, &vm, &new));

    // Its reverse DNS name: the PTR reads back in the truth.
    let ptr = "mail.example.com";
    let id = w
        .act_vm(
            &vm,
            Action::SetReverseDns {
                address: new.clone(),
                ptr: format!("{ptr}."),
            },
        )
        .unwrap();
    let (v, a) = (vm.clone(), new.clone());
    w.succeeds_checked(&id, move |sim, _| match sim.reverse_dns(ONET, &v, &a) {
        Some(Some(p)) if p == ptr => Ok(()),
        other => Err(format!("{other:?}")),
    });
    let shown = w.engine.vm("c", &vm).unwrap();
    let addr = shown.addresses.iter().find(|x| x.ip == new).unwrap();
    assert_eq!(addr.reverse_dns.as_deref(), Some(ptr));

    // Removed: done once the truth no longer holds it.
    let id = w
        .act_vm(
            &vm,
            Action::RemoveIp {
                address: new.clone(),
            },
        )
        .unwrap();
    let (v, a) = (vm.clone(), new.clone());
    w.succeeds_checked(&id, move |sim, _| {
        sim.reverse_dns(ONET, &v, &a)
            .is_none()
            .then_some(())
            .ok_or_else(|| "still held".into())
    });
    assert!(!w
        .engine
        .vm("c", &vm)
        .unwrap()
        .addresses
        .iter()
        .any(|x| x.ip == new));
}

#[test]
fn wrong_addresses_names_and_rules_are_refused_before_sending() {
    let mut w = world(172);
    let vm = running(&w);
    let shown = w.engine.vm("c", &vm).unwrap();
    let private = shown
        .addresses
        .iter()
        .find(|a| !a.public)
        .expect("a VPC address")
        .ip
        .clone();
    let public = shown.primary_address().unwrap().ip.clone();
    let sent = w.sent.len();
    let refused = |w: &mut World, a: Action| w.act_vm(&vm, a).unwrap_err();
    assert_eq!(
        refused(
            &mut w,
            Action::RemoveIp {
                address: private.clone()
            }
        ),
        Refusal::VmNet(VmNetRefusal::PrivateNotRemovable {
            address: private.clone()
        })
    );
    assert_eq!(
        refused(
            &mut w,
            Action::SetReverseDns {
                address: private.clone(),
                ptr: "a.example.com".into()
            }
        ),
        Refusal::VmNet(VmNetRefusal::PtrOnPublicOnly {
            address: private.clone()
        })
    );
    assert_eq!(
        refused(
            &mut w,
            Action::RemoveIp {
                address: "192.0.2.99".into()
            }
        ),
        Refusal::VmNet(VmNetRefusal::AddressNotOnVm {
            address: "192.0.2.99".into()
        })
    );
    assert_eq!(
        refused(
            &mut w,
            Action::SetReverseDns {
                address: public.clone(),
                ptr: "not a name".into()
            }
        ),
        Refusal::VmNet(VmNetRefusal::PtrInvalid)
    );
    assert_eq!(
        refused(&mut w, Action::AssignIp { version: 5 }),
        Refusal::VmNet(VmNetRefusal::IpVersion)
    );
    let rules = vec![
        rule(FwProtocol::Tcp, "22", "any", FwAction::Allow),
        rule(FwProtocol::Icmp, "8", "any", FwAction::Allow),
    ];
    assert_eq!(
        refused(&mut w, Action::ApplyFirewall { rules }),
        Refusal::VmNet(VmNetRefusal::Rule {
            row: 2,
            why: Box::new(VmNetRefusal::NoPortsFor {
                protocol: FwProtocol::Icmp
            })
        })
    );
    let rules = vec![rule(FwProtocol::Tcp, "22", "10.0.0.0/40", FwAction::Allow)];
    assert!(matches!(
        refused(&mut w, Action::ApplyFirewall { rules }),
        Refusal::VmNet(VmNetRefusal::Rule { row: 1, .. })
    ));
    // A console needs a running instance.
    let stopped = w.vm_where(|v| v.status_raw == "stopped").id.to_string();
    assert!(matches!(
        w.act_vm(&stopped, Action::OpenConsole),
        Err(Refusal::MustBeRunning { .. })
    ));
    assert_eq!(w.sent.len(), sent, "nothing sent");
}

#[test]
fn firewall_rules_are_applied_and_read_back_as_sent() {
    let mut w = world(173);
    let vm = running(&w);
    let scope = Scope::Vm(VmId::from(vm.as_str()));
    let first = w.read_list(&scope, ResourceKind::Firewall);
    assert_eq!(first.items.len(), 1, "one rule set");
    let rules = vec![
        rule(FwProtocol::Tcp, "22", "203.0.113.0/24", FwAction::Allow),
        rule(FwProtocol::Tcp, "8000-8100", "any", FwAction::Allow),
        rule(FwProtocol::Icmp, "", "0.0.0.0/0", FwAction::Allow),
        FirewallRule {
            direction: FwDirection::Out,
            ..rule(FwProtocol::Udp, "53", "::/0", FwAction::Deny)
        },
    ];
    let id = w
        .act_vm(
            &vm,
            Action::ApplyFirewall {
                rules: rules.clone(),
            },
        )
        .unwrap();
    let (v, want) = (vm.clone(), rules.clone());
    w.succeeds_checked(&id, move |sim, _| {
        let t = sim.firewall(ONET, &v).ok_or("no firewall")?;
        let same = t.len() == want.len()
            && t.iter().zip(&want).all(|(t, r)| {
                t.direction == r.direction.as_str()
                    && t.protocol == r.protocol.as_str()
                    && t.port_range.clone().unwrap_or_default() == r.ports
                    && t.source == r.source
                    && t.action == r.action.as_str()
            });
        same.then_some(()).ok_or_else(|| format!("{t:?}"))
    });
    let shown = w
        .engine
        .view()
        .firewall(&ConnId::from("c"), &VmId::from(vm.as_str()))
        .cloned()
        .unwrap();
    assert_eq!(shown.firewall(), Some(rules.as_slice()));
    // An empty set: none applied.
    let id = w
        .act_vm(&vm, Action::ApplyFirewall { rules: Vec::new() })
        .unwrap();
    let v = vm.clone();
    w.succeeds_checked(&id, move |sim, _| {
        sim.firewall(ONET, &v)
            .is_some_and(|r| r.is_empty())
            .then_some(())
            .ok_or_else(|| "rules left".into())
    });
}

#[test]
fn refresh_from_the_host_ends_with_its_task_and_the_vm_read_again() {
    let mut w = world(174);
    let vm = running(&w);
    let id = w.act_vm(&vm, Action::SyncState).unwrap();
    let sent = w.sent.len();
    let v = vm.clone();
    let op = w.succeeds_checked(&id, move |sim, _| {
        let t = sim
            .completions()
            .into_iter()
            .rev()
            .find(|c| c.action == "sync_vps_state" && c.vm_id == v)
            .ok_or("no task")?;
        (t.succeeded && t.finished_by(sim.now_ms()))
            .then_some(())
            .ok_or_else(|| format!("{t:?}"))
    });
    assert_eq!(op.ended_by, Some(vigil_core::TaskEnd::Reported));
    // The instance was read after the task was seen ended.
    let reads = w.sent[sent..]
        .iter()
        .filter(|s| s.contains("GET") && s.contains("compute/instances"))
        .count();
    assert!(reads >= 1, "{:?}", &w.sent[sent..]);
}

#[test]
fn a_console_session_is_opened_verified_and_never_kept() {
    let mut w = world(175);
    let vm = running(&w);
    let conn = ConnId::from("c");
    let vm_id = VmId::from(vm.as_str());
    let id = w.act_vm(&vm, Action::OpenConsole).unwrap();
    assert!(matches!(
        w.engine.view().console(&conn, &vm_id, w.now),
        ConsoleState::Opening(_)
    ));
    let v = vm.clone();
    let op = w.succeeds_checked(&id, move |sim, op| {
        let Target::Res { id: Some(sid), .. } = &op.target else {
            return Err("no session id".into());
        };
        sim.consoles(ONET, &v)
            .iter()
            .any(|c| &c.session_id == sid)
            .then_some(())
            .ok_or_else(|| "no such session in the truth".into())
    });
    let truth = w.sim.consoles(ONET, &vm).pop().unwrap();
    let ConsoleState::Ready { session, .. } = w.engine.view().console(&conn, &vm_id, w.now) else {
        panic!("not ready")
    };
    assert_eq!(session.url, truth.url);
    // As the provider wrote it: to the second.
    let expires = session.expires_at.unwrap();
    assert_eq!(
        expires / 1000,
        truth.expires_at_ms as vigil_core::Millis / 1000
    );
    // Never in saved state, a note, or the operation's Debug.
    let saved = serde_json::to_string(&w.engine.saved()).unwrap();
    assert!(!saved.contains(&truth.url), "saved");
    assert!(!format!("{op:?}").contains(&truth.url));
    assert!(!format!(
        "{:?}",
        w.engine
            .view()
            .list(&conn, &Scope::Vm(vm_id.clone()), ResourceKind::Console)
    )
    .contains(&truth.url));
    // Past its expiry: ask again.
    let later = truth.expires_at_ms as vigil_core::Millis + 1;
    assert!(matches!(
        w.engine.view().console(&conn, &vm_id, later),
        ConsoleState::Expired(_)
    ));
}

/// The provider refuses in its own words (a task started at the provider directly holds the
/// instance), and the refusal never counts as done.
#[test]
fn a_refusal_is_said_in_the_providers_words() {
    let mut w = world(176);
    let vm = running(&w);
    let base = format!(
        "http://127.0.0.1:8787{}",
        vigil_core::demo::prefix(DialectKind::OnetSolutions)
    );
    let vigil_core::Credentials::Bearer { token } =
        vigil_core::demo::credentials(DialectKind::OnetSolutions)
    else {
        panic!("ONET's demo token")
    };
    let req = vigil_core::HttpRequest {
        method: vigil_core::Method::Post,
        url: format!("{base}/compute/instances/{vm}/sync"),
        headers: vec![
            ("Authorization".into(), format!("Bearer {token}")),
            ("Content-Type".into(), "application/json".into()),
        ],
        body: Some("{}".into()),
    };
    let reply = w.sim.handle(&to_sim(&req), w.now as u64);
    assert_eq!(reply.response().map(|r| r.status), Some(202));
    let id = w.act_vm(&vm, Action::AssignIp { version: 6 }).unwrap();
    let op = w.run_checked(&id, |_, _| Err("a refused assign never succeeds".into()));
    assert_eq!(op.phase, Phase::Failed, "{:?}", op.note);
    let said = format!("{:?}", op.note);
    assert!(said.contains("already has a task in progress"), "{said}");
}

/// A firewall apply kept by the page and resumed after a reload ends verified on the rules
/// the provider really applied.
#[test]
fn a_firewall_apply_resumes_after_a_reload() {
    let mut w = world(177);
    let vm = running(&w);
    let rules = vec![rule(FwProtocol::Tcp, "443", "any", FwAction::Allow)];
    let id = w
        .act_vm(
            &vm,
            Action::ApplyFirewall {
                rules: rules.clone(),
            },
        )
        .unwrap();
    w.run_until(60_000, |e| e.op(&id).phase == Phase::InProgress);
    let text = serde_json::to_string(&w.engine.saved()).unwrap();
    let saved: vigil_core::SavedState = serde_json::from_str(&text).unwrap();
    w.reload(w.now + 1_000);
    w.engine.import(saved, w.now);
    let v = vm.clone();
    w.succeeds_checked(&id, move |sim, _| {
        let t = sim.firewall(ONET, &v).ok_or("no firewall")?;
        (t.len() == 1 && t[0].port_range.as_deref() == Some("443"))
            .then_some(())
            .ok_or_else(|| format!("{t:?}"))
    });
}

/// The other providers: each part absent with the reason its sheet gives, and refused
/// rather than sent.
#[test]
fn other_providers_say_why_not() {
    let console = |d: DialectKind| d.caps().vm_net.console;
    assert_eq!(
        console(DialectKind::Erigones),
        Avail::Absent(Absent::ScreenshotOnly)
    );
    for d in [
        DialectKind::Cloudsfor,
        DialectKind::Hostway,
        DialectKind::ZennoHosting,
    ] {
        assert_eq!(console(d), Avail::Absent(Absent::NotPublished), "{d:?}");
        assert_eq!(
            d.caps().vm_net.reverse_dns,
            Avail::Absent(Absent::NotPublished),
            "{d:?}"
        );
    }
    assert_eq!(console(DialectKind::OnetSolutions), Avail::Offered);
    for kind in [
        ActionKind::AssignIp,
        ActionKind::SetReverseDns,
        ActionKind::ApplyFirewall,
        ActionKind::SyncState,
        ActionKind::OpenConsole,
    ] {
        assert!(DialectKind::OnetSolutions.caps().offers(kind));
        assert!(!DialectKind::Cloudsfor.caps().offers(kind), "{kind:?}");
    }
    let mut w = World::new(DialectKind::Cloudsfor, scenario(178, 0.0));
    let vm = w.vms()[0].id.to_string();
    let sent = w.sent.len();
    assert!(matches!(
        w.act_vm(&vm, Action::OpenConsole),
        Err(Refusal::NotOffered { .. })
    ));
    assert_eq!(w.sent.len(), sent);
}

/// The `lag` fault: the task reports `completed` before the firewall or the PTR shows the
/// change. Neither is done before the resource shows it.
#[test]
fn the_lag_fault_never_counts_as_done() {
    let mut w = world(179);
    w.sim
        .set_faults(vigil_sim::Faults::parse("lag=15000").unwrap());
    let vm = running(&w);
    let rules = vec![rule(FwProtocol::Udp, "5353", "any", FwAction::Deny)];
    let id = w
        .act_vm(
            &vm,
            Action::ApplyFirewall {
                rules: rules.clone(),
            },
        )
        .unwrap();
    let v = vm.clone();
    let op = w.run_checked(&id, move |sim, _| {
        let t = sim.firewall(ONET, &v).ok_or("no firewall")?;
        (t.len() == 1 && t[0].protocol == "udp")
            .then_some(())
            .ok_or_else(|| "reported done, not applied yet".into())
    });
    assert!(
        matches!(op.phase, Phase::Succeeded | Phase::NeedsCheck),
        "{:?}",
        op.phase
    );
    let public = w
        .engine
        .vm("c", &vm)
        .unwrap()
        .primary_address()
        .unwrap()
        .ip
        .clone();
    let id = w
        .act_vm(
            &vm,
            Action::SetReverseDns {
                address: public.clone(),
                ptr: "slow.example.net".into(),
            },
        )
        .unwrap();
    let v = vm.clone();
    let op = w.run_checked(&id, move |sim, _| {
        match sim.reverse_dns(ONET, &v, &public) {
            Some(Some(p)) if p == "slow.example.net" => Ok(()),
            other => Err(format!("reported done, PTR {other:?}")),
        }
    });
    assert!(
        matches!(op.phase, Phase::Succeeded | Phase::NeedsCheck),
        "{:?}",
        op.phase
    );
}
