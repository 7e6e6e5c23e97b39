//! Live reload: a Server-Sent Events stream that announces each finished build.
//!
//! Each browser tab holds one stream. On connecting it is told the current build number; when
//! the number changes (the build is complete and already swapped in) the script reloads.

use std::io::Write;
use std::sync::Mutex;

pub const SCRIPT_URL: &str = "/__privacy-site/live-reload.js";
pub const SCRIPT: &str = include_str!("live-reload.js");

type Client = Box<dyn Write + Send>;

/// The open event streams.
#[derive(Default)]
pub struct Hub {
    clients: Mutex<Vec<Client>>,
}

impl Hub {
    /// Takes over a connection: writes the response head and the current build number, and
    /// keeps the connection to announce later builds.
    pub fn join(&self, mut client: Client, headers: &[(&'static str, String)], generation: u64) {
        let mut head = String::from("HTTP/1.1 200 OK\r\n");
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("Connection: keep-alive\r\n\r\nretry: 500\n\n");
        head.push_str(&event(generation));
        if client
            .write_all(head.as_bytes())
            .and_then(|()| client.flush())
            .is_ok()
        {
            self.clients
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(client);
        }
    }

    /// Tells every browser that build `generation` is ready; drops streams that have closed.
    pub fn announce(&self, generation: u64) {
        let message = event(generation);
        let mut clients = self.clients.lock().unwrap_or_else(|e| e.into_inner());
        clients.retain_mut(|client| {
            client
                .write_all(message.as_bytes())
                .and_then(|()| client.flush())
                .is_ok()
        });
    }

    /// Closes every stream, so that shutdown does not wait on open tabs.
    pub fn close(&self) {
        self.clients
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}

fn event(generation: u64) -> String {
    format!("event: build\ndata: {generation}\n\n")
}
