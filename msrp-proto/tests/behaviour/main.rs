//! The connection's behaviours, each tested in simulated time with
//! `msrp_proto::testing` (two peers in memory, a clock that moves only when told, a
//! middlebox in each direction), or with raw chunks written at one peer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod backpressure;
mod chunk_sizes;
mod fairness;
mod in_place;
mod interrupt;
mod lifecycle;
mod outcomes;
mod reassembly;
mod refusals;
#[cfg(feature = "auth")]
mod relay;
mod reports;
mod terminal_events;
mod time;
mod util;
mod vectored;
