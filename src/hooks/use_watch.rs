//! The watch: a worker sampling the targets (`probes::watch`), its samples
//! gathered into the core's `Watch` as they arrive and kept in the
//! browser's storage (`probes::watch_store`), so that a reload, a crash or
//! a reopened tab resumes it with its history; the page told.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use linktriage_core::report::ListFacts;
use linktriage_core::watch::{
    LONGEST_DURATION_MS, SAMPLES_KEPT_MS, Sample, SampleKind, Span, Watch, Watched,
};
use yew::prelude::*;

use crate::probes::http::absolute_url;
use crate::probes::watch_store::{KEPT_FOR_MS, Store, Stored};
use crate::probes::{loss, page, timers, watch};

/// Samples fold into minutes once the oldest is this much older than the
/// two hours kept: a fold every ten minutes, not at every sample.
const FOLD_EVERY_MS: f64 = 10.0 * 60_000.0;

/// How often a tab whose watch runs in another tab reads its record again.
const ELSEWHERE_REFRESH_MS: u32 = 5_000;

/// Where a watch has got to.
#[derive(Debug, Clone, PartialEq)]
pub enum WatchPhase {
    /// Reading the browser's record of an earlier watch.
    Opening,
    /// Not started.
    Idle,
    Running,
    /// Stopped by the clinician, or at the end of its duration.
    Stopped,
    /// Another tab of this browser is watching (it holds the watch's lock);
    /// its record, as kept, is shown here.
    Elsewhere,
    /// Could not run; the sentence says why.
    Failed(String),
}

