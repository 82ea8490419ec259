//! True packet loss to a Link Triage server over a WebRTC data channel:
//! unordered, never retransmitted, so a lost message stays lost (TCP would
//! hide it as delay). The server answers the offer at `/api/rtc` and echoes
//! each probe with its own count of what reached it (`core::loss`), which
//! splits the loss by direction.

use std::cell::RefCell;
use std::rc::Rc;

use linktriage_core::check::{CheckKind, LossCheck, Measurement, NO_UDP_PATH};
use linktriage_core::config::Target;
use linktriage_core::loss::{Minute, Minutes, PROBE_BYTES, Tally, count_request};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    MessageEvent, RequestMode, RtcDataChannel, RtcDataChannelInit, RtcDataChannelState,
    RtcDataChannelType, RtcIceConnectionState, RtcPeerConnection, RtcSdpType,
    RtcSessionDescriptionInit,
};

use super::http::{self, FetchError, Options, absolute_url};
use super::timers::{Deadline, epoch_monotonic_ms, monotonic_ms, sleep};

/// Probes a check sends: at one in 250, one lost probe is 0.4 %.
pub const PROBES: u32 = 250;
/// Between probes: 200 a second, within the server's allowance per session.
const PACE_MS: u32 = 5;
/// Longest wait for UDP to get through at all (ICE connected) once the
/// server has answered: past it, UDP is blocked.
const OPEN_TIMEOUT_MS: u32 = 5_000;
/// Time the probes, their stragglers and the count need once the channel
/// is open: a path that connected keeps waiting for its channel (a lossy
/// one retransmits the handshake on timers of a second or more) until only
/// this is left of the deadline.
const AFTER_OPENING_MS: u32 = 3_000;
/// Longest wait for the server's final count, asked again meanwhile.
const COUNT_TIMEOUT_MS: u32 = 1_000;
/// The least time worth starting a check in: connecting, the probes, the
/// stragglers, the count.
const LEAST_TIME_MS: u32 = 3_000;

/// A loss check's channel, begun ahead of its check: the handshake (ICE,
/// DTLS, then SCTP, each retransmitting on timers of a second or more on a
/// lossy path) runs while the quick checks do, so that heavy loss delays
/// the channel's opening, not the verdict, and seldom outlasts the check.
/// Idle until then: a few handshake packets do not disturb the round trips.
#[derive(Debug)]
pub struct Begun {
    channel: Channel,
    tally: Rc<RefCell<Tally>>,
}

/// Begins the loss check's channel to `target`, or says why it cannot.
pub fn begin(target: &Target) -> Result<Begun, String> {
    let tally = Rc::new(RefCell::new(Tally::new(target.late_ms)));
    let receiving = tally.clone();
    let url = absolute_url(&target.url, "/api/rtc");
    let channel = Channel::begin(url, target.timeout_ms, move |message| {
        receiving.borrow_mut().receive(message, monotonic_ms());
    })?;
    Ok(Begun { channel, tally })
}

/// The loss check of a probe target, on the channel `begun` for it (or on
/// one begun now).
pub async fn check(target: &Target, deadline: Deadline, begun: Option<Begun>) -> Measurement {
    let not_tested = |why: String| Measurement::not_tested(CheckKind::Loss, why);
    if deadline.remaining_ms() < LEAST_TIME_MS {
        return not_tested(linktriage_core::check::RAN_OUT_OF_TIME.to_owned());
    }
    let begun = match begun.map_or_else(|| begin(target), Ok) {
        Ok(begun) => begun,
        Err(why) => return not_tested(why),
    };
    match exchange(&begun, target, deadline).await {
        Ok(found) => Measurement::Loss(found),
        Err(why) => not_tested(why),
    }
}

/// How opening a channel to the server ended, short of an error.
enum Opened {
    Open,
    UdpBlocked,
}

/// Where the offer and answer of a [`Channel`] have got to.
#[derive(Debug)]
enum Signalling {
    Asking,
    /// Answered and the answer set: UDP has until then to get through.
    Answered(Deadline),
    Failed(String),
}

/// An unordered channel with no retransmission to a Link Triage server,
/// offered as soon as it is made; closed when dropped.
#[derive(Debug)]
struct Channel {
    peer: RtcPeerConnection,
    channel: RtcDataChannel,
    signalling: Rc<RefCell<Signalling>>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
}

