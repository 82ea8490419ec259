//! The report as a link and a QR code: the link opens the desk view with the
//! report in the URL fragment (after `#`, which browsers never send to a
//! server), and a phone on mobile data can scan the code to carry the report
//! out when the practice network is down. Both come from the report writer
//! with the text, so they work offline as the text does.

use std::rc::Rc;

use linktriage_core::qr::QUIET_ZONE;
use linktriage_core::written::Written;
use yew::prelude::*;

use super::CopyButton;

#[derive(Debug, Properties, PartialEq)]
pub struct SharePanelProps {
    pub written: Rc<Written>,
}

#[function_component]
pub fn SharePanel(props: &SharePanelProps) -> Html {
    let link: AttrValue = props.written.link.clone().into();
    let qr = match &props.written.qr {
        Some(qr) => {
            let modules = qr.modules + 2 * QUIET_ZONE;
            // Four CSS pixels a module: whole pixels keep every module the
            // same size, which cameras (and decoders) read best.
            let pixels = (modules * 4).to_string();
            let side = modules.to_string();
            html! {
                <figure>
                    <svg id="share-qr" class="share-qr" role="img" aria-labelledby="share-qr-caption" viewBox={format!("0 0 {side} {side}")} width={pixels.clone()} height={pixels}
                        shape-rendering="crispEdges" data-modules={qr.modules.to_string()}>
                        <rect width={side.clone()} height={side} fill="#ffffff" />
                        <path d={qr.path.clone()} fill="#000000" />
                    </svg>
                    <figcaption id="share-qr-caption">{ "Scan this with a phone's camera to open the report there, then send it from the phone." }</figcaption>
                </figure>
            }
        }
        None => html! {
            <p id="share-qr-missing">{ "This report is too long for a QR code: use Copy report or the link." }</p>
        },
    };
    html! {
        <section id="share" aria-labelledby="share-heading">
            <h3 id="share-heading" class="nhsuk-heading-s">{ "Share as a link or a QR code" }</h3>
            <p>{ "The link holds the whole report, so nothing is stored on a server. It opens the report in Link Triage's view for the IT service desk, which can also save it as a JSON file." }</p>
            <p class="actions">
                <a id="share-link" href={link.clone()} target="_blank" rel="noopener">{ "Open the report as the desk will see it (opens in a new tab)" }</a>
            </p>
            <CopyButton text={link.clone()} fallback_id="share-link-text" id="copy-link" label="Copy link" secondary=true />
            <p><code id="share-link-text" class="link-text" tabindex="0">{ link }</code></p>
            <details id="share-qr-details" class="nhsuk-details">
                <summary class="nhsuk-details__summary">
                    <span class="nhsuk-details__summary-text">{ "Show a QR code for a phone" }</span>
                </summary>
                <div class="nhsuk-details__text">{ qr }</div>
            </details>
        </section>
    }
}
