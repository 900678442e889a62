//! Connections remembered on this device are sealed: AES-GCM (256-bit) under a key derived with
//! PBKDF2-SHA-256 ([`ROUNDS`] rounds, a random 16-byte salt per seal) from a passphrase the user
//! types once per tab session. The key is never extractable; the passphrase stays in this tab's
//! memory only. Nothing here runs without WebCrypto: remembering is then refused, not faked.

use js_sys::{Array, Object, Reflect, Uint8Array};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};

/// PBKDF2 rounds (OWASP's 2023 figure for PBKDF2-HMAC-SHA256).
pub const ROUNDS: u32 = 600_000;

/// What localStorage keeps: everything but the passphrase, as hex.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sealed {
    pub v: u32,
    pub rounds: u32,
    pub salt: String,
    pub iv: String,
    pub data: String,
}

/// Why a sealed text could not be opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unseal {
    /// The passphrase is not the one it was sealed with (or the text was changed).
    Wrong,
    /// This browser has no WebCrypto here (an insecure origin, say).
    Unavailable,
}

fn subtle() -> Option<(web_sys::Crypto, SubtleCrypto)> {
    let crypto = web_sys::window()?.crypto().ok()?;
    let subtle = crypto.subtle();
    Some((crypto, subtle))
}

fn obj(pairs: &[(&str, &JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &(*k).into(), v);
    }
    o
}

async fn key(
    subtle: &SubtleCrypto,
    pass: &str,
    salt: &[u8],
    rounds: u32,
) -> Result<CryptoKey, JsValue> {
    let raw = Uint8Array::from(pass.as_bytes());
    let usages = Array::of1(&"deriveKey".into());
    let base = JsFuture::from(subtle.import_key_with_str("raw", &raw, "PBKDF2", false, &usages)?)
        .await?
        .dyn_into::<CryptoKey>()?;
    let pbkdf2 = obj(&[
        ("name", &"PBKDF2".into()),
        ("salt", &Uint8Array::from(salt).into()),
        ("iterations", &rounds.into()),
        ("hash", &"SHA-256".into()),
    ]);
    let aes = obj(&[("name", &"AES-GCM".into()), ("length", &256.into())]);
    let usages = Array::of2(&"encrypt".into(), &"decrypt".into());
    JsFuture::from(subtle.derive_key_with_object_and_object(&pbkdf2, &base, &aes, false, &usages)?)
        .await?
        .dyn_into::<CryptoKey>()
}

fn gcm(iv: &[u8]) -> Object {
    obj(&[
        ("name", &"AES-GCM".into()),
        ("iv", &Uint8Array::from(iv).into()),
    ])
}

/// Seals `plain` under `pass`.
pub async fn seal(pass: &str, plain: &str) -> Result<Sealed, Unseal> {
    let (crypto, subtle) = subtle().ok_or(Unseal::Unavailable)?;
    let (mut salt, mut iv) = ([0u8; 16], [0u8; 12]);
    crypto
        .get_random_values_with_u8_array(&mut salt)
        .and_then(|_| crypto.get_random_values_with_u8_array(&mut iv))
        .map_err(|_| Unseal::Unavailable)?;
    let sealed = async {
        let k = key(&subtle, pass, &salt, ROUNDS).await?;
        let p = subtle.encrypt_with_object_and_u8_array(&gcm(&iv), &k, plain.as_bytes())?;
        JsFuture::from(p).await
    }
    .await
    .map_err(|_| Unseal::Unavailable)?;
    Ok(Sealed {
        v: 1,
        rounds: ROUNDS,
        salt: hex(&salt),
        iv: hex(&iv),
        data: hex(&Uint8Array::new(&sealed).to_vec()),
    })
}

/// Opens what [`seal`] sealed.
pub async fn open(pass: &str, sealed: &Sealed) -> Result<String, Unseal> {
    let (_, subtle) = subtle().ok_or(Unseal::Unavailable)?;
    let (Some(salt), Some(iv), Some(data)) =
        (unhex(&sealed.salt), unhex(&sealed.iv), unhex(&sealed.data))
    else {
        return Err(Unseal::Wrong);
    };
    let k = key(&subtle, pass, &salt, sealed.rounds.clamp(1, 10_000_000))
        .await
        .map_err(|_| Unseal::Unavailable)?;
    let p = subtle
        .decrypt_with_object_and_u8_array(&gcm(&iv), &k, &data)
        .map_err(|_| Unseal::Wrong)?;
    let plain = JsFuture::from(p).await.map_err(|_| Unseal::Wrong)?;
    String::from_utf8(Uint8Array::new(&plain).to_vec()).map_err(|_| Unseal::Wrong)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}