impl Channel {
    /// Offers a channel to the server's signalling endpoint `url` (waiting
    /// `timeout_ms` at most for its answer); its messages go to
    /// `on_message`.
    fn begin(
        url: String,
        timeout_ms: u32,
        on_message: impl FnMut(&[u8]) + 'static,
    ) -> Result<Channel, String> {
        let peer = RtcPeerConnection::new()
            .map_err(|_| "this browser cannot open WebRTC connections".to_owned())?;
        let (channel, on_message) = lossy_channel(&peer, on_message);
        let signalling = Rc::new(RefCell::new(Signalling::Asking));
        {
            let (peer, signalling) = (peer.clone(), signalling.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let now = match offer(&peer, &url, timeout_ms).await {
                    Ok(()) => Signalling::Answered(Deadline::in_ms(OPEN_TIMEOUT_MS)),
                    Err(why) => Signalling::Failed(why),
                };
                *signalling.borrow_mut() = now;
            });
        }
        Ok(Channel {
            peer,
            channel,
            signalling,
            _on_message: on_message,
        })
    }

    /// Waits for the channel to open, within `deadline`: UDP blocked when
    /// nothing got through in time.
    async fn opened(&self, deadline: Deadline) -> Result<Opened, String> {
        while self.channel.ready_state() != RtcDataChannelState::Open {
            let udp_by = match &*self.signalling.borrow() {
                Signalling::Failed(why) => return Err(why.clone()),
                Signalling::Asking => None,
                Signalling::Answered(by) => Some(*by),
            };
            let connected = matches!(
                self.peer.ice_connection_state(),
                RtcIceConnectionState::Connected | RtcIceConnectionState::Completed
            );
            let out_of_time =
                deadline.remaining_ms() == 0 || udp_by.is_some_and(|by| by.remaining_ms() == 0);
            if udp_by.is_some()
                && (self.channel.ready_state() == RtcDataChannelState::Closed
                    || (!connected && out_of_time))
            {
                return Ok(Opened::UdpBlocked);
            }
            if connected && deadline.remaining_ms() < AFTER_OPENING_MS {
                return Err("UDP reached the Link Triage server, but the channel did not open in time (heavy packet loss on the way, most likely)".to_owned());
            }
            if udp_by.is_none() && deadline.remaining_ms() == 0 {
                return Err("the Link Triage server did not answer the offer in time".to_owned());
            }
            sleep(20).await;
        }
        Ok(Opened::Open)
    }

    fn send(&self, message: &[u8]) {
        // A full send buffer drops the message, as a full link would: it
        // counts as sent and lost on the way out.
        let _ = self.channel.send_with_u8_array(message);
    }

    fn is_open(&self) -> bool {
        self.channel.ready_state() == RtcDataChannelState::Open
    }
}

impl Drop for Channel {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
        self.peer.close();
    }
}

/// Offers `peer`'s channel to the Link Triage server at `url` and sets its
/// answer.
async fn offer(peer: &RtcPeerConnection, url: &str, timeout_ms: u32) -> Result<(), String> {
    let could_not = |_: JsValue| "this browser could not start a WebRTC connection".to_owned();
    let offer = JsFuture::from(peer.create_offer())
        .await
        .map_err(could_not)?;
    let offer: RtcSessionDescriptionInit = offer.unchecked_into();
    JsFuture::from(peer.set_local_description(&offer))
        .await
        .map_err(could_not)?;
    // The server is ICE-lite: it learns the browser's address from the
    // browser's own checks, so the offer need not wait for candidates.
    let sdp = peer
        .local_description()
        .map(|d| d.sdp())
        .ok_or_else(|| could_not(JsValue::NULL))?;
    let answer = ask_server(url, &sdp, timeout_ms).await?;
    let remote = RtcSessionDescriptionInit::new(RtcSdpType::Answer);
    remote.set_sdp(&answer);
    JsFuture::from(peer.set_remote_description(&remote))
        .await
        .map_err(|_| "the Link Triage server's answer could not be used".to_owned())?;
    Ok(())
}

/// An unordered channel with no retransmission on `peer`, whose messages
/// go to `on_message` with the time they arrived: the closure is returned
/// to be kept for as long as the channel is.
fn lossy_channel(
    peer: &RtcPeerConnection,
    mut on_message: impl FnMut(&[u8]) + 'static,
) -> (RtcDataChannel, Closure<dyn FnMut(MessageEvent)>) {
    let init = RtcDataChannelInit::new();
    init.set_ordered(false);
    init.set_max_retransmits(0);
    let channel = peer.create_data_channel_with_data_channel_dict("loss", &init);
    channel.set_binary_type(RtcDataChannelType::Arraybuffer);
    let closure = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        if let Ok(buffer) = event.data().dyn_into::<js_sys::ArrayBuffer>() {
            on_message(&js_sys::Uint8Array::new(&buffer).to_vec());
        }
    });
    channel.set_onmessage(Some(closure.as_ref().unchecked_ref()));
    (channel, closure)
}

async fn exchange(begun: &Begun, target: &Target, deadline: Deadline) -> Result<LossCheck, String> {
    let Begun { channel, tally } = begun;
    if let Opened::UdpBlocked = channel.opened(deadline).await? {
        // Blocked means tried with nothing back: with no pair of addresses
        // ICE never sent a packet, and could not test is the truth.
        return match had_a_path(&channel.peer).await {
            true => Ok(LossCheck::UdpBlocked),
            false => Err(NO_UDP_PATH.to_owned()),
        };
    }
    for _ in 0..PROBES {
        if deadline.remaining_ms() < target.late_ms + COUNT_TIMEOUT_MS {
            break;
        }
        let probe = tally.borrow_mut().next_probe(monotonic_ms(), PROBE_BYTES);
        channel.send(&probe);
        sleep(PACE_MS).await;
    }
    // Stragglers, for the late limit at most: anything later is late, not
    // lost, but is not waited for. With every echo back, nothing to wait for.
    let stragglers = Deadline::in_ms(target.late_ms);
    while stragglers.remaining_ms() > 0 {
        let so_far = tally.borrow().result();
        if so_far.came_back == so_far.sent {
            break;
        }
        sleep(20).await;
    }
    let counting = Deadline::in_ms(COUNT_TIMEOUT_MS.min(deadline.remaining_ms()));
    while !tally.borrow().counted() && counting.remaining_ms() > 0 {
        // Asked on the same lossy channel, so again until answered.
        channel.send(&count_request());
        sleep(100).await;
    }
    let found = tally.borrow().result();
    Ok(LossCheck::Measured(found))
}

