//! The crate's integration tests: the trait's contract on the reference `ExactIndex`, its
//! build hooks and snapshot, and the progress helper.

mod contract;
mod progress;
