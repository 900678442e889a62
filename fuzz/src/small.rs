//! The small targets: the lenient JSON reader, waits from headers, the saved-state decoder,
//! commands from other tabs, routes.

use vigil_core::error::{self, ApiError, MAX_PROVIDER_TEXT, MAX_RETRY_AFTER};
use vigil_core::json;

use super::{gen, Cursor};

/// Never panics; strict JSON reads the same leniently; numbers and texts read from it are sane.
pub fn json_lenient(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lenient = json::parse_lenient(text);
    if let Ok(strict) = serde_json::from_str::<serde_json::Value>(text) {
        assert_eq!(
            lenient.as_ref().ok(),
            Some(&strict),
            "strict JSON reads the same"
        );
    }
    if let Ok(v) = lenient {
        if let Some(obj) = v.as_object() {
            for k in obj.keys() {
                json::text(&v, k);
                json::uint(&v, k);
            }
        }
    }
}

/// Waits are never negative nor longer than the cap, whatever the headers say; an error made of
/// the answer keeps at most the cap of the provider's text.
pub fn retry_after(data: &[u8]) {
    let (mut c, bytes) = super::split(data);
    let now = gen::now(&mut c);
    let mut resp = gen::response(&mut c, bytes);
    // Arbitrary header values too, not only the hostile ones on file.
    let mut raw = Cursor::new(bytes);
    for _ in 0..c.u8() % 3 {
        let name = *c.pick(&["Retry-After", "ratelimit-remaining", "ratelimit-reset"]);
        resp.headers.push((name.into(), raw.text(40)));
    }
    if let Some(wait) = error::retry_after(&resp, now) {
        assert!(
            (0..=MAX_RETRY_AFTER).contains(&wait),
            "wait {wait} out of bounds"
        );
    }
    let keys = ["message", "detail", "error"];
    let e = ApiError::from_response(&resp, &keys, now);
    if let Some(t) = &e.provider_text {
        assert!(
            t.len() <= MAX_PROVIDER_TEXT + '…'.len_utf8(),
            "provider text capped"
        );
    }
    if let Some(wait) = e.retry_after {
        assert!((0..=MAX_RETRY_AFTER).contains(&wait));
    }
}

/// Commands as other tabs' messages bring them, one a line: decoded; what decodes is carried out
/// by an engine with a listed connection, then rounds of requests go out and the page reads it
/// all.
pub fn command(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let now = gen::T0;
    let mut e = listed_engine(now);
    // One command a line, as a tab's messages come one after another.
    let cmds: Vec<vigil_core::Command> = text
        .lines()
        .take(8)
        .filter_map(|l| {
            let cmd: vigil_core::Command = serde_json::from_str(l).ok()?;
            let crossing = vigil_core::Command::from_tab(l);
            assert_eq!(crossing.is_some(), cmd.crosses_tabs());
            Some(cmd)
        })
        .collect();
    if cmds.is_empty() {
        return;
    }
    for cmd in cmds {
        let _ = e.handle_command(cmd, now);
    }
    for t in [now, now + 1_000, now + 3_600_000] {
        e.handle_timeout(t);
        while e.poll_transmit(t).is_some() {}
        while e.poll_event().is_some() {}
    }
    super::look::look(&e, now);
}

/// An engine with one cloudsfor connection, `c`, that listed three VMs.
pub fn listed_engine(now: vigil_core::Millis) -> vigil_core::Engine {
    use vigil_core::{Command, ConnectionConfig, DialectKind, HttpResponse};
    let mut e = vigil_core::Engine::new("f");
    let cfg = ConnectionConfig {
        id: "c".into(),
        name: "fuzz".into(),
        dialect: DialectKind::Cloudsfor,
        base_url: "https://p.test/api/v1".into(),
        credentials: vigil_core::demo::credentials(DialectKind::Cloudsfor),
        demo: false,
    };
    let _ = e.handle_command(Command::AddConnection(cfg), now);
    let vm = |id: &str, status: &str| {
        serde_json::json!({"id": id, "name": format!("web-{id}"), "memory": 2, "vcpus": 1,
            "disk": 25, "locked": false, "status": status, "snapshot_ids": [],
            "image": {"name": "Debian 12"}})
    };
    let body = serde_json::json!({"vms": [vm("v1", "running"), vm("v2", "stopped"),
        vm("v3", "running")], "meta": {"total": 3}});
    while let Some(t) = e.poll_transmit(now) {
        e.handle_response(t.token, Ok(HttpResponse::new(200, body.to_string())), now);
    }
    while e.poll_event().is_some() {}
    e
}

