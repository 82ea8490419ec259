//! The watch's timeline as the page draws it, on the watch page and in the
//! desk view: one row of squares per target, coloured and patterned by
//! state (colour is never alone: the legend names each pattern, and the
//! drop list beside it says it all in words).

use linktriage_core::stats::Summary;
use linktriage_core::watch::Cell;
use linktriage_core::wording::{fixed, ms};
use yew::prelude::*;

/// The legend, with the patterns the cells use: a constant, not content,
/// so it is written as markup once rather than built element by element.
/// Colour is never alone: each state has its own pattern, named here, and
/// the drop list below says it all in words.
const LEGEND: &str = concat!(
    r##"<ul class="timeline-legend">"##,
    r##"<li><svg width="14" height="14" aria-hidden="true"><rect width="14" height="14" fill="#007f3b"/></svg> answering</li>"##,
    r##"<li><svg width="14" height="14" aria-hidden="true"><defs><pattern id="cell-some" width="4" height="4" patternUnits="userSpaceOnUse"><rect width="4" height="4" fill="#ffb81c"/><path d="M0 4L4 0" stroke="#1d1d1b"/></pattern></defs><rect width="14" height="14" fill="url(#cell-some)"/></svg> some checks failed</li>"##,
    r##"<li><svg width="14" height="14" aria-hidden="true"><defs><pattern id="cell-down" width="4" height="4" patternUnits="userSpaceOnUse"><rect width="4" height="4" fill="#d5281b"/><path d="M0 0L4 4M0 4L4 0" stroke="#ffffff"/></pattern></defs><rect width="14" height="14" fill="url(#cell-down)"/></svg> not answering</li>"##,
    r##"<li><svg width="14" height="14" aria-hidden="true"><defs><pattern id="cell-paused" width="4" height="4" patternUnits="userSpaceOnUse"><rect width="4" height="4" fill="#d8dde0"/><circle cx="2" cy="2" r="0.8" fill="#4c6272"/></pattern></defs><rect width="14" height="14" fill="url(#cell-paused)"/></svg> watch paused (the browser stopped the page)</li>"##,
    r##"</ul>"##,
);

/// One row of cells per target (its name, its cells), each `cell_words`
/// long, the newest on the right; the last `max_cells` of each. Each row
/// is one path per state, not an element per cell: the page stays small
/// and quick however long the watch.
/// `legend` draws the legend, whose patterns every timeline on the page
/// fills its squares with: exactly one timeline on a page has it.
pub fn timeline_figure(
    rows: &[(&str, &[Cell])],
    cell_words: &str,
    max_cells: usize,
    legend: bool,
) -> Html {
    html! {
        <figure class="timeline">
            <figcaption>{ format!("Each square is {cell_words}; the newest is on the right.") }</figcaption>
            if legend {
                { Html::from_html_unchecked(AttrValue::Static(LEGEND)) }
            }
            { for rows.iter().map(|(name, row)| {
                let shown = &row[row.len().saturating_sub(max_cells)..];
                let paths = STATES.map(|(state, fill)| (fill, cells_path(shown, state)));
                svg_row(
                    "timeline-row",
                    (*name).to_owned(),
                    shown.len(),
                    16,
                    paths.into_iter().filter(|(_, d)| !d.is_empty()).map(|(fill, d)| html! { <path {fill} {d} /> }).collect(),
                )
            }) }
        </figure>
    }
}

/// Each state and its fill (the patterns are the legend's).
const STATES: [(Cell, &str); 5] = [
    (Cell::Up, "#007f3b"),
    (Cell::SomeFailed, "url(#cell-some)"),
    (Cell::Down, "url(#cell-down)"),
    (Cell::Paused, "url(#cell-paused)"),
    (Cell::NoData, "#f0f4f5"),
];

/// An SVG path of the squares in `state`, 8 units apart.
fn cells_path(row: &[Cell], state: Cell) -> String {
    let mut d = String::new();
    for (i, _) in row.iter().enumerate().filter(|(_, c)| **c == state) {
        d.push_str(&format!("M{} 1h7v14h-7z", i * 8));
    }
    d
}

