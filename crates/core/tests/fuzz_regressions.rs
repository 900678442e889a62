//! The fuzz targets' interesting inputs, replayed in plain `cargo test`: each file of
//! `tests/fuzz_corpus/<target>/` goes through the same driver `cargo fuzz run <target>` uses
//! (`fuzz/src/`, included here), built with overflow checks on as tests are. Entries are small
//! and minimized (`cargo fuzz cmin` / `tmin`); those named `crash-*` once made vigil-core panic
//! or hang, and each has its own test beside the fix as well.

#[path = "../../../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod fuzz;

use std::path::Path;

use vigil_core::DialectKind;

/// Runs `run` on every input kept for `target`; says which one failed.
fn replay(target: &str, run: impl Fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no corpus for {target}");
    for f in files {
        let data = std::fs::read(&f).expect("readable");
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&data)));
        assert!(result.is_ok(), "{target}: {} panics", f.display());
    }
}

#[test]
fn dialect_cloudsfor() {
    replay("dialect_cloudsfor", |d| {
        fuzz::dialect::run(DialectKind::Cloudsfor, d)
    });
}

#[test]
fn dialect_zenno() {
    replay("dialect_zenno", |d| {
        fuzz::dialect::run(DialectKind::ZennoHosting, d)
    });
}

#[test]
fn dialect_erigones() {
    replay("dialect_erigones", |d| {
        fuzz::dialect::run(DialectKind::Erigones, d)
    });
}

#[test]
fn dialect_onet() {
    replay("dialect_onet", |d| {
        fuzz::dialect::run(DialectKind::OnetSolutions, d)
    });
}

#[test]
fn dialect_hostway() {
    replay("dialect_hostway", |d| {
        fuzz::dialect::run(DialectKind::Hostway, d)
    });
}

#[test]
fn json_lenient() {
    replay("json_lenient", fuzz::small::json_lenient);
}

#[test]
fn retry_after() {
    replay("retry_after", fuzz::small::retry_after);
}

#[test]
fn saved_entry() {
    replay("saved_entry", fuzz::small::saved_entry);
}

#[test]
fn command() {
    replay("command", fuzz::small::command);
}

#[test]
fn route() {
    replay("route", fuzz::small::route);
}

#[test]
fn engine() {
    replay("engine", fuzz::engine::run);
}
