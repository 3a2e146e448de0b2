//! GraphQL over HTTP, done by hand in front of `schema.execute`.
//!
//! The stock integration ignores `Accept`, runs POSTs of any content type (a CSRF hole), runs
//! mutations over GET and batches of any size, and answers request errors with 200 and
//! `"data": null`. Here each request goes through: content type -> size -> JSON -> document ->
//! operation -> limits -> execution, and each refusal answers with the status the
//! GraphQL-over-HTTP spec asks for and an `extensions.code`.

use std::{net::IpAddr, time::Instant};

use async_graphql::{ServerError, Variables, parser::parse_query};
use axum::{
    body::Body,
    extract::{RawQuery, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Response},
};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    AppState, RequestId,
    budget::Spender,
    negotiate::{self, ResponseType},
    serve::ClientAddr,
};
use crate::{
    config::{Environment, IntrospectionPolicy},
    domain::{
        authz::{self, Principal},
        budget::{Spent, Status},
        throttle,
    },
    error::{AppError, ErrorCode},
    graphql::{
        ClientIp, cost, directives, document,
        error::{INTERNAL_MESSAGE, InternalCause, RETRY_AFTER, coded},
        fragments,
        guardrails::{self, with_code},
        loader::Loaders,
        response_order,
    },
    metrics::OperationType,
    service,
};

/// The parameters of one GraphQL request, from a JSON body or a query string.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Params {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<Value>,
    extensions: Option<Value>,
}

/// A refusal before any GraphQL ran: an HTTP status and a JSON error body.
fn refuse(status: StatusCode, code: ErrorCode, message: &str) -> Response {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code.as_str() } }] });
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

pub async fn post(
    State(state): State<AppState>,
    axum::Extension(request_id): axum::Extension<RequestId>,
    client: Option<axum::Extension<ClientAddr>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let client = client.map(|c| c.0.0.ip());
    if !negotiate::is_json_body(&headers) {
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::BadUserInput,
            "POST bodies must be application/json (UTF-8)",
        );
    }
    let Some(response_type) = negotiate::response_type(&headers) else {
        return not_acceptable();
    };
    let limit = state.settings.limits.max_body_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return too_large(limit);
    }
    let bytes = match read_body(body, limit).await {
        Ok(bytes) => bytes,
        Err(BodyError::TooLarge) => return too_large(limit),
        Err(BodyError::Read) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadUserInput,
                "the request body could not be read",
            );
        }
    };
    let value: Value = match serde_json::from_slice(&bytes) {
        Ok(v) => v,
        Err(_) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadUserInput,
                "the request body is not valid JSON",
            );
        }
    };
    if value.is_array() {
        return refuse(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadUserInput,
            "batched requests (JSON arrays) are not supported: send one request per POST",
        );
    }
    let params = match serde_json::from_value::<Params>(value) {
        Ok(p) => p,
        Err(_) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadUserInput,
                "the body must be an object with a string `query`, an optional string `operationName` and optional objects `variables` and `extensions`",
            );
        }
    };
    let call = Call {
        request_id,
        client,
        method: Method::Post,
        response_type,
    };
    execute(&state, &headers, params, call).await
}

