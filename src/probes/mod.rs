//! Every call into browser APIs that measures, fetches or stores: the app's
//! side effects live here and nowhere else. Each function returns plain data
//! from the core's model, so components never touch `web_sys` for measuring.

pub mod agent;
pub mod clipboard;
pub mod config;
pub mod connections;
pub mod device;
pub mod http;
pub mod location;
pub mod loss;
pub mod offline;
pub mod page;
pub mod reach;
pub mod report_panel;
pub mod round_trips;
pub mod save;
pub mod throughput;
pub mod timers;
pub mod watch;
pub mod watch_store;
pub mod watch_worker;
pub mod websocket;
pub mod whoami;
pub mod writer;
pub mod writer_worker;
