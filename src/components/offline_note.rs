//! Registers the service worker for the page it is on, and says plainly
//! when the pages cannot open here with the network down.

use yew::prelude::*;

use crate::hooks::use_offline;
use crate::probes::offline::OfflineUse;

#[function_component]
pub fn OfflineNote() -> Html {
    match use_offline() {
        Some(OfflineUse::Unavailable(why)) => html! {
            <p id="offline-use">{ format!("This page cannot open when the network is down here: {why}.") }</p>
        },
        _ => html! {},
    }
}