pub async fn get(
    State(state): State<AppState>,
    axum::Extension(request_id): axum::Extension<RequestId>,
    client: Option<axum::Extension<ClientAddr>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let client = client.map(|c| c.0.0.ip());
    let raw = query.unwrap_or_default();
    if raw.is_empty() && negotiate::wants_html(&headers) {
        return match state.settings.env {
            Environment::Development => graphiql(),
            // Production serves no page that runs code in a browser.
            Environment::Production => refuse(
                StatusCode::NOT_FOUND,
                ErrorCode::NotFound,
                "GraphiQL is only served in development",
            ),
        };
    }
    let Some(response_type) = negotiate::response_type(&headers) else {
        return not_acceptable();
    };
    let pairs: Vec<(String, String)> = match serde_urlencoded::from_str(&raw) {
        Ok(pairs) => pairs,
        Err(_) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadUserInput,
                "the query string is malformed",
            );
        }
    };
    let mut params = Params {
        query: None,
        operation_name: None,
        variables: None,
        extensions: None,
    };
    for (key, value) in pairs {
        let json_param = |v: &str| serde_json::from_str::<Value>(v).ok();
        match key.as_str() {
            "query" => params.query = Some(value),
            "operationName" => params.operation_name = Some(value),
            "variables" => match json_param(&value) {
                Some(v) => params.variables = Some(v),
                None => {
                    return refuse(
                        StatusCode::BAD_REQUEST,
                        ErrorCode::BadUserInput,
                        "`variables` is not valid JSON",
                    );
                }
            },
            "extensions" => match json_param(&value) {
                Some(v) => params.extensions = Some(v),
                None => {
                    return refuse(
                        StatusCode::BAD_REQUEST,
                        ErrorCode::BadUserInput,
                        "`extensions` is not valid JSON",
                    );
                }
            },
            _ => {}
        }
    }
    let call = Call {
        request_id,
        client,
        method: Method::Get,
        response_type,
    };
    execute(&state, &headers, params, call).await
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Post,
}

/// Who sent a request and how: what the transport knows beside the parameters.
struct Call {
    request_id: RequestId,
    client: Option<IpAddr>,
    method: Method,
    response_type: ResponseType,
}

async fn execute(state: &AppState, headers: &HeaderMap, params: Params, call: Call) -> Response {
    let started = Instant::now();
    let span = tracing::Span::current();
    let mut op_type = OperationType::Unknown;
    let response = run(state, headers, params, &call, &mut op_type).await;
    span.record("operation_type", op_type.as_str());
    state.metrics.graphql_request(op_type, started.elapsed());
    response
}

