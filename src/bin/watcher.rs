//! The watch's worker, as Trunk builds it (named in `watch.html`): a bundle of its
//! own, fetched only when a watch starts.

fn main() {
    linktriage_app::probes::watch_worker::start();
}