/// Whether ICE had a pair of addresses to try (a `candidate-pair` among the
/// connection's statistics). Where the browser cannot say, it is taken to
/// have had one, as before it was asked.
async fn had_a_path(peer: &RtcPeerConnection) -> bool {
    let Ok(report) = JsFuture::from(peer.get_stats()).await else {
        return true;
    };
    // The report is a map of id to statistic, each with its `type`.
    let mut pairs = 0;
    report
        .unchecked_into::<js_sys::Map>()
        .for_each(&mut |statistic, _| {
            let kind = js_sys::Reflect::get(&statistic, &"type".into()).ok();
            if kind.and_then(|k| k.as_string()).as_deref() == Some("candidate-pair") {
                pairs += 1;
            }
        });
    pairs > 0
}

/// The server's answer to the offer, posted to `url`, or why there is none.
async fn ask_server(url: &str, sdp: &str, timeout_ms: u32) -> Result<String, String> {
    let options = Options {
        mode: RequestMode::Cors,
        timeout_ms,
        method: "POST",
        body: Some(js_sys::Uint8Array::from(sdp.as_bytes())),
        headers: vec![("content-type", "application/sdp".to_owned())],
    };
    match http::fetch(url, &options).await {
        Ok((_, body)) => String::from_utf8(js_sys::Uint8Array::new(&body).to_vec())
            .map_err(|_| "the Link Triage server's answer was not text".to_owned()),
        Err(FetchError::Status(404)) => {
            Err("this Link Triage server does not offer the loss check".to_owned())
        }
        Err(FetchError::Status(503)) => {
            Err("the Link Triage server was too busy for another loss check".to_owned())
        }
        Err(e) => Err(format!("the Link Triage server {e}")),
    }
}

/// Between a watch's probes: two a second while the page is shown (a
/// hidden page's timers run once a second at most, so one a second then),
/// within the server's allowance per session and light for hours.
const WATCH_PACE_MS: u32 = 500;
/// How long a watch's channel waits before opening again once it has
/// closed or could not open: the network may be down.
const REOPEN_AFTER_MS: u32 = 15_000;
/// How long a watch's channel may take to open.
const WATCH_OPEN_MS: u32 = 10_000;

/// A watch's data channel to one probe target, kept open (and opened
/// again when it closes) until dropped.
#[derive(Debug)]
pub struct WatchChannel {
    stop: Rc<std::cell::Cell<bool>>,
}

impl Drop for WatchChannel {
    fn drop(&mut self) {
        self.stop.set(true);
    }
}

/// Keeps a channel to the Link Triage server at `base_url` (absolute) open
/// for a watch that began `started_at_ms`, a few probes a second, and hands
/// each minute to `on_minute` once it is counted. A browser without WebRTC
/// sends nothing; the watch goes on without its loss.
pub fn watch_channel(
    base_url: String,
    late_ms: u32,
    started_at_ms: f64,
    on_minute: impl Fn(Minute) + 'static,
) -> WatchChannel {
    let stop = Rc::new(std::cell::Cell::new(false));
    let stopped = stop.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let url = absolute_url(&base_url, "/api/rtc");
        while !stopped.get() {
            let minutes = Rc::new(RefCell::new(Minutes::new(started_at_ms, late_ms)));
            let receiving = minutes.clone();
            let Ok(channel) = Channel::begin(url.clone(), WATCH_OPEN_MS, move |message| {
                receiving
                    .borrow_mut()
                    .receive(message, epoch_monotonic_ms());
            }) else {
                return;
            };
            let opened = channel.opened(Deadline::in_ms(WATCH_OPEN_MS)).await;
            if let Ok(Opened::Open) = opened {
                while !stopped.get() && channel.is_open() {
                    let now = epoch_monotonic_ms();
                    let probe = minutes.borrow_mut().next_probe(now);
                    channel.send(&probe);
                    let asks = minutes.borrow_mut().requests(now);
                    for ask in asks {
                        channel.send(&ask);
                    }
                    let closed = minutes.borrow_mut().closed(now);
                    closed.into_iter().for_each(&on_minute);
                    sleep(WATCH_PACE_MS).await;
                }
                let left = minutes.borrow_mut().close_all();
                left.into_iter().for_each(&on_minute);
            }
            drop(channel);
            if !stopped.get() {
                sleep(REOPEN_AFTER_MS).await;
            }
        }
    });
    WatchChannel { stop }
}
