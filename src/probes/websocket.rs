//! Round trips over a WebSocket echo: a proxy that breaks WebSockets shows here.

use futures_channel::mpsc;
use futures_util::StreamExt;
use linktriage_core::check::{RAN_OUT_OF_TIME, RoundTrips, WebSocketEcho};
use linktriage_core::config::Target;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{MessageEvent, WebSocket};

use super::http::{absolute_url, websocket_url};
use super::timers::{Deadline, monotonic_ms, with_timeout};

/// Echoes timed; fewer than HTTP round trips because each is cheap and exact.
const ECHOES: u32 = 10;

#[derive(Debug)]
enum Event {
    Open,
    Message(String),
    Closed(String),
}

pub async fn measure(target: &Target, deadline: Deadline) -> WebSocketEcho {
    let failed = |why: String| WebSocketEcho {
        failure: Some(why),
        round_trips: RoundTrips::from_samples(Vec::new(), 0, target.late_ms),
    };
    let url = websocket_url(&absolute_url(&target.url, "/api/ws"));
    let Ok(socket) = WebSocket::new(&url) else {
        return failed(format!("the browser refused to open {url}"));
    };
    let (sender, mut events) = mpsc::unbounded();
    let handlers = Handlers::attach(&socket, sender);

    let Some(timeout) = deadline.timeout(target.timeout_ms) else {
        return failed(RAN_OUT_OF_TIME.to_owned());
    };
    match with_timeout(timeout, events.next()).await {
        Some(Some(Event::Open)) => {}
        Some(Some(Event::Closed(why))) => return failed(why),
        Some(_) => return failed("closed before it opened".to_owned()),
        None => {
            let _ = socket.close();
            return failed(format!("did not open within {timeout} ms"));
        }
    }

    let mut samples = Vec::new();
    let mut failed_echoes = 0;
    for n in 0..ECHOES {
        let Some(timeout) = deadline.timeout(target.timeout_ms) else {
            break;
        };
        let text = format!("echo {n}");
        let started = monotonic_ms();
        if socket.send_with_str(&text).is_err() {
            failed_echoes += ECHOES - n;
            break;
        }
        match with_timeout(timeout, events.next()).await {
            Some(Some(Event::Message(reply))) if reply == text => {
                samples.push(monotonic_ms() - started)
            }
            Some(Some(Event::Closed(_)) | None) => {
                failed_echoes += ECHOES - n;
                break;
            }
            _ => failed_echoes += 1,
        }
    }
    let _ = socket.close();
    drop(handlers);
    let round_trips = RoundTrips::from_samples(samples, failed_echoes, target.late_ms);
    let failure =
        (round_trips.summary.is_none()).then(|| "opened, but no message came back".to_owned());
    WebSocketEcho {
        failure,
        round_trips,
    }
}

/// The socket's event handlers, detached when dropped.
struct Handlers {
    socket: WebSocket,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(web_sys::CloseEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

impl Handlers {
    fn attach(socket: &WebSocket, sender: mpsc::UnboundedSender<Event>) -> Handlers {
        let (s1, s2, s3, s4) = (sender.clone(), sender.clone(), sender.clone(), sender);
        let on_open = Closure::<dyn FnMut()>::new(move || {
            let _ = s1.unbounded_send(Event::Open);
        });
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let text = e.data().as_string().unwrap_or_default();
            let _ = s2.unbounded_send(Event::Message(text));
        });
        let on_close =
            Closure::<dyn FnMut(web_sys::CloseEvent)>::new(move |e: web_sys::CloseEvent| {
                let _ = s3.unbounded_send(Event::Closed(format!("closed with code {}", e.code())));
            });
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            let _ = s4.unbounded_send(Event::Closed("the connection failed".to_owned()));
        });
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        socket.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Handlers {
            socket: socket.clone(),
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
            _on_error: on_error,
        }
    }
}

impl Drop for Handlers {
    fn drop(&mut self) {
        self.socket.set_onopen(None);
        self.socket.set_onmessage(None);
        self.socket.set_onclose(None);
        self.socket.set_onerror(None);
    }
}

impl std::fmt::Debug for Handlers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Handlers")
    }
}
