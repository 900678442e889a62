//! Smoke test over real HTTP on loopback: start the binary on a free port, list VMs on each
//! dialect, run one action to its end, check documented errors, CORS, control endpoints, stop.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vigil-sim-server"))
            .args(["--port", "0", "--seed", "1"])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start vigil-sim-server");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        out.read_line(&mut line).unwrap();
        let port = line
            .trim()
            .strip_prefix("vigil-sim-server listening on http://127.0.0.1:")
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
            .parse()
            .unwrap();
        // keep reading the banner so the child never blocks on a full pipe
        std::thread::spawn(move || {
            let mut sink = String::new();
            let _ = out.read_to_string(&mut sink);
        });
        Server { child, port }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {:?}", self.body))
    }
}

/// One HTTP/1.1 request; `None` when the server closed the connection without an answer.
fn http(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Option<Resp> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    if raw.is_empty() {
        return None;
    }
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text.split_once("\r\n\r\n").expect("complete head");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let body = if chunked {
        let mut out = String::new();
        let mut r = rest;
        while let Some((size, tail)) = r.split_once("\r\n") {
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            if n == 0 {
                break;
            }
            out.push_str(&tail[..n]);
            r = &tail[n + 2..];
        }
        out
    } else {
        rest.to_string()
    };
    Some(Resp {
        status,
        headers,
        body,
    })
}

const BASIC: (&str, &str) = ("Authorization", "Basic ZGVtb0B2aWdpbC50ZXN0OmRlbW8="); // demo@vigil.test:demo
const BEARER: (&str, &str) = ("Authorization", "Bearer demo-token");
const ES: (&str, &str) = ("ES-API-KEY", "demo-key");
const CF: &str = "/cloudsfor/api/v1";
const ON: &str = "/onetsolutions/v1/organizations/demo-org/projects/demo-project";
const HW: &str = "/hostway/accounts/demo-account/flexcloud";

