//! The loss check's peer, over real sockets on loopback: a WebRTC client
//! (str0m, as a browser would be) posts its offer to `/api/rtc`, opens an
//! unordered data channel with no retransmission, and counts the echoes of
//! its probes with `core::loss::Tally`; and the caps refuse what they should.
#![allow(
    clippy::unwrap_used,
    clippy::disallowed_methods,
    reason = "a test fails loudly on the first surprise, and times its client by the system clock"
)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

use linktriage_core::config::Config;
use linktriage_core::loss::{Tally, count_request};
use linktriage_server::proxy::TrustedProxies;
use linktriage_server::rtc::{self, RtcLimits, RtcOptions};
use linktriage_server::{AppState, Assets, Options, Serving};
use str0m::change::SdpAnswer;
use str0m::channel::{ChannelConfig, ChannelId, Reliability};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output, Rtc};

fn server(limits: RtcLimits) -> Serving {
    let state = AppState::new(
        Config::embedded_default(),
        // No app: these tests need the endpoints only.
        Assets::Folder(std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-app")),
        TrustedProxies(Vec::new()),
    );
    let options = RtcOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        advertise: None,
    };
    let (signalling, peer) = rtc::bind(options, limits).unwrap();
    state.set_rtc(signalling);
    linktriage_server::serve(
        "127.0.0.1:0".parse().unwrap(),
        state,
        Options {
            rtc: Some(peer),
            ..Options::default()
        },
    )
    .unwrap()
}

