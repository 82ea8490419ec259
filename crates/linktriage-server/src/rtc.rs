//! The server as a WebRTC peer for the loss check: one UDP socket for every
//! session, ICE-lite (the server only answers), data channels only, and
//! each message answered by `core::loss::Echoer`. Signalling is an ordinary
//! request (`POST /api/rtc`, the offer's SDP in, the answer's out), answered
//! by [`Signalling::answer`]; the sessions live in one task that owns the
//! socket ([`PeerLoop::run`]), driving str0m's sans-IO state machines. A
//! session holds nothing but its counters, and nothing outlives it.
//!
//! Capped: sessions at once, sessions per client address, a session's
//! lifetime, its time without a message, and each message's size and rate.
//! A session over a limit is closed; a new one over a cap is refused, and
//! the request answered 503 as a transfer over its cap is.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use linktriage_core::loss::{Echoer, MAX_MESSAGE_BYTES};
use str0m::change::SdpOffer;
use str0m::config::{CryptoProvider, DtlsCert};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, IceConnectionState, Input, Output, Rtc, RtcConfig};

use crate::log;

/// The time as str0m takes it, from tokio's clock as the rest of the server.
fn clock() -> Instant {
    tokio::time::Instant::now().into_std()
}

/// Where the peer listens, and what address it gives browsers.
#[derive(Debug, Clone, Copy)]
pub struct RtcOptions {
    /// The UDP address to bind: one port for every session.
    pub listen: SocketAddr,
    /// The address browsers are told to send to, when it is not the one
    /// they reached the server on (a server behind NAT).
    pub advertise: Option<IpAddr>,
}

/// How much the peer takes on.
#[derive(Debug, Clone, Copy)]
pub struct RtcLimits {
    pub sessions: usize,
    pub per_client: usize,
    /// The longest a session lasts: a watch longer than this opens another.
    pub lifetime: Duration,
    /// A session with no message for this long is closed (its first
    /// message, the handshake included, must come within it too).
    pub idle: Duration,
    /// Messages a second a session may send, on average over a second; a
    /// loss check sends 200 (for about a second and a half).
    pub messages_per_second: u32,
}

impl Default for RtcLimits {
    fn default() -> RtcLimits {
        RtcLimits {
            sessions: 500,
            per_client: 10,
            lifetime: Duration::from_secs(9 * 3600),
            idle: Duration::from_secs(30),
            messages_per_second: 200,
        }
    }
}

/// Why an offer got no session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Every session is taken, or this client has its share.
    Busy,
    /// Not an offer this peer can answer; the sentence says why.
    BadOffer(String),
}

/// The request handlers' side of the peer: turns an offer into a session.
#[derive(Debug, Clone)]
pub struct Signalling(Arc<Shared>);

#[derive(Debug)]
struct Shared {
    /// The bound socket's address.
    local: SocketAddr,
    advertise: Option<IpAddr>,
    provider: Arc<CryptoProvider>,
    /// One certificate for every session: making one costs milliseconds,
    /// and the browser checks it against the fingerprint in the answer.
    certificate: DtlsCert,
    limits: RtcLimits,
    new_sessions: tokio::sync::mpsc::Sender<Session>,
    /// Sessions open, by client address.
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// The task's side: the socket and the sessions.
#[derive(Debug)]
pub struct PeerLoop {
    socket: std::net::UdpSocket,
    new_sessions: tokio::sync::mpsc::Receiver<Session>,
    shared: Arc<Shared>,
}

/// Binds the peer's socket; the loop is run by [`PeerLoop::run`].
pub fn bind(options: RtcOptions, limits: RtcLimits) -> anyhow::Result<(Signalling, PeerLoop)> {
    use anyhow::Context;
    let socket = std::net::UdpSocket::bind(options.listen)
        .with_context(|| format!("cannot listen on UDP {} for the loss check", options.listen))?;
    socket.set_nonblocking(true)?;
    let local = socket.local_addr()?;
    let provider = Arc::new(str0m::crypto::from_feature_flags());
    let certificate = provider
        .dtls_provider
        .generate_certificate()
        .context("cannot make a certificate for the loss check")?;
    let (new_sessions, receiver) = tokio::sync::mpsc::channel(64);
    let shared = Arc::new(Shared {
        local,
        advertise: options.advertise,
        provider,
        certificate,
        limits,
        new_sessions,
        open: Mutex::new(HashMap::new()),
    });
    Ok((
        Signalling(Arc::clone(&shared)),
        PeerLoop {
            socket,
            new_sessions: receiver,
            shared,
        },
    ))
}

impl Signalling {
    /// The UDP address the peer listens on.
    pub fn local_address(&self) -> SocketAddr {
        self.0.local
    }

