//! The app's browser code in a real headless Chromium (wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    reason = "a test fails loudly on the first surprise"
)]

use linktriage_app::panic::show_crash_message;
use linktriage_app::probes::http::{FetchError, absolute_url, fetch_body};
use linktriage_app::probes::timers::{monotonic_ms, sleep};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::RequestMode;

wasm_bindgen_test_configure!(run_in_browser);

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

#[wasm_bindgen_test]
fn the_crash_message_is_text_even_when_the_detail_looks_like_html() {
    let hostile = "<img src=x onerror=alert(1)> & </div>";
    show_crash_message(hostile);
    let crash = document()
        .get_element_by_id("crash")
        .expect("crash message shown");
    assert_eq!(crash.get_attribute("role").as_deref(), Some("alert"));
    assert!(crash.text_content().unwrap().ends_with(hostile));
    assert_eq!(
        crash.children().length(),
        0,
        "no element was parsed from the detail"
    );
    crash.remove();
}

#[wasm_bindgen_test]
async fn sleep_waits_at_least_as_long_as_asked() {
    let started = monotonic_ms();
    sleep(30).await;
    let waited = monotonic_ms() - started;
    assert!(waited >= 29.0, "waited {waited} ms");
}

#[wasm_bindgen_test]
async fn a_refused_connection_fails_fast_as_a_network_error() {
    let started = monotonic_ms();
    let outcome = fetch_body("http://127.0.0.1:1/", RequestMode::Cors, 4_000).await;
    let took = monotonic_ms() - started;
    assert!(
        matches!(outcome, Err(FetchError::Network(_))),
        "{outcome:?}"
    );
    assert!(took < 2_000.0, "refusal took {took} ms");
}

#[wasm_bindgen_test]
async fn an_error_status_is_reported_as_such() {
    // The test runner's own server answers 404 for an unknown file.
    let url = absolute_url("/", "/no-such-file-here");
    let outcome = fetch_body(&url, RequestMode::SameOrigin, 4_000).await;
    assert!(
        matches!(outcome, Err(FetchError::Status(404))),
        "{outcome:?}"
    );
}

#[wasm_bindgen_test]
fn relative_targets_resolve_against_the_page_origin() {
    let origin = web_sys::window().unwrap().location().origin().unwrap();
    assert_eq!(absolute_url("/", "/api/ping"), format!("{origin}/api/ping"));
    assert_eq!(
        absolute_url("https://probe.example/", "/api/ping"),
        "https://probe.example/api/ping"
    );
}

/// The page and the watch's worker speak one message format, written and
/// read by the same module: what one writes, the other reads back.
#[wasm_bindgen_test]
fn the_watch_messages_read_back_as_written() {
    use js_sys::Array;
    use linktriage_app::probes::watch_worker::{is_ready, plan_message, read_sample};
    use wasm_bindgen::JsValue;
    let plan = plan_message(2_000, &[("http://a.test".to_owned(), true, 700)]);
    let plan: Array = plan.into();
    assert_eq!(plan.get(0).as_f64(), Some(2_000.0));
    let first: Array = Array::from(&plan.get(1)).get(0).into();
    assert_eq!(first.get(0).as_string().as_deref(), Some("http://a.test"));
    assert_eq!(first.get(1).as_bool(), Some(true));
    let sample = Array::of4(
        &JsValue::from_f64(1_795_510_800_000.0),
        &JsValue::from_f64(3.0),
        &JsValue::from_bool(false),
        &JsValue::from_f64(-1.0),
    );
    let read = read_sample(&sample.into()).unwrap();
    assert_eq!(
        (read.target, read.answered, read.round_trip_ms),
        (3, false, None)
    );
    assert!(is_ready(&JsValue::from_str("ready")));
    assert!(read_sample(&JsValue::from_str("ready")).is_none());
    assert!(read_sample(&Array::of2(&JsValue::NULL, &JsValue::NULL).into()).is_none());
}
