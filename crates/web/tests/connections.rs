//! Slow and idle clients cannot hold the server: a client that never finishes its
//! request's head, or keeps a connection open doing nothing, is closed after the header
//! timeout; one client cannot hold more than its share of connections; and `/health`
//! answers throughout.

// Test code: an unwrap that fails is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

async fn serve(db: &testkit::TestDb, max_connections: usize) -> SocketAddr {
    let settings = web::Settings {
        limits: web::listen::Limits {
            header_timeout: Duration::from_secs(1),
            idle_timeout: Duration::from_secs(3),
            max_connections,
            max_per_client: 10,
        },
        ..Default::default()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = web::AppState::with_settings(db.store.clone(), settings).await.unwrap();
    tokio::spawn(web::serve(listener, state, std::future::pending()));
    addr
}

/// A connection from another loopback address than the test's own.
async fn connect_from(ip: [u8; 4], to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::from((ip, 0))).unwrap();
    socket.connect(to).await.unwrap()
}

/// Whether the server closes the connection within `wait` (it sends nothing first).
async fn closed_within(stream: &mut TcpStream, wait: Duration) -> bool {
    let mut buf = [0u8; 256];
    match tokio::time::timeout(wait, stream.read(&mut buf)).await {
        Ok(Ok(0) | Err(_)) => true,
        Ok(Ok(_)) | Err(_) => false,
    }
}

async fn health(addr: SocketAddr) -> String {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /health HTTP/1.1\r\nHost: dxmon\r\nConnection: close\r\n\r\n").await.unwrap();
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(10), s.read_to_string(&mut answer)).await.unwrap().unwrap();
    answer
}

async fn slow_clients(db: &testkit::TestDb) {
    let addr = serve(db, 100).await;
    // Thirty connections from one client, each with half a request's head.
    let mut slow = Vec::new();
    for _ in 0..30 {
        let mut s = connect_from([127, 0, 0, 2], addr).await;
        let _ = s.write_all(b"GET / HTTP/1.1\r\nHost: dxmon\r\n").await;
        slow.push(s);
    }
    // Those past the client's ten are closed at once ...
    let mut refused = 0;
    for s in slow.iter_mut().skip(10) {
        refused += usize::from(closed_within(s, Duration::from_millis(500)).await);
    }
    assert_eq!(refused, 20, "connections past the client's share");
    // ... while anyone else is answered ...
    let answer = health(addr).await;
    assert!(answer.starts_with("HTTP/1.1 200") && answer.ends_with("ok"), "{answer}");
    // ... and the ten it kept are closed once the header timeout has passed.
    for s in slow.iter_mut().take(10) {
        assert!(closed_within(s, Duration::from_secs(10)).await, "a slow head is closed");
    }
    // A kept-alive connection that goes quiet after its answer is closed too.
    let mut idle = connect_from([127, 0, 0, 3], addr).await;
    idle.write_all(b"GET /health HTTP/1.1\r\nHost: dxmon\r\n\r\n").await.unwrap();
    let mut buf = vec![0u8; 4096];
    let n = idle.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    assert!(closed_within(&mut idle, Duration::from_secs(10)).await, "an idle kept-alive connection is closed");
    assert!(health(addr).await.ends_with("ok"));
}

/// Clients from several addresses fill every place with half-sent heads: a newcomer
/// takes the place of the oldest, and is answered.
async fn many_slow_addresses(db: &testkit::TestDb) {
    let addr = serve(db, 20).await;
    let mut slow = Vec::new();
    for ip in [[127, 0, 0, 4], [127, 0, 0, 5]] {
        for _ in 0..10 {
            let mut s = connect_from(ip, addr).await;
            let _ = s.write_all(b"GET / HTTP/1.1\r\nHost: dxmon\r\n").await;
            slow.push(s);
        }
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let answer = health(addr).await;
    assert!(answer.starts_with("HTTP/1.1 200") && answer.ends_with("ok"), "a newcomer is answered: {answer}");
}

testkit::on_both_backends! {
    slow => crate::slow_clients,
    crowded => crate::many_slow_addresses,
}
