//! The review workflow of one village's form for one period (填报审核): its states and the steps
//! between them, who may take each, and which need a comment. One table, used by every interface.

use crate::Role;

/// Where an entry is in review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, strum::EnumString, strum::AsRefStr, strum::Display)]
#[strum(serialize_all = "snake_case")]
pub enum EntryStatus {
    /// Being filled in (草稿); also the state of an entry not yet started.
    Draft,
    /// Waiting for the reviewer (已提交); locked.
    Submitted,
    /// Sent back to the clerk with a comment (已退回); editable.
    Returned,
    /// Accepted (已审核); locked until reopened.
    Approved,
}

impl EntryStatus {
    /// Whether values may be changed in this state.
    #[must_use]
    pub fn editable(self) -> bool {
        matches!(self, Self::Draft | Self::Returned)
    }

    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::Returned => "returned",
            Self::Approved => "approved",
        }
    }

    /// The Chinese word shown to people.
    #[must_use]
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::Draft => "草稿",
            Self::Submitted => "已提交",
            Self::Returned => "已退回",
            Self::Approved => "已审核",
        }
    }
}

/// One step of the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// `submit`, `approve`, `return`, `reopen`: recorded with the event.
    pub name: &'static str,
    /// The audit action, e.g. `entries.approve`.
    pub action: &'static str,
    /// Who may take it (within their scope).
    pub roles: &'static [Role],
    pub from: &'static [EntryStatus],
    pub to: EntryStatus,
    /// Returning and reopening must say why.
    pub needs_comment: bool,
}

impl Step {
    /// Whether an entry in `status` can take this step.
    #[must_use]
    pub fn starts_from(&self, status: EntryStatus) -> bool {
        self.from.contains(&status)
    }
}

/// The village's clerk submits a draft or returned form for review.
pub const SUBMIT: Step = Step {
    name: "submit",
    action: "entries.submit",
    roles: &[Role::Clerk],
    from: &[EntryStatus::Draft, EntryStatus::Returned],
    to: EntryStatus::Submitted,
    needs_comment: false,
};

/// A reviewer approves a submitted form; it is then locked.
pub const APPROVE: Step = Step {
    name: "approve",
    action: "entries.approve",
    roles: &[Role::Reviewer],
    from: &[EntryStatus::Submitted],
    to: EntryStatus::Approved,
    needs_comment: false,
};

/// A reviewer sends a submitted form back to the clerk, saying why.
pub const RETURN: Step = Step {
    name: "return",
    action: "entries.return",
    roles: &[Role::Reviewer],
    from: &[EntryStatus::Submitted],
    to: EntryStatus::Returned,
    needs_comment: true,
};

/// The clerk or a reviewer reopens an approved form (audited); it goes through review again.
pub const REOPEN: Step = Step {
    name: "reopen",
    action: "entries.reopen",
    roles: &[Role::Clerk, Role::Reviewer],
    from: &[EntryStatus::Approved],
    to: EntryStatus::Draft,
    needs_comment: true,
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_goes_round_and_locks_what_is_under_review() {
        assert!(SUBMIT.starts_from(EntryStatus::Returned) && !SUBMIT.starts_from(EntryStatus::Approved));
        assert_eq!(
            (APPROVE.to, RETURN.to, REOPEN.to),
            (EntryStatus::Approved, EntryStatus::Returned, EntryStatus::Draft)
        );
        assert!(!EntryStatus::Submitted.editable() && !EntryStatus::Approved.editable());
        assert_eq!("returned".parse::<EntryStatus>().ok(), Some(EntryStatus::Returned));
        assert_eq!(EntryStatus::Approved.as_ref(), "approved");
    }
}
