//! The transport: axum routes, the per-request span and id, health and metrics.

pub mod budget;
mod graphql;
mod negotiate;
pub mod serve;

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use axum::{
    Router,
    extract::{Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use sea_orm::DatabaseConnection;
use serde_json::json;
use tracing::{Instrument, field::Empty};
use uuid::Uuid;

use crate::{config::Settings, error::ErrorCode, graphql::Schemas, metrics::Metrics, service::auth::Auth};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub db: DatabaseConnection,
    pub schema: Schemas,
    pub metrics: Arc<Metrics>,
    pub auth: Arc<Auth>,
    /// Query-cost budgets per principal.
    pub budgets: Arc<budget::Budgets>,
}

/// The id of one HTTP request: in its log lines, its `x-request-id` header and the
/// `extensions.requestId` of an internal error.
#[derive(Clone, Debug)]
pub struct RequestId(pub Uuid);

/// The routes of the server.
pub fn router(state: AppState) -> Router {
    let deadline = Duration::from_millis(state.settings.timeouts.request_ms);
    Router::new()
        .route(
            "/graphql",
            get(graphql::get)
                .post(graphql::post)
                .layer(middleware::from_fn_with_state(deadline, within_deadline)),
        )
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .fallback(not_found)
        .layer(middleware::from_fn(trace_request))
        .with_state(state)
}

/// One span per request with its id, operation and outcome. The id is always minted here: an
/// incoming header could be forged to pollute or forge log lines.
async fn trace_request(mut req: Request, next: Next) -> Response {
    let id = Uuid::now_v7();
    req.extensions_mut().insert(RequestId(id));
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        path = %req.uri().path(),
        operation_name = Empty,
        operation_type = Empty,
        status = Empty,
        duration_ms = Empty,
    );
    let started = Instant::now();
    let mut response = next.run(req).instrument(span.clone()).await;
    let status = response.status().as_u16();
    span.record("status", status);
    span.record("duration_ms", started.elapsed().as_secs_f64() * 1000.0);
    span.in_scope(|| tracing::info!("request finished"));
    if let Ok(value) = HeaderValue::from_str(&id.to_string()) {
        response.headers_mut().insert("x-request-id", value);
    }
    response
}

/// Gives up a GraphQL request that takes longer than `TRAPEZE_REQUEST_TIMEOUT_MS`, reading its
/// body included (a client trickling a body holds nothing longer). Dropping the handler drops
/// its transaction, which rolls back: a write either committed whole before the deadline or left
/// nothing. On PostgreSQL the same limit is each statement's `statement_timeout`, so the
/// database stops the query too.
async fn within_deadline(State(deadline): State<Duration>, req: Request, next: Next) -> Response {
    match tokio::time::timeout(deadline, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            let ms = deadline.as_millis();
            tracing::warn!(timeout_ms = %ms, "request timed out");
            let body = json!({ "errors": [{
                "message": format!("The request took longer than the server's limit of {ms} ms and was cancelled; a write it made either committed whole before the limit or was rolled back."),
                "extensions": { "code": ErrorCode::Throttled.as_str(), "timeoutMs": ms },
            }] });
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [
                    (header::CONTENT_TYPE, "application/json; charset=utf-8"),
                    (header::RETRY_AFTER, "1"),
                ],
                body.to_string(),
            )
                .into_response()
        }
    }
}

/// Alive: the process answers.
async fn healthz() -> impl IntoResponse {
    axum::Json(json!({ "status": "ok" }))
}

/// Ready: the database answers too.
async fn readyz(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => axum::Json(json!({ "status": "ok" })).into_response(),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check failed: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(json!({ "status": "database unreachable" })),
            )
                .into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        state.metrics.render(),
    )
}

async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(
            json!({ "errors": [{ "message": "no such route", "extensions": { "code": "NOT_FOUND" } }] }),
        ),
    )
        .into_response()
}
