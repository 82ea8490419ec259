//! Hooks: where components start side effects.

mod use_checks;
mod use_code_in_address;
mod use_copy;
mod use_offline;
mod use_watch;
mod use_written_report;

pub use use_checks::use_checks;
pub use use_code_in_address::use_code_in_address;
pub use use_copy::use_copy;
pub use use_offline::use_offline;
pub use use_watch::{WatchHandle, WatchPhase, WatchRecord, use_watch};
pub use use_written_report::{SameBytes, Writing, use_written_report};
