//! Values built from fuzz bytes: JSON bodies, responses, moments, and the engine's own values
//! (provider references, actions, VMs) that a dialect is handed with an answer.

use serde_json::{Map, Number, Value};
use vigil_core::model::{PowerState, Size, VmSpec};
use vigil_core::{
    Action, DialectKind, HttpResponse, Millis, ProviderRef, Resize, Resource, Target, Vm, VmId,
};

use super::vocab::{HEADERS, NUMBERS, WORDS};
use super::Cursor;

/// 2026-01-01T00:00:00Z.
pub const T0: Millis = 1_767_225_600_000;

/// How deep built JSON goes (deeper nesting comes as raw text).
const MAX_DEPTH: u32 = 12;

/// A moment: mostly around [`T0`], sometimes at the ends of what a clock can say.
pub fn now(c: &mut Cursor) -> Millis {
    match c.u8() % 8 {
        0 => 0,
        1 => i64::from(c.u32()) * 1_000_000,
        _ => T0 + i64::from(c.u16()) * 1_000,
    }
}

/// A status: mostly those providers send, sometimes any.
pub fn status(c: &mut Cursor) -> u16 {
    const COMMON: &[u16] = &[
        200, 201, 202, 204, 200, 400, 401, 403, 404, 409, 410, 422, 423, 429, 500, 502, 503, 504,
    ];
    let b = c.u8();
    if b < 0xf0 {
        COMMON[usize::from(b) % COMMON.len()]
    } else {
        c.u16()
    }
}

/// Up to three headers.
pub fn headers(c: &mut Cursor) -> Vec<(String, String)> {
    let n = c.u8() % 4;
    (0..n)
        .map(|_| {
            let (k, v) = c.pick(HEADERS);
            (k.to_string(), v.to_string())
        })
        .collect()
}

/// The body, from the bytes after the parameters: as they are (lossy text), or as JSON built
/// from them, by `mode`.
pub fn body(mode: u8, bytes: &[u8]) -> String {
    match mode % 4 {
        0 | 1 => String::from_utf8_lossy(bytes).into_owned(),
        2 => json(&mut Cursor::new(bytes), 0).to_string(),
        _ => {
            // Deep nesting: `[[[[…]]]]` or `{"a":{"a":…}}`, as deep as the first byte says × 8.
            let depth = usize::from(bytes.first().copied().unwrap_or(0)) * 8;
            let inner = String::from_utf8_lossy(bytes.get(1..).unwrap_or(&[])).into_owned();
            if bytes.len().is_multiple_of(2) {
                format!("{}{}{}", "[".repeat(depth), inner, "]".repeat(depth))
            } else {
                format!("{}{}{}", "{\"a\":".repeat(depth), inner, "}".repeat(depth))
            }
        }
    }
}

/// A response from the parameters (status, headers, how to read the body) and the body bytes.
pub fn response(c: &mut Cursor, bytes: &[u8]) -> HttpResponse {
    let status = status(c);
    let headers = headers(c);
    let mode = c.u8();
    HttpResponse {
        status,
        headers,
        body: body(mode, bytes),
    }
}

/// A string a provider might send: a known word, a number as text, or raw bytes.
pub fn word(c: &mut Cursor) -> String {
    match c.u8() % 8 {
        0 => c.text(24),
        1 => c.u32().to_string(),
        2 => "x".repeat(usize::from(c.u16()) % 12_000),
        _ => c.pick(WORDS).to_string(),
    }
}

/// Integers at the ends of what fields hold.
const INTEGERS: &[i64] = &[
    i64::MIN,
    i64::MAX,
    i64::MIN + 1,
    -1,
    0,
    u32::MAX as i64,
    u32::MAX as i64 + 1,
    253_402_300_800_000,
];

fn number(c: &mut Cursor) -> Value {
    match c.u8() % 5 {
        0 => Value::Number(Number::from(c.u64())),
        1 => Value::Number(Number::from(c.u64() as i64)),
        4 => Value::Number(Number::from(*c.pick(INTEGERS))),
        2 => Value::Number(Number::from(u64::from(c.u8()))),
        _ => Number::from_f64(*c.pick(NUMBERS)).map_or(Value::Null, Value::Number),
    }
}

/// A hostile leaf: an integer at an edge, a huge text, or any JSON.
pub fn hostile(c: &mut Cursor) -> Value {
    match c.u8() % 3 {
        0 => Value::Number(Number::from(*c.pick(INTEGERS))),
        1 => Value::String("\u{202e}x".repeat(usize::from(c.u16()) % 4_000)),
        _ => json(c, MAX_DEPTH - 2),
    }
}

/// Walks down `v` as the bytes say and replaces what it ends on with a [`hostile`] value.
pub fn replace_somewhere(v: &mut Value, c: &mut Cursor) {
    let mut at = v;
    loop {
        let go_on = !c.u8().is_multiple_of(4);
        let next_index = usize::from(c.u8());
        let n = match &*at {
            Value::Array(a) => a.len(),
            Value::Object(m) => m.len(),
            _ => 0,
        };
        if !go_on || n == 0 {
            break;
        }
        at = match at {
            Value::Array(a) => &mut a[next_index % n],
            Value::Object(m) => m.values_mut().nth(next_index % n).expect("in range"),
            _ => unreachable!("has children"),
        };
    }
    *at = hostile(c);
}