async fn run(
    state: &AppState,
    headers: &HeaderMap,
    params: Params,
    call: &Call,
    op_type: &mut OperationType,
) -> Response {
    let (request_id, method, response_type) = (&call.request_id, call.method, call.response_type);
    let request_error = |err: ServerError| graphql_response(response_type, None, vec![err]);

    let Some(query) = params.query else {
        return refuse(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadUserInput,
            "the request has no `query`",
        );
    };
    let variables = match params.variables {
        None | Some(Value::Null) => None,
        Some(Value::Object(map)) => Some(map),
        Some(_) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadUserInput,
                "`variables` must be an object",
            );
        }
    };
    if !matches!(
        params.extensions,
        None | Some(Value::Null) | Some(Value::Object(_))
    ) {
        return refuse(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadUserInput,
            "`extensions` must be an object",
        );
    }

    let mut doc = match parse_query(&query) {
        Ok(doc) => doc,
        Err(e) => {
            let err: ServerError = e.into();
            return request_error(with_code(err, ErrorCode::GraphqlParseFailed));
        }
    };
    let operation = match document::analyze(&doc, params.operation_name.as_deref()) {
        Ok(op) => op,
        Err(message) => return request_error(coded(message, ErrorCode::GraphqlValidationFailed)),
    };
    *op_type = operation.ty;
    // Validation comes before variable coercion, as in the spec; on the document as sent.
    let misused = directives::check(&doc);
    if !misused.is_empty() {
        let errors = misused
            .into_iter()
            .map(|e| with_code(e, ErrorCode::GraphqlValidationFailed))
            .collect();
        return graphql_response(response_type, None, capped(errors));
    }
    let missing = document::missing_variables(&doc, params.operation_name.as_deref(), variables.as_ref());
    if !missing.is_empty() {
        return request_error(coded(
            format!("Required variables are missing: ${}.", missing.join(", $")),
            ErrorCode::BadUserInput,
        ));
    }
    if document::carries_nul(&doc, variables.as_ref()) {
        return request_error(coded(
            "Text must not contain NUL characters (U+0000).",
            ErrorCode::BadUserInput,
        ));
    }
    let variables = variables.map_or_else(Variables::default, |v| Variables::from_json(Value::Object(v)));
    let span = tracing::Span::current();
    if let Some(name) = &operation.name {
        span.record("operation_name", name.as_str());
    }
    if method == Method::Get && operation.ty != OperationType::Query {
        let mut response = refuse(
            StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::BadUserInput,
            "only queries run over GET; send mutations with POST",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    if operation.ty == OperationType::Subscription {
        return request_error(coded(
            "subscriptions run over the WebSocket endpoint /graphql/ws",
            ErrorCode::GraphqlValidationFailed,
        ));
    }
    let limits = state.settings.limits;
    if operation.aliases > limits.max_aliases {
        return request_error(coded(
            format!(
                "The query uses {} aliases; the limit is {}.",
                operation.aliases, limits.max_aliases
            ),
            ErrorCode::MaxAliasesExceeded,
        ));
    }
    // After the analysis above (which reads the named fragments), before validation.
    if let Err(message) = fragments::inline(&mut doc) {
        return request_error(coded(message, ErrorCode::GraphqlValidationFailed));
    }
    if operation.sign_ins > 1 {
        return request_error(coded(
            "One request signs in at most once: send each `login` or `refreshSession` alone.",
            ErrorCode::BadUserInput,
        ));
    }
    let principal = match authenticate(state, headers).await {
        Ok(principal) => principal,
        Err(err) => {
            let err = async_graphql::Error::from(err).into_server_error(Default::default());
            let err = finish_error(err, request_id);
            return graphql_response(response_type, Some(async_graphql::Value::Null), vec![err]);
        }
    };
    let may_introspect = may_introspect(state.settings.introspection, principal.as_ref());
    if operation.introspects && !may_introspect {
        return request_error(coded(
            "Introspection is not allowed.",
            ErrorCode::GraphqlValidationFailed,
        ));
    }

    let cost = if state.budgets.enabled() && !operation.introspection_only {
        let points = cost::of(&doc, params.operation_name.as_deref(), &variables);
        let who = Spender::of(principal.as_ref(), call.client);
        match state
            .budgets
            .spend(who, points, chrono::Utc::now().timestamp_millis())
        {
            Spent::Charged(status) => Some(cost_extension(points, status)),
            Spent::Refused { status, wait_ms } => {
                return over_budget(response_type, points, status, wait_ms);
            }
        }
    } else {
        None
    };

    let (loaders, load_queue) = Loaders::new(
        &state.db,
        principal.as_ref(),
        operation.ty == OperationType::Query,
    );
    // A schema download by a caller allowed to introspect gets the wider limits.
    let (schema, limits) = if operation.introspection_only && may_introspect {
        (&state.schema.download, state.schema.download_limits)
    } else {
        (&state.schema.data, state.schema.data_limits)
    };
    let mut request = async_graphql::Request::new(query)
        .variables(variables)
        .data(loaders)
        .data(request_id.clone());
    if let Some(principal) = principal {
        request = request.data(principal);
    }
    if let Some(ip) = call.client {
        request = request.data(ClientIp(ip));
    }
    if let Some(name) = &params.operation_name {
        request = request.operation_name(name.clone());
    }
    if !may_introspect {
        request = request.disable_introspection();
    }
    // Kept to put the response in the order of the selection (execution finishes fields in any
    // order): the document is small beside the response it shapes.
    let shape = doc.clone();
    request.set_parsed_query(doc);

    // Every event a mutation records carries this request's id (see `service::outbox`).
    let response = service::outbox::in_request(request_id.0, load_queue.drive(schema.execute(request))).await;
    let errors = response
        .errors
        .into_iter()
        .map(|e| finish_error(guardrails::classify(e, limits), request_id))
        .collect::<Vec<_>>();
    let errors = capped(errors);
    let retry_after = errors.iter().find_map(retry_after_of);
    let max_bytes = state.settings.limits.max_response_bytes;
    let is_request_error = response.data == async_graphql::Value::Null
        && errors
            .iter()
            .any(|e| error_code(e).is_some_and(ErrorCode::is_request_error));
    if let Some(seconds) = retry_after {
        // Throttled: with nothing else answered, the request as a whole was refused, which the
        // GraphQL media type may say with 429; legacy JSON clients get 200, as for any error.
        let refused = response.data == async_graphql::Value::Null;
        let (status, data) = match (refused, response_type) {
            (true, ResponseType::GraphqlResponse) => (StatusCode::TOO_MANY_REQUESTS, None),
            (true, ResponseType::Json) => (StatusCode::OK, Some(async_graphql::Value::Null)),
            (false, _) => (StatusCode::OK, Some(response.data)),
        };
        let mut answer = graphql_response_with(response_type, data, errors, cost.as_ref(), max_bytes);
        *answer.status_mut() = status;
        if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
            answer.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return answer;
    }
    let data = if is_request_error {
        None
    } else {
        let mut data = response.data;
        null_where_fields_failed(&mut data, &errors);
        if let Some(root) = document::root_selection(&shape, params.operation_name.as_deref()) {
            response_order::reorder(&mut data, &shape, root);
        }
        Some(data)
    };
    graphql_response_with(response_type, data, errors, cost.as_ref(), max_bytes)
}

/// `extensions.cost`, as Shopify's GraphQL API shows it: what this request cost and what is
/// left of the caller's budget.
fn cost_extension(points: u64, status: Status) -> Value {
    json!({ "cost": {
        "requestedQueryCost": points,
        "throttleStatus": {
            "maximumAvailable": status.maximum_available,
            "currentlyAvailable": status.currently_available,
            "restoreRate": status.restore_rate,
        },
    } })
}

/// A request refused because the caller's budget holds less than it costs: nothing ran.
fn over_budget(response_type: ResponseType, points: u64, status: Status, wait_ms: Option<i64>) -> Response {
    let (message, wait) = match wait_ms {
        Some(ms) => (
            format!(
                "This request costs {points} points and {} are left of your budget of {}, which refills by {} a second: try again in {} s.",
                status.currently_available,
                status.maximum_available,
                status.restore_rate,
                throttle::retry_after_seconds(ms)
            ),
            Some(throttle::retry_after_seconds(ms)),
        ),
        None => (
            format!(
                "This request costs {points} points, more than the whole budget of {}: ask for smaller pages.",
                status.maximum_available
            ),
            None,
        ),
    };
    let mut err = coded(message, ErrorCode::Throttled);
    if let Some(seconds) = wait {
        err.extensions
            .get_or_insert_with(Default::default)
            .set(RETRY_AFTER, seconds);
    }
    let extensions = cost_extension(points, status);
    let (status_code, data) = match response_type {
        ResponseType::GraphqlResponse => (StatusCode::TOO_MANY_REQUESTS, None),
        ResponseType::Json => (StatusCode::OK, Some(async_graphql::Value::Null)),
    };
    let mut answer = graphql_response_with(
        response_type,
        data,
        vec![err],
        Some(&extensions),
        MAX_RESPONSE_BYTES,
    );
    *answer.status_mut() = status_code;
    if let Some(seconds) = wait
        && let Ok(value) = HeaderValue::from_str(&seconds.to_string())
    {
        answer.headers_mut().insert(header::RETRY_AFTER, value);
    }
    answer
}

/// Puts `null` where a field failed. async-graphql leaves a failed nullable field out of its
/// object, but the spec (and clients reading `data.x.email`) expect the key with a null value:
/// each error's path names the field, so the first missing key along it is the one to fill.
fn null_where_fields_failed(data: &mut async_graphql::Value, errors: &[ServerError]) {
    use async_graphql::{PathSegment, Value};
    for error in errors {
        let mut at = &mut *data;
        for segment in &error.path {
            let next = match (at, segment) {
                (Value::Object(map), PathSegment::Field(name)) => {
                    let key = async_graphql::Name::new(name);
                    if !map.contains_key(&key) {
                        map.insert(key, Value::Null);
                        break;
                    }
                    map.get_mut(name.as_str())
                }
                (Value::List(items), PathSegment::Index(i)) => items.get_mut(*i),
                _ => None,
            };
            match next {
                Some(value) => at = value,
                None => break,
            }
        }
    }
}

/// The most errors one response lists: a document with thousands of faults (2,000 unknown
/// directives) would otherwise answer thousands of errors.
const MAX_ERRORS: usize = 50;

/// Keeps the first [`MAX_ERRORS`] errors and says how many were left out, with the code of the
/// first one (a request error stays a request error).
fn capped(mut errors: Vec<ServerError>) -> Vec<ServerError> {
    if errors.len() <= MAX_ERRORS {
        return errors;
    }
    let left_out = errors.len() - MAX_ERRORS;
    errors.truncate(MAX_ERRORS);
    let code = errors
        .first()
        .and_then(error_code)
        .unwrap_or(ErrorCode::GraphqlValidationFailed);
    errors.push(coded(
        format!("{left_out} more errors were left out of this response."),
        code,
    ));
    errors
}

/// Whether this caller may introspect, by the configured policy.
fn may_introspect(policy: IntrospectionPolicy, principal: Option<&Principal>) -> bool {
    match (policy, principal) {
        (IntrospectionPolicy::Authenticated, Some(_)) => true,
        (IntrospectionPolicy::Admin, Some(p)) => authz::may_introspect_as_admin(p),
        _ => false,
    }
}

/// The caller behind `Authorization: Bearer`. No header: anonymous. A header that does not hold
/// a valid token also leaves the request anonymous, so `login` and `refreshSession` still work
/// for a client holding an expired token, while everything else answers UNAUTHENTICATED.
async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Option<Principal>, AppError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, token)| token.trim());
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    match service::auth::authenticate(&state.db, &state.auth, token).await {
        Ok(principal) => Ok(Some(principal)),
        Err(AppError::Unauthenticated) => Ok(None),
        Err(other) => Err(other),
    }
}

