//! Loopback networking: a TCP proxy in front of a database server that a test can cut, the
//! address arithmetic it needs, and free ports.

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// A TCP proxy on 127.0.0.1 in front of a database server, which a test can cut (closing
/// every connection and refusing new ones) and restore: the database "goes down" for real
/// from the app's side.
pub struct Proxy {
    pub port: u16,
    up: watch::Sender<bool>,
}

/// Accepts connections on 127.0.0.1 on a thread of its own (so that a test thread blocked in
/// a synchronous call never starves it) and hands each to `serve` with the next connection's
/// `state`; the port it listens on.
fn listen<S, F, Fut>(state: S, serve: F) -> u16
where
    S: Fn() -> Option<watch::Receiver<bool>> + Send + 'static,
    F: Fn(TcpStream, Option<watch::Receiver<bool>>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + 'static,
{
    let (port_tx, port_rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("proxy runtime");
        let local = tokio::task::LocalSet::new();
        local.block_on(&rt, async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy bind");
            let _ = port_tx.send(listener.local_addr().expect("addr").port());
            while let Ok((inbound, _)) = listener.accept().await {
                tokio::task::spawn_local(serve(inbound, state()));
            }
        });
    });
    port_rx.recv().expect("proxy started")
}

impl Proxy {
    /// Starts forwarding to `target` (host:port).
    pub fn start(target: String) -> Proxy {
        let (up, _) = watch::channel(true);
        let state = up.clone();
        let port = listen(
            move || Some(state.subscribe()),
            move |mut inbound, rx| {
                let target = target.clone();
                async move {
                    let Some(mut rx) = rx.filter(|rx| *rx.borrow()) else {
                        return; // cut: the connection closes at once
                    };
                    let Ok(mut outbound) = TcpStream::connect(&target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = rx.wait_for(|up| !*up) => {}
                    }
                }
            },
        );
        Proxy { port, up }
    }

    pub fn cut(&self) {
        self.up.send_replace(false);
    }

    pub fn restore(&self) {
        self.up.send_replace(true);
    }
}

/// host:port of a PostgreSQL URL.
pub fn host_port(url: &str) -> String {
    let after = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let authority = after.split('/').next().unwrap_or(after);
    let hostport = authority.rsplit('@').next().unwrap_or(authority);
    if hostport.contains(':') {
        hostport.to_owned()
    } else {
        format!("{hostport}:5432")
    }
}

/// `url` pointed at 127.0.0.1:`port` instead of its own host.
pub fn via_port(url: &str, port: u16) -> String {
    let (scheme, rest) = url.split_once("://").expect("url has a scheme");
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let userinfo = authority
        .rsplit_once('@')
        .map(|(u, _)| format!("{u}@"))
        .unwrap_or_default();
    format!("{scheme}://{userinfo}127.0.0.1:{port}/{path}")
}

/// A port on 127.0.0.1 that nothing listens on (just now).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A TCP proxy on 127.0.0.1 whose answers come `delay` late: every chunk from `target` back to
/// the client waits that long (a slow partner instance).
pub fn start_slow(target: String, delay: std::time::Duration) -> u16 {
    listen(
        || None,
        move |inbound, _| {
            let target = target.clone();
            async move {
                let Ok(outbound) = TcpStream::connect(&target).await else {
                    return;
                };
                let (mut in_read, mut in_write) = inbound.into_split();
                let (mut out_read, mut out_write) = outbound.into_split();
                let requests = tokio::io::copy(&mut in_read, &mut out_write);
                let answers = async move {
                    use tokio::io::{AsyncReadExt, AsyncWriteExt};
                    let mut buf = vec![0u8; 16 * 1024];
                    while let Ok(n @ 1..) = out_read.read(&mut buf).await {
                        tokio::time::sleep(delay).await;
                        if in_write.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                };
                let _ = tokio::join!(requests, answers);
            }
        },
    )
}

/// A partner instance that accepts connections and never answers: it reads what it is sent
/// and holds the connection until the caller gives up. It counts the connections it received.
pub struct Hanging {
    pub port: u16,
    accepted: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

impl Hanging {
    pub fn start() -> Hanging {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let accepted = std::sync::Arc::new(AtomicUsize::new(0));
        let seen = accepted.clone();
        let port = listen(
            || None,
            move |mut inbound, _| {
                seen.fetch_add(1, Ordering::SeqCst);
                async move {
                    use tokio::io::AsyncReadExt;
                    let mut buf = vec![0u8; 16 * 1024];
                    while let Ok(1..) = inbound.read(&mut buf).await {}
                }
            },
        );
        Hanging { port, accepted }
    }

    /// Its base URL.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// How many connections it has received so far.
    pub fn connections(&self) -> usize {
        self.accepted.load(std::sync::atomic::Ordering::SeqCst)
    }
}
