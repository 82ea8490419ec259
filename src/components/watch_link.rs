//! "Keep watching" on the clinician's page: a form that opens the watch page
//! (`/watch/?watch=10s&for=8h`, a bundle of its own) in a new tab at the
//! interval and for the time chosen, so this page, its verdict and its
//! report stay as they are.
//!
//! Plain markup, with no handler of the page's own: the browser submits the
//! form, the watch page reads the interval (`core::watch::requested_by`),
//! and the clinician's first load carries no code for it.

use yew::prelude::*;

/// The section, written once. The choices are `core::watch::INTERVAL_CHOICES`
/// in the words of a link (a test holds the two together).
pub const KEEP_WATCHING: &str = concat!(
    r#"<section id="keep-watching" aria-labelledby="keep-watching-heading">"#,
    r#"<h2 id="keep-watching-heading" class="nhsuk-heading-m">Keep watching</h2>"#,
    r#"<p>If the problem comes and goes, keep watching: a page of its own checks the connection again and again, for 8 hours or as long as you leave it, and records each drop, even in a background tab.</p>"#,
    r#"<form action="/watch/" method="get" target="_blank">"#,
    r#"<div class="nhsuk-form-group">"#,
    r#"<label class="nhsuk-label" for="watch-interval">Check every</label>"#,
    r#"<select class="nhsuk-select" id="watch-interval" name="watch">"#,
    r#"<option value="1s">1 second</option>"#,
    r#"<option value="2s">2 seconds</option>"#,
    r#"<option value="5s">5 seconds</option>"#,
    r#"<option value="10s" selected>10 seconds</option>"#,
    r#"<option value="30s">30 seconds</option>"#,
    r#"<option value="1m">1 minute</option>"#,
    r#"<option value="5m">5 minutes</option>"#,
    r#"</select></div>"#,
    r#"<div class="nhsuk-form-group">"#,
    r#"<label class="nhsuk-label" for="watch-for">For</label>"#,
    r#"<select class="nhsuk-select" id="watch-for" name="for">"#,
    r#"<option value="8h" selected>8 hours</option>"#,
    r#"<option value="as-long-as-left">as long as I leave it (a week at most)</option>"#,
    r#"</select></div>"#,
    r#"<button type="submit" id="watch-open" class="nhsuk-button nhsuk-button--secondary">Keep watching (opens in a new tab)</button>"#,
    r#"</form></section>"#,
);

#[function_component]
pub fn WatchLink() -> Html {
    Html::from_html_unchecked(AttrValue::Static(KEEP_WATCHING))
}

#[cfg(test)]
mod tests {
    use super::*;
    use linktriage_core::watch::{
        AS_LONG_AS_LEFT, INTERVAL_CHOICES, WATCH_PATH, WatchRequest, requested_by,
    };

    #[test]
    fn the_form_offers_every_interval_the_watch_page_reads() {
        let (intervals, durations) = KEEP_WATCHING
            .split_once("name=\"for\"")
            .expect("a choice of how long");
        let options: Vec<(&str, &str)> = intervals
            .split("<option value=\"")
            .skip(1)
            .map(|option| {
                let (value, rest) = option.split_once('"').expect("a quoted value");
                let words = rest.split_once('>').expect("a tag").1;
                (value, words.split_once('<').expect("a closing tag").0)
            })
            .collect();
        assert_eq!(options.len(), INTERVAL_CHOICES.len());
        for ((value, words), (interval_ms, expected)) in options.into_iter().zip(INTERVAL_CHOICES) {
            assert_eq!(words, expected);
            let asked = requested_by(&format!("watch={value}&for=8h"));
            let expected = WatchRequest {
                interval_ms,
                until_stopped: false,
            };
            assert_eq!(asked, Some((expected, None)), "{value}");
        }
        // How long: 8 hours, or as long as it is left.
        assert!(durations.contains("<option value=\"8h\" selected>8 hours</option>"));
        let until = format!("<option value=\"{AS_LONG_AS_LEFT}\">");
        assert!(durations.contains(&until), "{durations}");
        assert!(KEEP_WATCHING.contains(&format!("action=\"{WATCH_PATH}\"")));
        assert!(KEEP_WATCHING.contains("name=\"watch\""));
    }
}
