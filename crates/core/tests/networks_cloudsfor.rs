//! cloudsfor's private networks against vigil-sim (issue 16): a network created (synchronous,
//! its id from the answer), two VMs joined and one left — each `Succeeded` only while the
//! simulator's ground truth agrees at that moment, with the new private address shown on the
//! VM — a delete refused in the provider's words while a VM is joined and verified gone once
//! none is, the `lag` fault never counted as done, and an action status this version does not
//! know never taken for success.

mod common;

use common::*;
use vigil_core::dialect::{Absent, Avail};
use vigil_core::{
    Action, DialectKind, HttpResponse, NetExpect, Operation, Phase, ResState, ResourceKind, Scope,
    Target,
};
use vigil_sim::ResState as Truth;

const CF: &str = "cloudsfor";

fn learned(op: &Operation) -> String {
    match &op.target {
        Target::Res { id: Some(id), .. } => id.clone(),
        t => panic!("no id learned: {t:?}"),
    }
}

/// A running, unlocked VM not among `not`.
fn idle_vm(w: &World, not: &[String]) -> String {
    w.vm_where(|v| v.status_raw == "running" && !v.locked && !not.contains(&v.id.to_string()))
        .id
        .to_string()
}

fn create(w: &mut World, name: &str) -> String {
    w.read_list(&Scope::Conn, ResourceKind::Network);
    let id = w
        .act_res(&Scope::Conn, Action::CreateNetwork { name: name.into() })
        .unwrap();
    let op = w.succeeds_checked(&id, |sim, op| {
        let nid = learned(op);
        match sim.network(CF, &nid).map(|t| t.state) {
            Some(Truth::Ready) => Ok(()),
            s => Err(format!("{s:?}")),
        }
    });
    let nid = learned(&op);
    assert_eq!(w.sim.network(CF, &nid).unwrap().name, name);
    let listed = w.list(&Scope::Conn, ResourceKind::Network).unwrap();
    let item = listed.items.iter().find(|r| r.id == nid).unwrap();
    assert_eq!((item.name.as_str(), &item.state), (name, &ResState::Ready));
    // cloudsfor shows no range: none is made up.
    assert_eq!(item.cidr(), None);
    nid
}

fn in_truth(sim: &vigil_sim::Sim, net: &str, vm: &str) -> Option<String> {
    let t = sim.network(CF, net)?;
    t.attached
        .iter()
        .find(|a| a.vm_id == vm)
        .map(|a| a.internal_ip.clone())
}

