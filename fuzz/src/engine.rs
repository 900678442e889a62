//! An engine and the simulator with a hostile wire between them. The input is a program: each
//! byte picks a move (a round of requests, an answer as the simulator gives it, garbled, failed,
//! duplicated or never given, time passing, a command, a reload), the bytes after it its
//! details. Nothing may panic, with overflow checks on.

use serde_json::Value;
use vigil_core::saved::{decode_entry, encode_entry, Entry};
use vigil_core::workflow::{BulkWork, Plan};
use vigil_core::{
    Command, ConnectionConfig, DialectKind, Engine, HttpResponse, Millis, NetError, Pace, Transmit,
};

use super::{gen, look::look, Cursor};

/// The most moves one input makes.
const MAX_MOVES: usize = 300;

struct Wire {
    sim: vigil_sim::Sim,
    engine: Engine,
    cfg: ConnectionConfig,
    now: Millis,
    /// Requests handed out and not answered yet, in the order they went out.
    flying: Vec<Transmit>,
    /// Answers already given, to give again (a duplicate, a late copy).
    given: Vec<(vigil_core::Token, HttpResponse)>,
    reloads: u32,
}

pub fn run(data: &[u8]) {
    let mut c = Cursor::new(data);
    let kind = *c.pick(DialectKind::ALL);
    let seed = c.u8();
    let scenario = vigil_sim::Scenario {
        seed: u64::from(seed),
        vms: 4,
        failure_rate: 0.1,
        speed: 20.0,
    };
    let cfg = ConnectionConfig {
        id: "c".into(),
        name: "fuzz".into(),
        dialect: kind,
        base_url: format!("http://sim{}", vigil_core::demo::prefix(kind)),
        credentials: vigil_core::demo::credentials(kind),
        demo: false,
    };
    let mut w = Wire {
        sim: vigil_sim::Sim::with_faults(scenario, gen::T0 as u64, faults(seed)),
        engine: Engine::new("f"),
        cfg,
        now: gen::T0,
        flying: Vec::new(),
        given: Vec::new(),
        reloads: 0,
    };
    let _ = w
        .engine
        .handle_command(Command::AddConnection(w.cfg.clone()), w.now);
    // The listing, answered as given, so that there are VMs to act on.
    for _ in 0..6 {
        w.round();
        while !w.flying.is_empty() {
            w.answer(0, None);
        }
        w.now += 100;
    }
    let mut moves = 0;
    while !c.is_empty() && moves < MAX_MOVES {
        moves += 1;
        w.step(&mut c);
    }
    look(&w.engine, w.now);
}

/// The simulator's own faults, in half of the worlds (a seed from 128 on): writes applied and
/// their answers dropped or failed, task ids garbled, ZennoHosting clearing its status fields
/// soon after an end (at once, at times) and reporting failed operations `succeeded`.
fn faults(seed: u8) -> vigil_sim::Faults {
    if seed < 0x80 {
        return vigil_sim::Faults::none();
    }
    vigil_sim::Faults {
        server_error: 0.02,
        drop: 0.03,
        garble: 0.05,
        clear_ms: Some(u64::from(seed & 0x0f) * 500),
        lie: 0.2,
        ..vigil_sim::Faults::none()
    }
}

impl Wire {
    fn round(&mut self) {
        self.engine.handle_timeout(self.now);
        while let Some(t) = self.engine.poll_transmit(self.now) {
            self.flying.push(t);
            if self.flying.len() > 200 {
                self.flying.remove(0); // never answered
            }
        }
        while self.engine.poll_event().is_some() {}
    }

    fn pick_flying(&self, c: &mut Cursor) -> Option<usize> {
        (!self.flying.is_empty()).then(|| usize::from(c.u8()) % self.flying.len())
    }

