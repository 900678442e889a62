//! Credentials on this device, in headless Chromium: sealed with the passphrase (WebCrypto),
//! never readable without it, and never written back by a tab that missed a sign-out.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use vigil::sealed::{self, Unseal};
use vigil::storage::{self, Settings, SignOut};
use vigil_core::{ConnectionConfig, Credentials, DialectKind};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn settings(epoch: u64) -> Settings {
    Settings {
        connections: vec![ConnectionConfig {
            id: "c1".into(),
            name: "Prod".into(),
            dialect: DialectKind::Cloudsfor,
            base_url: "https://cloudsfor.example/api/v1".into(),
            credentials: Credentials::Basic {
                user: "me@example.com".into(),
                password: "hunter2-secret".into(),
            },
            demo: false,
        }],
        epoch,
        ..Settings::default()
    }
}

#[wasm_bindgen_test]
async fn sealed_settings_open_only_with_their_passphrase() {
    let text = serde_json::to_string(&settings(0)).unwrap();
    let kept = sealed::seal("correct horse battery", &text).await.unwrap();
    let stored = serde_json::to_string(&kept).unwrap();
    assert!(!stored.contains("hunter2"), "not in plain text");
    assert_eq!(
        sealed::open("correct horse battery", &kept)
            .await
            .as_deref(),
        Ok(text.as_str())
    );
    assert_eq!(
        sealed::open("correct horse batterY", &kept).await,
        Err(Unseal::Wrong)
    );
    // A changed byte is refused, not read.
    let mut tampered = kept.clone();
    let flip = if tampered.data.starts_with('0') {
        "1"
    } else {
        "0"
    };
    tampered.data.replace_range(0..1, flip);
    assert_eq!(
        sealed::open("correct horse battery", &tampered).await,
        Err(Unseal::Wrong)
    );
}

#[wasm_bindgen_test]
fn a_tab_that_missed_a_sign_out_never_writes_its_credentials_back() {
    clear_settings();
    let w = web_sys::window().unwrap();
    let (local, session) = (
        w.local_storage().unwrap().unwrap(),
        w.session_storage().unwrap().unwrap(),
    );
    // This tab read its settings at epoch 2; another tab signed out since (epoch 3).
    let stale = settings(2);
    session
        .set_item("vigil.settings.v1", &serde_json::to_string(&stale).unwrap())
        .unwrap();
    let told = SignOut {
        epoch: 3,
        activity: false,
    };
    local
        .set_item(storage::SIGN_OUT, &serde_json::to_string(&told).unwrap())
        .unwrap();
    assert_eq!(storage::save(&stale), Err(told));
    for s in [&local, &session] {
        assert_eq!(s.get_item("vigil.settings.v1").unwrap(), None);
    }
    // Nor read back on a reload.
    session
        .set_item("vigil.settings.v1", &serde_json::to_string(&stale).unwrap())
        .unwrap();
    let loaded = storage::load();
    assert!(loaded.connections.is_empty());
    assert_eq!(loaded.epoch, 3);
    // Settings made after it are kept.
    assert_eq!(storage::save(&settings(3)), Ok(()));
    assert_eq!(storage::load().connections.len(), 1);
    clear_settings();
}