/// Joins (`attach`) or leaves; verified in the truth at the moment of success, and the VM's
/// private addresses show (no longer show) the address the truth gives it.
fn join(w: &mut World, vm: &str, net: &str, attach: bool) {
    let (network, name) = (net.to_string(), "lab".to_string());
    let action = if attach {
        Action::AttachNetwork { network, name }
    } else {
        Action::DetachNetwork { network, name }
    };
    let was = in_truth(&w.sim, net, vm);
    let id = w.act_vm(vm, action).unwrap();
    let (n, v) = (net.to_string(), vm.to_string());
    w.succeeds_checked(&id, move |sim, _| match (attach, in_truth(sim, &n, &v)) {
        (true, Some(_)) | (false, None) => Ok(()),
        (_, seen) => Err(format!("the truth has {seen:?}")),
    });
    let shown = NetExpect::private_of(&w.engine.vm("c", vm).unwrap());
    match (attach, in_truth(&w.sim, net, vm), was) {
        (true, Some(ip), _) => assert!(shown.contains(&ip), "{shown:?} lacks {ip}"),
        (false, None, Some(ip)) => assert!(!shown.contains(&ip), "{shown:?} keeps {ip}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_network_joined_by_two_vms_refused_while_joined_and_deleted_each_verified() {
    let caps = DialectKind::Cloudsfor.caps();
    assert!(caps.net.networks.create.offered() && caps.net.attach.offered());
    assert_eq!(caps.net.cidr, Avail::Absent(Absent::NotPublished));
    assert!(!caps.net.forwards.create.offered());
    let mut w = World::new(DialectKind::Cloudsfor, scenario(171, 0.0));
    let seeded = w.read_list(&Scope::Conn, ResourceKind::Network);
    assert_eq!(seeded.items.len(), w.sim.networks(CF).len());
    let net = create(&mut w, "lab");
    let a = idle_vm(&w, &[]);
    let b = idle_vm(&w, std::slice::from_ref(&a));
    join(&mut w, &a, &net, true);
    join(&mut w, &b, &net, true);
    assert_eq!(w.sim.network(CF, &net).unwrap().attached.len(), 2);
    join(&mut w, &b, &net, false);
    // The provider does not say which VMs a network holds: the page is told so, not "none".
    {
        let conn = vigil_core::ConnId::from("c");
        let listed = w.list(&Scope::Conn, ResourceKind::Network).unwrap();
        let r = listed.items.iter().find(|r| r.id == net).unwrap();
        let view = w.engine.view();
        assert_eq!(view.network_members(&conn, &Scope::Conn, r), None);
        assert_eq!(view.net_places(&conn).len(), 1);
        let a_id = vigil_core::VmId::from(a.as_str());
        assert!(view.joinable(&conn, &a_id).iter().any(|n| n.id == net));
    }
    // The provider refuses the delete while `a` is joined: its words, not a success.
    let del = Action::DeleteNetwork {
        id: net.clone(),
        name: "lab".into(),
    };
    let id = w.act_res(&Scope::Conn, del.clone()).unwrap();
    let op = w.run_checked(&id, |_, _| Err("a refused delete never succeeds".into()));
    assert_eq!(op.phase, Phase::Failed);
    let said = format!("{:?}", op.note);
    assert!(said.contains("while VMs are joined"), "{said}");
    assert_eq!(w.sim.network(CF, &net).unwrap().state, Truth::Ready);
    join(&mut w, &a, &net, false);
    let id = w.act_res(&Scope::Conn, del).unwrap();
    let n = net.clone();
    w.succeeds_checked(&id, move |sim, _| {
        match sim.network(CF, &n).map(|t| t.state) {
            Some(Truth::Gone) | None => Ok(()),
            s => Err(format!("{s:?}")),
        }
    });
    let listed = w.list(&Scope::Conn, ResourceKind::Network).unwrap();
    assert!(listed.items.iter().all(|r| r.id != net));
    assert!(w
        .engine
        .view()
        .operations()
        .all(|o| !o.origin.is_elsewhere()));
}

/// The `lag` fault: the join's action is `completed` before the VM's `networks.v4` shows the
/// entry. It is not done until it shows (or left to be checked), never before.
#[test]
fn a_join_completed_before_the_vm_shows_it_is_not_done_yet() {
    let mut w = World::new(DialectKind::Cloudsfor, scenario(172, 0.0));
    w.sim
        .set_faults(vigil_sim::Faults::parse("lag=20000").unwrap());
    let net = create(&mut w, "slow");
    let vm = idle_vm(&w, &[]);
    let action = Action::AttachNetwork {
        network: net.clone(),
        name: "slow".into(),
    };
    let id = w.act_vm(&vm, action).unwrap();
    let (n, v) = (net.clone(), vm.clone());
    let op = w.run_checked(&id, move |sim, _| {
        in_truth(sim, &n, &v)
            .map(|_| ())
            .ok_or_else(|| "reported done, not shown on the VM yet".into())
    });
    assert!(
        matches!(op.phase, Phase::Succeeded | Phase::NeedsCheck),
        "{:?}",
        op.phase
    );
    if op.phase == Phase::Succeeded {
        assert!(op.finished_at.unwrap() >= op.accepted_at.unwrap() + 20_000);
    }
}

/// A join's action in a status this version does not know: shown raw, never success; the
/// operation waits (and is at worst left to be checked).
#[test]
fn an_unknown_action_status_is_never_success() {
    let mut w = World::new(DialectKind::Cloudsfor, scenario(173, 0.0));
    let net = create(&mut w, "odd");
    let vm = idle_vm(&w, &[]);
    let action = Action::AttachNetwork {
        network: net.clone(),
        name: "odd".into(),
    };
    let id = w.act_vm(&vm, action).unwrap();
    w.run_until(60_000, |e| e.op(&id).provider_ref.is_some());
    let Some(vigil_core::ProviderRef::CloudsforAction { started_at, .. }) =
        w.engine.op(&id).provider_ref
    else {
        panic!("a cloudsfor action")
    };
    let end = w.now + 20 * 60_000;
    let mut seen_raw = false;
    while w.engine.op(&id).is_open() && w.now < end {
        let going = w.step_with(&mut |req| {
            let actions = req.url.contains("/actions");
            (actions && req.method == vigil_core::Method::Get).then(|| {
                let body = format!(
                    r#"{{"actions":[{{"id":"{vm}","status":"queued-for-network","type":"attach_network","started_at":"{started_at}","completed_at":null}}],"meta":{{"total":1}}}}"#
                );
                HttpResponse {
                    status: 200,
                    headers: vec![("content-type".into(), "application/json".into())],
                    body,
                }
            })
        });
        let op = w.engine.op(&id);
        assert_ne!(
            op.phase,
            Phase::Succeeded,
            "an unknown status taken for done"
        );
        seen_raw |= op.provider_status.as_deref() == Some("queued-for-network");
        if !going {
            break;
        }
    }
    assert!(seen_raw, "the provider's word shown as sent");
    assert_ne!(w.engine.op(&id).phase, Phase::Succeeded);
}
