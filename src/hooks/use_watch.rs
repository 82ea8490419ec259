//! The watch: a worker sampling the targets (`probes::watch`), its samples
//! gathered into the core's `Watch` as they arrive, and the page told.

use std::cell::RefCell;
use std::rc::Rc;

use linktriage_core::watch::{DEFAULT_DURATION_MS, Sample, SampleKind, Watch, Watched};
use yew::prelude::*;

use crate::probes::http::absolute_url;
use crate::probes::{timers, watch};

/// Where a watch has got to.
#[derive(Debug, Clone, PartialEq)]
pub enum WatchPhase {
    /// Not started.
    Idle,
    Running,
    /// Stopped by the clinician, or at the end of its duration.
    Stopped,
    /// Another tab of this browser is watching (it holds the watch's lock).
    Elsewhere,
    /// Could not run; the sentence says why.
    Failed(String),
}

impl WatchPhase {
    /// The `data-state` of `#watch`.
    pub fn id(&self) -> &'static str {
        match self {
            WatchPhase::Idle => "idle",
            WatchPhase::Running => "running",
            WatchPhase::Stopped => "stopped",
            WatchPhase::Elsewhere => "elsewhere",
            WatchPhase::Failed(_) => "failed",
        }
    }
}

/// What the watch has seen, shared with the worker's message handler so that
/// a sample is added in place rather than the whole record copied.
/// Components compare it by how many samples it holds.
#[derive(Debug, Clone)]
pub struct WatchRecord {
    shared: Rc<RefCell<Watch>>,
    samples: usize,
}

impl PartialEq for WatchRecord {
    fn eq(&self, other: &WatchRecord) -> bool {
        Rc::ptr_eq(&self.shared, &other.shared) && self.samples == other.samples
    }
}

impl WatchRecord {
    /// Reads the record as it is now.
    pub fn read<T>(&self, f: impl FnOnce(&Watch) -> T) -> T {
        f(&self.shared.borrow())
    }
}

/// The watch as components see it.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchHandle {
    pub phase: WatchPhase,
    /// `None` before it first starts.
    pub record: Option<WatchRecord>,
    /// Starts a watch at this interval (milliseconds).
    pub start: Callback<u32>,
    pub stop: Callback<()>,
}

/// The watch of `targets`, idle until started.
#[hook]
pub fn use_watch(targets: Rc<Vec<Watched>>) -> WatchHandle {
    let phase = use_state(|| WatchPhase::Idle);
    let record = use_mut_ref(|| None::<Rc<RefCell<Watch>>>);
    let sampler = use_mut_ref(|| None::<watch::Sampler>);
    let lock = use_mut_ref(|| None::<watch::LockGuard>);
    let update = use_force_update();
    let begin = {
        let (phase, record, sampler, update, lock) = (
            phase.clone(),
            record.clone(),
            sampler.clone(),
            update.clone(),
            lock.clone(),
        );
        Rc::new(move |interval_ms: u32| {
            let started_at_ms = timers::wall_clock_ms();
            let shared = Rc::new(RefCell::new(Watch {
                started_at_ms,
                interval_ms,
                targets: targets.iter().map(|w| w.target.clone()).collect(),
                samples: Vec::new(),
                paused: Vec::new(),
            }));
            *record.borrow_mut() = Some(shared.clone());
            let plan = targets
                .iter()
                .map(|w| {
                    (
                        absolute_url(&w.url, ""),
                        w.kind == SampleKind::Ping,
                        w.timeout_ms,
                    )
                })
                .collect();
            let on_sample = {
                let (sampler, phase, update, lock) =
                    (sampler.clone(), phase.clone(), update.clone(), lock.clone());
                move |sample: Sample| {
                    shared.borrow_mut().samples.push(sample);
                    if sample.at_ms > started_at_ms + DEFAULT_DURATION_MS {
                        sampler.borrow_mut().take();
                        lock.borrow_mut().take();
                        phase.set(WatchPhase::Stopped);
                    }
                    update.force_update();
                }
            };
            let on_error = {
                let phase = phase.clone();
                move |why: String| phase.set(WatchPhase::Failed(why))
            };
            match watch::start(interval_ms, plan, on_sample, on_error) {
                Ok(running) => {
                    *sampler.borrow_mut() = Some(running);
                    phase.set(WatchPhase::Running);
                }
                Err(why) => phase.set(WatchPhase::Failed(why)),
            }
        })
    };
    // One watch per browser: the lock first, then the worker.
    let start = {
        let (phase, lock) = (phase.clone(), lock.clone());
        Callback::from(move |interval_ms: u32| {
            let (begin, phase, lock) = (begin.clone(), phase.clone(), lock.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match watch::take_lock().await {
                    watch::Lock::HeldElsewhere => phase.set(WatchPhase::Elsewhere),
                    watch::Lock::Held(guard) => {
                        *lock.borrow_mut() = Some(guard);
                        begin(interval_ms);
                    }
                    watch::Lock::Unsupported => begin(interval_ms),
                }
            });
        })
    };
    let stop = {
        let (phase, sampler, lock) = (phase.clone(), sampler.clone(), lock.clone());
        Callback::from(move |()| {
            sampler.borrow_mut().take();
            lock.borrow_mut().take();
            phase.set(WatchPhase::Stopped);
        })
    };
    let record = record.borrow().as_ref().map(|shared| WatchRecord {
        samples: shared.borrow().samples.len(),
        shared: shared.clone(),
    });
    WatchHandle {
        phase: (*phase).clone(),
        record,
        start,
        stop,
    }
}
