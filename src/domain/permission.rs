//! The permission catalog: every permission a role can grant, with what it allows.

use std::fmt;

/// How far a grant reaches: every record, or the records the caller owns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    All,
    Own,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "ALL",
            Self::Own => "OWN",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ALL" => Some(Self::All),
            "OWN" => Some(Self::Own),
            _ => None,
        }
    }
}

macro_rules! catalog {
    ($($variant:ident => $name:literal, $description:literal;)+) => {
        /// A permission of the catalog.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Permission {
            $($variant,)+
        }

        impl Permission {
            /// Every permission, in catalog order.
            pub const ALL: &'static [Permission] = &[$(Permission::$variant,)+];

            /// The name used in grants and the API (`account.read`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Permission::$variant => $name,)+
                }
            }

            pub fn description(self) -> &'static str {
                match self {
                    $(Permission::$variant => $description,)+
                }
            }

            pub fn parse(name: &str) -> Option<Self> {
                match name {
                    $($name => Some(Permission::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

catalog! {
    AccountRead => "account.read", "Read accounts.";
    AccountCreate => "account.create", "Create accounts.";
    AccountUpdate => "account.update", "Change accounts.";
    AccountDelete => "account.delete", "Archive accounts.";
    StakeholderRead => "stakeholder.read", "Read stakeholders (without contact details).";
    StakeholderCreate => "stakeholder.create", "Create stakeholders.";
    StakeholderUpdate => "stakeholder.update", "Change stakeholders.";
    StakeholderDelete => "stakeholder.delete", "Archive stakeholders.";
    StakeholderReadContact => "stakeholder.read_contact", "Read stakeholders' email and phone.";
    LeadQualify => "lead.qualify", "Marketing moves: INQUIRY -> MQL, NURTURE -> MQL, INQUIRY -> NURTURE.";
    LeadAccept => "lead.accept", "Sales accepts (MQL -> SAL) or rejects (MQL -> NURTURE) a lead.";
    LeadProgress => "lead.progress", "Sales moves: SAL -> SQL, back to NURTURE, disqualify, reopen.";
    OpportunityRead => "opportunity.read", "Read opportunities.";
    OpportunityCreate => "opportunity.create", "Create opportunities.";
    OpportunityUpdate => "opportunity.update", "Change opportunities.";
    OpportunityDelete => "opportunity.delete", "Archive opportunities.";
    OpportunityMoveStage => "opportunity.move_stage", "Move opportunities through the pipeline.";
    DealManage => "deal.manage", "Manage deal participants, their buying stages and deal risks.";
    ContentRead => "content.read", "Read content.";
    ContentCreate => "content.create", "Create content.";
    ContentUpdate => "content.update", "Change content.";
    ContentPublish => "content.publish", "Publish content.";
    ContentDelete => "content.delete", "Archive content.";
    PersonaManage => "persona.manage", "Create and change personas.";
    EngagementRead => "engagement.read", "Read engagements.";
    EngagementCreate => "engagement.create", "Record engagements and share content.";
    FeedbackCreate => "feedback.create", "Rate leads.";
    ScoringManage => "scoring.manage", "Manage scoring rules and settings.";
    AnalyticsRead => "analytics.read", "Read funnel and pipeline analytics.";
    UserManage => "user.manage", "Create, change and deactivate users.";
    RoleManage => "role.manage", "Create, change and delete roles.";
    TokenManage => "token.manage", "Create and revoke API tokens.";
    AuditRead => "audit.read", "Read the audit log.";
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_permission_round_trips_through_its_name() {
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.as_str()), Some(*p));
        }
        assert_eq!(Permission::ALL.len(), 33);
    }

    #[test]
    fn an_unknown_name_is_no_permission() {
        assert_eq!(Permission::parse("account.destroy"), None);
    }
}
