//! Small function components, each with its own `Props`.

mod copy_button;
mod offline_note;
mod progress;
mod report_view;
mod share_panel;
mod shared_report;
mod site_form;
mod timeline;
mod verdict_view;
mod watch_link;
mod watch_report;
mod watch_view;

pub use copy_button::CopyButton;
pub use offline_note::OfflineNote;
pub use progress::Progress;
pub use report_view::{FullSpeed, ReportView};
pub use share_panel::SharePanel;
pub use shared_report::{CopyReport, RETRY_MS, SharedReport};
pub use site_form::SiteForm;
pub use timeline::{loss_band, round_trip_band, timeline_figure};
pub use verdict_view::VerdictView;
pub use watch_link::WatchLink;
pub use watch_report::WatchReport;
pub use watch_view::WatchView;