    /// The answer to `offer` (SDP) from `client`, which reached this server
    /// at `reached`: a new session, waiting for the browser's first packet.
    pub fn answer(&self, offer: &str, client: IpAddr, reached: IpAddr) -> Result<String, Refusal> {
        let shared = &self.0;
        let offer = SdpOffer::from_sdp_string(offer)
            .map_err(|e| Refusal::BadOffer(format!("the offer does not read: {e}")))?;
        let slot = Slot::take(shared, client).ok_or(Refusal::Busy)?;
        let mut rtc = RtcConfig::new()
            .set_ice_lite(true)
            .set_crypto_provider(Arc::clone(&shared.provider))
            .set_dtls_cert(shared.certificate.clone())
            .build(clock());
        let ip = shared
            .advertise
            .unwrap_or(if shared.local.ip().is_unspecified() {
                reached
            } else {
                shared.local.ip()
            });
        let candidate = Candidate::host(SocketAddr::new(ip, shared.local.port()), "udp")
            .map_err(|e| Refusal::BadOffer(format!("no address to offer: {e}")))?;
        rtc.add_local_candidate(candidate);
        let answer = rtc
            .sdp_api()
            .accept_offer(offer)
            .map_err(|e| Refusal::BadOffer(format!("the offer cannot be answered: {e}")))?;
        let session = Session::new(rtc, slot, &shared.limits);
        shared
            .new_sessions
            .try_send(session)
            .map_err(|_| Refusal::Busy)?;
        Ok(answer.to_sdp_string())
    }
}

fn lock(open: &Mutex<HashMap<IpAddr, usize>>) -> std::sync::MutexGuard<'_, HashMap<IpAddr, usize>> {
    // A count is never left half-changed: a poisoned lock's data is sound.
    open.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A session's place under the caps, given back when the session ends.
#[derive(Debug)]
struct Slot {
    shared: Arc<Shared>,
    client: IpAddr,
}

impl Slot {
    fn take(shared: &Arc<Shared>, client: IpAddr) -> Option<Slot> {
        let mut open = lock(&shared.open);
        let total: usize = open.values().sum();
        let mine = open.entry(client).or_insert(0);
        if total >= shared.limits.sessions || *mine >= shared.limits.per_client {
            return None;
        }
        *mine += 1;
        Some(Slot {
            shared: Arc::clone(shared),
            client,
        })
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = lock(&self.shared.open);
        if let Some(mine) = open.get_mut(&self.client) {
            *mine -= 1;
            if *mine == 0 {
                open.remove(&self.client);
            }
        }
    }
}

/// One browser's session: its state machine, its counters, its limits.
#[derive(Debug)]
struct Session {
    rtc: Rtc,
    echoer: Echoer,
    began: Instant,
    last_heard: Instant,
    /// Messages it may still send now (refilled at the limit's rate, up to
    /// a second's worth).
    allowance: f64,
    refilled: Instant,
    limits: RtcLimits,
    _slot: Slot,
}

impl Session {
    fn new(rtc: Rtc, slot: Slot, limits: &RtcLimits) -> Session {
        let now = clock();
        Session {
            rtc,
            echoer: Echoer::default(),
            began: now,
            last_heard: now,
            allowance: f64::from(limits.messages_per_second),
            refilled: now,
            limits: *limits,
            _slot: slot,
        }
    }

