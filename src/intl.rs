//! Numbers and times as the user's browser says them (`Intl`): `10,000` or `10 000`, the
//! moment in the user's locale, and "3 min ago". How far back a moment is, and in which unit,
//! is vigil-core's ([`vigil_core::present::relative`]); no date crate.

use std::cell::RefCell;

use js_sys::{Array, Function, Intl, Object, Reflect};
use leptos::prelude::*;
use vigil_core::present;
use vigil_core::time::format_rfc3339;
use wasm_bindgen::JsValue;

struct Formats {
    number: Function,
    date_time: Function,
    relative: Intl::RelativeTimeFormat,
}

thread_local! {
    static FORMATS: RefCell<Option<Formats>> = const { RefCell::new(None) };
}

fn options(pairs: &[(&str, &str)]) -> Object {
    let o = Object::new();
    for (k, v) in pairs {
        let _ = Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    o
}

fn with<T>(f: impl FnOnce(&Formats) -> T) -> T {
    FORMATS.with(|cell| {
        let mut cell = cell.borrow_mut();
        let formats = cell.get_or_insert_with(|| Formats {
            number: Intl::NumberFormat::new(&Array::new(), &Object::new()).format(),
            date_time: Intl::DateTimeFormat::new(
                &Array::new(),
                &options(&[("dateStyle", "medium"), ("timeStyle", "medium")]),
            )
            .format(),
            relative: Intl::RelativeTimeFormat::new(
                &Array::new(),
                &options(&[("numeric", "auto"), ("style", "short")]),
            ),
        });
        f(formats)
    })
}

/// Loads the browser's locale data for the formats (tens of milliseconds on a phone, the first
/// time): called in a task of its own at start, so that the first render does not pay for it.
pub fn warm() {
    with(|_| ());
}

/// `n` with the user's digit grouping: `10,000`, `10 000`, `10.000`.
pub fn number(n: usize) -> String {
    with(|f| {
        f.number
            .call1(&JsValue::NULL, &JsValue::from_f64(n as f64))
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_else(|| n.to_string())
    })
}

/// A moment (epoch ms) in the user's locale and time zone: `Dec 7, 2026, 1:02:03 AM`.
pub fn date_time(ms: i64) -> String {
    with(|f| {
        f.date_time
            .call1(
                &JsValue::NULL,
                &js_sys::Date::new(&JsValue::from_f64(ms as f64)),
            )
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_else(|| format_rfc3339(ms))
    })
}

/// The time of day of a moment (epoch ms) in the user's locale and time zone: `14:02`,
/// `2:02 PM`.
pub fn time_of_day(ms: i64) -> String {
    let format = Intl::DateTimeFormat::new(&Array::new(), &options(&[("timeStyle", "short")]));
    format
        .format()
        .call1(
            &JsValue::NULL,
            &js_sys::Date::new(&JsValue::from_f64(ms as f64)),
        )
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| format_rfc3339(ms))
}

/// `then` from `now`, in the user's words: `3 min ago`, `now`, `yesterday`.
pub fn relative(then: i64, now: i64) -> String {
    let (n, unit) = present::relative(then, now);
    with(|f| String::from(f.relative.format(n as f64, unit.intl())))
}

/// A moment as "3 min ago", the exact time on hover (its title) and on focus (it can be
/// focused, and shows the time beside it), machine-readable in `datetime`.
#[component]
pub fn Ago(at: i64) -> impl IntoView {
    let ui = expect_context::<crate::ui::Ui>();
    // Said again when the clock moves on far enough to change it, not every second.
    let said = Memo::new(move |_| {
        let now = ui.now.get();
        let stays = present::relative_stays(at, now);
        (now / stays, present::relative(at, now))
    });
    let exact = date_time(at);
    view! {
        <time class="ago" datetime=format_rfc3339(at) title=exact.clone() data-exact=exact tabindex="0">
            {move || {
                said.track();
                relative(at, ui.now.get_untracked())
            }}
        </time>
    }
}
