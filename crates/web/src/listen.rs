//! Taking connections, with limits a slow or hostile client cannot get around: a cap on
//! open connections, in all and per client address, so that one client cannot use up
//! the server's file descriptors; a time within which a request's head must arrive
//! (counted from the connection's opening, or from its last answer, so that it also
//! closes idle kept-alive connections); and a time after which a connection on which
//! no byte moves either way is closed (a client that stops reading its answer). When all
//! connections are taken, a new one takes the place of the oldest with no request under
//! way: clients from many addresses holding half-sent heads cannot shut others out.

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tower::ServiceExt;

/// The limits on connections.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// How long the server waits for a request's head: from the connection's opening,
    /// or from its last answer on a kept-alive connection.
    pub header_timeout: Duration,
    /// How long a connection may go with no byte read or written.
    pub idle_timeout: Duration,
    /// Connections open at once, in all ...
    pub max_connections: usize,
    /// ... and from one client address (a trusted proxy's excepted).
    pub max_per_client: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 512,
            max_per_client: 128,
        }
    }
}

/// How long shutting down waits for the requests under way.
const GRACE: Duration = Duration::from_secs(10);
/// How long a new connection waits for the place of one it asked to close.
const TAKE_PLACE: Duration = Duration::from_secs(1);

/// The open connections, oldest first, with whether a request is under way on each and
/// how to close it.
#[derive(Default)]
struct Registry {
    open: Mutex<BTreeMap<u64, Entry>>,
    next: AtomicU64,
}

struct Entry {
    busy: Arc<AtomicU64>,
    close: Arc<Notify>,
}

/// A connection's place in the registry, given back when dropped.
struct Registered {
    registry: Arc<Registry>,
    id: u64,
}

impl Registry {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Entry>> {
        self.open.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn enter(self: &Arc<Self>, busy: Arc<AtomicU64>, close: Arc<Notify>) -> Registered {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        self.lock().insert(id, Entry { busy, close });
        Registered { registry: self.clone(), id }
    }

