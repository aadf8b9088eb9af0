//! onetable's application layer: the use cases every interface calls (the HTTP API, the CLI, the
//! web pages), and every policy — who may do what, what a viewer may see — in one place. It knows
//! nothing of HTTP: each use case takes an [`Actor`] and typed inputs, and answers typed outputs or
//! one [`Problem`].

pub mod accounts;
pub mod actor;
pub mod audit;
pub mod audit_archive;
mod cube_build;
pub mod cube_snapshots;
pub mod cubes;
pub mod dashboards;
pub mod deadlines;
pub mod demo;
pub mod entries;
pub mod group_commit;
pub mod imports;
pub mod input;
pub mod lake;
pub mod legacy;
pub mod metrics;
pub mod paging;
pub mod printed;
pub mod problem;
pub mod quality;
pub mod regions;
pub mod registers;
pub mod registry;
pub mod reminders;
pub mod reports;
pub mod runtime;
pub mod sharing;
pub mod subscriptions;
pub mod supplies;
pub mod text;
pub mod time;
pub mod uploads;

pub use actor::{Actor, Origin, SubjectKind};
pub use problem::{AppResult, Kind, Problem};
pub use runtime::App;
