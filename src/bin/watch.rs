//! The watch page's entry point, as Trunk builds it (`watch.html`): a bundle
//! of its own, so the clinician's first load carries no watch.

fn main() {
    linktriage_app::watch_page::start();
}