/// A target's round trips under its row, a square's width for each of its
/// cells: the spread from the fastest to the 90th percentile as a band,
/// the median as a dark stroke, scaled to the slowest shown; and the same
/// in words beside it, which is what a screen reader hears.
pub fn round_trip_band(name: &str, cells: &[Option<Summary>], max_cells: usize) -> Html {
    let shown = &cells[cells.len().saturating_sub(max_cells)..];
    let top = shown.iter().flatten().map(|s| s.p90).fold(1.0, f64::max);
    let y = |ms: f64| 31.0 - (ms / top).min(1.0) * 30.0;
    let (mut band, mut median) = (String::new(), String::new());
    for (i, cell) in shown.iter().enumerate() {
        if let Some(s) = cell {
            let x = i * 8;
            band.push_str(&format!(
                "M{x} {}h7V{}h-7z",
                fixed(y(s.p90), 1),
                fixed(y(s.min), 1)
            ));
            median.push_str(&format!("M{x} {}h7", fixed(y(s.median), 1)));
        }
    }
    let words = match shown.iter().rev().flatten().next() {
        Some(last) => format!(
            "{name}: round trip {} ms now (median of the newest square); up to {} ms in view",
            ms(last.median),
            ms(top)
        ),
        None => format!("{name}: no round trip yet"),
    };
    svg_row(
        "timeline-row timeline-round-trip",
        words,
        shown.len(),
        32,
        html! {<>
            <path d={band} fill="#aec7e3" />
            <path d={median} stroke="#003087" stroke-width="2" fill="none" />
        </>},
    )
}

/// A target's packet loss under its row, a square's width for each cell:
/// a bar for the share lost in that minute, scaled to the worst shown (5 %
/// at least, so a clean line stays flat), dark red where a minute lost more
/// than the verdict's limit; and the same in words beside it.
pub fn loss_band(name: &str, cells: &[Option<f64>], max_cells: usize) -> Html {
    let shown = &cells[cells.len().saturating_sub(max_cells)..];
    let top = shown.iter().flatten().copied().fold(0.05, f64::max);
    let (mut some, mut over) = (String::new(), String::new());
    for (i, share) in shown.iter().enumerate() {
        let Some(share) = *share else { continue };
        if share > 0.0 {
            let height = ((share / top).min(1.0) * 15.0).max(1.0);
            // `fixed`, not `{:.1}`: float formatting would add 9 KB to the desk.
            let bar = format!("M{} {}h7V16h-7z", i * 8, fixed(16.0 - height, 1));
            let over_limit = share > linktriage_core::verdict::LOSS_LIMIT;
            if over_limit { &mut over } else { &mut some }.push_str(&bar);
        }
    }
    let percent = |share: f64| fixed(share * 100.0, 1);
    let words = match shown.iter().rev().flatten().next() {
        Some(last) => format!(
            "{name}: {} % of packets lost in the newest minute; up to {} % in view",
            percent(*last),
            percent(shown.iter().flatten().copied().fold(0.0, f64::max))
        ),
        None => format!("{name}: no packets counted yet"),
    };
    svg_row(
        "timeline-row timeline-loss",
        words,
        shown.len(),
        16,
        html! {<>
            <path d={some} fill="#768692" />
            <path d={over} fill="#8a1538" />
        </>},
    )
}

/// One row of a timeline: its words, which a screen reader hears, and its
/// drawing, `cells` squares wide and `height` high, which it does not.
/// Squeezed to the page's width when longer (the desk's 8 hours of
/// minutes): never a sideways scroll.
fn svg_row(class: &'static str, words: String, cells: usize, height: u32, paths: Html) -> Html {
    let width = (cells * 8).max(8);
    html! {
        <div {class}>
            <span class="timeline-name">{ words }</span>
            <svg width={width.to_string()} height={height.to_string()} viewBox={format!("0 0 {width} {height}")} preserveAspectRatio="none" aria-hidden="true">
                { paths }
            </svg>
        </div>
    }
}
