//! Who acts (操作者): a person or a department system, with the role and region scope its account
//! has now. Every use case takes one; the interfaces build it (the API from a verified token, the
//! CLI as the operator).

use onetable_core::{RegionCode, Role, Scope};
use onetable_store::audit::NewAuditEvent;
use serde::{Deserialize, Serialize};

use crate::problem::{AppResult, Problem};

/// Whose account: a person's or a department system's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    User,
    Client,
    /// The operator at the command line (`Actor::operator`): never holds a token.
    Operator,
}

/// Where a request came from, for the audit trail.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub request_id: Option<String>,
    pub client_addr: Option<String>,
}

/// An authenticated actor.
#[derive(Debug, Clone)]
pub struct Actor {
    /// Username or client id.
    pub subject: String,
    pub kind: SubjectKind,
    pub role: Role,
    pub scope: Scope,
    pub department: Option<String>,
    pub origin: Origin,
}

/// The 404 for a region that does not exist, or that the actor must not learn exists.
#[must_use]
pub fn region_not_found(code: RegionCode) -> Problem {
    Problem::not_found("region_not_found", format!("区划 {code} 不存在"))
}

impl Actor {
    /// Whether `code` is inside the actor's region scope.
    #[must_use]
    pub fn reaches(&self, code: RegionCode) -> bool {
        self.scope.contains(code)
    }

    /// 403 unless the actor has one of `roles`.
    ///
    /// # Errors
    /// When the role is not among them.
    pub fn require_role(&self, roles: &[Role]) -> AppResult<()> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(Problem::forbidden("forbidden", format!("{}无权执行此操作", self.role.label_zh())))
        }
    }

    /// Reading outside the scope is a 404: the actor must not learn the region exists.
    ///
    /// # Errors
    /// When `code` is outside the scope.
    pub fn require_read(&self, code: RegionCode) -> AppResult<()> {
        if self.reaches(code) {
            Ok(())
        } else {
            Err(region_not_found(code))
        }
    }

    /// Writing outside the scope is a 403.
    ///
    /// # Errors
    /// When `code` is outside the scope.
    pub fn require_write(&self, code: RegionCode) -> AppResult<()> {
        if self.reaches(code) {
            Ok(())
        } else {
            Err(Problem::forbidden("out_of_scope", format!("区划 {code} 不在您的管辖范围内")))
        }
    }

    /// An audit event by this actor.
    #[must_use]
    pub fn event(&self, action: &str, target: Option<String>, outcome: &str) -> NewAuditEvent {
        NewAuditEvent {
            occurred_at: chrono::Utc::now().naive_utc(),
            actor: Some(self.subject.clone()),
            role: Some(if self.kind == SubjectKind::Operator { "operator" } else { self.role.as_str() }.to_owned()),
            action: action.to_owned(),
            target,
            outcome: outcome.to_owned(),
            request_id: self.origin.request_id.clone(),
            client_addr: self.origin.client_addr.clone(),
            detail: None,
        }
    }
}
