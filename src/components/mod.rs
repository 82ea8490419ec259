//! Small function components, each with its own `Props`.

mod copy_button;
mod progress;
mod report_view;

pub use copy_button::CopyButton;
pub use progress::Progress;
pub use report_view::ReportView;