    /// Asks the oldest connection with no request under way to close; whether there
    /// was one.
    fn evict_one(&self) -> bool {
        let mut open = self.lock();
        let idle = open.iter().find(|(_, e)| e.busy.load(Ordering::Relaxed) == 0).map(|(id, _)| *id);
        // Out of the registry at once, so that the next newcomer asks another.
        match idle.and_then(|id| open.remove(&id)) {
            Some(e) => {
                e.close.notify_one();
                true
            }
            None => false,
        }
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        self.registry.lock().remove(&self.id);
    }
}

/// Counts a request under way while it lives.
struct Busy(Arc<AtomicU64>);

impl Busy {
    fn enter(count: &Arc<AtomicU64>) -> Busy {
        count.fetch_add(1, Ordering::Relaxed);
        Busy(count.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A place among the open connections: at once if one is free, else that of the
/// oldest connection with no request under way, once it has closed.
async fn admit(open: &Arc<Semaphore>, registry: &Registry) -> Option<OwnedSemaphorePermit> {
    if let Ok(slot) = open.clone().try_acquire_owned() {
        return Some(slot);
    }
    if !registry.evict_one() {
        return None;
    }
    tokio::time::timeout(TAKE_PLACE, open.clone().acquire_owned()).await.ok()?.ok()
}

/// Counts the connections each client address holds.
#[derive(Default)]
struct PerClient(Mutex<HashMap<IpAddr, usize>>);

/// One connection held by a client; given back when dropped.
struct ClientSlot {
    clients: Arc<PerClient>,
    ip: IpAddr,
}

impl PerClient {
    fn take(self: &Arc<Self>, ip: IpAddr, most: usize) -> Option<ClientSlot> {
        let mut held = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let n = held.entry(ip).or_default();
        if *n >= most {
            return None;
        }
        *n += 1;
        Some(ClientSlot { clients: self.clone(), ip })
    }
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut held = self.clients.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = held.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                held.remove(&self.ip);
            }
        }
    }
}

/// A stream that notes when a byte last moved on it.
struct Watched {
    stream: TcpStream,
    born: Instant,
    last: Arc<AtomicU64>,
}

impl Watched {
    fn touch(&self) {
        self.last.store(self.born.elapsed().as_millis() as u64, Ordering::Relaxed);
    }
}

impl AsyncRead for Watched {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.touch();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write(cx, data);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Resolves once nothing has moved on the connection for `limit`.
async fn idle(born: Instant, last: Arc<AtomicU64>, limit: Duration) {
    loop {
        let quiet = born.elapsed().saturating_sub(Duration::from_millis(last.load(Ordering::Relaxed)));
        if quiet >= limit {
            return;
        }
        tokio::time::sleep(limit - quiet).await;
    }
}

/// Serves `app` on `listener` within `limits` until `shutdown` completes, then lets the
/// requests under way finish (for a while). `exempt` tells the addresses not limited
/// per client (trusted proxies, which speak for many clients).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    exempt: impl Fn(IpAddr) -> bool + Send + 'static,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let open = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let registry = Arc::new(Registry::default());
    let clients = Arc::new(PerClient::default());
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    // A request's head (its line and headers) fits in 64 KiB, or is answered 431.
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).max_buf_size(64 * 1024);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of descriptors, or a connection reset before it was taken: go
                    // on after a pause rather than spin.
                    tracing::warn!(error = %e, "a connection could not be accepted");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Over its client's limit, the connection is closed at once: its descriptor is
        // free again.
        let client = if exempt(peer.ip()) {
            None
        } else {
            match clients.take(peer.ip(), limits.max_per_client) {
                Some(c) => Some(c),
                None => {
                    metrics::counter!("dxmon_connections_refused_total", "limit" => "client").increment(1);
                    continue;
                }
            }
        };
        let _ = stream.set_nodelay(true);
        let born = Instant::now();
        let last = Arc::new(AtomicU64::new(0));
        let busy = Arc::new(AtomicU64::new(0));
        let io = TokioIo::new(Watched { stream, born, last: last.clone() });
        let counted = busy.clone();
        let service = app
            .clone()
            .map_request(move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
                req
            })
            .map_future(move |answer| {
                let busy = Busy::enter(&counted);
                async move {
                    let answered = answer.await;
                    drop(busy);
                    answered
                }
            });
        let connection = graceful.watch(http.serve_connection(io, TowerToHyperService::new(service)));
        let (open, registry) = (open.clone(), registry.clone());
        tokio::spawn(async move {
            let Some(slot) = admit(&open, &registry).await else {
                metrics::counter!("dxmon_connections_refused_total", "limit" => "all").increment(1);
                return;
            };
            let close = Arc::new(Notify::new());
            let registered = registry.enter(busy, close.clone());
            held(connection, (slot, client, registered), idle(born, last, limits.idle_timeout), close.notified()).await;
        });
    }
    drop(listener);
    if tokio::time::timeout(GRACE, graceful.shutdown()).await.is_err() {
        tracing::warn!("some requests were still under way at shutdown");
    }
    Ok(())
}

/// Runs a connection until it ends, goes idle or is asked to make room, holding its
/// places meanwhile.
async fn held(
    connection: impl std::future::Future<Output = Result<(), hyper::Error>>,
    _places: (OwnedSemaphorePermit, Option<ClientSlot>, Registered),
    idle: impl std::future::Future<Output = ()>,
    evicted: impl std::future::Future<Output = ()>,
) {
    tokio::select! {
        done = connection => if let Err(e) = done {
            tracing::debug!(error = %e, "a connection ended with an error");
        },
        () = idle => tracing::debug!("an idle connection was closed"),
        () = evicted => metrics::counter!("dxmon_connections_evicted_total").increment(1),
    }
}
