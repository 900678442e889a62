//! Writes seed inputs for the dialect targets into `corpus/dialect_*/`: every answer the
//! simulator gives while an engine lists, acts and reads catalogues, once per parser.
//!
//! `cargo +nightly run --release --example seed` (from `fuzz/`); `./x fuzz` runs it once.

use std::collections::BTreeSet;

use vigil_core::saved::{encode_entry, Entry};
use vigil_core::{ActionKind, Command, ConnectionConfig, DialectKind, Engine, HttpResponse};

const T0: i64 = vigil_fuzz::gen::T0;

/// Every answer the simulator gave, and every entry the engine saved.
fn bodies(kind: DialectKind, saved: &mut Vec<Entry>) -> BTreeSet<String> {
    let mut sim = vigil_sim::Sim::new(vigil_sim::Scenario::default(), T0 as u64);
    let mut e = Engine::new("s");
    let cfg = ConnectionConfig {
        id: "c".into(),
        name: "seed".into(),
        dialect: kind,
        base_url: format!("http://sim{}", vigil_core::demo::prefix(kind)),
        credentials: vigil_core::demo::credentials(kind),
        demo: false,
    };
    let mut now = T0;
    let mut out = BTreeSet::new();
    e.handle_command(Command::AddConnection(cfg), now).unwrap();
    let _ = e.handle_command(
        Command::LoadCatalogue {
            conn: "c".into(),
            region: None,
        },
        now,
    );
    for step in 0..400 {
        if step == 20 {
            // One action of each kind that needs no form, on the first VM that allows it.
            let vms: Vec<_> = e.view().vms(&"c".into()).to_vec();
            for kind in [ActionKind::Reboot, ActionKind::Shutdown, ActionKind::Start] {
                if let Some(vm) = vms
                    .iter()
                    .find(|v| e.view().allowed(&"c".into(), &v.id, kind).is_ok())
                {
                    let action = vigil_core::Action::simple(kind).unwrap();
                    let _ = e.handle_command(
                        Command::Act {
                            conn: "c".into(),
                            vm: vm.id.clone(),
                            action,
                        },
                        now,
                    );
                }
            }
        }
        e.handle_timeout(now);
        while let Some(ev) = e.poll_event() {
            if let vigil_core::Event::Save(s) = ev {
                saved.extend(s.ops.into_iter().map(Entry::Op));
                saved.extend(s.workflows.into_iter().map(Entry::Workflow));
                saved.extend(s.bulks.into_iter().map(Entry::Bulk));
            }
        }
        if step == 30 {
            let vm = e.view().vms(&"c".into()).last().map(|v| v.id.clone());
            if let Some(vm) = vm {
                let plan = vigil_core::workflow::Plan::Stop { grace_s: 5 };
                let _ = e.handle_command(
                    Command::Workflow {
                        conn: "c".into(),
                        vm: vm.clone(),
                        plan,
                    },
                    now,
                );
                let work = vigil_core::workflow::BulkWork::Action(vigil_core::Action::Reboot);
                let _ = e.handle_command(
                    Command::Bulk {
                        targets: vec![("c".into(), vm)],
                        work,
                    },
                    now,
                );
            }
        }
        while let Some(t) = e.poll_transmit(now) {
            let req = vigil_sim::Request {
                method: t.request.method.as_str().into(),
                url: t.request.url.clone(),
                headers: t.request.headers.clone(),
                body: t.request.body.clone().unwrap_or_default(),
            };
            let answer = match sim.handle(&req, now as u64) {
                vigil_sim::Reply::Response(r) => {
                    out.insert(r.body.clone());
                    Ok(HttpResponse {
                        status: r.status,
                        headers: r.headers,
                        body: r.body,
                    })
                }
                vigil_sim::Reply::Dropped => Err(vigil_core::NetError("dropped".into())),
            };
            e.handle_response(t.token, answer, now + 50);
        }
        now = e.poll_timeout().unwrap_or(now + 1_000).max(now + 50);
    }
    out
}

