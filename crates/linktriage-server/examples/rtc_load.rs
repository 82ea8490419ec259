//! The loss check's load test, for `cargo xtask bench rtc`: many WebRTC
//! sessions (str0m clients, as browsers would be) to a running server's
//! peer, each sending probes at a steady rate and counting their echoes
//! with `core::loss::Tally`. Each session's offer names a client address of
//! its own in `X-Forwarded-For` (the server must trust 127.0.0.1 as a
//! proxy), so the per-client cap does not stop one machine's sessions.
//! Prints `key value` lines for the bench: `running` once every session is
//! open (the window starts), `done` when it ends, then the counts.
//!
//!     cargo run --release --example rtc_load -- ADDR SESSIONS RATE SECONDS
#![allow(
    clippy::disallowed_methods,
    reason = "a native load generator: the clock works here"
)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use linktriage_core::loss::Tally;
use str0m::change::SdpAnswer;
use str0m::channel::{ChannelConfig, Reliability};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output, Rtc};

#[derive(Default)]
struct Seen {
    opened: AtomicU32,
    failed: AtomicU32,
    sent: AtomicU64,
    echoed: AtomicU64,
}

/// `POST /api/rtc` for a client at `client`; the answer's body, if 200.
fn post_offer(server: SocketAddr, client: &str, offer: &str) -> Result<String, String> {
    let mut stream = TcpStream::connect(server).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    write!(
        stream,
        "POST /api/rtc HTTP/1.1\r\nHost: load\r\nContent-Type: application/sdp\r\nX-Forwarded-For: {client}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{offer}",
        offer.len()
    )
    .map_err(|e| e.to_string())?;
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .map_err(|e| e.to_string())?;
    match answer.get(9..12) {
        Some("200") => Ok(answer
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default()),
        _ => Err(answer.lines().next().unwrap_or_default().to_owned()),
    }
}

/// One session: opens, waits at `start` for the others, then sends a probe
/// every `interval` until `until`, counting what comes back.
fn session(
    server: SocketAddr,
    n: u32,
    interval: Duration,
    seconds: u64,
    start: &Barrier,
    seen: &Seen,
) {
    let opened = (|| -> Result<(Rtc, UdpSocket, str0m::channel::ChannelId), String> {
        let socket = UdpSocket::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let mut rtc = Rtc::new(Instant::now());
        let local = socket.local_addr().map_err(|e| e.to_string())?;
        rtc.add_local_candidate(Candidate::host(local, "udp").map_err(|e| e.to_string())?);
        let mut change = rtc.sdp_api();
        let channel = change.add_channel_with_config(ChannelConfig {
            label: "loss".into(),
            ordered: false,
            reliability: Reliability::MaxRetransmits { retransmits: 0 },
            ..ChannelConfig::default()
        });
        let (offer, pending) = change.apply().ok_or("no offer")?;
        let client = format!("10.{}.{}.{}", n >> 16 & 255, n >> 8 & 255, n & 255);
        let answer = post_offer(server, &client, &offer.to_sdp_string())?;
        let answer = SdpAnswer::from_sdp_string(&answer).map_err(|e| e.to_string())?;
        rtc.sdp_api()
            .accept_answer(pending, answer)
            .map_err(|e| e.to_string())?;
        Ok((rtc, socket, channel))
    })();
    let Ok((mut rtc, socket, channel)) = opened else {
        seen.failed.fetch_add(1, Relaxed);
        start.wait();
        return;
    };
    let epoch = Instant::now();
    let mut tally = Tally::new(1_000);
    let mut buffer = vec![0; 2_048];
    let mut open = false;
    let mut counted_open = false;
    let mut window: Option<(Instant, Instant)> = None;
    let mut next_probe = Instant::now();
    let give_up = Instant::now() + Duration::from_secs(seconds + 30);
    while Instant::now() < give_up {
        let timeout = loop {
            match rtc.poll_output() {
                Ok(Output::Timeout(at)) => break at,
                Ok(Output::Transmit(t)) => {
                    let _ = socket.send_to(&t.contents, t.destination);
                }
                Ok(Output::Event(Event::ChannelOpen(..))) => open = true,
                Ok(Output::Event(Event::ChannelData(data))) => {
                    tally.receive(&data.data, epoch.elapsed().as_secs_f64() * 1_000.0);
                }
                Ok(Output::Event(_)) => {}
                Err(_) => return,
            }
        };
        if open && !counted_open {
            counted_open = true;
            seen.opened.fetch_add(1, Relaxed);
            // Every session open (or failed) before the window starts.
            start.wait();
            let from = Instant::now();
            window = Some((from, from + Duration::from_secs(seconds)));
            next_probe = from;
        }
        if let Some((_, until)) = window {
            let now = Instant::now();
            if now >= until + Duration::from_secs(1) {
                break;
            }
            if now < until && now >= next_probe {
                if let Some(mut channel) = rtc.channel(channel) {
                    let at = epoch.elapsed().as_secs_f64() * 1_000.0;
                    let _ = channel.write(true, &tally.next_probe(at, 64));
                }
                next_probe += interval;
            }
        }
        let wait = timeout
            .min(next_probe)
            .saturating_duration_since(Instant::now())
            .clamp(Duration::from_millis(1), Duration::from_millis(20));
        let _ = socket.set_read_timeout(Some(wait));
        let input = match socket.recv_from(&mut buffer) {
            Ok((size, source)) => match buffer[..size].try_into() {
                Ok(contents) => Input::Receive(
                    Instant::now(),
                    Receive {
                        proto: Protocol::Udp,
                        source,
                        destination: socket.local_addr().unwrap_or(source),
                        contents,
                    },
                ),
                Err(_) => Input::Timeout(Instant::now()),
            },
            Err(_) => Input::Timeout(Instant::now()),
        };
        if rtc.handle_input(input).is_err() {
            break;
        }
    }
    if !counted_open {
        seen.failed.fetch_add(1, Relaxed);
        start.wait();
    }
    let loss = tally.result();
    seen.sent.fetch_add(u64::from(loss.sent), Relaxed);
    seen.echoed.fetch_add(u64::from(loss.came_back), Relaxed);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number =
        |i: usize, default: u64| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let Some(server) = args.first().and_then(|a| a.parse::<SocketAddr>().ok()) else {
        eprintln!("usage: rtc_load ADDR SESSIONS RATE SECONDS");
        std::process::exit(2);
    };
    let (sessions, rate, seconds) = (number(1, 100) as u32, number(2, 50), number(3, 20));
    let interval = Duration::from_secs_f64(1.0 / rate.max(1) as f64);
    let seen = Arc::new(Seen::default());
    // The sessions, and this thread, which says when the window starts.
    let start = Arc::new(Barrier::new(sessions as usize + 1));
    let threads: Vec<_> = (0..sessions)
        .map(|n| {
            let (seen, start) = (Arc::clone(&seen), Arc::clone(&start));
            std::thread::spawn(move || session(server, n, interval, seconds, &start, &seen))
        })
        .collect();
    start.wait();
    println!("running");
    let began = Instant::now();
    for thread in threads {
        let _ = thread.join();
    }
    println!("done");
    println!("sessions {sessions}");
    println!("opened {}", seen.opened.load(Relaxed));
    println!("failed {}", seen.failed.load(Relaxed));
    println!("sent {}", seen.sent.load(Relaxed));
    println!("echoed {}", seen.echoed.load(Relaxed));
    println!("seconds {:.1}", began.elapsed().as_secs_f64());
}
