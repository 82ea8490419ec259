//! Hooks: where components start side effects.

mod use_checks;

pub use use_checks::use_checks;