/// The wait a THROTTLED error asks for, in seconds.
fn retry_after_of(e: &ServerError) -> Option<u64> {
    if error_code(e) != Some(ErrorCode::Throttled) {
        return None;
    }
    match e.extensions.as_ref()?.get(RETRY_AFTER)? {
        async_graphql::Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

fn error_code(e: &ServerError) -> Option<ErrorCode> {
    match e.extensions.as_ref()?.get("code")? {
        async_graphql::Value::String(s) => ErrorCode::parse(s),
        async_graphql::Value::Enum(s) => ErrorCode::parse(s.as_str()),
        _ => None,
    }
}

/// The last look at every error before it leaves: internal causes go to the log with the request
/// id, the client sees only "Internal server error" and that id. An error that reached here
/// without a code was not raised through our vocabulary and is treated as internal, except for
/// argument values async-graphql could not coerce, which are the caller's input.
fn finish_error(mut err: ServerError, request_id: &RequestId) -> ServerError {
    let code = match error_code(&err) {
        Some(code) => code,
        None if err.message.starts_with("Failed to parse") || err.message.starts_with("Invalid value") => {
            return with_code(err, ErrorCode::BadUserInput);
        }
        None => ErrorCode::InternalServerError,
    };
    if code != ErrorCode::InternalServerError {
        return err;
    }
    let cause = err
        .source::<InternalCause>()
        .map(|c| c.0.clone())
        .unwrap_or_else(|| err.message.clone());
    let path = serde_json::to_string(&err.path).unwrap_or_default();
    tracing::error!(request_id = %request_id.0, %cause, %path, "internal error");
    err.message = INTERNAL_MESSAGE.to_owned();
    err.source = None;
    let ext = err.extensions.get_or_insert_with(Default::default);
    ext.set("code", ErrorCode::InternalServerError.as_str());
    ext.set("requestId", request_id.0.to_string());
    err
}

/// A response body, serialized straight from async-graphql's values: objects keep the order of
/// the selection set, as the spec's serialization asks (a `serde_json::Value` would sort them,
/// and cost a copy of the whole response).
#[derive(serde::Serialize)]
struct ResponseBody<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a async_graphql::Value>,
    #[serde(skip_serializing_if = "<[ServerError]>::is_empty")]
    errors: &'a [ServerError],
    #[serde(skip_serializing_if = "Option::is_none")]
    extensions: Option<&'a Value>,
}

/// Writes a GraphQL response. Without `data` it is a request error: 400 for the GraphQL media
/// type, 200 for legacy `application/json` (as the spec asks of each).
fn graphql_response(
    response_type: ResponseType,
    data: Option<async_graphql::Value>,
    errors: Vec<ServerError>,
) -> Response {
    graphql_response_with(response_type, data, errors, None, MAX_RESPONSE_BYTES)
}

/// [`graphql_response`] with top-level `extensions` (the cost of the request).
fn graphql_response_with(
    response_type: ResponseType,
    data: Option<async_graphql::Value>,
    errors: Vec<ServerError>,
    extensions: Option<&Value>,
    max_bytes: usize,
) -> Response {
    let status = match (response_type, &data) {
        (ResponseType::GraphqlResponse, None) => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    };
    let body = ResponseBody {
        data: data.as_ref(),
        errors: &errors,
        extensions,
    };
    let mut out = Bounded {
        bytes: Vec::new(),
        limit: max_bytes,
    };
    let bytes = match serde_json::to_writer(&mut out, &body) {
        Ok(()) => out.bytes,
        Err(_) if out.bytes.len() >= max_bytes => {
            // Stopped as soon as it passed the bound: the rest was never built.
            return refuse(
                status_for_refusal(response_type),
                ErrorCode::MaxComplexityExceeded,
                &format!(
                    "The response is larger than the limit of {max_bytes} bytes: ask for fewer records or fields."
                ),
            );
        }
        Err(err) => {
            tracing::error!(cause = %err, "a response could not be serialized");
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::InternalServerError,
                INTERNAL_MESSAGE,
            );
        }
    };
    (
        status,
        [(header::CONTENT_TYPE, response_type.content_type())],
        bytes,
    )
        .into_response()
}

