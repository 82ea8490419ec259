//! What the clinician may add to the report before sharing it: where they
//! are, the ticket, a short note, and whether to take IP addresses out.

use linktriage_core::patient::holds_nhs_number;
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
    let holding = use_state(Holding::default);
    // The inputs keep their own values; one handler on the fieldset reads
    // them all on any change. (Per-field handlers cost the clinician's first
    // load kilobytes of generated code.)
    let read = {
        let (on_change, fields, holding) =
            (props.on_change.clone(), fields.clone(), holding.clone());
        move || {
            holding.set(fields.holding());
            on_change.emit(fields.read());
        }
    };
    let oninput = {
        let read = read.clone();
        Callback::from(move |_: InputEvent| read())
    };
    let onchange = Callback::from(move |_: Event| read());
    html! {
        <fieldset class="nhsuk-fieldset site-form" {oninput} {onchange}>
            <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">{ "About this report (optional)" }</legend>
            <div id="no-patient-details" class="nhsuk-inset-text">
                <p><strong>{ "Do not type any patient details" }</strong>
                { " (names, NHS numbers, dates of birth): this report goes to the IT service desk." }</p>
            </div>
            { PLACE.view(&fields.place, holding.place) }
            { TICKET.view(&fields.ticket, holding.ticket) }
            { NOTE.view(&fields.note, holding.note) }
            <div class="nhsuk-form-group">
                <div class="nhsuk-checkboxes">
                    <div class="nhsuk-checkboxes__item">
                        <input id="remove-addresses" class="nhsuk-checkboxes__input" ref={fields.remove_addresses.clone()} type="checkbox" />
                        <label class="nhsuk-label nhsuk-checkboxes__label" for="remove-addresses">{ "Remove IP addresses before sharing" }</label>
                    </div>
                </div>
            </div>
        </fieldset>
    }
}

/// One of the form's text fields.
struct TextField {
    id: &'static str,
    label: &'static str,
    max_chars: usize,
    autocomplete: &'static str,
    /// Sized for a reference (20 characters), not for text.
    narrow: bool,
}

const PLACE: TextField = TextField {
    id: "site-place",
    label: "Practice name or ODS code",
    max_chars: SiteDetails::PLACE_CHARS,
    autocomplete: "organization",
    narrow: false,
};
const TICKET: TextField = TextField {
    id: "site-ticket",
    label: "Ticket reference, if you have one",
    max_chars: SiteDetails::TICKET_CHARS,
    autocomplete: "off",
    narrow: true,
};
const NOTE: TextField = TextField {
    id: "site-note",
    label: "Short note: what you saw, and since when",
    max_chars: SiteDetails::NOTE_CHARS,
    autocomplete: "off",
    narrow: false,
};

impl TextField {
    /// The field on `input`, with its error when it holds an NHS number.
    /// The error's message is always there, hidden until needed, so that
    /// the input keeps its place (and its value) as the error comes and
    /// goes.
    fn view(&self, input: &NodeRef, holds_nhs_number: bool) -> Html {
        let TextField {
            id,
            label,
            max_chars,
            autocomplete,
            narrow,
        } = *self;
        let error_id = format!("{id}-error");
        let (group_class, described_by) = if holds_nhs_number {
            (
                "nhsuk-form-group nhsuk-form-group--error",
                format!("no-patient-details {error_id}"),
            )
        } else {
            ("nhsuk-form-group", "no-patient-details".to_owned())
        };
        let input_class = match (narrow, holds_nhs_number) {
            (false, false) => "nhsuk-input",
            (false, true) => "nhsuk-input nhsuk-input--error",
            (true, false) => "nhsuk-input nhsuk-input--width-20",
            (true, true) => "nhsuk-input nhsuk-input--width-20 nhsuk-input--error",
        };
        html! {
            <div class={group_class}>
                <label class="nhsuk-label" for={id}>{ label }</label>
                <span class="nhsuk-error-message" id={error_id} hidden={!holds_nhs_number}>
                    <span class="nhsuk-u-visually-hidden">{ "Error: " }</span>
                    { "Remove the NHS number. This box is left out of the report until you do." }
                </span>
                <input {id} class={input_class} ref={input.clone()} type="text" {autocomplete} maxlength={max_chars.to_string()} aria-describedby={described_by} aria-invalid={holds_nhs_number.then_some("true")} />
            </div>
        }
    }
}

/// Which text fields hold an NHS number now.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct Holding {
    place: bool,
    ticket: bool,
    note: bool,
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
    fn holding(&self) -> Holding {
        let site = self.read().site;
        Holding {
            place: holds_nhs_number(&site.place),
            ticket: holds_nhs_number(&site.ticket),
            note: holds_nhs_number(&site.note),
        }
    }

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
