//! "Keep watching" on the clinician's page: a link that opens the watch page
//! (`/watch/`, a bundle of its own) in a new tab at the interval chosen, so
//! this page, its verdict and its report stay as they are.

use linktriage_core::watch::{DEFAULT_INTERVAL_MS, INTERVAL_CHOICES, watch_link};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::probes::location;

#[function_component]
pub fn WatchLink() -> Html {
    let chosen = use_state(|| DEFAULT_INTERVAL_MS);
    html! {
        <section id="keep-watching" aria-labelledby="keep-watching-heading">
            <h2 id="keep-watching-heading">{ "Keep watching" }</h2>
            <p>{ "If the problem comes and goes, keep watching: a page of its own checks the connection again and again, for up to 8 hours, and records each drop, even in a background tab." }</p>
            <p class="actions">
                { interval_select(&chosen) }
                { " " }
                <a id="watch-open" class="button" href={watch_link(&location::origin(), *chosen)} target="_blank" rel="noopener">{ "Keep watching (opens in a new tab)" }</a>
            </p>
        </section>
    }
}

/// "Check every" and its choices, setting `chosen`: here and on the watch
/// page. A function, not a component: a component type of its own costs the
/// clinician's page more than the markup.
pub(super) fn interval_select(chosen: &UseStateHandle<u32>) -> Html {
    let onchange = {
        let chosen = chosen.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            chosen.set(value.parse().unwrap_or(DEFAULT_INTERVAL_MS));
        })
    };
    html! {
        <>
            <label for="watch-interval">{ "Check every " }</label>
            <select id="watch-interval" {onchange}>
                { for INTERVAL_CHOICES.iter().map(|(ms, words)| html! {
                    <option value={ms.to_string()} selected={*ms == **chosen}>{ *words }</option>
                }) }
            </select>
        </>
    }
}
