//! Link Triage in the browser: runs the checks, shows the result, writes the
//! report. `main.rs` only calls [`start`]; tests reach the modules here.

pub mod app;
pub mod components;
pub mod desk;
pub mod hooks;
pub mod panic;
pub mod probes;
pub mod state;
pub mod suite;

/// Installs the panic message and renders the app into the page's body.
pub fn start() {
    panic::install_hook();
    yew::Renderer::<app::App>::new().render();
}
