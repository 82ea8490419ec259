//! The app's entry point, as Trunk builds it.

fn main() {
    linktriage_app::start();
}
