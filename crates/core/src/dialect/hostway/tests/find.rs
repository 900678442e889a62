//! A lost create looked for by its name: the candidates `?name=` lists, each read in turn.

use super::*;
use crate::dialect::testing::find_create;
use crate::dialect::Found;
use crate::model::VmSpec;
use serde_json::json;

/// 2026-01-01T00:00:00Z
const SENT: Millis = 1_767_225_600_000;

fn spec() -> VmSpec {
    VmSpec {
        name: "web-7".into(),
        image: "img".into(),
        ..VmSpec::default()
    }
}

/// The candidate `id`, read on its own.
fn candidate(status: &str, created: &str, updated: &str) -> HttpResponse {
    let server = json!({"server": {"id": SID, "name": "web-7", "status": status,
                                   "created": created, "updated": updated}});
    HttpResponse::new(200, server.to_string())
}

fn look(resp: &HttpResponse) -> Result<Found, crate::error::ApiError> {
    find_create(&api(), &spec(), SENT, Some(&format!("servers:{SID}")), resp)
}

#[test]
fn a_server_of_its_name_building_or_created_since_is_adopted() {
    for resp in [
        candidate("BUILD", "", "2026-01-01T00:00:01Z"),
        candidate("ACTIVE", "2026-01-01T00:01:30Z", "2026-01-01T00:01:30Z"),
    ] {
        let got = look(&resp);
        let Ok(Found::Adopted(acc)) = got else {
            panic!("{got:?}")
        };
        assert_eq!(acc.created, Some(VmId::new(SID)));
    }
}

#[test]
fn a_build_of_its_name_that_failed_since_it_went_out_is_adopted_not_called_not_taken() {
    // A failed build ends `DELETED`, never placed (`created` still empty), changed since.
    let got = look(&candidate("DELETED", "", "2026-01-01T00:01:10Z"));
    let Ok(Found::Adopted(acc)) = got else {
        panic!("{got:?}")
    };
    assert_eq!(acc.created, Some(VmId::new(SID)));
}

#[test]
fn an_older_server_of_its_name_is_not_it() {
    for resp in [
        candidate("ACTIVE", "2025-12-31T10:00:00Z", "2026-01-01T00:01:10Z"),
        candidate("DELETED", "", "2025-12-31T10:00:00Z"),
    ] {
        assert_eq!(look(&resp), Ok(Found::NotTaken));
    }
}
