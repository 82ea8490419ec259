//! Link Triage in the browser: runs the checks, shows the result, writes the
//! report. `main.rs` only calls [`start`]; tests reach the modules here.

pub mod app;
pub mod components;
pub mod desk;
pub mod hooks;
pub mod panic;
pub mod probes;
pub mod report_panel;
pub mod state;
pub mod suite;
pub mod watch_page;

/// Installs the panic message and renders the app into the page's body;
/// or, for a `#watch` link (the desk sends one), opens the watch page,
/// which starts at once or says what was wrong with the interval asked for.
pub fn start() {
    panic::install_hook();
    let fragment = probes::location::fragment();
    if linktriage_core::watch::requested_by(&fragment).is_some() {
        let watch_page = linktriage_core::watch::WATCH_PATH;
        probes::location::replace(&format!(
            "{}{watch_page}{fragment}",
            probes::location::origin()
        ));
        return;
    }
    mount::<app::App>();
}

/// Renders a page's app into the page's `<main id="maincontent">`, inside
/// the frame its HTML gives (skip link, header, footer), in place of the
/// message shown to a browser that cannot run it; into the body where a
/// page has no such element.
pub fn mount<App: yew::BaseComponent<Properties = ()>>() {
    match probes::page::element_by_id("maincontent") {
        Some(main) => {
            yew::Renderer::<App>::with_root(main).render();
        }
        None => {
            yew::Renderer::<App>::new().render();
        }
    }
}

// Talc in place of the standard library's dlmalloc: every bundle (the first
// load above all) is smaller by dlmalloc's code, and it allocates faster.
// The pages are single-threaded (no atomics), as talc's wasm allocator asks.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