/// Saved entries, one a line (up to six), each under a key (mostly the one its id asks for):
/// read, or refused with a typed error naming that key; what reads encodes and reads back to
/// itself. An engine then imports what was read together, resumes it, is asked to check, retry
/// and force, lets time pass and renders it all.
pub fn saved_entry(data: &[u8]) {
    use vigil_core::saved::{decode_entry, encode_entry, Entry};
    let (mut c, bytes) = super::split(data);
    let all = String::from_utf8_lossy(bytes).into_owned();
    let mut state = vigil_core::workflow::SavedState::default();
    for line in all.lines().take(6) {
        let kind = *c.pick(&["op", "wf", "bulk"]);
        let mut text = line.to_string();
        // At times one value of the entry replaced by a hostile one (a moment at the end of time).
        if c.u8().is_multiple_of(2) {
            if let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&text) {
                let tail = &line.as_bytes()[line.len().saturating_sub(24)..];
                super::gen::replace_somewhere(&mut v, &mut Cursor::new(tail));
                text = v.to_string();
            }
        }
        let key = match c.u8() % 4 {
            0 => c.text(30),
            _ => {
                let id = serde_json::from_str::<serde_json::Value>(&text)
                    .ok()
                    .and_then(|v| v.get(kind)?.get("id")?.as_str().map(String::from))
                    .unwrap_or_default();
                format!("vigil.v3.{kind}.{id}")
            }
        };
        let entry = match decode_entry(&key, &text) {
            Ok(entry) => entry,
            Err(e) => {
                assert_eq!(e.key, key, "the error names its key");
                e.disposal();
                continue;
            }
        };
        let (k, t) = encode_entry(&entry);
        assert_eq!(k, key);
        assert_eq!(
            decode_entry(&k, &t).as_ref(),
            Ok(&entry),
            "reads back to itself"
        );
        match entry {
            Entry::Op(o) => state.operations.push(o),
            Entry::Workflow(w) => state.workflows.push(w),
            Entry::Bulk(b) => state.bulks.push(b),
        }
    }
    let now = gen::now(&mut c);
    let ops: Vec<_> = state.operations.iter().map(|o| o.id.clone()).collect();
    let wfs: Vec<_> = state.workflows.iter().map(|w| w.id.clone()).collect();
    let mut e = listed_engine(now);
    let _ = e.handle_command(vigil_core::Command::Import(state), now);
    let asks = c.u8();
    for op in ops {
        use vigil_core::Command::{Cancel, CheckNow, Retry};
        for (bit, cmd) in [
            (1, CheckNow { op: op.clone() }),
            (2, Retry { op: op.clone() }),
            (4, Cancel { op }),
        ] {
            if asks & bit != 0 {
                let _ = e.handle_command(cmd, now);
            }
        }
    }
    for workflow in wfs {
        use vigil_core::Command::{CancelWorkflow, ForceNow};
        if asks & 8 != 0 {
            let _ = e.handle_command(
                ForceNow {
                    workflow: workflow.clone(),
                },
                now,
            );
        }
        if asks & 16 != 0 {
            let _ = e.handle_command(CancelWorkflow { workflow }, now);
        }
    }
    for t in [
        now,
        now.saturating_add(60_000),
        now.saturating_add(3_600_000),
    ] {
        e.handle_timeout(t);
        while e.poll_transmit(t).is_some() {}
        while e.poll_event().is_some() {}
        super::look::look(&e, t);
    }
}

/// Any hash reads as a route; a VM's route reads back from its link.
pub fn route(data: &[u8]) {
    use vigil_core::route::{parse, Route};
    let text = String::from_utf8_lossy(data);
    let r = parse(&text);
    assert_eq!(parse(&r.href()), r, "a route's link reads as that route");
    // Any names, split at the first NUL, make a route whose link reads back to them.
    if let Some((conn, vm)) = text.split_once('\0') {
        let r = Route::vm(conn.into(), vm.into());
        let back = parse(&r.href());
        if conn.is_empty() || vm.is_empty() {
            assert_eq!(back, Route::List);
        } else {
            assert_eq!(back, r);
        }
    }
}
