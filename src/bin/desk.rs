//! The desk view's entry point, as Trunk builds it (`desk.html`): a bundle of
//! its own, so the clinician's first load carries no decoder.

fn main() {
    linktriage_app::desk::start();
}
