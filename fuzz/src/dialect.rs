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

/// What a parser is handed besides the answer, built from the parameters.
struct Given {
    now: vigil_core::Millis,
    vm: Option<vigil_core::Vm>,
    target: vigil_core::Target,
    action: vigil_core::Action,
    refs: Vec<vigil_core::ProviderRef>,
    stage: u8,
    part: Part,
    power: PowerTarget,
    resp: vigil_core::HttpResponse,
}

/// Every `parse_*` of `kind`'s dialect, chosen by the first byte, on the answer in `data`: a
/// parser of answers ([`read`]), or a look for a lost write ([`find`]).
pub fn run(kind: DialectKind, data: &[u8]) {
    let (mut c, bytes) = super::split(data);
    let which = c.u8();
    let mut api = api(kind, c.bool());
    let now = gen::now(&mut c);
    let vm = c.bool().then(|| gen::vm(&mut c));
    let target = gen::target(&mut c, vm.as_ref());
    let action = gen::action(&mut c);
    let refs = (0..1 + c.u8() % 3)
        .map(|_| gen::provider_ref(&mut c, kind))
        .collect();
    let g = Given {
        now,
        vm,
        target,
        action,
        refs,
        stage: c.u8(),
        part: *c.pick(PARTS),
        power: *c.pick(&[PowerTarget::Running, PowerTarget::Stopped]),
        resp: gen::response(&mut c, bytes),
    };
    let vms = if which >= FIND_FROM {
        find(api.as_ref(), &g, &mut c)
    } else {
        read(api.as_mut(), which, &g, &mut c)
    };
    // What was read goes on to the provider's rules and the requests made about it.
    for vm in vms.into_iter().flatten() {
        for kind in KINDS {
            let _ = api.allowed(&vm, *kind);
        }
        api.read_vm_request(&vm.id, None);
        api.read_many_request(&[&vm.id]);
        let t = vigil_core::Target::vm(vm.id.clone(), vm.name.clone());
        let _ = api.validate(&g.action);
        let _ = api.action_request(&t, Some(&vm), &g.action, 0);
    }
}

/// A first byte from here on looks for a write whose answer was lost
/// ([`Dialect::find_submit`]); below it, [`read`] picks a parser.
pub const FIND_FROM: u8 = 240;

/// The answer read as the look for a lost write: the write as it went out now, looked for at a
/// cursor or from the start; what it finds is followed as the engine would (an adopted task
/// observed, a next page asked for).
fn find(
    api: &dyn Dialect,
    g: &Given,
    c: &mut super::Cursor,
) -> Result<Vec<vigil_core::Vm>, vigil_core::ApiError> {
    use vigil_core::dialect::{Found, Submit};
    let s = Submit {
        target: &g.target,
        vm: g.vm.as_ref(),
        action: &g.action,
        stage: g.stage % api.stages(&g.action).max(1),
        sent_at: g.now,
    };
    let cursor = c.bool().then(|| gen::word(c));
    api.find_submit(&s, cursor.as_deref());
    match api.parse_find_submit(&s, cursor.as_deref(), &g.resp, g.now)? {
        Found::Adopted(acc) => {
            api.observe_request(&acc.provider_ref);
            api.cancel_request(&acc.provider_ref);
            api.observe_many_request(&[&acc.provider_ref]);
        }
        Found::Look(next) => {
            api.find_submit(&s, Some(&next));
        }
        Found::NotTaken | Found::Unknown => {}
    }
    Ok(Vec::new())
}

/// The parser `which` picks, on the answer; the VMs it read, if any.
fn read(
    api: &mut dyn Dialect,
    which: u8,
    g: &Given,
    c: &mut super::Cursor,
) -> Result<Vec<vigil_core::Vm>, vigil_core::ApiError> {
    let (now, resp, vm) = (g.now, &g.resp, g.vm.as_ref());
    let refs: Vec<_> = g.refs.iter().collect();
    match which % 12 {
        0 => {
            let cursor = c.bool().then(|| gen::word(c));
            let page = api.parse_list(cursor.as_deref(), resp, now)?;
            for next in &page.next {
                api.list_request(Some(next));
            }
            Ok(page.vms)
        }
        1 => api.parse_read_vm(resp, now),
        2 => {
            let stages = api.stages(&g.action);
            let stage = g.stage % stages.saturating_add(1).max(1);
            let _ = api.action_request(&g.target, vm, &g.action, stage);
            let acc = api.parse_accepted(&g.target, vm, &g.action, stage, resp, now);
            if let Ok(acc) = acc {
                api.observe_request(&acc.provider_ref);
                api.cancel_request(&acc.provider_ref);
                api.observe_many_request(&[&acc.provider_ref]);
            }
            Ok(Vec::new())
        }
        3 => api
            .parse_observation(refs[0], resp, now)
            .map(|o| o.vm.into_iter().collect()),
        4 => {
            let many = api.parse_observe_many(&refs, resp, now)?;
            assert_eq!(many.len(), refs.len(), "one entry per reference");
            api.observe_many_next(&refs, resp);
            Ok(many.into_iter().flatten().filter_map(|o| o.vm).collect())
        }
        5 => Ok(api.observe_many_vms(resp, now)),
        6 => api.parse_power_list(g.power, g.vm.as_slice(), resp, now),
        7 => api
            .parse_cancel(refs[0], resp, now)
            .map(|o| o.vm.into_iter().collect()),
        8 => {
            if let Ok((token, _)) = api.parse_login(resp, now) {
                api.set_session(Some(token));
                api.list_request(None);
            }
            Ok(Vec::new())
        }
        9 => api.parse_catalogue(g.part, resp, now).map(|_| Vec::new()),
        10 => {
            for r in &refs {
                api.observe_request(r);
                api.cancel_request(r);
            }
            api.observe_many_request(&refs);
            Ok(Vec::new())
        }
        _ => {
            let region = gen::word(c);
            api.region_catalogue_requests(&region);
            api.catalogue_requests();
            api.power_list_request(g.power);
            Ok(Vec::new())
        }
    }
}
