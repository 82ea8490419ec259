//! What the clinician may add to the report before sharing it: where they
//! are, the ticket, a short note, and whether to take IP addresses out.

use linktriage_core::report::{Sharing, SiteDetails};
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct SiteFormProps {
    pub on_change: Callback<Sharing>,
}

#[function_component]
pub fn SiteForm(props: &SiteFormProps) -> Html {
    let fields = use_memo((), |()| Fields::default());
    // The inputs keep their own values; one handler on the fieldset reads
    // them all on any change. (Per-field handlers cost the clinician's first
    // load kilobytes of generated code.)
    let oninput = {
        let (on_change, fields) = (props.on_change.clone(), fields.clone());
        Callback::from(move |_: InputEvent| on_change.emit(fields.read()))
    };
    let onchange = {
        let (on_change, fields) = (props.on_change.clone(), fields.clone());
        Callback::from(move |_: Event| on_change.emit(fields.read()))
    };
    html! {
        <fieldset class="site-form" {oninput} {onchange}>
            <legend>{ "About this report (optional)" }</legend>
            <p id="no-patient-details" class="warning">
                <strong>{ "Do not type any patient details" }</strong>
                { " (names, NHS numbers, dates of birth): this report goes to the IT service desk." }
            </p>
            <label for="site-place">{ "Practice name or ODS code" }</label>
            <input id="site-place" ref={fields.place.clone()} type="text" autocomplete="organization" maxlength={SiteDetails::PLACE_CHARS.to_string()} aria-describedby="no-patient-details" />
            <label for="site-ticket">{ "Ticket reference, if you have one" }</label>
            <input id="site-ticket" ref={fields.ticket.clone()} type="text" autocomplete="off" maxlength={SiteDetails::TICKET_CHARS.to_string()} aria-describedby="no-patient-details" />
            <label for="site-note">{ "Short note: what you saw, and since when" }</label>
            <input id="site-note" ref={fields.note.clone()} type="text" autocomplete="off" maxlength={SiteDetails::NOTE_CHARS.to_string()} aria-describedby="no-patient-details" />
            <div class="checkbox">
                <input id="remove-addresses" ref={fields.remove_addresses.clone()} type="checkbox" />
                <label for="remove-addresses">{ "Remove IP addresses before sharing" }</label>
            </div>
        </fieldset>
    }
}

/// The form's inputs.
#[derive(Debug, Default, PartialEq)]
struct Fields {
    place: NodeRef,
    ticket: NodeRef,
    note: NodeRef,
    remove_addresses: NodeRef,
}

impl Fields {
    fn read(&self) -> Sharing {
        let value = |field: &NodeRef| {
            field
                .cast::<HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default()
        };
        Sharing {
            site: SiteDetails {
                place: value(&self.place),
                ticket: value(&self.ticket),
                note: value(&self.note),
            },
            remove_addresses: self
                .remove_addresses
                .cast::<HtmlInputElement>()
                .is_some_and(|i| i.checked()),
        }
    }
}