    /// Sends what the session has to send; returns when it next needs time.
    async fn drive(&mut self, socket: &tokio::net::UdpSocket, now: Instant) -> Instant {
        if now.duration_since(self.began) > self.limits.lifetime
            || now.duration_since(self.last_heard) > self.limits.idle
        {
            self.rtc.disconnect();
        }
        while self.rtc.is_alive() {
            match self.rtc.poll_output() {
                Ok(Output::Timeout(at)) => return at,
                Ok(Output::Transmit(t)) => {
                    // A datagram the network would lose anyway: no retry.
                    let _ = socket.send_to(&t.contents, t.destination).await;
                }
                Ok(Output::Event(event)) => self.on_event(event, now),
                Err(_) => self.rtc.disconnect(),
            }
        }
        now
    }

    fn on_event(&mut self, event: Event, now: Instant) {
        match event {
            Event::IceConnectionStateChange(IceConnectionState::Disconnected) => {
                self.rtc.disconnect();
            }
            Event::ChannelData(data) => {
                self.last_heard = now;
                let elapsed = now.duration_since(self.refilled).as_secs_f64();
                let rate = f64::from(self.limits.messages_per_second);
                self.allowance = (self.allowance + elapsed * rate).min(rate) - 1.0;
                self.refilled = now;
                if self.allowance < 0.0 || data.data.len() > MAX_MESSAGE_BYTES {
                    self.rtc.disconnect();
                    return;
                }
                let since_start = now.duration_since(self.began).as_secs_f64() * 1_000.0;
                if let Some(reply) = self.echoer.answer(&data.data, since_start)
                    && let Some(mut channel) = self.rtc.channel(data.id)
                {
                    // A full buffer drops the echo, as the path would.
                    let _ = channel.write(true, &reply);
                }
            }
            _ => {}
        }
    }

    fn take(&mut self, input: Input<'_>) {
        if self.rtc.handle_input(input).is_err() {
            self.rtc.disconnect();
        }
    }
}

impl PeerLoop {
    /// Runs every session until `stopping` turns true.
    pub async fn run(self, mut stopping: tokio::sync::watch::Receiver<bool>) {
        let PeerLoop {
            socket,
            mut new_sessions,
            shared,
        } = self;
        let socket = match tokio::net::UdpSocket::from_std(socket) {
            Ok(socket) => socket,
            Err(e) => {
                log::error("rtc", &format!("the loss check's socket failed: {e}"));
                return;
            }
        };
        let local = shared.local;
        let mut sessions: Vec<Session> = Vec::new();
        let mut buffer = vec![0; 2_048];
        loop {
            let now = clock();
            let mut next = now + Duration::from_secs(1);
            for session in &mut sessions {
                next = next.min(session.drive(&socket, now).await);
            }
            sessions.retain(|s| s.rtc.is_alive());
            let wait = next.saturating_duration_since(clock());
            tokio::select! {
                received = socket.recv_from(&mut buffer) => {
                    let Ok((length, source)) = received else { continue };
                    let Ok(contents) = buffer[..length].try_into() else { continue };
                    let input = Input::Receive(
                        clock(),
                        Receive { proto: Protocol::Udp, source, destination: local, contents },
                    );
                    if let Some(session) = sessions.iter_mut().find(|s| s.rtc.accepts(&input)) {
                        session.take(input);
                    }
                }
                Some(session) = new_sessions.recv() => sessions.push(session),
                () = tokio::time::sleep(wait) => {}
                () = crate::stopped(&mut stopping) => break,
            }
            let now = clock();
            for session in &mut sessions {
                session.take(Input::Timeout(now));
            }
        }
        for session in &mut sessions {
            session.rtc.disconnect();
            session.drive(&socket, clock()).await;
        }
    }
}
