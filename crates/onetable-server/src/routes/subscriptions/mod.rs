//! Pushes to department systems (订阅推送) over HTTP: a department subscribes an approved data
//! request to its endpoint, reads the delivery log and replays what it missed.

pub mod events;
pub mod manage;
