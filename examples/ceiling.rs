//! The throughput ceiling for `bench/run`: a plain axum server whose one POST handler answers every
//! request with the same bytes, so a benchmark of it measures only HTTP, the runtime and the load
//! generator; the real server's point read is reported as a share of it.
//!
//!     cargo run --release --example ceiling -- [ADDR] [BODY_FILE]
//!
//! `ADDR` (or `CEILING_ADDR`, default `127.0.0.1:8090`; port 0 picks a free one) is where it
//! listens; `BODY_FILE` (or `CEILING_BODY_FILE`) holds the response body, served as
//! `application/json` (default `{"data":{}}`). It prints `listening on ADDR` once bound and stops
//! on Ctrl-C or SIGTERM.

use std::{net::SocketAddr, process::ExitCode};

use axum::{
    Router,
    http::{HeaderValue, header::CONTENT_TYPE},
    response::IntoResponse,
    routing::post,
};
use bytes::Bytes;
use tokio::net::TcpListener;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let addr = args
        .next()
        .or_else(|| std::env::var("CEILING_ADDR").ok())
        .unwrap_or_else(|| "127.0.0.1:8090".to_owned());
    let body_file = args.next().or_else(|| std::env::var("CEILING_BODY_FILE").ok());

    let addr: SocketAddr = match addr.trim().parse() {
        Ok(addr) => addr,
        Err(_) => {
            eprintln!("ceiling: `{addr}` is not a socket address like 127.0.0.1:8090");
            return ExitCode::from(2);
        }
    };
    let body = match body_file {
        Some(path) => match std::fs::read(&path) {
            Ok(bytes) => Bytes::from(bytes),
            Err(e) => {
                eprintln!("ceiling: cannot read the response body from {path}: {e}");
                return ExitCode::from(2);
            }
        },
        None => Bytes::from_static(br#"{"data":{}}"#),
    };

    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("ceiling: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(addr, body)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ceiling: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(addr: SocketAddr, body: Bytes) -> std::io::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    println!("listening on {}", listener.local_addr()?);

    // The request body is read, as the real server reads it, then dropped.
    let handler = move |_request: Bytes| {
        let body = body.clone();
        async move {
            (
                [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
                body,
            )
                .into_response()
        }
    };
    let app = Router::new().route("/graphql", post(handler));
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
