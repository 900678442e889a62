//! vigil-sim-server: the five simulated providers of `vigil-sim` over real HTTP.
//!
//! ```text
//! cargo run --release -p vigil-sim-server -- --port 8787 --seed 1 [--vms N] [--speed X] [--faults SPEC]
//! ```
//!
//! * Listens on 127.0.0.1 only unless `--host` says otherwise.
//! * CORS: any loopback origin (`http://localhost:*`, `http://127.x.x.x:*`, `http://[::1]:*`) may
//!   call it; preflights are answered; `Location`, `ratelimit-*`, `Retry-After` and the Erigones
//!   `es_*` headers are exposed.
//! * Time: the simulator's virtual clock follows the real clock (epoch ms) × `--clock-rate`
//!   (default 1); `--speed X` divides every simulated action duration by X. Both make the demo
//!   faster; `--speed` keeps timestamps in step with the browser's clock, so it is the one to use
//!   with a console.
//! * Faults: `--faults 5xx=0.05,429=0.02,drop=0.01,latency=200,…` (see `vigil_sim::Faults`);
//!   a dropped connection is closed without an answer; latency is slept here.
//! * `GET /_sim/stats`, `POST /_sim/reset` (optional JSON `{seed, vms, failure_rate, speed,
//!   faults}`), `GET|POST /_sim/faults` (body: a fault spec).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::response::Response;
use axum::{Extension, Router};
use serde_json::{json, Value};
use tokio::sync::Notify;
use vigil_sim::{Faults, Reply, Scenario, Sim, DELAY_HEADER, PREFIXES};

const USAGE: &str = "\
vigil-sim-server: simulated VM hosting providers (ZennoHosting, cloudsfor, Erigones,
ONETSolutions, Hostway) over HTTP, for the Vigil console.

USAGE:
  vigil-sim-server [--port N] [--seed N] [--vms N] [--speed X] [--faults SPEC]
                   [--failure-rate F] [--clock-rate R] [--host ADDR]