    /// Answers the request at `i` as the simulator does, garbled by `garble` when given.
    fn answer(&mut self, i: usize, garble: Option<&mut Cursor>) {
        let t = self.flying.remove(i);
        let req = vigil_sim::Request {
            method: t.request.method.as_str().into(),
            url: t.request.url.clone(),
            headers: t.request.headers.clone(),
            body: t.request.body.clone().unwrap_or_default(),
        };
        let reply = match self.sim.handle(&req, self.now.max(0) as u64) {
            vigil_sim::Reply::Response(r) => Ok(HttpResponse {
                status: r.status,
                headers: r.headers,
                body: r.body,
            }),
            vigil_sim::Reply::Dropped => Err(NetError("connection dropped".into())),
        };
        let reply = match (reply, garble) {
            (Ok(r), Some(c)) => Ok(garbled(r, c)),
            (r, _) => r,
        };
        if let Ok(r) = &reply {
            self.given.push((t.token, r.clone()));
            if self.given.len() > 16 {
                self.given.remove(0);
            }
        }
        self.engine.handle_response(t.token, reply, self.now);
    }

    fn step(&mut self, c: &mut Cursor) {
        match c.u8() % 14 {
            0..=2 => self.round(),
            3..=5 => {
                if let Some(i) = self.pick_flying(c) {
                    self.answer(i, None);
                }
            }
            6 | 7 => {
                if let Some(i) = self.pick_flying(c) {
                    self.answer(i, Some(c));
                }
            }
            8 => {
                if let Some(i) = self.pick_flying(c) {
                    let t = self.flying.remove(i);
                    let e = Err(NetError(c.text(20)));
                    self.engine.handle_response(t.token, e, self.now);
                }
            }
            9 => {
                // An answer given again (or a token never handed out).
                if self.given.is_empty() || c.bool() {
                    let token = vigil_core::Token(c.u64());
                    let r = HttpResponse::new(200, "{}");
                    self.engine.handle_response(token, Ok(r), self.now);
                } else {
                    let (token, r) = self.given[usize::from(c.u8()) % self.given.len()].clone();
                    self.engine.handle_response(token, Ok(r), self.now);
                }
            }
            10 => self.pass_time(c),
            11 | 12 => self.command(c),
            _ => self.reload(c),
        }
        while self.engine.poll_event().is_some() {}
    }

    fn pass_time(&mut self, c: &mut Cursor) {
        const STEPS: &[Millis] = &[0, 50, 1_000, 10_000, 60_000, 600_000, 3_600_000, 86_400_000];
        let next = match c.u8() % 3 {
            0 => self.engine.poll_timeout().unwrap_or(self.now),
            _ => self.now + c.pick(STEPS),
        };
        self.now = next.max(self.now);
    }

    fn command(&mut self, c: &mut Cursor) {
        let v = self.engine.view();
        let conn = self.cfg.id.clone();
        let vms: Vec<_> = v
            .vms(&conn)
            .iter()
            .map(|v| (v.id.clone(), v.name.clone()))
            .collect();
        let ops: Vec<_> = v.operations().map(|o| o.id.clone()).collect();
        let wfs: Vec<_> = v.workflows().map(|w| w.id.clone()).collect();
        let nth = |c: &mut Cursor, n: usize| usize::from(c.u8()) % n.max(1);
        let (vm, name) = match vms.get(nth(c, vms.len())) {
            Some(x) => x.clone(),
            None => ("v1".into(), "web-01".into()),
        };
        let op = ops.get(nth(c, ops.len())).cloned().unwrap_or_default();
        let workflow = wfs.get(nth(c, wfs.len())).cloned().unwrap_or_default();
        let plan = |c: &mut Cursor| match c.u8() % 2 {
            0 => Plan::Stop {
                grace_s: u32::from(c.u16()),
            },
            _ => Plan::ColdResize {
                resize: vigil_core::Resize::All {
                    cpu: 2,
                    ram: 4,
                    disk: 50,
                },
                start_after: c.bool(),
            },
        };
        let cmd = match c.u8() % 16 {
            0..=3 => {
                let action = match c.u8() % 4 {
                    0 => gen::action(c),
                    n => [
                        vigil_core::Action::Reboot,
                        vigil_core::Action::Shutdown,
                        vigil_core::Action::Start,
                    ][usize::from(n) - 1]
                        .clone(),
                };
                Command::Act { conn, vm, action }
            }
            4 => Command::Workflow {
                conn,
                vm,
                plan: plan(c),
            },
            5 => Command::Bulk {
                targets: vms.iter().map(|(v, _)| (conn.clone(), v.clone())).collect(),
                work: match c.bool() {
                    true => BulkWork::Action(gen::action(c)),
                    false => BulkWork::Plan(plan(c)),
                },
            },
            6 => Command::CheckNow { op },
            7 => Command::Retry { op },
            8 => Command::Cancel { op },
            9 => Command::ForceNow { workflow },
            10 => Command::CancelWorkflow { workflow },
            11 => Command::Pace(*c.pick(&[
                Pace::Foreground,
                Pace::Background,
                Pace::Offline,
                Pace::Foreground,
            ])),
            12 => Command::Delete {
                conn,
                vm,
                typed_name: name,
            },
            13 => Command::LoadCatalogue { conn, region: None },
            14 => Command::ClearFinished,
            _ => Command::Refresh { conn },
        };
        let _ = self.engine.handle_command(cmd, self.now);
    }