fn main() {
    let mut saved = Vec::new();
    for (name, kind) in [
        ("cloudsfor", DialectKind::Cloudsfor),
        ("zenno", DialectKind::ZennoHosting),
        ("erigones", DialectKind::Erigones),
        ("onet", DialectKind::OnetSolutions),
        ("hostway", DialectKind::Hostway),
    ] {
        let dir = format!("corpus/dialect_{name}");
        std::fs::create_dir_all(&dir).unwrap();
        let bodies = bodies(kind, &mut saved);
        for (i, body) in bodies.iter().enumerate() {
            for which in (0..12u8).chain([vigil_fuzz::dialect::FIND_FROM]) {
                // Parameters: the parser (or the look for a lost write), then a moment around
                // T0; the rest read as 0 (status 200, no headers, the body as it is).
                let mut input = vec![0u8; vigil_fuzz::PARAMS];
                input[0] = which;
                input[2] = 2;
                input.extend_from_slice(body.as_bytes());
                std::fs::write(format!("{dir}/seed-{i:03}-{which:02}"), input).unwrap();
            }
        }
        println!("{name}: {} bodies", bodies.len());
    }
    std::fs::create_dir_all("corpus/saved_entry").unwrap();
    let mut texts = BTreeSet::new();
    for entry in &saved {
        let kind = match entry {
            Entry::Op(_) => 0,
            Entry::Workflow(_) => 1,
            Entry::Bulk(_) => 2,
        };
        let (_, text) = encode_entry(entry);
        // The kind, the text as it is, the key its id asks for, a moment around T0; then the
        // text.
        let mut input = vec![0u8; vigil_fuzz::PARAMS];
        input[0] = kind;
        input[1] = 1;
        input[2] = 2;
        input[3] = 2;
        input.extend_from_slice(text.as_bytes());
        texts.insert(input);
    }
    for (i, input) in texts.iter().enumerate() {
        std::fs::write(format!("corpus/saved_entry/seed-{i:03}"), input).unwrap();
    }
    println!("saved_entry: {} entries", texts.len());
    commands();
}

/// Commands as tabs send them.
fn commands() {
    use vigil_core::workflow::{BulkWork, Plan};
    use vigil_core::{Action, Pace, Resize, Resource};
    std::fs::create_dir_all("corpus/command").unwrap();
    let conn = || -> (vigil_core::ConnId, vigil_core::VmId) { ("c".into(), "v1".into()) };
    let vm = ();
    let cmds = vec![
        Command::Act {
            conn: "c".into(),
            vm: "v1".into(),
            action: Action::Reboot,
        },
        Command::Act {
            conn: "c".into(),
            vm: "v2".into(),
            action: Action::Start,
        },
        Command::Act {
            conn: "c".into(),
            vm: "v1".into(),
            action: Action::Rename {
                name: "db-01".into(),
            },
        },
        Command::Act {
            conn: "c".into(),
            vm: "v1".into(),
            action: Action::Resize(Resize::One {
                resource: Resource::Ram,
                size: 4,
            }),
        },
        Command::Act {
            conn: "c".into(),
            vm: "v1".into(),
            action: Action::Snapshot {
                name: "s".into(),
                description: "d".into(),
            },
        },
        Command::Create {
            conn: "c".into(),
            spec: vigil_core::model::VmSpec {
                name: "new-01".into(),
                image: "debian-12".into(),
                region: Some("moscow_01".into()),
                size: Some("s-1".into()),
                ..Default::default()
            },
        },
        Command::Delete {
            conn: "c".into(),
            vm: "v2".into(),
            typed_name: "web-v2".into(),
        },
        Command::Workflow {
            conn: "c".into(),
            vm: "v1".into(),
            plan: Plan::Stop { grace_s: 60 },
        },
        Command::Workflow {
            conn: "c".into(),
            vm: "v1".into(),
            plan: Plan::ColdResize {
                resize: Resize::All {
                    cpu: 2,
                    ram: 4,
                    disk: 50,
                },
                start_after: true,
            },
        },
        Command::Bulk {
            targets: vec![conn(), ("c".into(), "v2".into())],
            work: BulkWork::Action(Action::Shutdown),
        },
        Command::Bulk {
            targets: vec![conn()],
            work: BulkWork::Plan(Plan::Stop { grace_s: 10 }),
        },
        Command::Cancel { op: "f1".into() },
        Command::CheckNow { op: "f1".into() },
        Command::Retry { op: "f1".into() },
        Command::ForceNow {
            workflow: "fw2".into(),
        },
        Command::CancelWorkflow {
            workflow: "fw2".into(),
        },
        Command::Refresh { conn: "c".into() },
        Command::LoadCatalogue {
            conn: "c".into(),
            region: Some("moscow_01".into()),
        },
        Command::RemoveConnection("c".into()),
        Command::Pace(Pace::Background),
        Command::ImportLearning("{}".into()),
        Command::TakeOver,
        Command::ShareAll,
        Command::ClearFinished,
    ];
    let _ = vm;
    for (i, cmd) in cmds.iter().enumerate() {
        let text = serde_json::to_string(cmd).unwrap();
        std::fs::write(format!("corpus/command/seed-{i:03}"), text).unwrap();
    }
    // Those a tab never sends, but a message could still hold.
    let import = r#"{"Import":{"operations":[],"workflows":[],"bulks":[]}}"#;
    std::fs::write("corpus/command/seed-import", import).unwrap();
    let mirror = r#"{"Mirror":{"saved":{"ops":[],"workflows":[],"bulks":[],"dropped_ops":["f1"],"dropped_workflows":[],"dropped_bulks":[]},"vms":[{"conn":"c","upsert":[],"removed":["v1"],"replace":true,"list":null}],"full":true}}"#;
    std::fs::write("corpus/command/seed-mirror", mirror).unwrap();
    println!("command: {} commands", cmds.len() + 2);
}