#[test]
fn serves_every_dialect_runs_an_action_and_answers_errors() {
    let srv = Server::start(&["--speed", "50", "--failure-rate", "0"]);
    let p = srv.port;

    // list on each dialect
    let r = http(p, "GET", "/zennohosting/projects", &[BEARER], "").unwrap();
    assert_eq!(r.status, 200);
    let project = r.json()["items"][0]["id"].as_str().unwrap().to_string();
    let r = http(
        p,
        "GET",
        &format!("/zennohosting/projects/{project}/vms"),
        &[BEARER],
        "",
    )
    .unwrap();
    assert_eq!(r.json()["items"].as_array().unwrap().len(), 12);

    let r = http(p, "GET", &format!("{CF}/vms"), &[BASIC], "").unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("ratelimit-limit"), Some("5000"));
    let vms = r.json()["vms"].as_array().unwrap().clone();
    assert_eq!(vms.len(), 12);

    let r = http(p, "GET", "/erigones/api/vm/status/", &[ES], "").unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("es_version"), Some("4.4.0"));
    assert_eq!(r.json()["result"].as_array().unwrap().len(), 12);

    let r = http(p, "GET", &format!("{ON}/compute/instances"), &[BEARER], "").unwrap();
    assert_eq!(r.json()["count"], 12);

    let r = http(p, "GET", &format!("{HW}/servers"), &[BASIC], "").unwrap();
    let servers = r.json()["servers"].as_array().unwrap().clone();
    assert_eq!(servers.len(), 12);
    assert!(servers[0]["links"][0]["href"]
        .as_str()
        .unwrap()
        .starts_with(&format!("http://127.0.0.1:{p}{HW}/servers/")));

    // one action to its end (speed 50: a power_off takes at most 160 ms)
    let vm = vms.iter().find(|v| v["status"] == "running").unwrap();
    let id = vm["id"].as_str().unwrap();
    let r = http(
        p,
        "POST",
        &format!("{CF}/vms/{id}/actions"),
        &[BASIC, ("Content-Type", "application/json")],
        r#"{"type":"power_off"}"#,
    )
    .unwrap();
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["action"]["status"], "in-progress");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let a = http(p, "GET", &format!("{CF}/vms/{id}/actions"), &[BASIC], "")
            .unwrap()
            .json();
        if a["actions"][0]["status"] == "completed" {
            break;
        }
        assert!(Instant::now() < deadline, "action never completed: {a}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let vms = http(p, "GET", &format!("{CF}/vms"), &[BASIC], "")
        .unwrap()
        .json();
    let after = vms["vms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(after["status"], "stopped");
    assert_eq!(after["locked"], false);

    // documented errors
    let running = vms["vms"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["status"] == "running")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = http(
        p,
        "POST",
        &format!("{CF}/vms/{running}/actions"),
        &[BASIC],
        r#"{"type":"resize","resource":"ram","size":2}"#,
    )
    .unwrap();
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["id"], "unprocessable_entity");
    let r = http(p, "GET", &format!("{CF}/vms/{running}"), &[BASIC], "").unwrap();
    assert_eq!(
        r.status, 200,
        "the lifecycle section reads one VM: {}",
        r.body
    );
    assert_eq!(r.json()["vm"]["id"], running);
    let r = http(p, "GET", &format!("{CF}/vms/nope"), &[BASIC], "").unwrap();
    assert_eq!(r.status, 404);
    let r = http(p, "GET", &format!("{CF}/vms"), &[], "").unwrap();
    assert_eq!(r.status, 401);
    assert!(
        r.header("www-authenticate").is_none(),
        "no browser login prompt"
    );
    let er = http(p, "GET", "/erigones/api/vm/status/", &[ES], "")
        .unwrap()
        .json();
    let host = er["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["status"] == "running")
        .unwrap()["hostname"]
        .as_str()
        .unwrap()
        .to_string();
    let r = http(
        p,
        "PUT",
        &format!("/erigones/api/vm/{host}/status/start/"),
        &[ES],
        "",
    )
    .unwrap();
    assert_eq!(r.status, 417);
    assert_eq!(r.json()["detail"], "Bad action");

    // Hostway snapshot: 202 + absolute Location, followed as given
    let sid = servers
        .iter()
        .map(|s| s["id"].as_str().unwrap().to_string())
        .find(|sid| {
            let s = http(p, "GET", &format!("{HW}/servers/{sid}"), &[BASIC], "")
                .unwrap()
                .json();
            s["server"]["os-extended-volumes:volumes_attached"]
                .as_array()
                .unwrap()
                .is_empty()
                && s["server"]["status"] != "SUSPENDED"
        })
        .unwrap();
    let r = http(
        p,
        "POST",
        &format!("{HW}/servers/{sid}/snapshots"),
        &[BASIC],
        r#"{"snapshot":{"name":"smoke","description":"smoke test"}}"#,
    )
    .unwrap();
    assert_eq!(r.status, 202, "{}", r.body);
    let loc = r.header("location").unwrap().to_string();
    let path = loc
        .strip_prefix(&format!("http://127.0.0.1:{p}"))
        .unwrap_or_else(|| panic!("{loc}"));
    let r = http(p, "GET", path, &[BASIC], "").unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["snapshot"]["name"], "smoke");

    // unknown prefix
    assert_eq!(http(p, "GET", "/nowhere", &[], "").unwrap().status, 404);

    // control endpoints
    let st = http(p, "GET", "/_sim/stats", &[], "").unwrap().json();
    assert!(st["dialects"]["cloudsfor"]["requests"].as_u64().unwrap() >= 6);
    assert_eq!(
        st["dialects"]["cloudsfor"]["endpoints"]["POST /vms/{id}/actions"],
        2
    );
    assert_eq!(st["server"]["port"], p);
    let r = http(p, "POST", "/_sim/reset", &[], r#"{"seed": 2}"#).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["total"], 0);
    assert_eq!(r.json()["scenario"]["seed"], 2);
    let r = http(p, "POST", "/_sim/faults", &[], "teleport=1").unwrap();
    assert_eq!(r.status, 400);
}

#[test]
fn cors_for_loopback_origins_only() {
    let srv = Server::start(&[]);
    let p = srv.port;
    let r = http(
        p,
        "OPTIONS",
        &format!("{CF}/vms/x/actions"),
        &[
            ("Origin", "http://localhost:8080"),
            ("Access-Control-Request-Method", "POST"),
            (
                "Access-Control-Request-Headers",
                "authorization,content-type",
            ),
        ],
        "",
    )
    .unwrap();
    assert_eq!(r.status, 204);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://localhost:8080")
    );
    let allowed = r
        .header("access-control-allow-headers")
        .unwrap()
        .to_ascii_lowercase();
    for h in ["authorization", "content-type", "es-api-key"] {
        assert!(allowed.contains(h), "{allowed}");
    }
    assert!(r
        .header("access-control-allow-methods")
        .unwrap()
        .contains("PUT"));

    let r = http(
        p,
        "OPTIONS",
        &format!("{CF}/vms"),
        &[
            ("Origin", "http://evil.example"),
            ("Access-Control-Request-Method", "GET"),
        ],
        "",
    )
    .unwrap();
    assert_eq!(r.status, 403);
    assert!(r.header("access-control-allow-origin").is_none());

    let r = http(
        p,
        "GET",
        &format!("{CF}/vms"),
        &[BASIC, ("Origin", "http://127.0.0.1:8080")],
        "",
    )
    .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://127.0.0.1:8080")
    );
    let exposed = r
        .header("access-control-expose-headers")
        .unwrap()
        .to_ascii_lowercase();
    for h in ["location", "ratelimit-remaining", "retry-after"] {
        assert!(exposed.contains(h), "{exposed}");
    }
    let r = http(
        p,
        "GET",
        &format!("{CF}/vms"),
        &[BASIC, ("Origin", "http://example.com")],
        "",
    )
    .unwrap();
    assert!(r.header("access-control-allow-origin").is_none());
}

