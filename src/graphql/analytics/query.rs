//! The four report queries: arguments to the service, figures to the types.

use async_graphql::{Context, Object};

use super::{
    inputs::{
        DealFunnelGroupBy, DealFunnelInput, HandoffGroupBy, HandoffPerformanceInput, LeadFunnelInput,
        LeadSourceQualityInput,
    },
    types::{DealFunnel, HandoffGroup, LeadFunnel, LeadSourceQuality},
};
use crate::{
    domain::analytics::{FunnelUnit, LeadGroupBy},
    graphql::{db, node::NodeKind, principal},
    service::analytics::{self as service, Window},
};

#[derive(Default)]
pub struct AnalyticsQuery;

#[Object]
impl AnalyticsQuery {
    /// The demand waterfall for `[from, to)` as of `asOf`, per lead or per buying group
    /// (`analytics.read`; at OWN only the leads you own or market to).
    async fn lead_funnel(
        &self,
        ctx: &Context<'_>,
        input: LeadFunnelInput,
    ) -> async_graphql::Result<LeadFunnel> {
        let window = input.window();
        let unit: FunnelUnit = input.unit.map_or(FunnelUnit::Lead, Into::into);
        let group_by: LeadGroupBy = input.group_by.map_or(LeadGroupBy::None, Into::into);
        let kind = match group_by {
            LeadGroupBy::Persona => NodeKind::Persona,
            _ => NodeKind::User,
        };
        let filter = input.filter.unwrap_or_default().into();
        let funnel =
            service::lead_funnel::lead_funnel(db(ctx)?, principal(ctx)?, window, unit, group_by, filter)
                .await?;
        Ok(LeadFunnel::new(funnel, kind))
    }

    /// The opportunity pipeline for `[from, to)` as of `asOf`, money per currency
    /// (`analytics.read`; at OWN only your deals).
    async fn deal_funnel(
        &self,
        ctx: &Context<'_>,
        input: DealFunnelInput,
    ) -> async_graphql::Result<DealFunnel> {
        let window = Window {
            from: input.from,
            to: input.to,
            as_of: input.as_of,
        };
        let group_by = input.group_by.unwrap_or(DealFunnelGroupBy::None).into();
        let filter = input.filter.unwrap_or_default().into();
        let funnel =
            service::deal_funnel::deal_funnel(db(ctx)?, principal(ctx)?, window, group_by, filter).await?;
        Ok(DealFunnel::new(funnel, NodeKind::User))
    }

    /// For each lead source: the leads it brought in the period and what became of them, the
    /// feedback sales gave and the money won (`analytics.read`).
    async fn lead_source_quality(
        &self,
        ctx: &Context<'_>,
        input: LeadSourceQualityInput,
    ) -> async_graphql::Result<Vec<LeadSourceQuality>> {
        let window = Window {
            from: input.from,
            to: input.to,
            as_of: input.as_of,
        };
        let rows = service::source_quality::source_quality(db(ctx)?, principal(ctx)?, window).await?;
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Every MQL handed to sales in the period: accepted in time, late, rejected, still open
    /// (`analytics.read`).
    async fn handoff_performance(
        &self,
        ctx: &Context<'_>,
        input: HandoffPerformanceInput,
    ) -> async_graphql::Result<Vec<HandoffGroup>> {
        let window = Window {
            from: input.from,
            to: input.to,
            as_of: input.as_of,
        };
        let group_by = input.group_by.unwrap_or(HandoffGroupBy::None).into();
        let groups =
            service::handoff::handoff_performance(db(ctx)?, principal(ctx)?, window, group_by).await?;
        Ok(groups.into_iter().map(Into::into).collect())
    }
}
