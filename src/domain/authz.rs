//! The rulebook: every permission decision of trapeze is made here, by `authorize`.
//!
//! A principal carries the grants of its one role, loaded once per request. A grant at scope
//! ALL allows the action on every record; at OWN only on records whose owners include the caller.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::permission::{Permission, Scope};

/// Who is calling: a user (with a JWT) or an integrator (with an API token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub actor: Actor,
    pub role_id: Uuid,
    pub grants: BTreeMap<Permission, Scope>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    User(Uuid),
    ApiToken(Uuid),
}

/// What an action is done to, as far as permissions care.
#[derive(Debug, Clone, Copy)]
pub enum Resource<'a> {
    /// No particular record: creating, listing, reference data, administration.
    Any,
    /// A record and the users who own it (`owner`, `marketingOwner`).
    Owned(&'a [Option<Uuid>]),
}

/// Why the rulebook said no.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Denied {
    pub permission: Permission,
}

impl Principal {
    pub fn user_id(&self) -> Option<Uuid> {
        match self.actor {
            Actor::User(id) => Some(id),
            Actor::ApiToken(_) => None,
        }
    }

    /// The scope of one permission, if granted at all.
    pub fn scope(&self, permission: Permission) -> Option<Scope> {
        self.grants.get(&permission).copied()
    }
}

/// Decides whether `principal` may use `permission` on `resource`.
///
/// For `Resource::Any` an OWN grant suffices (creating a record one will own, or listing where
/// the finder narrows the rows to one's own); for an owned record OWN needs the caller among
/// its owners. An API token owns nothing.
pub fn authorize(
    principal: &Principal,
    permission: Permission,
    resource: Resource<'_>,
) -> Result<(), Denied> {
    let denied = Denied { permission };
    match (principal.scope(permission), resource) {
        (None, _) => Err(denied),
        (Some(Scope::All), _) | (Some(Scope::Own), Resource::Any) => Ok(()),
        (Some(Scope::Own), Resource::Owned(owners)) => match principal.user_id() {
            Some(me) if owners.iter().flatten().any(|owner| *owner == me) => Ok(()),
            _ => Err(denied),
        },
    }
}

/// Whether `principal` may reopen a closed deal (or turn won into lost and back): only with
/// `opportunity.update` over every deal, whatever they may do to their own.
pub fn authorize_reopen(principal: &Principal) -> Result<(), Denied> {
    match principal.scope(Permission::OpportunityUpdate) {
        Some(Scope::All) => Ok(()),
        _ => Err(Denied {
            permission: Permission::OpportunityUpdate,
        }),
    }
}

/// Which rows of a list the caller may see, for the finders to turn into SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    All,
    /// Rows whose owners include this user.
    OwnedBy(uuid::Uuid),
    /// An OWN grant held by an API token, which owns nothing.
    Nothing,
}

/// The rows `permission` lets the caller see; FORBIDDEN without the permission at all.
pub fn visibility(principal: &Principal, permission: Permission) -> Result<Visibility, Denied> {
    match (principal.scope(permission), principal.user_id()) {
        (None, _) => Err(Denied { permission }),
        (Some(Scope::All), _) => Ok(Visibility::All),
        (Some(Scope::Own), Some(me)) => Ok(Visibility::OwnedBy(me)),
        (Some(Scope::Own), None) => Ok(Visibility::Nothing),
    }
}

/// Allows the action when any of `permissions` is granted (at any scope).
pub fn authorize_any(principal: &Principal, permissions: &[Permission]) -> Result<(), Denied> {
    match permissions.iter().find(|p| principal.scope(**p).is_some()) {
        Some(_) => Ok(()),
        None => Err(Denied {
            permission: permissions.first().copied().unwrap_or(Permission::RoleManage),
        }),
    }
}

/// Roles are read by whoever assigns them: role, user and token managers.
pub fn authorize_role_read(principal: &Principal) -> Result<(), Denied> {
    authorize_any(
        principal,
        &[
            Permission::RoleManage,
            Permission::UserManage,
            Permission::TokenManage,
        ],
    )
}

/// A user is read by user managers, and by the user themself.
pub fn authorize_user_read(principal: &Principal, user_id: uuid::Uuid) -> Result<(), Denied> {
    if principal.user_id() == Some(user_id) {
        return Ok(());
    }
    authorize(principal, Permission::UserManage, Resource::Any)
}

/// Nobody hands out more than they hold: a role given to a user or an API token must grant
/// nothing the caller lacks (no permission, and no ALL where the caller has OWN).
pub fn authorize_role_assignment(
    principal: &Principal,
    role_grants: &BTreeMap<Permission, Scope>,
) -> Result<(), Denied> {
    for (permission, scope) in role_grants {
        match principal.scope(*permission) {
            Some(Scope::All) => {}
            Some(Scope::Own) if *scope == Scope::Own => {}
            _ => {
                return Err(Denied {
                    permission: *permission,
                });
            }
        }
    }
    Ok(())
}

/// Reference data (personas, the permission catalog) is readable by every authenticated caller.
pub fn authorize_reference_read(_principal: &Principal) -> Result<(), Denied> {
    Ok(())
}

