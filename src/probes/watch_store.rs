//! The watch's record in IndexedDB, so that a reload, a crash or a closed
//! and reopened tab resumes the watch with its history. Every sample is
//! written as it arrives; each watch is a header (what it samples, how
//! often, until when, its pauses) and its samples; watches older than a
//! week are removed when the page opens. Values are plain JavaScript
//! arrays, as the worker's messages are: no serialiser in the bundle.
//!
//! - `watches`, keyed by the watch's start (ms since the epoch):
//!   `[started_at, interval, ends_at, stopped, config_name, config_version,
//!   [pause from, pause to, ...], [[name, segment, late_ms, url, is_ping, timeout_ms], ...],
//!   the minutes folded (`codec::watch_bytes`, a `Uint8Array`) or null,
//!   [target, minute, sent, reached or -1, came back, late, round trip or -1, ...]
//!   (the minutes of loss probes over the data channel)]`;
//!   a watch's samples older than two hours are folded into its minutes and
//!   removed (`Watch::compact`), so a watch of days stays a few megabytes.
//! - `samples`, keyed by `[start, at_ms, target]`: `[at_ms, target, answered, round_trip_ms or -1]`.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Array;
use linktriage_core::codec::{watch_bytes, watch_from_bytes};
use linktriage_core::loss::Minute;
use linktriage_core::segment::Segment;
use linktriage_core::watch::{Sample, Span, Watch, WatchTarget};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{IdbDatabase, IdbKeyRange, IdbObjectStore, IdbRequest, IdbTransactionMode};

const DATABASE: &str = "linktriage-watch";
const WATCHES: &str = "watches";
const SAMPLES: &str = "samples";
/// Watches are kept this long after they start, then removed: as long as
/// the longest watch.
pub const KEPT_FOR_MS: f64 = linktriage_core::watch::LONGEST_DURATION_MS;
/// At most this many watches are kept, the newest: with a watch of 8 hours
/// at most, the record never holds more than 40 hours of samples (about
/// 10 MB a watch of 8 targets at the fastest interval, under 2 MB at the
/// default; BENCHMARKS.md).
pub const KEPT_WATCHES: usize = 5;

/// A watch as it is kept: the record, how to go on sampling it, and its
/// state.
#[derive(Debug, Clone)]
pub struct Stored {
    pub watch: Watch,
    /// What the worker samples: absolute URL, whether it is a ping, timeout.
    pub plan: Vec<(String, bool, u32)>,
    /// The target list's name and version.
    pub config: (String, String),
    pub ends_at_ms: f64,
    pub stopped: bool,
}

/// The watch's minutes of loss probes, seven numbers a minute.
fn loss_row(w: &Watch) -> Array {
    let optional = |v: Option<f64>| JsValue::from_f64(v.unwrap_or(-1.0));
    let mut row = Vec::new();
    for (t, minutes) in w.loss.iter().enumerate() {
        for m in minutes {
            row.extend([
                JsValue::from_f64(t as f64),
                JsValue::from_f64(f64::from(m.minute)),
                JsValue::from_f64(f64::from(m.sent)),
                optional(m.reached_server.map(f64::from)),
                JsValue::from_f64(f64::from(m.came_back)),
                JsValue::from_f64(f64::from(m.late)),
                optional(m.round_trip_ms),
            ]);
        }
    }
    row.into_iter().collect()
}

/// The minutes [`loss_row`] wrote, for a watch of `targets` targets; a
/// header from before the data channel has none. A minute that does not
/// read is left out, not the watch.
fn loss_from(value: &JsValue, targets: usize) -> Vec<Vec<Minute>> {
    let Some(numbers) = value.dyn_ref::<Array>() else {
        return Vec::new();
    };
    let numbers: Vec<f64> = numbers.iter().filter_map(|v| v.as_f64()).collect();
    let mut loss: Vec<Vec<Minute>> = Vec::new();
    for m in numbers.chunks_exact(7) {
        let count = |v: f64| (v >= 0.0).then_some(v as u32);
        let target = m[0] as usize;
        if m[0] < 0.0 || target >= targets {
            continue;
        }
        if loss.len() <= target {
            loss.resize(target + 1, Vec::new());
        }
        loss[target].push(Minute {
            minute: m[1] as u32,
            sent: m[2] as u32,
            reached_server: count(m[3]),
            came_back: m[4] as u32,
            late: m[5] as u32,
            round_trip_ms: (m[6] >= 0.0).then_some(m[6]),
        });
    }
    loss
}

/// The open database.
#[derive(Debug, Clone)]
pub struct Store {
    db: IdbDatabase,
}