    /// The page reloads: what it kept goes through storage's encoding (garbled a little, at
    /// times) into a new engine; the answers on their way are lost.
    fn reload(&mut self, c: &mut Cursor) {
        if self.reloads >= 4 {
            return;
        }
        self.reloads += 1;
        let saved = self.engine.view().saved_state();
        let entries = (saved.operations.into_iter().map(Entry::Op))
            .chain(saved.workflows.into_iter().map(Entry::Workflow))
            .chain(saved.bulks.into_iter().map(Entry::Bulk));
        let mut kept = vigil_core::workflow::SavedState::default();
        for entry in entries {
            let (key, mut text) = encode_entry(&entry);
            if c.u8().is_multiple_of(8) && !text.is_empty() {
                let at = usize::from(c.u16()) % text.len();
                if text.is_char_boundary(at) {
                    text.insert(at, char::from(c.u8() & 0x7f));
                }
            }
            match decode_entry(&key, &text) {
                Ok(Entry::Op(o)) => kept.operations.push(o),
                Ok(Entry::Workflow(w)) => kept.workflows.push(w),
                Ok(Entry::Bulk(b)) => kept.bulks.push(b),
                Err(_) => {}
            }
        }
        self.flying.clear();
        self.engine = Engine::new(format!("f{}", self.reloads));
        let _ = self
            .engine
            .handle_command(Command::AddConnection(self.cfg.clone()), self.now);
        let _ = self.engine.handle_command(Command::Import(kept), self.now);
    }
}

/// A response garbled: its status, headers, or body (cut, a byte changed, a value replaced by a
/// hostile one, nested deep, or replaced whole).
fn garbled(mut r: HttpResponse, c: &mut Cursor) -> HttpResponse {
    match c.u8() % 7 {
        0 => r.status = gen::status(c),
        1 => r.headers.extend(gen::headers(c)),
        2 => {
            let at = usize::from(c.u16()) % (r.body.len() + 1);
            let at = (0..=at)
                .rev()
                .find(|&i| r.body.is_char_boundary(i))
                .unwrap_or(0);
            r.body.truncate(at);
        }
        3 => r.body = gen::json(c, 0).to_string(),
        4 => {
            let depth = usize::from(c.u8()) * 4;
            r.body = format!(
                "{}{}{}",
                "{\"a\":[".repeat(depth),
                r.body,
                "]}".repeat(depth)
            );
        }
        _ => {
            if let Ok(mut v) = serde_json::from_str::<Value>(&r.body) {
                gen::replace_somewhere(&mut v, c);
                r.body = v.to_string();
            }
        }
    }
    r
}