/// Introspection under the `admin` policy: callers who may manage roles see the schema.
pub fn may_introspect_as_admin(principal: &Principal) -> bool {
    principal.scope(Permission::RoleManage).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(grants: &[(Permission, Scope)]) -> Principal {
        Principal {
            actor: Actor::User(Uuid::from_u128(1)),
            role_id: Uuid::from_u128(9),
            grants: grants.iter().copied().collect(),
        }
    }

    #[test]
    fn visibility_follows_the_scope_of_the_grant() {
        let all = principal(&[(Permission::AccountRead, Scope::All)]);
        let own = principal(&[(Permission::AccountRead, Scope::Own)]);
        assert_eq!(visibility(&all, Permission::AccountRead), Ok(Visibility::All));
        assert_eq!(
            visibility(&own, Permission::AccountRead),
            Ok(Visibility::OwnedBy(Uuid::from_u128(1)))
        );
        assert!(visibility(&principal(&[]), Permission::AccountRead).is_err());
        let mut token = own.clone();
        token.actor = Actor::ApiToken(Uuid::from_u128(5));
        assert_eq!(
            visibility(&token, Permission::AccountRead),
            Ok(Visibility::Nothing)
        );
    }

    #[test]
    fn a_missing_grant_is_denied() {
        let p = principal(&[]);
        assert!(authorize(&p, Permission::AccountRead, Resource::Any).is_err());
    }

    #[test]
    fn an_all_grant_allows_any_record() {
        let p = principal(&[(Permission::OpportunityUpdate, Scope::All)]);
        assert!(
            authorize(
                &p,
                Permission::OpportunityUpdate,
                Resource::Owned(&[Some(Uuid::from_u128(2))])
            )
            .is_ok()
        );
    }

    #[test]
    fn an_own_grant_allows_only_owned_records() {
        let p = principal(&[(Permission::OpportunityUpdate, Scope::Own)]);
        let mine = [Some(Uuid::from_u128(1))];
        let theirs = [Some(Uuid::from_u128(2)), None];
        assert!(authorize(&p, Permission::OpportunityUpdate, Resource::Owned(&mine)).is_ok());
        assert!(authorize(&p, Permission::OpportunityUpdate, Resource::Owned(&theirs)).is_err());
        assert!(authorize(&p, Permission::OpportunityUpdate, Resource::Any).is_ok());
    }

    #[test]
    fn a_marketing_owner_counts_as_an_owner() {
        let p = principal(&[(Permission::StakeholderUpdate, Scope::Own)]);
        let owners = [Some(Uuid::from_u128(2)), Some(Uuid::from_u128(1))];
        assert!(authorize(&p, Permission::StakeholderUpdate, Resource::Owned(&owners)).is_ok());
    }

    #[test]
    fn an_api_token_owns_nothing() {
        let mut p = principal(&[(Permission::OpportunityUpdate, Scope::Own)]);
        p.actor = Actor::ApiToken(Uuid::from_u128(1));
        assert!(
            authorize(
                &p,
                Permission::OpportunityUpdate,
                Resource::Owned(&[Some(Uuid::from_u128(1))])
            )
            .is_err()
        );
    }

    #[test]
    fn a_role_granting_more_than_the_caller_holds_cannot_be_assigned() {
        let p = principal(&[
            (Permission::TokenManage, Scope::All),
            (Permission::AccountRead, Scope::Own),
        ]);
        let viewer: BTreeMap<_, _> = [(Permission::AccountRead, Scope::Own)].into_iter().collect();
        let wider: BTreeMap<_, _> = [(Permission::AccountRead, Scope::All)].into_iter().collect();
        let other: BTreeMap<_, _> = [(Permission::RoleManage, Scope::All)].into_iter().collect();
        assert!(authorize_role_assignment(&p, &viewer).is_ok());
        assert!(authorize_role_assignment(&p, &wider).is_err());
        assert!(authorize_role_assignment(&p, &other).is_err());
    }

    #[test]
    fn a_user_may_read_themself_without_user_manage() {
        let p = principal(&[]);
        assert!(authorize_user_read(&p, Uuid::from_u128(1)).is_ok());
        assert!(authorize_user_read(&p, Uuid::from_u128(2)).is_err());
    }

    #[test]
    fn only_role_managers_may_introspect_as_admin() {
        assert!(may_introspect_as_admin(&principal(&[(
            Permission::RoleManage,
            Scope::All
        )])));
        assert!(!may_introspect_as_admin(&principal(&[(
            Permission::UserManage,
            Scope::All
        )])));
    }

    #[test]
    fn only_opportunity_update_over_every_deal_reopens_one() {
        assert!(authorize_reopen(&principal(&[(Permission::OpportunityUpdate, Scope::All)])).is_ok());
        assert!(authorize_reopen(&principal(&[(Permission::OpportunityUpdate, Scope::Own)])).is_err());
        assert!(authorize_reopen(&principal(&[(Permission::OpportunityMoveStage, Scope::All)])).is_err());
    }
}