impl Store {
    /// Opens the database (creating it the first time), or says why the
    /// browser keeps nothing here.
    pub async fn open() -> Result<Store, String> {
        let refused = |_| {
            "this browser does not let the page keep data (private browsing, or a policy)"
                .to_owned()
        };
        let factory = web_sys::window()
            .ok_or_else(|| "no window".to_owned())?
            .indexed_db()
            .map_err(refused)?
            .ok_or_else(|| "this browser has no IndexedDB".to_owned())?;
        let request = factory.open_with_u32(DATABASE, 1).map_err(refused)?;
        let upgrade = Closure::<dyn FnMut(web_sys::Event)>::new(|event: web_sys::Event| {
            let Some(db) = event
                .target()
                .and_then(|t| t.dyn_into::<IdbRequest>().ok())
                .and_then(|r| r.result().ok())
                .and_then(|db| db.dyn_into::<IdbDatabase>().ok())
            else {
                return;
            };
            let _ = db.create_object_store(WATCHES);
            let _ = db.create_object_store(SAMPLES);
        });
        request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
        let db = finished(&request).await?;
        drop(upgrade);
        Ok(Store {
            db: db
                .dyn_into()
                .map_err(|_| "the watch's database did not open".to_owned())?,
        })
    }

    fn store(&self, name: &str, mode: IdbTransactionMode) -> Result<IdbObjectStore, String> {
        self.db
            .transaction_with_str_and_mode(name, mode)
            .and_then(|t| t.object_store(name))
            .map_err(|_| "the watch's database could not be used".to_owned())
    }

    /// Writes (or rewrites) a watch's header.
    pub fn keep(&self, stored: &Stored) {
        let w = &stored.watch;
        let paused: Array = w
            .paused
            .iter()
            .flat_map(|p| [p.from_ms, p.to_ms])
            .map(JsValue::from_f64)
            .collect();
        let targets: Array = w
            .targets
            .iter()
            .zip(&stored.plan)
            .map(|(t, (url, is_ping, timeout))| {
                let row: Array = [
                    JsValue::from_str(&t.name),
                    JsValue::from_str(t.segment.id()),
                    JsValue::from_f64(f64::from(t.late_ms)),
                    JsValue::from_str(url),
                    JsValue::from_bool(*is_ping),
                    JsValue::from_f64(f64::from(*timeout)),
                ]
                .into_iter()
                .collect();
                JsValue::from(row)
            })
            .collect();
        let header: Array = [
            JsValue::from_f64(w.started_at_ms),
            JsValue::from_f64(f64::from(w.interval_ms)),
            JsValue::from_f64(stored.ends_at_ms),
            JsValue::from_bool(stored.stopped),
            JsValue::from_str(&stored.config.0),
            JsValue::from_str(&stored.config.1),
            paused.into(),
            targets.into(),
            w.earlier.as_ref().map_or(JsValue::NULL, |earlier| {
                js_sys::Uint8Array::from(watch_bytes(earlier).as_slice()).into()
            }),
            loss_row(w).into(),
        ]
        .into_iter()
        .collect();
        if let Ok(store) = self.store(WATCHES, IdbTransactionMode::Readwrite) {
            let _ = store.put_with_key(&header, &JsValue::from_f64(w.started_at_ms));
        }
    }

    /// Writes one sample of the watch that started at `started_at_ms`.
    pub fn add(&self, started_at_ms: f64, sample: &Sample) {
        let key: Array = [started_at_ms, sample.at_ms, sample.target as f64]
            .into_iter()
            .map(JsValue::from_f64)
            .collect();
        let value: Array = [
            JsValue::from_f64(sample.at_ms),
            JsValue::from_f64(sample.target as f64),
            JsValue::from_bool(sample.answered),
            JsValue::from_f64(sample.round_trip_ms.unwrap_or(-1.0)),
        ]
        .into_iter()
        .collect();
        if let Ok(store) = self.store(SAMPLES, IdbTransactionMode::Readwrite) {
            let _ = store.put_with_key(&value, &key);
        }
    }

    /// Removes the samples of the watch that started at `started_at_ms`
    /// from before `cut_ms`: they are folded into its header's minutes.
    pub fn forget_before(&self, started_at_ms: f64, cut_ms: f64) {
        if let (Ok(store), Some(range)) = (
            self.store(SAMPLES, IdbTransactionMode::Readwrite),
            sample_keys(started_at_ms, cut_ms),
        ) {
            let _ = store.delete(&range);
        }
    }

