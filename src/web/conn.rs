//! The accept loop and the connections, bounded every way a client could hold the
//! daemon: a cap on open connections (past it a new one is turned away at once), a
//! deadline for each request head that also ends an idle keep-alive connection, and a
//! shutdown that waits a short grace for requests in flight and then drops them.
//! axum only routes; hyper serves, with the knobs `axum::serve` does not have.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;

/// How long a client has to send a request head, and how long a keep-alive connection
/// may sit idle before the next one: hyper starts the same clock for both. A person's
/// browser, curl or a proxy sends a head in milliseconds.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// What requests in flight get once a shutdown begins, before their connections are
/// dropped: well inside systemd's and Docker's stop timeouts.
const GRACE: Duration = Duration::from_secs(2);

/// After a failed accept (the open-file limit reached by something else): a pause, so
/// that the loop does not spin while the error lasts.
const ACCEPT_PAUSE: Duration = Duration::from_millis(200);

/// The answer of a connection past the cap, written if the socket takes it at once.
const TURNED_AWAY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 10\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";

/// Serves `router` on `listener`, at most `cap` connections at once, until `shutdown`
/// completes; then closes the listener and idle connections at once, and drops the
/// rest after [`GRACE`].
pub async fn serve(
    listener: TcpListener,
    router: Router,
    cap: usize,
    shutdown: impl Future<Output = ()>,
) {
    let permits = Arc::new(Semaphore::new(cap));
    let (closing, closed) = watch::channel(false);
    let mut connections = JoinSet::new();
    let mut refusing = false;
    let mut failing = false;
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(e) => {
                if !std::mem::replace(&mut failing, true) {
                    tracing::error!("web endpoint: cannot accept a connection: {e}");
                }
                tokio::time::sleep(ACCEPT_PAUSE).await;
                continue;
            }
        };
        failing = false;
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            if !std::mem::replace(&mut refusing, true) {
                tracing::warn!("web endpoint: {cap} connections open (web.max_connections): turning new ones away until some close");
            }
            turn_away(&stream);
            continue;
        };
        refusing = false;
        connections.spawn(connection(stream, router.clone(), permit, closed.clone()));
    }
    drop(listener);
    let _ = closing.send(true);
    let drained = tokio::time::timeout(GRACE, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::info!(
            "web endpoint: dropping {} connections still open after {}s",
            connections.len(),
            GRACE.as_secs()
        );
        connections.shutdown().await;
    }
}

/// A 503 if the socket takes it without waiting, then the connection is closed.
fn turn_away(stream: &TcpStream) {
    let _ = stream.try_write(TURNED_AWAY);
}

/// One connection, its permit held until it ends. At a shutdown an idle connection is
/// closed at once, and one with a request in flight after that request.
async fn connection(
    stream: TcpStream,
    router: Router,
    _permit: OwnedSemaphorePermit,
    mut closing: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .serve_connection(TokioIo::new(stream), TowerToHyperService::new(router));
    tokio::pin!(conn);
    tokio::select! {
        served = conn.as_mut() => return log_end(served),
        _ = closing.wait_for(|c| *c) => conn.as_mut().graceful_shutdown(),
    }
    log_end(conn.await);
}

/// A client that went away or sent no head in time is the client's business.
fn log_end(served: Result<(), hyper::Error>) {
    if let Err(e) = served {
        tracing::debug!("web endpoint: connection ended: {e}");
    }
}