impl WatchPhase {
    /// The `data-state` of `#watch`.
    pub fn id(&self) -> &'static str {
        match self {
            WatchPhase::Opening => "opening",
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
/// Components compare it by how many samples, pauses and minutes of loss
/// probes it holds.
#[derive(Debug, Clone)]
pub struct WatchRecord {
    shared: Rc<RefCell<Watch>>,
    seen: (usize, usize, usize),
}

impl PartialEq for WatchRecord {
    fn eq(&self, other: &WatchRecord) -> bool {
        Rc::ptr_eq(&self.shared, &other.shared) && self.seen == other.seen
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
    /// `None` before one first starts (or is found kept).
    pub record: Option<WatchRecord>,
    /// Whether the browser keeps the record: `None` until known, then why
    /// not, when it does not.
    pub kept: Option<Result<(), String>>,
    /// The watch went on from the browser's record after the page was
    /// reloaded or reopened.
    pub resumed: bool,
    /// Starts a watch at this interval, for this long (milliseconds).
    pub start: Callback<(u32, f64)>,
    pub stop: Callback<()>,
}

/// A watch being sampled: dropping it stops the worker, lets go of the lock
/// and stops listening for the page's freezes.
#[derive(Debug)]
struct Live {
    _sampler: watch::Sampler,
    /// A data channel to each probe target, for packet loss.
    _channels: Vec<loss::WatchChannel>,
    _lock: Option<watch::LockGuard>,
    _freezes: Option<page::FreezeListener>,
}

/// The watch's parts, shared by the callbacks that drive it.
#[derive(Clone)]
struct Parts {
    phase: UseStateHandle<WatchPhase>,
    resumed: UseStateHandle<bool>,
    record: Rc<RefCell<Option<Rc<RefCell<Watch>>>>>,
    /// The watch's header as kept (its samples are the record's).
    header: Rc<RefCell<Option<Stored>>>,
    store: Rc<RefCell<Option<Store>>>,
    live: Rc<RefCell<Option<Live>>>,
    /// Set while this tab shows another tab's watch.
    elsewhere: Rc<Cell<bool>>,
    update: UseForceUpdateHandle,
}

impl Parts {
    /// Samples `stored` from now on: a new watch, or one resumed.
    fn run(&self, stored: Stored, lock: Option<watch::LockGuard>) {
        self.elsewhere.set(false);
        let shared = Rc::new(RefCell::new(stored.watch.clone()));
        *self.record.borrow_mut() = Some(shared.clone());
        let (started_at_ms, ends_at_ms) = (stored.watch.started_at_ms, stored.ends_at_ms);
        let (interval_ms, plan) = (stored.watch.interval_ms, stored.plan.clone());
        *self.header.borrow_mut() = Some(Stored {
            watch: Watch {
                samples: Vec::new(),
                ..stored.watch
            },
            ..stored
        });
        self.keep_header(false);
        let channels = self.loss_channels(&shared, &plan);
        let on_sample = {
            let parts = self.clone();
            move |sample: Sample| {
                shared.borrow_mut().samples.push(sample);
                if let Some(store) = &*parts.store.borrow() {
                    store.add(started_at_ms, &sample);
                }
                // Samples older than two hours fold into minutes, ten
                // minutes' worth at a time.
                let oldest = shared.borrow().samples.first().map(|s| s.at_ms);
                if oldest.is_some_and(|o| o < sample.at_ms - SAMPLES_KEPT_MS - FOLD_EVERY_MS) {
                    let cut = shared.borrow_mut().compact(sample.at_ms - SAMPLES_KEPT_MS);
                    if let Some(cut) = cut {
                        parts.keep_header(false);
                        if let Some(store) = &*parts.store.borrow() {
                            store.forget_before(started_at_ms, cut);
                        }
                    }
                }
                if sample.at_ms > ends_at_ms {
                    parts.finish();
                }
                parts.update.force_update();
            }
        };
        let on_error = {
            let phase = self.phase.clone();
            move |why: String| phase.set(WatchPhase::Failed(why))
        };
        let freezes = {
            let parts = self.clone();
            page::FreezeListener::new(move |from_ms, to_ms| parts.paused(from_ms, to_ms))
        };
        match watch::start(interval_ms, plan, on_sample, on_error) {
            Ok(sampler) => {
                *self.live.borrow_mut() = Some(Live {
                    _sampler: sampler,
                    _channels: channels,
                    _lock: lock,
                    _freezes: freezes,
                });
                self.phase.set(WatchPhase::Running);
            }
            Err(why) => self.phase.set(WatchPhase::Failed(why)),
        }
    }

    /// A data channel to each probe target of `plan` (absolute URL,
    /// whether it is a ping), each minute of its loss probes added to
    /// `shared` and kept. An open channel also keeps Chrome from throttling
    /// a hidden page's timers to once a minute.
    fn loss_channels(
        &self,
        shared: &Rc<RefCell<Watch>>,
        plan: &[(String, bool, u32)],
    ) -> Vec<loss::WatchChannel> {
        let (started_at_ms, targets) = {
            let watch = shared.borrow();
            (watch.started_at_ms, watch.targets.clone())
        };
        plan.iter()
            .zip(targets)
            .enumerate()
            .filter(|(_, ((_, is_ping, _), _))| *is_ping)
            .map(|(t, ((url, _, _), target))| {
                let (parts, shared) = (self.clone(), shared.clone());
                loss::watch_channel(url.clone(), target.late_ms, started_at_ms, move |minute| {
                    shared.borrow_mut().add_loss(t, minute);
                    parts.keep_header(false);
                    parts.update.force_update();
                })
            })
            .collect()
    }

    /// The page knew it was not running from `from_ms` to `to_ms`: a
    /// pause, never a drop.
    fn paused(&self, from_ms: f64, to_ms: f64) {
        if to_ms <= from_ms {
            return;
        }
        if let Some(record) = &*self.record.borrow() {
            record.borrow_mut().paused.push(Span { from_ms, to_ms });
        }
        self.keep_header(false);
        self.update.force_update();
    }

    /// Writes the header, with the record's pauses.
    fn keep_header(&self, stopped: bool) {
        let (Some(store), Some(header)) = (&*self.store.borrow(), &mut *self.header.borrow_mut())
        else {
            return;
        };
        if let Some(record) = &*self.record.borrow() {
            let record = record.borrow();
            header.watch.paused.clone_from(&record.paused);
            header.watch.earlier.clone_from(&record.earlier);
            header.watch.loss.clone_from(&record.loss);
        }
        header.stopped = stopped;
        store.keep(header);
    }

    /// Stops sampling and keeps the watch as finished.
    fn finish(&self) {
        self.live.borrow_mut().take();
        self.keep_header(true);
        self.phase.set(WatchPhase::Stopped);
    }

    /// Shows `stored` without sampling it: a finished watch, or another
    /// tab's.
    fn show(&self, stored: Stored) {
        *self.record.borrow_mut() = Some(Rc::new(RefCell::new(stored.watch.clone())));
        *self.header.borrow_mut() = Some(stored);
    }

    /// Goes on with a watch the browser kept, when this tab may: the time
    /// the page was closed, reloaded or discarded is a pause.
    async fn resume(&self, mut stored: Stored) {
        match watch::take_lock().await {
            watch::Lock::HeldElsewhere => self.watch_elsewhere(Some(stored)),
            lock => {
                let now = timers::wall_clock_ms();
                let interval = f64::from(stored.watch.interval_ms);
                let last = stored
                    .watch
                    .samples
                    .iter()
                    .map(|s| s.at_ms)
                    .fold(stored.watch.started_at_ms, f64::max);
                if last + interval < now {
                    stored.watch.paused.push(Span {
                        from_ms: last + interval,
                        to_ms: now,
                    });
                }
                self.resumed.set(true);
                let guard = match lock {
                    watch::Lock::Held(guard) => Some(guard),
                    _ => None,
                };
                self.run(stored, guard);
            }
        }
    }

    /// The newest watch the browser keeps, if it keeps any.
    async fn newest_kept(&self) -> Option<Stored> {
        // Cloned out first: no borrow is held across the wait.
        let store = self.store.borrow().clone()?;
        store.newest().await
    }

    /// Another tab holds the watch: show its record as kept, read again
    /// every few seconds while this tab shows it.
    fn watch_elsewhere(&self, stored: Option<Stored>) {
        if let Some(stored) = stored {
            self.show(stored);
        }
        self.phase.set(WatchPhase::Elsewhere);
        if self.elsewhere.replace(true) {
            return;
        }
        let parts = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            while parts.elsewhere.get() {
                timers::sleep(ELSEWHERE_REFRESH_MS).await;
                let newest = parts.newest_kept().await;
                if let (true, Some(newest)) = (parts.elsewhere.get(), newest) {
                    parts.show(newest);
                    parts.update.force_update();
                }
            }
        });
    }

    /// Starts a new watch of `targets` every `interval_ms` for
    /// `duration_ms`, once this tab has the lock.
    async fn begin(
        &self,
        targets: &[Watched],
        list: &ListFacts,
        (interval_ms, duration_ms): (u32, f64),
    ) {
        let lock = match watch::take_lock().await {
            watch::Lock::HeldElsewhere => {
                self.watch_elsewhere(self.newest_kept().await);
                return;
            }
            watch::Lock::Held(guard) => Some(guard),
            watch::Lock::Unsupported => None,
        };
        let started_at_ms = timers::wall_clock_ms();
        self.resumed.set(false);
        let stored = Stored {
            watch: Watch {
                started_at_ms,
                interval_ms,
                targets: targets.iter().map(|w| w.target.clone()).collect(),
                samples: Vec::new(),
                paused: Vec::new(),
                earlier: None,
                loss: Vec::new(),
            },
            plan: targets
                .iter()
                .map(|w| {
                    (
                        absolute_url(&w.url, ""),
                        w.kind == SampleKind::Ping,
                        w.timeout_ms,
                    )
                })
                .collect(),
            config: (list.name.clone(), list.version.clone()),
            ends_at_ms: started_at_ms + duration_ms.min(LONGEST_DURATION_MS),
            stopped: false,
        };
        self.run(stored, lock);
        // Kept within its bounds with the new watch counted.
        let store = self.store.borrow().clone();
        if let Some(store) = store {
            store.remove_old(started_at_ms - KEPT_FOR_MS).await;
        }
    }
}

/// The watch of `targets` (from the list `config` names): the browser's
/// record of one still running goes on; otherwise one starts at once when
/// `asked` (a `#watch` link's interval and duration), or when started.
#[hook]
pub fn use_watch(
    targets: Rc<Vec<Watched>>,
    config: Rc<ListFacts>,
    asked: Option<(u32, f64)>,
) -> WatchHandle {
    let parts = Parts {
        phase: use_state(|| WatchPhase::Opening),
        resumed: use_state(|| false),
        record: use_mut_ref(|| None),
        header: use_mut_ref(|| None),
        store: use_mut_ref(|| None),
        live: use_mut_ref(|| None),
        elsewhere: use_memo((), |()| Cell::new(false)),
        update: use_force_update(),
    };
    let kept = use_state(|| None::<Result<(), String>>);
    {
        let (parts, kept, targets, config) =
            (parts.clone(), kept.clone(), targets.clone(), config.clone());
        use_effect_with((), move |()| {
            wasm_bindgen_futures::spawn_local(async move {
                match Store::open().await {
                    Ok(store) => {
                        store
                            .remove_old(timers::wall_clock_ms() - KEPT_FOR_MS)
                            .await;
                        let newest = store.newest().await;
                        *parts.store.borrow_mut() = Some(store);
                        kept.set(Some(Ok(())));
                        if let Some(stored) = newest {
                            let live =
                                !stored.stopped && timers::wall_clock_ms() < stored.ends_at_ms;
                            if live {
                                parts.resume(stored).await;
                                return;
                            }
                            let stopped = stored.stopped;
                            parts.show(stored);
                            if !stopped {
                                // It ended while no page was open.
                                parts.keep_header(true);
                            }
                            parts.phase.set(WatchPhase::Stopped);
                        } else {
                            parts.phase.set(WatchPhase::Idle);
                        }
                    }
                    Err(why) => {
                        kept.set(Some(Err(why)));
                        parts.phase.set(WatchPhase::Idle);
                    }
                }
                if let Some(asked) = asked {
                    parts.begin(&targets, &config, asked).await;
                }
            });
        });
    }
    let start = {
        let parts = parts.clone();
        Callback::from(move |asked: (u32, f64)| {
            let (parts, targets, config) = (parts.clone(), targets.clone(), config.clone());
            wasm_bindgen_futures::spawn_local(async move {
                parts.begin(&targets, &config, asked).await;
            });
        })
    };
    let stop = {
        let parts = parts.clone();
        Callback::from(move |()| parts.finish())
    };
    let record = parts.record.borrow().as_ref().map(|shared| {
        let w = shared.borrow();
        WatchRecord {
            seen: (
                w.samples.len(),
                w.paused.len(),
                w.loss.iter().map(Vec::len).sum(),
            ),
            shared: shared.clone(),
        }
    });
    WatchHandle {
        phase: (*parts.phase).clone(),
        record,
        kept: (*kept).clone(),
        resumed: *parts.resumed,
        start,
        stop,
    }
}
