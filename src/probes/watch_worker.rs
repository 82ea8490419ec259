//! The watch's sampler, run in a dedicated Web Worker (`src/bin/watcher.rs`,
//! its own small bundle fetched only when a watch starts): browsers throttle
//! a hidden page's timers far harder than a worker's. It takes the plan from
//! the page, then once a cycle sends each target a light sample (a reach
//! target one request, a probe target a few pings), staggered across the
//! cycle, each with a deadline shorter than the interval, and posts every
//! sample back with its own timestamp.
//!
//! Messages, as plain JavaScript values (no serialiser in either bundle):
//! - worker to page, first: `"ready"`, once it listens;
//! - page to worker: `[interval_ms, [[url, is_ping, timeout_ms], ...]]`;
//! - worker to page, then, per sample: `[at_ms, target, answered, round_trip_ms or -1]`.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::Array;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, DedicatedWorkerGlobalScope, MessageEvent, PerformanceResourceTiming,
    RequestCache, RequestInit, RequestMode,
};

/// One target as the page sends it.
#[derive(Debug, Clone)]
struct Target {
    url: String,
    is_ping: bool,
    timeout_ms: u32,
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// The worker's entry: listen for the plan, then say so.
pub fn start() {
    let started = Rc::new(Cell::new(false));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        // One plan per worker: the page starts a new worker for a new watch.
        if started.replace(true) {
            return;
        }
        if let Some((interval_ms, targets)) = read_plan(&event.data()) {
            wasm_bindgen_futures::spawn_local(watch(interval_ms, targets));
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker, which the page terminates.
    on_message.forget();
    let _ = scope().post_message(&JsValue::from_str("ready"));
}

fn read_plan(data: &JsValue) -> Option<(u32, Vec<Target>)> {
    let plan: &Array = data.dyn_ref()?;
    let interval_ms = plan.get(0).as_f64()? as u32;
    let targets: &Array = &plan.get(1).dyn_into().ok()?;
    let targets = targets
        .iter()
        .filter_map(|t| {
            let t: Array = t.dyn_into().ok()?;
            Some(Target {
                url: t.get(0).as_string()?,
                is_ping: t.get(1).as_bool()?,
                timeout_ms: t.get(2).as_f64()? as u32,
            })
        })
        .collect();
    Some((interval_ms, targets))
}

/// The wall clock as the page's samples carry it: the worker's time origin
/// plus its monotonic clock, which a changed system clock does not move.
fn now_ms() -> f64 {
    scope()
        .performance()
        .map_or_else(js_sys::Date::now, |p| p.time_origin() + p.now())
}

async fn sleep(ms: f64) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = scope()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms.max(0.0) as i32);
    });
    let _ = JsFuture::from(promise).await;
}

/// Cycles until the page terminates the worker. A cycle that starts late
/// (the worker was paused) skips to the next one due, so a pause shows as
/// a gap in the samples, which the core reads as a pause.
async fn watch(interval_ms: u32, targets: Vec<Target>) {
    let interval = f64::from(interval_ms);
    let stagger = interval / targets.len().max(1) as f64;
    let first = now_ms();
    let mut cycle = 0.0;
    loop {
        let due = first + cycle * interval;
        if let Some(performance) = scope().performance() {
            // Each sample reads its own timing as it ends; what is left
            // would fill the buffer (250 entries) and stop new ones.
            performance.clear_resource_timings();
        }
        for (i, target) in targets.iter().enumerate() {
            let at = due + i as f64 * stagger;
            let target = target.clone();
            let timeout = linktriage_core::watch::sample_timeout_ms(target.timeout_ms, interval_ms);
            wasm_bindgen_futures::spawn_local(async move {
                sleep(at - now_ms()).await;
                sample(i, &target, timeout).await;
            });
        }
        cycle += 1.0;
        let mut next = first + cycle * interval;
        if now_ms() > next + interval {
            cycle = ((now_ms() - first) / interval).ceil();
            next = first + cycle * interval;
        }
        sleep(next - now_ms()).await;
    }
}

