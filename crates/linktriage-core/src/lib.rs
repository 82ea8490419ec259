//! The pure core of Link Triage: the configuration model, the results model,
//! statistics, and the report. It does no I/O and reads no clock: time and
//! measurements come in as data, so everything here is tested natively.

pub mod check;
pub mod codec;
pub mod config;
pub mod connections;
pub mod desk;
pub mod device;
pub mod interception;
pub mod loss;
pub mod patient;
pub mod payload;
pub mod plan;
pub mod qr;
pub mod redact;
pub mod report;
pub mod segment;
pub mod stats;
pub mod time;
pub mod verdict;
pub mod watch;
pub mod wire;
pub mod wording;
pub mod written;
