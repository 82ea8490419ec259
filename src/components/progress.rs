//! The progress bar while the checks run.

use yew::prelude::*;

#[derive(Debug, Properties, PartialEq)]
pub struct ProgressProps {
    pub done: u32,
    pub total: u32,
}

#[function_component]
pub fn Progress(props: &ProgressProps) -> Html {
    let ProgressProps { done, total } = *props;
    html! {
        <div class="progress">
            <label for="progress-bar">{ format!("Checking the connection: {done} of {total} steps") }</label>
            <progress id="progress-bar" max={total.max(1).to_string()} value={done.to_string()} />
        </div>
    }
}
