//! The progress bar while the checks run.

use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct ProgressProps {
    pub done: u32,
    pub total: u32,
    #[prop_or(AttrValue::Static("Checking the connection"))]
    pub label: AttrValue,
}

#[function_component]
pub fn Progress(props: &ProgressProps) -> Html {
    let ProgressProps {
        done,
        total,
        ref label,
    } = *props;
    html! {
        <div class="progress">
            <label class="nhsuk-label" for="progress-bar">{ format!("{label}: {done} of {total} checks") }</label>
            <progress id="progress-bar" class="progress-bar" max={total.max(1).to_string()} value={done.to_string()} />
        </div>
    }
}
