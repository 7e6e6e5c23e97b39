//! The HTTP side: tiny_http with a few worker threads, each answering from the current build.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use super::reload::Hub;
use super::routes::{self, Body, Method};
use super::site::SiteHandle;

/// Enough to serve a page's CSS, JS and images at once while event streams stay open (they
/// leave the worker pool as soon as they start).
const WORKERS: usize = 4;

pub struct Server {
    http: Arc<tiny_http::Server>,
    address: SocketAddr,
    stopping: Arc<AtomicBool>,
    workers: Vec<JoinHandle<()>>,
}

impl Server {
    pub fn start(address: SocketAddr, site: SiteHandle, hub: Arc<Hub>) -> Result<Server, String> {
        let http = Arc::new(
            tiny_http::Server::http(address)
                .map_err(|e| format!("cannot listen on {address}: {e}"))?,
        );
        let address = http.server_addr().to_ip().unwrap_or(address);
        let stopping = Arc::new(AtomicBool::new(false));
        let workers = (0..WORKERS)
            .map(|_| {
                let (http, site, hub, stopping) =
                    (http.clone(), site.clone(), hub.clone(), stopping.clone());
                std::thread::spawn(move || {
                    while !stopping.load(Ordering::Relaxed) {
                        match http.recv() {
                            Ok(request) => answer(request, &site, &hub),
                            Err(_) => break,
                        }
                    }
                })
            })
            .collect();
        Ok(Server {
            http,
            address,
            stopping,
            workers,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Stops accepting requests and waits for the workers to finish the ones they hold.
    pub fn stop(self) {
        self.stopping.store(true, Ordering::Relaxed);
        for _ in &self.workers {
            self.http.unblock();
        }
        for worker in self.workers {
            let _ = worker.join();
        }
    }
}

fn answer(request: tiny_http::Request, site: &SiteHandle, hub: &Hub) {
    let method = match request.method() {
        tiny_http::Method::Get => Method::Get,
        tiny_http::Method::Head => Method::Head,
        _ => Method::Other,
    };
    let current = site.current();
    let reply = routes::route(method, request.url(), &current);
    if let (Body::Events, Method::Get) = (&reply.body, method) {
        hub.join(request.into_writer(), &reply.headers, current.generation);
        return;
    }
    let headers: Vec<tiny_http::Header> = reply
        .headers
        .iter()
        .filter_map(|(name, value)| {
            tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).ok()
        })
        .collect();
    let bytes = match reply.body {
        Body::Bytes(bytes) => bytes,
        Body::Events => Arc::new(Vec::new()),
    };
    let length = bytes.len();
    let response = tiny_http::Response::new(
        tiny_http::StatusCode(reply.status),
        headers,
        ArcReader { bytes, position: 0 },
        Some(length),
        None,
    );
    let _ = request.respond(response);
}

/// Reads a shared file without copying it.
struct ArcReader {
    bytes: Arc<Vec<u8>>,
    position: usize,
}

impl std::io::Read for ArcReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let rest = &self.bytes[self.position.min(self.bytes.len())..];
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.position += n;
        Ok(n)
    }
}
