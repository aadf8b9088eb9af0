//! Department systems' credentials (部门系统凭据): seen by their department and admins in scope; a
//! new secret is asked, approved, then collected once.

pub mod list;
pub mod rotation;