    /// When each kept watch started, oldest first (the keys' own order).
    async fn starts(&self) -> Vec<f64> {
        let Some(request) = self
            .store(WATCHES, IdbTransactionMode::Readonly)
            .ok()
            .and_then(|watches| watches.get_all_keys().ok())
        else {
            return Vec::new();
        };
        match finished(&request).await {
            Ok(keys) => Array::from(&keys)
                .iter()
                .filter_map(|k| k.as_f64())
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// The newest watch kept, with its samples.
    pub async fn newest(&self) -> Option<Stored> {
        let newest = self.starts().await.last().copied()?;
        let watches = self.store(WATCHES, IdbTransactionMode::Readonly).ok()?;
        let header = finished(&watches.get(&JsValue::from_f64(newest)).ok()?)
            .await
            .ok()?;
        let mut stored = read_header(&header)?;
        let samples = self.store(SAMPLES, IdbTransactionMode::Readonly).ok()?;
        let all = finished(
            &samples
                .get_all_with_key(&sample_keys(newest, f64::INFINITY)?.into())
                .ok()?,
        )
        .await
        .ok()?;
        stored.watch.samples = Array::from(&all)
            .iter()
            .filter_map(|s| read_sample(&s, stored.watch.targets.len()))
            .collect();
        Some(stored)
    }

    /// Removes the watches that started before `cutoff_ms`, and all but the
    /// newest [`KEPT_WATCHES`], with their samples.
    pub async fn remove_old(&self, cutoff_ms: f64) {
        let starts = self.starts().await;
        let newest_kept = starts.len().saturating_sub(KEPT_WATCHES);
        for (i, &started) in starts.iter().enumerate() {
            if started >= cutoff_ms && i >= newest_kept {
                continue;
            }
            self.forget_before(started, f64::INFINITY);
            if let Ok(watches) = self.store(WATCHES, IdbTransactionMode::Readwrite) {
                let _ = watches.delete(&JsValue::from_f64(started));
            }
        }
    }
}

/// The sample keys of the watch that started at `started_at_ms`, of
/// samples sent before `before_ms` (`Infinity` for all of them): from
/// `[start]` up to, not including, `[start, before]`.
fn sample_keys(started_at_ms: f64, before_ms: f64) -> Option<IdbKeyRange> {
    let lower: Array = std::iter::once(JsValue::from_f64(started_at_ms)).collect();
    let upper: Array = [started_at_ms, before_ms]
        .into_iter()
        .map(JsValue::from_f64)
        .collect();
    IdbKeyRange::bound_with_lower_open_and_upper_open(&lower, &upper, false, true).ok()
}

fn read_header(header: &JsValue) -> Option<Stored> {
    let h: &Array = header.dyn_ref()?;
    let paused: Array = h.get(6).dyn_into().ok()?;
    let paused: Vec<f64> = paused.iter().filter_map(|v| v.as_f64()).collect();
    let rows: Array = h.get(7).dyn_into().ok()?;
    let mut targets = Vec::new();
    let mut plan = Vec::new();
    for row in rows.iter() {
        let row: Array = row.dyn_into().ok()?;
        targets.push(WatchTarget {
            name: row.get(0).as_string()?,
            segment: Segment::from_id(&row.get(1).as_string()?)?,
            late_ms: row.get(2).as_f64()? as u32,
        });
        plan.push((
            row.get(3).as_string()?,
            row.get(4).as_bool()?,
            row.get(5).as_f64()? as u32,
        ));
    }
    let targets_len = targets.len();
    Some(Stored {
        watch: Watch {
            started_at_ms: h.get(0).as_f64()?,
            interval_ms: h.get(1).as_f64()? as u32,
            targets,
            samples: Vec::new(),
            paused: paused
                .chunks_exact(2)
                .map(|p| Span {
                    from_ms: p[0],
                    to_ms: p[1],
                })
                .collect(),
            earlier: h
                .get(8)
                .dyn_into::<js_sys::Uint8Array>()
                .ok()
                .and_then(|bytes| watch_from_bytes(&bytes.to_vec()).ok())
                .map(Box::new),
            loss: loss_from(&h.get(9), targets_len),
        },
        plan,
        ends_at_ms: h.get(2).as_f64()?,
        stopped: h.get(3).as_bool()?,
        config: (h.get(4).as_string()?, h.get(5).as_string()?),
    })
}

fn read_sample(value: &JsValue, targets: usize) -> Option<Sample> {
    let s: &Array = value.dyn_ref()?;
    let target = s.get(1).as_f64()? as usize;
    let round_trip = s.get(3).as_f64()?;
    (target < targets).then_some(Sample {
        at_ms: s.get(0).as_f64()?,
        target,
        answered: s.get(2).as_bool()?,
        round_trip_ms: (round_trip >= 0.0).then_some(round_trip),
    })
}

/// What a request gave, once it has.
async fn finished(request: &IdbRequest) -> Result<JsValue, String> {
    let (sender, receiver) = futures_channel::oneshot::channel::<bool>();
    let sender = Rc::new(RefCell::new(Some(sender)));
    let tell = |ok: bool| {
        let sender = sender.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            if let Some(sender) = sender.borrow_mut().take() {
                let _ = sender.send(ok);
            }
        })
    };
    let (on_success, on_error) = (tell(true), tell(false));
    request.set_onsuccess(Some(on_success.as_ref().unchecked_ref()));
    request.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    let ok = receiver.await.unwrap_or(false);
    request.set_onsuccess(None);
    request.set_onerror(None);
    if ok {
        request
            .result()
            .map_err(|_| "the watch's database gave no answer".to_owned())
    } else {
        Err("the watch's database refused the request".to_owned())
    }
}
