//! The support desk's view (`/desk/`, its own bundle): paste anything, see
//! every report in it as the clinician saw it, a table of them, and the sites
//! that failed together. A share link opens it with its report in the URL
//! fragment, which the browser never sends to a server.

mod report_card;
mod summary;

use std::rc::Rc;

use linktriage_core::desk::{Entry, PasteError, read_paste};
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::components::OfflineNote;
use crate::hooks::use_code_in_address;
use report_card::ReportCard;
use summary::Summary;

/// Installs the panic message and renders the desk view into its frame.
pub fn start() {
    crate::panic::install_hook();
    crate::mount::<DeskApp>();
}

#[function_component]
pub fn DeskApp() -> Html {
    let paste = use_node_ref();
    let results = use_node_ref();
    let reading = use_state(|| None::<Result<Rc<Vec<Entry>>, PasteError>>);
    {
        // What was read is the first thing seen and heard: focus moves to
        // it, below the paste box it came from, as after a search, and the
        // page scrolls it to the top (focus alone would bring only its
        // heading up from the bottom of the window).
        let results = results.clone();
        let read = reading.as_ref().map(|r| r.as_ref().map(Rc::as_ptr).ok());
        use_effect_with(read, move |_| {
            if let Some(heading) = results.cast::<web_sys::HtmlElement>() {
                let _ = heading.focus();
                heading.scroll_into_view();
            }
        });
    }
    let code_in_address = use_code_in_address();
    {
        // Opened from a share link, or given another one in the same tab:
        // read the report it carries, as if pasted.
        let (paste, reading) = (paste.clone(), reading.clone());
        use_effect_with(code_in_address, move |code| {
            if let Some(code) = code {
                if let Some(area) = paste.cast::<HtmlTextAreaElement>() {
                    area.set_value(code);
                }
                reading.set(Some(read_paste(code).map(Rc::new)));
            }
        });
    }
    let onclick = {
        let (paste, reading) = (paste.clone(), reading.clone());
        Callback::from(move |_| {
            // Read when asked, not on every keystroke: the textarea is not
            // mirrored in state, so a 10 MB paste is copied out once.
            let text = paste
                .cast::<HtmlTextAreaElement>()
                .map(|area| area.value())
                .unwrap_or_default();
            reading.set(Some(read_paste(&text).map(Rc::new)));
        })
    };
    html! {
        // Inside the page's <main> (`crate::mount`), under its header.
        <>
            <h1 class="nhsuk-heading-l">{ "Service desk view" }</h1>
                <p class="intro">{ "Paste a Link Triage report from a ticket, or a whole email thread with several, and press Read reports. The reports are read on this computer: nothing is sent anywhere." }</p>
                <div class="nhsuk-form-group">
                    <label class="nhsuk-label" for="paste">{ "Pasted text" }</label>
                    <textarea id="paste" class="nhsuk-textarea" ref={paste} rows="10" spellcheck="false" autocomplete="off" />
                </div>
                <button type="button" id="read-reports" class="nhsuk-button" {onclick}>{ "Read reports" }</button>
                {
                    match &*reading {
                        None => html! {},
                        Some(Err(why)) => html! {
                            <p id="desk-status" class="nhsuk-error-message" role="alert">{ why.to_string() }</p>
                        },
                        Some(Ok(entries)) => {
                            let first_watch = entries
                                .iter()
                                .find(|e| e.report.as_ref().is_ok_and(|r| r.watch.is_some()))
                                .map(|e| e.number);
                            html! {
                                <>
                                    <h2 id="desk-results" class="nhsuk-heading-l" tabindex="-1" ref={results.clone()}>{ "What the paste holds" }</h2>
                                    <Summary entries={entries.clone()} />
                                    { for entries.iter().filter_map(|e| Some(html! {
                                        <ReportCard key={e.number} number={e.number} code={e.code.clone()} report={Rc::new(e.report.clone().ok()?)} legend={first_watch == Some(e.number)} />
                                    })) }
                                </>
                            }
                        }
                    }
                }
                <OfflineNote />
        </>
    }
}
