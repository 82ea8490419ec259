//! The report code a share link carries in the page's address, kept up to
//! date when another link is given in the same tab (only the fragment
//! changes, so the page does not reload).

use linktriage_core::codec::code_in_link;
use yew::prelude::*;

use crate::probes::location::{self, FragmentListener};

/// The code in the address's fragment, if there is one.
#[hook]
pub fn use_code_in_address() -> Option<AttrValue> {
    let read = || code_in_link(&location::fragment()).map(|c| AttrValue::from(c.to_owned()));
    let code = use_state(read);
    {
        let code = code.clone();
        use_effect_with((), move |()| {
            let listener = FragmentListener::new(move || code.set(read()));
            move || drop(listener)
        });
    }
    (*code).clone()
}
