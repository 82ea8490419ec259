//! Registers the service worker once the page has opened, and says whether
//! the pages can open here with the network down.

use yew::prelude::*;

use crate::probes::offline::{self, OfflineUse};

/// `None` until the browser has answered.
#[hook]
pub fn use_offline() -> Option<OfflineUse> {
    let state = use_state(|| None);
    {
        let set = state.setter();
        use_effect_with((), move |()| {
            wasm_bindgen_futures::spawn_local(
                async move { set.set(Some(offline::register().await)) },
            );
        });
    }
    (*state).clone()
}