/// One sample of `target` (one request, or a few pings on one deadline),
/// posted to the page.
async fn sample(index: usize, target: &Target, timeout_ms: u32) {
    let at = now_ms();
    let (answered, round_trip) = if target.is_ping {
        let mut times: Vec<f64> = Vec::new();
        let mut answered = false;
        for _ in 0..linktriage_core::watch::PINGS_PER_SAMPLE {
            let left = f64::from(timeout_ms) - (now_ms() - at);
            if left < 50.0 {
                break;
            }
            let (ok, time) = request(target, left as u32).await;
            answered |= ok;
            times.extend(time);
        }
        times.sort_by(f64::total_cmp);
        (answered, times.get(times.len() / 2).copied())
    } else {
        request(target, timeout_ms).await
    };
    let message = Array::of4(
        &JsValue::from_f64(at),
        &JsValue::from_f64(index as f64),
        &JsValue::from_bool(answered),
        &JsValue::from_f64(round_trip.unwrap_or(-1.0)),
    );
    let _ = scope().post_message(&message);
}

/// Whether `target` answered in time, and for a ping its network time.
async fn request(target: &Target, timeout_ms: u32) -> (bool, Option<f64>) {
    let Ok(controller) = AbortController::new() else {
        return (false, None);
    };
    let init = RequestInit::new();
    init.set_cache(RequestCache::NoStore);
    init.set_signal(Some(&controller.signal()));
    let url = if target.is_ping {
        init.set_mode(RequestMode::Cors);
        let nonce = js_sys::Math::random().to_bits() >> 40;
        format!(
            "{}/api/ping?watch={nonce}",
            target.url.trim_end_matches('/')
        )
    } else {
        // No body to download: a light check, every few seconds, for hours.
        init.set_mode(RequestMode::NoCors);
        init.set_method("HEAD");
        target.url.clone()
    };
    let abort = controller.clone();
    let timer = Closure::once(move || abort.abort());
    let handle = scope()
        .set_timeout_with_callback_and_timeout_and_arguments_0(
            timer.as_ref().unchecked_ref(),
            timeout_ms as i32,
        )
        .ok();
    let started = now_ms();
    let outcome = async {
        let response: web_sys::Response =
            JsFuture::from(scope().fetch_with_str_and_init(&url, &init))
                .await?
                .dyn_into()?;
        JsFuture::from(response.array_buffer()?).await?;
        Ok::<_, JsValue>(response)
    }
    .await;
    let elapsed = now_ms() - started;
    if let Some(handle) = handle {
        scope().clear_timeout_with_handle(handle);
    }
    match outcome {
        // A ping answered with an error status is a server answering badly:
        // counted as not answered, as the checks count it.
        Ok(response) if target.is_ping && !response.ok() => (false, None),
        Ok(_) if target.is_ping => (true, Some(ping_time(&url).unwrap_or(elapsed))),
        Ok(_) => (true, None),
        Err(_) => (false, None),
    }
}

/// The ping's network time from the worker's Resource Timing, as the
/// page's round trips read it.
fn ping_time(url: &str) -> Option<f64> {
    let entries = scope()
        .performance()?
        .get_entries_by_name_with_entry_type(url, "resource");
    let timing: PerformanceResourceTiming = entries.pop().dyn_into().ok()?;
    Some(super::http::ping_network_ms(&timing))
}

/// Reads a sample message from the worker; `None` for anything else.
pub fn read_sample(data: &JsValue) -> Option<linktriage_core::watch::Sample> {
    let message: &Array = data.dyn_ref()?;
    let round_trip = message.get(3).as_f64()?;
    Some(linktriage_core::watch::Sample {
        at_ms: message.get(0).as_f64()?,
        target: message.get(1).as_f64()? as usize,
        answered: message.get(2).as_bool()?,
        round_trip_ms: (round_trip >= 0.0).then_some(round_trip),
    })
}

/// The plan message for `targets` (absolute URLs), as [`start`] reads it.
pub fn plan_message(interval_ms: u32, targets: &[(String, bool, u32)]) -> JsValue {
    let list: Array = targets
        .iter()
        .map(|(url, is_ping, timeout)| {
            Array::of3(
                &JsValue::from_str(url),
                &JsValue::from_bool(*is_ping),
                &JsValue::from_f64(f64::from(*timeout)),
            )
        })
        .collect();
    Array::of2(&JsValue::from_f64(f64::from(interval_ms)), &list).into()
}

/// Whether a worker's message says it listens.
pub fn is_ready(data: &JsValue) -> bool {
    data.as_string().as_deref() == Some("ready")
}
