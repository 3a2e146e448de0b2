//! Media types of GraphQL over HTTP: which request bodies run and which response type answers.

use axum::http::{HeaderMap, header};

/// The two media types a GraphQL response can be sent as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseType {
    /// `application/graphql-response+json`: request errors answer 4xx and carry no `data`.
    GraphqlResponse,
    /// `application/json`: the legacy type; every well-formed request answers 200.
    Json,
}

impl ResponseType {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }
}

/// Picks the response type from `Accept`: the acceptable type with the highest `q`, the GraphQL
/// type winning ties; `*/*`, `application/*` and a missing header mean `application/json`.
/// `None` when the client accepts neither (406).
pub fn response_type(headers: &HeaderMap) -> Option<ResponseType> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(ResponseType::Json);
    };
    let mut best: Option<(f32, u8, ResponseType)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next().unwrap_or_default().to_ascii_lowercase();
        let mut q = 1.0_f32;
        for param in parts {
            if let Some((k, v)) = param.split_once('=')
                && k.trim().eq_ignore_ascii_case("q")
            {
                q = v.trim().parse().unwrap_or(0.0);
            }
        }
        let (rank, ty) = match media.as_str() {
            "application/graphql-response+json" => (3, ResponseType::GraphqlResponse),
            "application/json" => (2, ResponseType::Json),
            "application/*" | "*/*" => (1, ResponseType::Json),
            _ => continue,
        };
        if q <= 0.0 {
            continue;
        }
        if best.is_none_or(|(bq, br, _)| q > bq || (q == bq && rank > br)) {
            best = Some((q, rank, ty));
        }
    }
    if best.is_none() && accept.trim().is_empty() {
        return Some(ResponseType::Json);
    }
    best.map(|(_, _, ty)| ty)
}

/// Whether the request body is JSON in UTF-8 (the only body we run: anything a browser can send
/// cross-site without a preflight, such as `text/plain`, must not execute).
pub fn is_json_body(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mut parts = value.split(';').map(str::trim);
    if !parts
        .next()
        .unwrap_or_default()
        .eq_ignore_ascii_case("application/json")
    {
        return false;
    }
    parts.all(|param| match param.split_once('=') {
        Some((k, v)) if k.trim().eq_ignore_ascii_case("charset") => {
            v.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        }
        _ => true,
    })
}

/// Whether a browser asks for a page (GraphiQL) rather than a GraphQL response.
pub fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| {
            a.split(',')
                .any(|r| r.trim().to_ascii_lowercase().starts_with("text/html"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accept(v: &str) -> Option<ResponseType> {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_str(v).unwrap());
        response_type(&h)
    }

    #[test]
    fn the_graphql_type_wins_a_tie() {
        assert_eq!(
            accept("application/json, application/graphql-response+json"),
            Some(ResponseType::GraphqlResponse)
        );
    }

    #[test]
    fn quality_decides_before_rank() {
        assert_eq!(
            accept("application/graphql-response+json;q=0.5, application/json"),
            Some(ResponseType::Json)
        );
    }

    #[test]
    fn wildcards_and_absence_mean_json() {
        assert_eq!(accept("*/*"), Some(ResponseType::Json));
        assert_eq!(response_type(&HeaderMap::new()), Some(ResponseType::Json));
    }

    #[test]
    fn an_unsupported_type_is_not_acceptable() {
        assert_eq!(accept("text/html"), None);
        assert_eq!(accept("application/json;q=0"), None);
    }

    #[test]
    fn only_utf8_json_bodies_run() {
        let ct = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_str(v).unwrap());
            is_json_body(&h)
        };
        assert!(ct("application/json"));
        assert!(ct("application/json; charset=UTF-8"));
        assert!(!ct("application/json; charset=latin1"));
        assert!(!ct("text/plain"));
        assert!(!ct("application/x-www-form-urlencoded"));
        assert!(!is_json_body(&HeaderMap::new()));
    }
}
