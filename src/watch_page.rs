//! The watch page (`/watch/`, its own bundle, with the sampler's worker
//! beside it): keeps watching the connection for hours and records each
//! drop. Opened by "Keep watching" on the clinician's page, or by a
//! `#watch` link from the desk.

use std::rc::Rc;

use linktriage_core::report::ListFacts;
use linktriage_core::watch::{Watched, watched};
use yew::prelude::*;

use crate::components::{OfflineNote, WatchView};
use crate::probes::{self, location};

/// Installs the panic message and renders the watch page into its frame.
pub fn start() {
    crate::panic::install_hook();
    crate::mount::<WatchApp>();
}

/// What the watch samples, the list and release for its report, and
/// whether the list is this computer's copy.
struct WatchList {
    watched: Rc<Vec<Watched>>,
    facts: Rc<ListFacts>,
    from_copy: bool,
}

#[function_component]
pub fn WatchApp() -> Html {
    let targets = use_state(|| None::<Result<WatchList, String>>);
    {
        let targets = targets.clone();
        use_effect_with((), move |()| {
            wasm_bindgen_futures::spawn_local(async move {
                let loaded = probes::config::load().await.map(|loaded| WatchList {
                    watched: Rc::new(watched(
                        &loaded.config,
                        &location::hostname(),
                        location::is_secure(),
                    )),
                    facts: Rc::new(loaded.facts()),
                    from_copy: loaded.from_copy,
                });
                targets.set(Some(loaded));
            });
        });
    }
    let body = match &*targets {
        None => html! { <p role="status">{ "Loading the list of checks…" }</p> },
        Some(Err(why)) => html! {
            <div id="config-error" class="nhsuk-error-summary" role="alert">
                <p>{ format!("Link Triage could not load its list of checks: {why}.") }</p>
                <p>{ "Reload the page. If this keeps happening, tell your IT service desk." }</p>
            </div>
        },
        Some(Ok(list)) => html! {
            <>
                if list.from_copy {
                    { crate::app::opened_from_copy("The watch runs from here.") }
                }
                <WatchView watched={list.watched.clone()} config={list.facts.clone()} />
            </>
        },
    };
    html! {
        // Inside the page's <main> (`crate::mount`), under its header.
        <>
            <h1 class="nhsuk-heading-l">{ "Keep watching the connection" }</h1>
            <p><a href="/">{ "Run the checks again" }</a></p>
            { body }
            <OfflineNote />
        </>
    }
}