#[test]
fn faults_drop_connections_and_add_latency() {
    let srv = Server::start(&["--faults", "drop=1"]);
    for _ in 0..3 {
        assert!(
            http(srv.port, "GET", &format!("{CF}/vms"), &[BASIC], "").is_none(),
            "connection should be closed without an answer"
        );
    }
    // control endpoints are not subject to faults
    let st = http(srv.port, "GET", "/_sim/stats", &[], "")
        .unwrap()
        .json();
    let f = &st["faults"];
    assert_eq!(
        f["dropped_before"].as_u64().unwrap() + f["dropped_after"].as_u64().unwrap(),
        3
    );
    drop(srv);

    let srv = Server::start(&["--faults", "latency=300..300"]);
    let t = Instant::now();
    let r = http(srv.port, "GET", &format!("{CF}/vms"), &[BASIC], "").unwrap();
    assert!(
        t.elapsed() >= Duration::from_millis(300),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(r.status, 200);
    assert!(
        r.header("x-sim-delay-ms").is_none(),
        "the server sleeps on it and strips it"
    );
}

#[test]
fn creates_and_deletes_pass_through_with_their_codes_and_empty_bodies() {
    let srv = Server::start(&["--speed", "50", "--failure-rate", "0"]);
    let p = srv.port;
    let json = [BASIC, ("Content-Type", "application/json")];

    // cloudsfor: 202 with a body; DELETE 204 without one, then 404
    let body =
        r#"{"name": "smoke-1", "region": "moscow_01", "size": "s-1vcpu-1gb", "image": "Debian"}"#;
    let r = http(p, "POST", &format!("{CF}/vms"), &json, body).unwrap();
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(r.json()["vm"]["status"], "new");
    let vms = http(p, "GET", &format!("{CF}/vms"), &[BASIC], "")
        .unwrap()
        .json();
    let id = vms["vms"][0]["id"].as_str().unwrap().to_string();
    let r = http(p, "DELETE", &format!("{CF}/vms/{id}"), &[BASIC], "").unwrap();
    assert_eq!((r.status, r.body.as_str()), (204, ""));
    assert!(r.header("ratelimit-remaining").is_some());
    let r = http(p, "GET", &format!("{CF}/vms/{id}"), &[BASIC], "").unwrap();
    assert_eq!(
        (r.status, r.json()["id"].as_str()),
        (404, Some("not_found"))
    );

    // Hostway: POST /servers answers an absolute Location; DELETE is 202 with an empty body
    let body = r#"{"server": {"name": "smoke-2", "flavorRef": "2"}}"#;
    let r = http(p, "POST", &format!("{HW}/servers"), &json, body).unwrap();
    assert_eq!(r.status, 202, "{}", r.body);
    let loc = r.header("location").unwrap().to_string();
    assert!(
        loc.starts_with(&format!("http://127.0.0.1:{p}{HW}/servers/")),
        "{loc}"
    );
    assert!(r.json()["server"]["adminPass"].is_string());
    let servers = http(
        p,
        "GET",
        &format!("{HW}/servers?status=ACTIVE"),
        &[BASIC],
        "",
    )
    .unwrap()
    .json();
    let sid = servers["servers"][0]["id"].as_str().unwrap().to_string();
    let r = http(p, "DELETE", &format!("{HW}/servers/{sid}"), &[BASIC], "").unwrap();
    assert_eq!((r.status, r.body.as_str()), (202, ""));

    // Erigones' VM owner is refused admin calls, in the dialect's shape and headers
    let owner = ("ES-API-KEY", "owner-key");
    let r = http(p, "GET", "/erigones/api/image/", &[owner], "").unwrap();
    assert_eq!((r.status, r.header("es_username")), (403, Some("owner")));
    assert!(r.json()["detail"].is_string());

    // a DELETE preflight from a loopback origin is allowed
    let r = http(
        p,
        "OPTIONS",
        &format!("{CF}/vms/{id}"),
        &[
            ("Origin", "http://127.0.0.1:8080"),
            ("Access-Control-Request-Method", "DELETE"),
        ],
        "",
    )
    .unwrap();
    assert!(r.status < 300, "{}", r.status);
    assert!(r
        .header("access-control-allow-methods")
        .unwrap()
        .contains("DELETE"));
}
