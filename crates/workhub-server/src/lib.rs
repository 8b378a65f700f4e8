//! The `workhub` binary's library: command line, configuration and wiring. The integration
//! tests start the real server through [`serve::start`].

pub mod cli;
pub mod commands;
pub mod config;
mod outbound;
pub mod serve;
mod tls;
