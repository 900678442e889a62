//! Finding an action again.

use super::*;

#[test]
fn finds_its_action_by_type_and_start_time_among_others() {
    let r = ProviderRef::CloudsforAction {
        vm_id: "5609".into(),
        action_type: "reboot".into(),
        started_at: "2015-01-14T16:31:00Z".into(),
    };
    let req = api().observe_request(&r);
    assert_eq!(req.url, "https://cloudsfor.com/api/v1/vms/5609/actions");
    // Newest first: a later reboot and a rename surround ours; ours completed.
    let resp = HttpResponse::new(
        200,
        r#"{"actions": [
            {"id": "5609", "status": "in-progress", "type": "reboot", "started_at": "2015-01-14T17:00:00Z"},
            {"id": "5609", "status": "in-progress", "type": "rename", "started_at": "2015-01-14T16:31:00Z"},
            {"id": "5609", "status": "completed", "type": "reboot", "started_at": "2015-01-14T16:31:00.000Z", "completed_at": "2015-01-14T16:31:40Z"},
        ]}"#,
    );
    let obs = api().parse_observation(&r, &resp, 0).unwrap();
    assert_eq!(obs.state, TaskState::Succeeded);

    let errored = HttpResponse::new(
        200,
        r#"{"actions": [{"id": "5609", "status": "errored", "type": "reboot", "started_at": "2015-01-14T16:31:00Z"}]}"#,
    );
    assert_eq!(
        api().parse_observation(&r, &errored, 0).unwrap().state,
        TaskState::Failed
    );
}

#[test]
fn the_accounts_action_list_observes_many_and_leaves_out_what_it_lacks() {
    let r = |vm: &str, ty: &str, at: &str| ProviderRef::CloudsforAction {
        vm_id: vm.into(),
        action_type: ty.into(),
        started_at: at.into(),
    };
    let (a, b, c) = (
        r("v1", "reboot", "2015-01-14T16:31:00Z"),
        r("v2", "reboot", "2015-01-14T16:31:00Z"),
        r("v3", "shutdown", "2015-01-14T16:00:00Z"),
    );
    let refs = [&a, &b, &c];
    let req = api().observe_many_request(&refs).unwrap();
    assert_eq!(
        req.url,
        "https://cloudsfor.com/api/v1/actions?page=1&per_page=200"
    );
    let resp = HttpResponse::new(
        200,
        r#"{"actions": [
            {"id": "v2", "status": "errored", "type": "reboot", "started_at": "2015-01-14T16:31:00Z"},
            {"id": "v1", "status": "completed", "type": "reboot", "started_at": "2015-01-14T16:31:00Z"},
        ]}"#,
    );
    let seen = api().parse_observe_many(&refs, &resp, 0).unwrap();
    assert_eq!(seen[0].as_ref().unwrap().state, TaskState::Succeeded);
    assert_eq!(
        seen[1].as_ref().unwrap().state,
        TaskState::Failed,
        "v2's own action, not v1's"
    );
    assert!(seen[2].is_none(), "not in the page: looked at on its own");
}

#[test]
fn unknown_or_missing_action_status_is_not_success() {
    let r = ProviderRef::CloudsforAction {
        vm_id: "5609".into(),
        action_type: "reboot".into(),
        started_at: "2015-01-14T16:31:00Z".into(),
    };
    let odd = HttpResponse::new(
        200,
        r#"{"actions": [{"type": "reboot", "status": "paused-by-operator", "started_at": "2015-01-14T16:31:00Z"}]}"#,
    );
    let obs = api().parse_observation(&r, &odd, 0).unwrap();
    assert_eq!(obs.state, TaskState::Unknown("paused-by-operator".into()));
    assert!(!obs.state.is_terminal());

    let absent = HttpResponse::new(200, r#"{"actions": []}"#);
    let obs = api().parse_observation(&r, &absent, 0).unwrap();
    assert!(!obs.state.is_terminal());
    assert!(obs.not_listed);
}
