//! Reminders (催报) and the chat group robots they are posted to.

pub mod hook;
pub mod list;
pub mod mine;
pub mod read;
pub mod send;
