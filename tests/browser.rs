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

/// The watch's record in IndexedDB, as a reload reads it back: every
/// sample, the pauses, and the minutes folded from older samples, whose
/// samples are then gone from the store.
#[wasm_bindgen_test]
async fn a_kept_watch_reads_back_with_its_folded_minutes() {
    use linktriage_app::probes::watch_store::{Store, Stored};
    use linktriage_core::segment::Segment;
    use linktriage_core::watch::{Sample, Span, Watch, WatchTarget, outages};

    let store = Store::open().await.unwrap();
    let started_at_ms = 1_795_510_800_000.0;
    let minute = 60_000.0;
    // 30 minutes at 10 s; the HSCN host down in minutes 3 to 6.
    let samples: Vec<Sample> = (0..180)
        .map(|i| Sample {
            at_ms: started_at_ms + f64::from(i) * 10_000.0,
            target: 0,
            answered: !(18..36).contains(&i),
            round_trip_ms: None,
        })
        .collect();
    let mut watch = Watch {
        started_at_ms,
        interval_ms: 10_000,
        targets: vec![WatchTarget {
            name: "HSCN host".into(),
            segment: Segment::Hscn,
            late_ms: 300,
        }],
        samples,
        paused: vec![Span {
            from_ms: started_at_ms + 20.0 * minute,
            to_ms: started_at_ms + 21.0 * minute,
        }],
        earlier: None,
        // The data channel's minutes: one counted, one whose count never came.
        loss: vec![vec![
            linktriage_core::loss::Minute {
                minute: 3,
                sent: 118,
                reached_server: Some(115),
                came_back: 112,
                late: 1,
                round_trip_ms: Some(12.25),
            },
            linktriage_core::loss::Minute {
                minute: 4,
                sent: 60,
                reached_server: None,
                came_back: 60,
                late: 0,
                round_trip_ms: None,
            },
        ]],
    };
    let found = outages(&watch);
    let cut = watch.compact(started_at_ms + 10.0 * minute).unwrap();
    let mut stored = Stored {
        watch: watch.clone(),
        plan: vec![("http://gateway.hscn.test/".into(), false, 4_000)],
        config: ("Test".into(), "1".into()),
        ends_at_ms: started_at_ms + 8.0 * 3_600_000.0,
        stopped: false,
    };
    stored.watch.samples.clear();
    store.keep(&stored);
    // Samples from before the fold too, as the store had them then.
    for i in 0..180 {
        let at_ms = started_at_ms + f64::from(i) * 10_000.0;
        store.add(
            started_at_ms,
            &Sample {
                at_ms,
                target: 0,
                answered: true,
                round_trip_ms: Some(4.5),
            },
        );
    }
    store.forget_before(started_at_ms, cut);
    let back = store.newest().await.unwrap();
    assert_eq!(back.watch.earlier, watch.earlier, "the folded minutes");
    assert_eq!(back.watch.paused, watch.paused);
    assert_eq!(back.watch.loss, watch.loss, "the minutes of loss probes");
    assert_eq!(
        back.watch.samples.len(),
        watch.samples.len(),
        "only the samples after the fold"
    );
    assert!(back.watch.samples.iter().all(|s| s.at_ms >= cut));
    assert_eq!(back.plan, stored.plan);
    assert_eq!(
        outages(&back.watch)[..1],
        found[..1],
        "the drop, from the minutes"
    );
    store.remove_old(f64::INFINITY).await;
    assert!(
        store.newest().await.is_none(),
        "a watch past its week is removed"
    );
}
