//! Identity: roles and their grants (with the five built-in roles), users, refresh tokens,
//! API tokens and server secrets.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Role {
    Table,
    Id,
    Name,
    NameKey,
    Description,
    BuiltIn,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum RoleGrant {
    Table,
    RoleId,
    Permission,
    Scope,
}

#[derive(DeriveIden)]
enum AppUser {
    Table,
    Id,
    Email,
    EmailKey,
    DisplayName,
    PasswordHash,
    RoleId,
    Active,
    LastLoginAt,
    CreatedAt,
    UpdatedAt,
    Version,
}

#[derive(DeriveIden)]
enum RefreshToken {
    Table,
    Id,
    UserId,
    FamilyId,
    TokenHash,
    ExpiresAt,
    UsedAt,
    RevokedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ApiToken {
    Table,
    Id,
    Name,
    Prefix,
    SecretHash,
    RoleId,
    CreatedById,
    ExpiresAt,
    RevokedAt,
    LastUsedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ServerSecret {
    Table,
    Name,
    Value,
    CreatedAt,
}

/// The permission catalog as it stood when this migration was written.
const CATALOG: &[&str] = &[
    "account.read",
    "account.create",
    "account.update",
    "account.delete",
    "stakeholder.read",
    "stakeholder.create",
    "stakeholder.update",
    "stakeholder.delete",
    "stakeholder.read_contact",
    "lead.qualify",
    "lead.accept",
    "lead.progress",
    "opportunity.read",
    "opportunity.create",
    "opportunity.update",
    "opportunity.delete",
    "opportunity.move_stage",
    "deal.manage",
    "content.read",
    "content.create",
    "content.update",
    "content.publish",
    "content.delete",
    "persona.manage",
    "engagement.read",
    "engagement.create",
    "feedback.create",
    "scoring.manage",
    "analytics.read",
    "user.manage",
    "role.manage",
    "token.manage",
    "audit.read",
];

const MARKETING: &[&str] = &[
    "account.read",
    "account.create",
    "account.update",
    "stakeholder.read",
    "stakeholder.create",
    "stakeholder.update",
    "stakeholder.read_contact",
    "lead.qualify",
    "opportunity.read",
    "content.read",
    "content.create",
    "content.update",
    "content.publish",
    "content.delete",
    "persona.manage",
    "engagement.read",
    "engagement.create",
    "scoring.manage",
    "analytics.read",
];

/// Sales grants at ALL; the OWN ones are listed apart.
const SALES_ALL: &[&str] = &[
    "account.read",
    "account.create",
    "account.update",
    "stakeholder.read",
    "stakeholder.create",
    "stakeholder.update",
    "stakeholder.read_contact",
    "lead.accept",
    "lead.progress",
    "opportunity.read",
    "opportunity.create",
    "content.read",
    "engagement.read",
    "engagement.create",
    "feedback.create",
    "analytics.read",
];
const SALES_OWN: &[&str] = &["opportunity.update", "opportunity.move_stage", "deal.manage"];
const MANAGER_EXTRA: &[&str] = &[
    "opportunity.update",
    "opportunity.move_stage",
    "opportunity.delete",
    "deal.manage",
];

const VIEWER: &[&str] = &[
    "account.read",
    "stakeholder.read",
    "opportunity.read",
    "content.read",
    "engagement.read",
    "audit.read",
    "analytics.read",
];

/// Fixed ids, so that later migrations and tests can name the built-in roles.
const ADMIN_ID: &str = "01935a00-0000-7000-8000-000000000001";
const MARKETING_ID: &str = "01935a00-0000-7000-8000-000000000002";
const SALES_ID: &str = "01935a00-0000-7000-8000-000000000003";
const SALES_MANAGER_ID: &str = "01935a00-0000-7000-8000-000000000004";
const VIEWER_ID: &str = "01935a00-0000-7000-8000-000000000005";

/// A built-in role: id, name, description and grants (permission, scope).
struct BuiltIn {
    id: &'static str,
    name: &'static str,
    description: &'static str,
    grants: Vec<(&'static str, &'static str)>,
}

fn built_in_roles() -> Vec<BuiltIn> {
    let all = |list: &[&'static str]| list.iter().map(|p| (*p, "ALL")).collect::<Vec<_>>();
    let mut sales = all(SALES_ALL);
    sales.extend(SALES_OWN.iter().map(|p| (*p, "OWN")));
    let mut manager = all(SALES_ALL);
    manager.extend(MANAGER_EXTRA.iter().map(|p| (*p, "ALL")));
    let role = |id, name, description, grants| BuiltIn {
        id,
        name,
        description,
        grants,
    };
    vec![
        role(
            ADMIN_ID,
            "admin",
            "Every permission on every record.",
            all(CATALOG),
        ),
        role(
            MARKETING_ID,
            "marketing",
            "Marketing: leads up to MQL, content, personas, scoring.",
            all(MARKETING),
        ),
        role(
            SALES_ID,
            "sales",
            "Sales: accepts and progresses leads; changes its own opportunities.",
            sales,
        ),
        role(
            SALES_MANAGER_ID,
            "sales_manager",
            "Sales with every opportunity and deal.",
            manager,
        ),
        role(
            VIEWER_ID,
            "viewer",
            "Reads everything but contact details: for integrators and BI.",
            all(VIEWER),
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Role::Table)
                    .col(pk_uuid(Role::Id))
                    .col(string_len(Role::Name, 100))
                    .col(string_len_uniq(Role::NameKey, 100))
                    .col(text_null(Role::Description))
                    .col(boolean(Role::BuiltIn).default(false))
                    .col(timestamp_with_time_zone(Role::CreatedAt))
                    .col(timestamp_with_time_zone(Role::UpdatedAt))
                    .col(integer(Role::Version).default(1))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RoleGrant::Table)
                    .col(uuid(RoleGrant::RoleId))
                    .col(string_len(RoleGrant::Permission, 64))
                    .col(string_len(RoleGrant::Scope, 8))
                    .primary_key(Index::create().col(RoleGrant::RoleId).col(RoleGrant::Permission))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RoleGrant::Table, RoleGrant::RoleId)
                            .to(Role::Table, Role::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AppUser::Table)
                    .col(pk_uuid(AppUser::Id))
                    .col(string_len(AppUser::Email, 320))
                    .col(string_len_uniq(AppUser::EmailKey, 320))
                    .col(string_len(AppUser::DisplayName, 200))
                    .col(string_len(AppUser::PasswordHash, 255))
                    .col(uuid(AppUser::RoleId))
                    .col(boolean(AppUser::Active).default(true))
                    .col(timestamp_with_time_zone_null(AppUser::LastLoginAt))
                    .col(timestamp_with_time_zone(AppUser::CreatedAt))
                    .col(timestamp_with_time_zone(AppUser::UpdatedAt))
                    .col(integer(AppUser::Version).default(1))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AppUser::Table, AppUser::RoleId)
                            .to(Role::Table, Role::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RefreshToken::Table)
                    .col(pk_uuid(RefreshToken::Id))
                    .col(uuid(RefreshToken::UserId))
                    .col(uuid(RefreshToken::FamilyId))
                    .col(string_len_uniq(RefreshToken::TokenHash, 64))
                    .col(timestamp_with_time_zone(RefreshToken::ExpiresAt))
                    .col(timestamp_with_time_zone_null(RefreshToken::UsedAt))
                    .col(timestamp_with_time_zone_null(RefreshToken::RevokedAt))
                    .col(timestamp_with_time_zone(RefreshToken::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RefreshToken::Table, RefreshToken::UserId)
                            .to(AppUser::Table, AppUser::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ApiToken::Table)
                    .col(pk_uuid(ApiToken::Id))
                    .col(string_len(ApiToken::Name, 200))
                    .col(string_len_uniq(ApiToken::Prefix, 32))
                    .col(string_len(ApiToken::SecretHash, 64))
                    .col(uuid(ApiToken::RoleId))
                    .col(uuid_null(ApiToken::CreatedById))
                    .col(timestamp_with_time_zone_null(ApiToken::ExpiresAt))
                    .col(timestamp_with_time_zone_null(ApiToken::RevokedAt))
                    .col(timestamp_with_time_zone_null(ApiToken::LastUsedAt))
                    .col(timestamp_with_time_zone(ApiToken::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApiToken::Table, ApiToken::RoleId)
                            .to(Role::Table, Role::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(ApiToken::Table, ApiToken::CreatedById)
                            .to(AppUser::Table, AppUser::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ServerSecret::Table)
                    .col(string_len(ServerSecret::Name, 64).primary_key())
                    .col(text(ServerSecret::Value))
                    .col(timestamp_with_time_zone(ServerSecret::CreatedAt))
                    .to_owned(),
            )
            .await?;
        for (name, table, cols) in [
            (
                "ix_app_user_role_id",
                AppUser::Table.into_iden(),
                vec![AppUser::RoleId.into_iden()],
            ),
            (
                "ix_app_user_created_at_id",
                AppUser::Table.into_iden(),
                vec![AppUser::CreatedAt.into_iden(), AppUser::Id.into_iden()],
            ),
            (
                "ix_refresh_token_user_id",
                RefreshToken::Table.into_iden(),
                vec![RefreshToken::UserId.into_iden()],
            ),
            (
                "ix_refresh_token_family_id",
                RefreshToken::Table.into_iden(),
                vec![RefreshToken::FamilyId.into_iden()],
            ),
            (
                "ix_api_token_role_id",
                ApiToken::Table.into_iden(),
                vec![ApiToken::RoleId.into_iden()],
            ),
            (
                "ix_api_token_created_by_id",
                ApiToken::Table.into_iden(),
                vec![ApiToken::CreatedById.into_iden()],
            ),
            (
                "ix_api_token_created_at_id",
                ApiToken::Table.into_iden(),
                vec![ApiToken::CreatedAt.into_iden(), ApiToken::Id.into_iden()],
            ),
            (
                "ix_role_created_at_id",
                Role::Table.into_iden(),
                vec![Role::CreatedAt.into_iden(), Role::Id.into_iden()],
            ),
        ] {
            let mut index = Index::create().name(name).table(table).to_owned();
            for col in cols {
                index.col(col);
            }
            manager.create_index(index).await?;
        }

        let now = Expr::current_timestamp();
        for BuiltIn {
            id,
            name,
            description,
            grants,
        } in built_in_roles()
        {
            let id = uuid_value(id)?;
            manager
                .exec_stmt(
                    Query::insert()
                        .into_table(Role::Table)
                        .columns([
                            Role::Id,
                            Role::Name,
                            Role::NameKey,
                            Role::Description,
                            Role::BuiltIn,
                            Role::CreatedAt,
                            Role::UpdatedAt,
                            Role::Version,
                        ])
                        .values_panic([
                            id.into(),
                            name.into(),
                            name.into(),
                            description.into(),
                            true.into(),
                            now.clone(),
                            now.clone(),
                            1.into(),
                        ])
                        .to_owned(),
                )
                .await?;
            let mut insert = Query::insert()
                .into_table(RoleGrant::Table)
                .columns([RoleGrant::RoleId, RoleGrant::Permission, RoleGrant::Scope])
                .to_owned();
            for (permission, scope) in grants {
                insert.values_panic([id.into(), permission.into(), scope.into()]);
            }
            manager.exec_stmt(insert).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ServerSecret::Table.into_iden(),
            ApiToken::Table.into_iden(),
            RefreshToken::Table.into_iden(),
            AppUser::Table.into_iden(),
            RoleGrant::Table.into_iden(),
            Role::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

fn uuid_value(s: &str) -> Result<sea_orm::prelude::Uuid, DbErr> {
    sea_orm::prelude::Uuid::parse_str(s).map_err(|e| DbErr::Custom(format!("bad built-in id {s}: {e}")))
}