/// The largest body of a transport refusal or request error (they are small); executed
/// responses are bounded by `TRAPEZE_MAX_RESPONSE_BYTES`.
const MAX_RESPONSE_BYTES: usize = 16 << 20;

/// A writer that refuses to grow past `limit`, so serialization stops there.
struct Bounded {
    bytes: Vec<u8>,
    limit: usize,
}

impl std::io::Write for Bounded {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > self.limit {
            self.bytes
                .extend_from_slice(&buf[..self.limit - self.bytes.len()]);
            return Err(std::io::Error::other("response too large"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A response too large to send: 400 for the GraphQL media type, which may say a request was
/// refused as a whole; 200 for legacy JSON.
fn status_for_refusal(response_type: ResponseType) -> StatusCode {
    match response_type {
        ResponseType::GraphqlResponse => StatusCode::BAD_REQUEST,
        ResponseType::Json => StatusCode::OK,
    }
}

enum BodyError {
    TooLarge,
    Read,
}

/// Reads the body up to `limit` bytes; a chunked body is cut off as soon as it passes the limit.
async fn read_body(body: Body, limit: usize) -> Result<Vec<u8>, BodyError> {
    let mut stream = body.into_data_stream();
    let mut buf = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|_| BodyError::Read)?;
        if buf.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge);
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf)
}

fn too_large(limit: usize) -> Response {
    refuse(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::BadUserInput,
        &format!("the request body is larger than {limit} bytes"),
    )
}

fn not_acceptable() -> Response {
    refuse(
        StatusCode::NOT_ACCEPTABLE,
        ErrorCode::BadUserInput,
        "accept application/graphql-response+json or application/json",
    )
}

fn graphiql() -> Response {
    Html(
        async_graphql::http::GraphiQLSource::build()
            .endpoint("/graphql")
            .title("trapeze")
            .finish(),
    )
    .into_response()
}
