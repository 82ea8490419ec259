//! Hooks: where components start side effects.

mod use_checks;
mod use_report_code;

pub use use_checks::use_checks;
pub use use_report_code::use_report_code;
