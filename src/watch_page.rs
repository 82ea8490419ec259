//! The watch page (`/watch/`, its own bundle, with the sampler's worker
//! beside it): keeps watching the connection for hours and records each
//! drop. Opened by "Keep watching" on the clinician's page, or by a
//! `#watch` link from the desk.

use std::rc::Rc;

use linktriage_core::watch::{Watched, watched};
use yew::prelude::*;

use crate::components::WatchView;
use crate::probes::{self, location};

/// Installs the panic message and renders the watch page into the body.
pub fn start() {
    crate::panic::install_hook();
    yew::Renderer::<WatchApp>::new().render();
}

#[function_component]
pub fn WatchApp() -> Html {
    // What the watch samples, and the list's name and version for its report.
    type Loaded = (Rc<Vec<Watched>>, Rc<(String, String)>);
    let targets = use_state(|| None::<Result<Loaded, String>>);
    {
        let targets = targets.clone();
        use_effect_with((), move |()| {
            wasm_bindgen_futures::spawn_local(async move {
                let loaded = probes::config::load().await.map(|loaded| {
                    let config = loaded.config;
                    (
                        Rc::new(watched(&config, &location::hostname())),
                        Rc::new((config.name.clone(), config.version.clone())),
                    )
                });
                targets.set(Some(loaded));
            });
        });
    }
    let body = match &*targets {
        None => html! { <p role="status">{ "Loading the list of checks…" }</p> },
        Some(Err(why)) => html! {
            <div id="config-error" role="alert">
                <p>{ format!("Link Triage could not load its list of checks: {why}.") }</p>
                <p>{ "Reload the page. If this keeps happening, tell your IT service desk." }</p>
            </div>
        },
        Some(Ok((watched, config))) => {
            html! { <WatchView watched={watched.clone()} config={config.clone()} /> }
        }
    };
    html! {
        <>
            <header>
                <h1>{ "Link Triage: keep watching" }</h1>
                <p><a href="/">{ "Run the checks again" }</a></p>
            </header>
            <main>{ body }</main>
        </>
    }
}
