//! The report writer's worker, as Trunk builds it (named in `index.html`): a
//! bundle of its own, fetched once a verdict is shown.

fn main() {
    linktriage_app::probes::writer_worker::start();
}
