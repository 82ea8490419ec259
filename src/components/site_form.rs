//! What the clinician may add to the report before sharing it: where they
//! are, the ticket, a short note, and whether to take IP addresses out.

use linktriage_core::report::SiteDetails;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// What the form says about the report to share.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SharingChoices {
    pub site: SiteDetails,
    pub remove_addresses: bool,
}

#[derive(Debug, Properties, PartialEq)]
pub struct SiteFormProps {
    pub on_change: Callback<SharingChoices>,
}

#[function_component]
pub fn SiteForm(props: &SiteFormProps) -> Html {
    // The inputs keep their own values; one handler on the fieldset reads
    // them all on any change. (Per-field handlers cost the clinician's first
    // load kilobytes of generated code.)
    let oninput = {
        let on_change = props.on_change.clone();
        Callback::from(move |_: InputEvent| on_change.emit(read_choices()))
    };
    let onchange = {
        let on_change = props.on_change.clone();
        Callback::from(move |_: Event| on_change.emit(read_choices()))
    };
    html! {
        <fieldset class="site-form" {oninput} {onchange}>
            <legend>{ "About this report (optional)" }</legend>
            <p id="no-patient-details" class="warning">
                <strong>{ "Do not type any patient details" }</strong>
                { " (names, NHS numbers, dates of birth): this report goes to the IT service desk." }
            </p>
            <label for="site-place">{ "Practice name or ODS code" }</label>
            <input id="site-place" type="text" autocomplete="organization" maxlength={SiteDetails::PLACE_CHARS.to_string()} aria-describedby="no-patient-details" />
            <label for="site-ticket">{ "Ticket reference, if you have one" }</label>
            <input id="site-ticket" type="text" autocomplete="off" maxlength={SiteDetails::TICKET_CHARS.to_string()} aria-describedby="no-patient-details" />
            <label for="site-note">{ "Short note: what you saw, and since when" }</label>
            <input id="site-note" type="text" autocomplete="off" maxlength={SiteDetails::NOTE_CHARS.to_string()} aria-describedby="no-patient-details" />
            <div class="checkbox">
                <input id="remove-addresses" type="checkbox" />
                <label for="remove-addresses">{ "Remove IP addresses before sharing" }</label>
            </div>
        </fieldset>
    }
}

fn read_choices() -> SharingChoices {
    let input = |id: &str| {
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id))
            .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
    };
    let value = |id: &str| input(id).map(|i| i.value()).unwrap_or_default();
    SharingChoices {
        site: SiteDetails {
            place: value("site-place"),
            ticket: value("site-ticket"),
            note: value("site-note"),
        },
        remove_addresses: input("remove-addresses").is_some_and(|i| i.checked()),
    }
}
