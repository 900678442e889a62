//! One dialect's every parser fed an arbitrary answer, and what it read handed on to the
//! requests and rules that use it, as the engine would.

use vigil_core::catalogue::Part;
use vigil_core::dialect::Dialect;
use vigil_core::{ActionKind, ConnectionConfig, Credentials, DialectKind, PowerTarget};

use super::gen;

const PARTS: &[Part] = &[
    Part::Regions,
    Part::Sizes,
    Part::Images,
    Part::SshKeys,
    Part::Networks,
    Part::Configurations,
    Part::SecurityGroups,
    Part::Account,
];

const KINDS: &[ActionKind] = &[
    ActionKind::Start,
    ActionKind::Shutdown,
    ActionKind::PowerOff,
    ActionKind::Reboot,
    ActionKind::PowerCycle,
    ActionKind::PasswordReset,
    ActionKind::Resize,
    ActionKind::Rename,
    ActionKind::Snapshot,
    ActionKind::RestoreBackup,
    ActionKind::Create,
    ActionKind::Delete,
];

/// The dialect as a connection makes it (Erigones with either of its credentials).
pub fn api(kind: DialectKind, login: bool) -> Box<dyn Dialect> {
    let credentials = if login && kind == DialectKind::Erigones {
        Credentials::Login {
            username: "demo".into(),
            password: "demo".into(),
        }
    } else {
        vigil_core::demo::credentials(kind)
    };
    ConnectionConfig {
        id: "c".into(),
        name: "fuzz".into(),
        dialect: kind,
        base_url: "https://p.test/api".into(),
        credentials,
        demo: false,
    }
    .api()
}

/// Every `parse_*` of `kind`'s dialect, chosen by the first byte, on the answer in `data`.
pub fn run(kind: DialectKind, data: &[u8]) {
    let (mut c, bytes) = super::split(data);
    let which = c.u8();
    let mut api = api(kind, c.bool());
    let now = gen::now(&mut c);
    let vm = c.bool().then(|| gen::vm(&mut c));
    let target = gen::target(&mut c, vm.as_ref());
    let action = gen::action(&mut c);
    let refs: Vec<_> = (0..1 + c.u8() % 3)
        .map(|_| gen::provider_ref(&mut c, kind))
        .collect();
    let stage = c.u8();
    let part = *c.pick(PARTS);
    let power = *c.pick(&[PowerTarget::Running, PowerTarget::Stopped]);
    let resp = gen::response(&mut c, bytes);
    let refs: Vec<_> = refs.iter().collect();
    let vms = match which % 12 {
        0 => {
            let cursor = c.bool().then(|| gen::word(&mut c));
            let page = api.parse_list(cursor.as_deref(), &resp, now);
            page.map(|p| {
                for next in &p.next {
                    api.list_request(Some(next));
                }
                p.vms
            })
        }
        1 => api.parse_read_vm(&resp, now),
        2 => {
            let stages = api.stages(&action);
            let stage = stage % stages.saturating_add(1).max(1);
            let _ = api.action_request(&target, vm.as_ref(), &action, stage);
            let acc = api.parse_accepted(&target, vm.as_ref(), &action, stage, &resp, now);
            if let Ok(acc) = acc {
                api.observe_request(&acc.provider_ref);
                api.cancel_request(&acc.provider_ref);
                api.observe_many_request(&[&acc.provider_ref]);
            }
            Ok(Vec::new())
        }
        3 => api
            .parse_observation(refs[0], &resp, now)
            .map(|o| o.vm.into_iter().collect()),
        4 => {
            let many = api.parse_observe_many(&refs, &resp, now);
            if let Ok(many) = &many {
                assert_eq!(many.len(), refs.len(), "one entry per reference");
            }
            api.observe_many_next(&refs, &resp);
            many.map(|m| m.into_iter().flatten().filter_map(|o| o.vm).collect())
        }
        5 => Ok(api.observe_many_vms(&resp, now)),
        6 => api.parse_power_list(power, vm.as_slice(), &resp, now),
        7 => api
            .parse_cancel(refs[0], &resp, now)
            .map(|o| o.vm.into_iter().collect()),
        8 => {
            if let Ok((token, _)) = api.parse_login(&resp, now) {
                api.set_session(Some(token));
                api.list_request(None);
            }
            Ok(Vec::new())
        }
        9 => {
            let _ = api.parse_catalogue(part, &resp, now);
            Ok(Vec::new())
        }
        10 => {
            for r in &refs {
                api.observe_request(r);
                api.cancel_request(r);
            }
            api.observe_many_request(&refs);
            Ok(Vec::new())
        }
        _ => {
            let region = gen::word(&mut c);
            api.region_catalogue_requests(&region);
            api.catalogue_requests();
            api.power_list_request(power);
            Ok(Vec::new())
        }
    };
    // What was read goes on to the provider's rules and the requests made about it.
    for vm in vms.into_iter().flatten() {
        for kind in KINDS {
            let _ = api.allowed(&vm, *kind);
        }
        api.read_vm_request(&vm.id, None);
        api.read_many_request(&[&vm.id]);
        let t = vigil_core::Target::vm(vm.id.clone(), vm.name.clone());
        let _ = api.validate(&action);
        let _ = api.action_request(&t, Some(&vm), &action, 0);
    }
}