OPTIONS:
  --port N          TCP port (default 8787; 0 = any free port)
  --host ADDR       address to bind (default 127.0.0.1; loopback only unless you say otherwise)
  --seed N          scenario seed: same seed, same world (default 1)
  --vms N           VMs per dialect (default 12)
  --speed X         divide every simulated action duration by X (default 1)
  --failure-rate F  share of actions that fail, 0..1 (default 0.05)
  --faults SPEC     e.g. 5xx=0.05,429=0.02,drop=0.01,latency=200,malformed=0.01,
                    unknown_enum=0.01,stuck=0.01; also garble=P (task ids),
                    clear=MS and lie=P (ZennoHosting) (default none)
  --clock-rate R    run the virtual clock R times faster than real time (default 1;
                    timestamps then drift ahead of the browser's clock)
  -h, --help        this text
";

#[derive(Debug, Clone, PartialEq)]
struct Config {
    host: IpAddr,
    port: u16,
    scenario: Scenario,
    faults: Faults,
    clock_rate: f64,
}

fn parse_args(args: &[String]) -> Result<Option<Config>, String> {
    let mut c = Config {
        host: IpAddr::V4(Ipv4Addr::LOCALHOST),
        port: 8787,
        scenario: Scenario::default(),
        faults: Faults::none(),
        clock_rate: 1.0,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        if flag == "-h" || flag == "--help" {
            return Ok(None);
        }
        let mut value = || -> Result<String, String> {
            inline
                .clone()
                .or_else(|| it.next().cloned())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        fn num<T: std::str::FromStr>(flag: &str, v: &str) -> Result<T, String> {
            v.parse()
                .map_err(|_| format!("{flag}: '{v}' is not a valid number"))
        }
        match flag.as_str() {
            "--port" => c.port = num(&flag, &value()?)?,
            "--host" => c.host = num(&flag, &value()?)?,
            "--seed" => c.scenario.seed = num(&flag, &value()?)?,
            "--vms" => c.scenario.vms = num(&flag, &value()?)?,
            "--speed" => {
                let v: f64 = num(&flag, &value()?)?;
                if !(v.is_finite() && v > 0.0) {
                    return Err("--speed must be > 0".into());
                }
                c.scenario.speed = v;
            }
            "--failure-rate" => {
                let v: f64 = num(&flag, &value()?)?;
                if !(0.0..=1.0).contains(&v) {
                    return Err("--failure-rate must be within 0..1".into());
                }
                c.scenario.failure_rate = v;
            }
            "--faults" => c.faults = Faults::parse(&value()?)?,
            "--clock-rate" => {
                let v: f64 = num(&flag, &value()?)?;
                if !(v.is_finite() && v > 0.0) {
                    return Err("--clock-rate must be > 0".into());
                }
                c.clock_rate = v;
            }
            other => return Err(format!("unknown argument '{other}'")),
        }
    }
    Ok(Some(c))
}

/// Virtual epoch milliseconds: real start + elapsed × rate.
struct Clock {
    virtual_start: u64,
    real_start: Instant,
    rate: f64,
}

impl Clock {
    fn now(&self) -> u64 {
        let elapsed = self.real_start.elapsed().as_secs_f64() * 1000.0 * self.rate;
        self.virtual_start + elapsed as u64
    }
}

struct App {
    sim: Mutex<Sim>,
    clock: Clock,
    port: u16,
}

/// Closes the connection that carried the request (a simulated dropped connection).
#[derive(Clone)]
struct Kill(Arc<Notify>);

fn epoch_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// `http(s)://localhost[:port]`, `http://127.x.y.z[:port]`, `http://[::1][:port]`.
fn loopback_origin(origin: &str) -> bool {
    let Some(rest) = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
    else {
        return false;
    };
    let host = if let Some(v6) = rest.strip_prefix('[') {
        match v6.split_once(']') {
            Some((h, _)) => h,
            None => return false,
        }
    } else {
        rest.split(':').next().unwrap_or("")
    };
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

const EXPOSED: &str = "Location, ratelimit-limit, ratelimit-remaining, ratelimit-reset, Retry-After, es_task_id, es_version, es_username, es_dc";

fn cors(resp: &mut Response, origin: Option<&str>) {
    let h = resp.headers_mut();
    h.append(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(o) = origin.filter(|o| loopback_origin(o)) {
        if let Ok(v) = HeaderValue::from_str(o) {
            h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
            h.insert(
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static(EXPOSED),
            );
        }
    }
}

fn json_resp(status: StatusCode, v: &Value) -> Response {
    let mut r = Response::new(Body::from(v.to_string()));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

fn preflight(origin: Option<&str>) -> Response {
    let allowed = origin.is_some_and(loopback_origin);
    let mut r = Response::new(Body::empty());
    *r.status_mut() = if allowed {
        StatusCode::NO_CONTENT
    } else {
        StatusCode::FORBIDDEN
    };
    if allowed {
        let h = r.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, PUT, PATCH, DELETE, OPTIONS"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("Authorization, Content-Type, ES-API-KEY, Accept"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
    }
    cors(&mut r, origin);
    r
}

/// Reconfigure from an optional JSON body `{seed, vms, failure_rate, speed, faults}`.
fn reset(app: &App, body: &str) -> Result<Value, String> {
    let mut sim = app.sim.lock().unwrap_or_else(|e| e.into_inner());
    let mut sc = sim.scenario().clone();
    let mut faults = sim.faults().clone();
    if !body.trim().is_empty() {
        let v: Value = serde_json::from_str(body).map_err(|e| format!("invalid JSON: {e}"))?;
        let o = v.as_object().ok_or("body must be a JSON object")?;
        if let Some(x) = o.get("seed") {
            sc.seed = x.as_u64().ok_or("seed must be a whole number")?;
        }
        if let Some(x) = o.get("vms") {
            sc.vms = x.as_u64().ok_or("vms must be a whole number")? as usize;
        }
        if let Some(x) = o.get("failure_rate") {
            sc.failure_rate = x
                .as_f64()
                .filter(|f| (0.0..=1.0).contains(f))
                .ok_or("failure_rate must be within 0..1")?;
        }
        if let Some(x) = o.get("speed") {
            sc.speed = x.as_f64().filter(|f| *f > 0.0).ok_or("speed must be > 0")?;
        }
        if let Some(x) = o.get("faults") {
            faults = Faults::parse(x.as_str().ok_or("faults must be a string")?)?;
        }
    }
    *sim = Sim::with_faults(sc, app.clock.now(), faults);
    Ok(sim.stats())
}

async fn handle(
    State(app): State<Arc<App>>,
    kill: Option<Extension<Kill>>,
    req: Request,
) -> Response {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let origin = origin.as_deref();
    if req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
    {
        return preflight(origin);
    }
    let (parts, body) = req.into_parts();
    let body = match to_bytes(body, 1 << 20).await {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(_) => {
            let mut r = json_resp(
                StatusCode::PAYLOAD_TOO_LARGE,
                &json!({"error": "request body too large"}),
            );
            cors(&mut r, origin);
            return r;
        }
    };
    let path = parts.uri.path();
    let mut resp = match (parts.method.as_str(), path) {
        ("GET", "/_sim/stats") => {
            let sim = app.sim.lock().unwrap_or_else(|e| e.into_inner());
            let mut st = sim.stats();
            st["server"] = json!({
                "clock_rate": app.clock.rate,
                "virtual_now": vigil_sim::iso(app.clock.now()),
                "port": app.port,
            });
            json_resp(StatusCode::OK, &st)
        }
        ("POST", "/_sim/reset") => match reset(&app, &body) {
            Ok(v) => json_resp(StatusCode::OK, &v),
            Err(e) => json_resp(StatusCode::BAD_REQUEST, &json!({ "error": e })),
        },
        ("GET", "/_sim/faults") => {
            let sim = app.sim.lock().unwrap_or_else(|e| e.into_inner());
            json_resp(StatusCode::OK, &json!({"faults": sim.faults().to_string()}))
        }
        ("POST", "/_sim/faults") => {
            let spec = serde_json::from_str::<Value>(&body)
                .ok()
                .and_then(|v| v.get("faults").and_then(Value::as_str).map(str::to_string))
                .unwrap_or_else(|| body.trim().to_string());
            match Faults::parse(&spec) {
                Ok(f) => {
                    let mut sim = app.sim.lock().unwrap_or_else(|e| e.into_inner());
                    sim.set_faults(f);
                    json_resp(StatusCode::OK, &json!({"faults": sim.faults().to_string()}))
                }
                Err(e) => json_resp(StatusCode::BAD_REQUEST, &json!({ "error": e })),
            }
        }
        (_, p) if p.starts_with("/_sim/") => json_resp(
            StatusCode::NOT_FOUND,
            &json!({"error": "not_found", "message": "control endpoints: GET /_sim/stats, POST /_sim/reset, GET|POST /_sim/faults"}),
        ),
        _ => {
            let host = parts
                .headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
                .unwrap_or_else(|| format!("127.0.0.1:{}", app.port));
            let pq = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let sim_req = vigil_sim::Request {
                method: parts.method.as_str().to_string(),
                url: format!("http://{host}{pq}"),
                headers: parts
                    .headers
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.as_str().to_string(),
                            String::from_utf8_lossy(v.as_bytes()).into_owned(),
                        )
                    })
                    .collect(),
                body,
            };
            let reply = {
                let mut sim = app.sim.lock().unwrap_or_else(|e| e.into_inner());
                sim.handle(&sim_req, app.clock.now())
            };
            let delay = reply.delay_ms();
            match reply {
                Reply::Dropped => {
                    if let Some(Extension(k)) = kill {
                        k.0.notify_one();
                        std::future::pending::<()>().await;
                    }
                    // not served through our connection loop: the best we can do
                    json_resp(
                        StatusCode::BAD_GATEWAY,
                        &json!({"error": "connection dropped (simulated)"}),
                    )
                }
                Reply::Response(r) => {
                    if delay > 0 {
                        tokio::time::sleep(Duration::from_millis(delay)).await;
                    }
                    let mut out = Response::new(Body::from(r.body));
                    *out.status_mut() =
                        StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                    for (k, v) in r.headers {
                        if k.eq_ignore_ascii_case(DELAY_HEADER) {
                            continue;
                        }
                        if let (Ok(k), Ok(v)) = (
                            HeaderName::from_bytes(k.as_bytes()),
                            HeaderValue::from_str(&v),
                        ) {
                            out.headers_mut().append(k, v);
                        }
                    }
                    out
                }
            }
        }
    };
    cors(&mut resp, origin);
    resp
}

fn banner(c: &Config, addr: SocketAddr) -> String {
    let base = format!("http://{addr}");
    let mut s = format!("vigil-sim-server listening on {base}\n");
    s += &format!(
        "  seed {}, {} VMs per dialect, failure rate {}, speed x{}, clock rate x{}, faults: {}\n",
        c.scenario.seed,
        c.scenario.vms,
        c.scenario.failure_rate,
        c.scenario.speed,
        c.clock_rate,
        c.faults
    );
    for (name, prefix) in PREFIXES {
        let creds = match name {
            "zennohosting" => "Authorization: Bearer demo-token".to_string(),
            "cloudsfor" => format!(
                "Basic {}:{} (demo mode, no snapshots: {}:{})",
                vigil_sim::DEMO_EMAIL,
                vigil_sim::DEMO_PASSWORD,
                vigil_sim::TRIAL_EMAIL,
                vigil_sim::TRIAL_PASSWORD
            ),
            "erigones" => format!(
                "ES-API-KEY: {} (or POST /accounts/login/ demo / demo); VM owner, not admin: {} ({} / {})",
                vigil_sim::DEMO_ES_API_KEY,
                vigil_sim::OWNER_ES_API_KEY,
                vigil_sim::OWNER_USERNAME,
                vigil_sim::OWNER_PASSWORD
            ),
            "onetsolutions" => "Authorization: Bearer demo-token".to_string(),
            _ => format!(
                "Basic {}:{}",
                vigil_sim::DEMO_EMAIL,
                vigil_sim::DEMO_PASSWORD
            ),
        };
        s += &format!("  {name:<14} {base}{prefix}\n  {:<14} {creds}\n", "");
    }
    s += &format!("  control        GET {base}/_sim/stats, POST {base}/_sim/reset, GET|POST {base}/_sim/faults");
    s
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match parse_args(&args) {
        Ok(Some(c)) => c,
        Ok(None) => {
            print!("{USAGE}");
            return;
        }
        Err(e) => {
            eprintln!("error: {e}\n\n{USAGE}");
            std::process::exit(2);
        }
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    if let Err(e) = rt.block_on(serve(config)) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

async fn serve(config: Config) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind((config.host, config.port)).await?;
    let addr = listener.local_addr()?;
    if !config.host.is_loopback() {
        eprintln!(
            "warning: listening on {} — reachable beyond this machine",
            config.host
        );
    }
    let start = epoch_ms();
    let app = Arc::new(App {
        sim: Mutex::new(Sim::with_faults(
            config.scenario.clone(),
            start,
            config.faults.clone(),
        )),
        clock: Clock {
            virtual_start: start,
            real_start: Instant::now(),
            rate: config.clock_rate,
        },
        port: addr.port(),
    });
    let router = Router::new().fallback(handle).with_state(app);
    println!("{}", banner(&config, addr));
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(x) => x,
            Err(e) => {
                eprintln!("accept: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let kill = Kill(Arc::new(Notify::new()));
        let svc = hyper_util::service::TowerToHyperService::new(
            router.clone().layer(Extension(kill.clone())),
        );
        tokio::spawn(async move {
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), svc);
            tokio::select! {
                _ = conn => {}
                _ = kill.0.notified() => {} // drop the connection without an answer
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn parses_flags() {
        let c = parse_args(&args("--port 9000 --seed 7 --vms 20 --speed 5 --faults 5xx=0.1,latency=100 --failure-rate 0 --clock-rate 2"))
            .unwrap()
            .unwrap();
        assert_eq!(c.port, 9000);
        assert_eq!(c.scenario.seed, 7);
        assert_eq!(c.scenario.vms, 20);
        assert_eq!(c.scenario.speed, 5.0);
        assert_eq!(c.scenario.failure_rate, 0.0);
        assert_eq!(c.faults.server_error, 0.1);
        assert_eq!(c.faults.latency_ms, (50, 150));
        assert_eq!(c.clock_rate, 2.0);
        assert!(c.host.is_loopback());
        let d = parse_args(&args("--port=1234")).unwrap().unwrap();
        assert_eq!((d.port, d.scenario.seed, d.scenario.vms), (1234, 1, 12));
        assert!(parse_args(&args("--help")).unwrap().is_none());
        for bad in [
            "--port",
            "--port x",
            "--speed 0",
            "--faults nope=1",
            "--bogus",
            "--failure-rate 2",
        ] {
            assert!(parse_args(&args(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_loopback_origins() {
        for ok in [
            "http://localhost:8080",
            "http://127.0.0.1:8080",
            "http://127.1.2.3",
            "http://[::1]:3000",
            "https://localhost",
        ] {
            assert!(loopback_origin(ok), "{ok}");
        }
        for bad in [
            "null",
            "http://example.com",
            "http://192.168.1.2:8080",
            "http://localhost.evil.com",
            "file://",
            "http://[::2]:1",
        ] {
            assert!(!loopback_origin(bad), "{bad}");
        }
    }

    #[test]
    fn banner_names_every_prefix_and_credentials() {
        let c = parse_args(&[]).unwrap().unwrap();
        let b = banner(&c, "127.0.0.1:8787".parse().unwrap());
        assert!(b.starts_with("vigil-sim-server listening on http://127.0.0.1:8787\n"));
        for (_, p) in PREFIXES {
            assert!(b.contains(&format!("http://127.0.0.1:8787{p}")), "{p}");
        }
        for cred in [
            "demo-token",
            "demo@vigil.test:demo",
            "ES-API-KEY: demo-key",
            "trial@vigil.test:trial",
        ] {
            assert!(b.contains(cred), "{cred}");
        }
    }
}