/// `POST /api/rtc` with `body`; the status and the answer's body.
fn post_offer(server: SocketAddr, body: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(server).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    write!(
        stream,
        "POST /api/rtc HTTP/1.1\r\nHost: test\r\nContent-Type: application/sdp\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer.split_once("\r\n\r\n").unwrap().1.to_owned();
    (status, body)
}

/// A client's side of a session: its state machine, its socket, its channel.
struct Client {
    rtc: Rtc,
    socket: UdpSocket,
    channel: ChannelId,
    pending: Option<str0m::change::SdpPendingOffer>,
}

impl Client {
    /// A client with an offer of one lossy channel; returns it and the offer.
    fn offering() -> (Client, String) {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let mut rtc = Rtc::new(Instant::now());
        rtc.add_local_candidate(Candidate::host(socket.local_addr().unwrap(), "udp").unwrap());
        let mut change = rtc.sdp_api();
        let channel = change.add_channel_with_config(ChannelConfig {
            label: "loss".into(),
            ordered: false,
            reliability: Reliability::MaxRetransmits { retransmits: 0 },
            ..ChannelConfig::default()
        });
        let (offer, pending) = change.apply().unwrap();
        let client = Client {
            rtc,
            socket,
            channel,
            pending: Some(pending),
        };
        (client, offer.to_sdp_string())
    }

    fn accept(&mut self, answer: &str) {
        let answer = SdpAnswer::from_sdp_string(answer).unwrap();
        let pending = self.pending.take().unwrap();
        self.rtc.sdp_api().accept_answer(pending, answer).unwrap();
    }

    /// Runs the state machine for `for_how_long`, handing each message on
    /// the channel to `on_message`; stops early once `done` says so.
    fn run(
        &mut self,
        for_how_long: Duration,
        mut on_message: impl FnMut(&[u8], f64),
        mut done: impl FnMut(&mut Rtc, ChannelId, bool) -> bool,
        epoch: Instant,
    ) {
        let until = Instant::now() + for_how_long;
        let mut open = false;
        let mut buffer = vec![0; 2_048];
        while Instant::now() < until {
            let timeout = loop {
                match self.rtc.poll_output().unwrap() {
                    Output::Timeout(at) => break at,
                    Output::Transmit(t) => {
                        self.socket.send_to(&t.contents, t.destination).unwrap();
                    }
                    Output::Event(Event::ChannelOpen(..)) => open = true,
                    Output::Event(Event::ChannelData(data)) => {
                        on_message(&data.data, epoch.elapsed().as_secs_f64() * 1_000.0);
                    }
                    Output::Event(_) => {}
                }
            };
            if done(&mut self.rtc, self.channel, open) {
                return;
            }
            let wait = timeout
                .saturating_duration_since(Instant::now())
                .clamp(Duration::from_millis(1), Duration::from_millis(5));
            self.socket.set_read_timeout(Some(wait)).unwrap();
            let input = match self.socket.recv_from(&mut buffer) {
                Ok((n, source)) => Input::Receive(
                    Instant::now(),
                    Receive {
                        proto: Protocol::Udp,
                        source,
                        destination: self.socket.local_addr().unwrap(),
                        contents: buffer[..n].try_into().unwrap(),
                    },
                ),
                Err(_) => Input::Timeout(Instant::now()),
            };
            self.rtc.handle_input(input).unwrap();
        }
    }
}

#[test]
fn a_clients_probes_are_echoed_and_counted_both_ways() {
    let serving = server(RtcLimits::default());
    let (mut client, offer) = Client::offering();
    let (status, answer) = post_offer(serving.address(), &offer);
    assert_eq!(status, 200, "{answer}");
    client.accept(&answer);

    let tally = std::cell::RefCell::new(Tally::new(1_000));
    let epoch = Instant::now();
    let mut last_sent = Instant::now();
    let mut asked = None::<Instant>;
    client.run(
        Duration::from_secs(20),
        |message, at| tally.borrow_mut().receive(message, at),
        |rtc, channel, open| {
            let mut tally = tally.borrow_mut();
            if !open {
                return false;
            }
            let now = epoch.elapsed().as_secs_f64() * 1_000.0;
            let Some(mut channel) = rtc.channel(channel) else {
                return false;
            };
            // 200 probes, one every 5 ms, then the count until it comes.
            if tally.sent() < 200 {
                if last_sent.elapsed() >= Duration::from_millis(5) {
                    assert!(channel.write(true, &tally.next_probe(now, 64)).unwrap());
                    last_sent = Instant::now();
                }
                return false;
            }
            if tally.counted() {
                return true;
            }
            if asked.is_none_or(|at| at.elapsed() > Duration::from_millis(200)) {
                assert!(channel.write(true, &count_request()).unwrap());
                asked = Some(Instant::now());
            }
            false
        },
        epoch,
    );
    let loss = tally.borrow().result();
    assert!(loss.server_counted, "{loss:?}");
    // Loopback loses nothing: every probe and every echo is counted.
    assert_eq!(
        (loss.sent, loss.reached_server, loss.came_back),
        (200, 200, 200),
        "{loss:?}"
    );
    assert_eq!(
        (loss.lost_out(), loss.lost_back(), loss.duplicated),
        (0, 0, 0)
    );
    let round_trip = loss.round_trip.unwrap();
    assert!(round_trip.median < 50.0, "{round_trip:?}");
    serving.stop().unwrap();
}

#[test]
fn offers_over_the_caps_are_refused_and_bad_ones_told_why() {
    let serving = server(RtcLimits {
        per_client: 2,
        ..RtcLimits::default()
    });
    let mut clients = Vec::new();
    for expected in [200, 200, 503] {
        let (client, offer) = Client::offering();
        let (status, body) = post_offer(serving.address(), &offer);
        assert_eq!(status, expected, "{body}");
        clients.push(client);
    }
    let (status, body) = post_offer(serving.address(), "v=0\r\nnot an offer");
    assert_eq!(status, 400);
    assert!(
        body.starts_with("bad offer: the offer does not read"),
        "{body}"
    );
    let (status, body) = post_offer(serving.address(), &"a".repeat(20_000));
    assert_eq!(status, 400);
    assert!(body.contains("longer than 16384 bytes"), "{body}");
    serving.stop().unwrap();
}

#[test]
fn a_session_that_goes_quiet_is_closed_and_gives_its_place_back() {
    let serving = server(RtcLimits {
        per_client: 1,
        idle: Duration::from_millis(500),
        ..RtcLimits::default()
    });
    let (_client, offer) = Client::offering();
    assert_eq!(post_offer(serving.address(), &offer).0, 200);
    let (_second, offer) = Client::offering();
    assert_eq!(post_offer(serving.address(), &offer).0, 503);
    // The first never connects: closed after the idle limit, its place free.
    std::thread::sleep(Duration::from_millis(1_500));
    let (_third, offer) = Client::offering();
    assert_eq!(post_offer(serving.address(), &offer).0, 200);
    serving.stop().unwrap();
}