/// JSON built from bytes, its keys mostly the words dialects read.
pub fn json(c: &mut Cursor, depth: u32) -> Value {
    let leaf = depth >= MAX_DEPTH;
    match c.u8() % if leaf { 4 } else { 8 } {
        0 => Value::Null,
        1 => Value::Bool(c.bool()),
        2 => number(c),
        3 => Value::String(word(c)),
        4 | 5 => {
            let n = c.u8() % 5;
            Value::Array((0..n).map(|_| json(c, depth + 1)).collect())
        }
        _ => {
            let n = c.u8() % 6;
            let mut m = Map::new();
            for _ in 0..n {
                let k = word(c);
                m.insert(k, json(c, depth + 1));
            }
            Value::Object(m)
        }
    }
}

fn id(c: &mut Cursor) -> String {
    match c.u8() % 8 {
        0 => word(c),
        1 => String::new(),
        n => format!("v{}", n),
    }
}

/// A provider reference of the kinds `kind` makes.
pub fn provider_ref(c: &mut Cursor, kind: DialectKind) -> ProviderRef {
    let pick = c.u8() % 3;
    match (kind, pick) {
        (_, 0) => ProviderRef::Watch,
        (DialectKind::Cloudsfor, _) => ProviderRef::CloudsforAction {
            vm_id: id(c),
            action_type: word(c),
            started_at: word(c),
        },
        (DialectKind::ZennoHosting, _) => ProviderRef::ZennoCommand {
            project: id(c),
            vm_id: id(c),
            command_id: id(c),
            operation: word(c),
            accepted_at: now(c),
            vm_name: word(c),
        },
        (DialectKind::Erigones, _) => ProviderRef::ErigonesTask {
            hostname: id(c),
            task_id: id(c),
        },
        (DialectKind::OnetSolutions, 1) => ProviderRef::OnetTask {
            instance_id: id(c),
            task_id: id(c),
        },
        (DialectKind::OnetSolutions, _) => ProviderRef::OnetInstanceTask {
            instance_id: id(c),
            task_type: word(c),
        },
        (DialectKind::Hostway, 1) => ProviderRef::HostwayServer { server_id: id(c) },
        (DialectKind::Hostway, _) => match c.u8() % 2 {
            0 => ProviderRef::HostwayDeletion { server_id: id(c) },
            _ => ProviderRef::HostwaySnapshot {
                server_id: id(c),
                href: word(c),
            },
        },
    }
}

/// Any action, with parameters at their edges.
pub fn action(c: &mut Cursor) -> Action {
    match c.u8() % 14 {
        0 => Action::Start,
        1 => Action::Shutdown,
        2 => Action::PowerOff,
        3 => Action::Reboot,
        4 => Action::PowerCycle,
        5 => Action::PasswordReset,
        6 => Action::Resize(match c.u8() % 3 {
            0 => Resize::One {
                resource: *c.pick(&[Resource::Cpu, Resource::Ram, Resource::Disk]),
                size: c.u32(),
            },
            1 => Resize::All {
                cpu: c.u32(),
                ram: c.u32(),
                disk: c.u32(),
            },
            _ => Resize::Flavor { id: word(c) },
        }),
        7 => Action::Rename { name: word(c) },
        8 => Action::Snapshot {
            name: word(c),
            description: word(c),
        },
        9 => Action::RestoreBackup {
            backup_id: id(c),
            name: word(c),
        },
        10 => Action::ShutdownWithin { timeout_s: c.u32() },
        11 => Action::Create(Box::new(spec(c))),
        _ => Action::Delete {
            stop_first: c.bool(),
        },
    }
}

fn maybe(c: &mut Cursor) -> Option<String> {
    c.bool().then(|| word(c))
}

fn spec(c: &mut Cursor) -> VmSpec {
    VmSpec {
        name: word(c),
        region: maybe(c),
        size: maybe(c),
        configuration: maybe(c),
        image: word(c),
        os: maybe(c),
        vcpus: c.bool().then(|| c.u32()),
        ram_mb: c.bool().then(|| c.u32()),
        disk_gb: c.bool().then(|| c.u32()),
        network: maybe(c),
        security_group: maybe(c),
        ssh_keys: (0..c.u8() % 3).map(|_| word(c)).collect(),
        backups: c.bool(),
        public_ip: c.bool(),
    }
}

/// A VM as last seen, with fields at their edges.
pub fn vm(c: &mut Cursor) -> Vm {
    let power = match c.u8() % 7 {
        0 => PowerState::Running,
        1 => PowerState::Stopped,
        2 => PowerState::Starting,
        3 => PowerState::Stopping,
        4 => PowerState::Rebooting,
        5 => PowerState::Busy,
        _ => PowerState::Unknown(word(c)),
    };
    let num = |c: &mut Cursor| c.bool().then(|| c.u32());
    Vm {
        id: VmId(id(c)),
        name: word(c),
        power,
        status_raw: word(c),
        locked: c.bool(),
        size: Size {
            vcpus: num(c),
            memory_gb: num(c),
            disk_gb: num(c),
            flavor: maybe(c),
        },
        region: maybe(c),
        image: maybe(c),
        snapshot_count: c.bool().then(|| usize::from(c.u16())),
        project: maybe(c),
        addresses: Vec::new(),
        // Seconds up, as Erigones gives them: at times at the end of what they can say.
        image_id: None,
        uptime_s: match c.u8() % 4 {
            0 => None,
            1 => Some(u64::MAX),
            2 => Some(u64::from(c.u32())),
            _ => Some(u64::from(c.u16())),
        },
        features: Vec::new(),
        networks: Vec::new(),
        vpc: None,
        status_only: false,
        hostname: None,
    }
}

/// The target of an action on `vm`, or of a create (no id yet).
pub fn target(c: &mut Cursor, vm: Option<&Vm>) -> Target {
    match vm {
        Some(vm) if c.bool() => Target::vm(vm.id.clone(), vm.name.clone()),
        _ => Target::Vm {
            id: None,
            name: word(c),
        },
    }
}
