//! A department system's endpoint for pushed events, real HTTP on a free local port: it records
//! what arrives (headers and body) and can be told to answer 500, hang, or redirect for its next
//! few requests, as a broken receiver would.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};

/// What the receiver does with its next requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Misbehaviour {
    /// Answers 500.
    Fail,
    /// Answers only after this long (longer than the server's timeout).
    Hang(Duration),
    /// Answers 302 to `/elsewhere` on the same receiver.
    Redirect,
}

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Arrival {
    pub signature: Option<String>,
    pub event_id: Option<String>,
    pub body: Vec<u8>,
}

#[derive(Debug, Default)]
struct State {
    /// Requests answered 2xx.
    accepted: Mutex<Vec<Arrival>>,
    /// Requests refused (500, redirect) or hung.
    refused: AtomicUsize,
    /// The next this many requests misbehave.
    misbehave: Mutex<Option<(Misbehaviour, usize)>>,
    /// Requests that followed a redirect (there must be none).
    followed: AtomicUsize,
    in_flight: AtomicUsize,
}

/// The running receiver; stops with the test.
#[derive(Debug, Clone)]
pub struct Receiver {
    pub url: String,
    state: Arc<State>,
}

impl Receiver {
    /// # Panics
    /// When no local port can be bound.
    #[must_use]
    pub fn start() -> Self {
        let state = Arc::new(State::default());
        let shared = web::Data::from(state.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(shared.clone())
                .route("/hooks", web::post().to(hook))
                .route("/elsewhere", web::post().to(elsewhere))
        })
        .workers(1)
        .bind("127.0.0.1:0")
        .expect("bind the receiver");
        let port = server.addrs()[0].port();
        tokio::spawn(server.run());
        Self { url: format!("http://127.0.0.1:{port}/hooks"), state }
    }

    /// The next `count` requests misbehave.
    ///
    /// # Panics
    /// When the lock is poisoned.
    pub fn misbehave(&self, how: Misbehaviour, count: usize) {
        *self.state.misbehave.lock().expect("lock") = Some((how, count));
    }

    /// What was accepted so far.
    ///
    /// # Panics
    /// When the lock is poisoned.
    #[must_use]
    pub fn accepted(&self) -> Vec<Arrival> {
        self.state.accepted.lock().expect("lock").clone()
    }

    #[must_use]
    pub fn refused(&self) -> usize {
        self.state.refused.load(Ordering::SeqCst)
    }

    #[must_use]
    pub fn followed(&self) -> usize {
        self.state.followed.load(Ordering::SeqCst)
    }

    #[must_use]
    pub fn in_flight(&self) -> usize {
        self.state.in_flight.load(Ordering::SeqCst)
    }

    /// Waits (up to `within`) until `count` different events were accepted (a receiver
    /// deduplicates by id); the different ids.
    pub async fn wait_for_unique(&self, count: usize, within: Duration) -> std::collections::BTreeSet<String> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let ids: std::collections::BTreeSet<String> =
                self.accepted().into_iter().filter_map(|a| a.event_id).collect();
            if ids.len() >= count || tokio::time::Instant::now() >= deadline {
                return ids;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits (up to `within`) until `count` requests were accepted; what was.
    pub async fn wait_for(&self, count: usize, within: Duration) -> Vec<Arrival> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let accepted = self.accepted();
            if accepted.len() >= count || tokio::time::Instant::now() >= deadline {
                return accepted;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

async fn hook(state: web::Data<State>, request: HttpRequest, body: web::Bytes) -> HttpResponse {
    let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let how = {
        let mut misbehave = state.misbehave.lock().expect("lock");
        match misbehave.as_mut() {
            Some((how, left)) if *left > 0 => {
                *left -= 1;
                Some(*how)
            }
            _ => None,
        }
    };
    match how {
        Some(Misbehaviour::Fail) => {
            state.refused.fetch_add(1, Ordering::SeqCst);
            HttpResponse::InternalServerError().body("down for maintenance")
        }
        Some(Misbehaviour::Redirect) => {
            state.refused.fetch_add(1, Ordering::SeqCst);
            HttpResponse::Found().insert_header(("location", "/elsewhere")).finish()
        }
        Some(Misbehaviour::Hang(wait)) => {
            state.refused.fetch_add(1, Ordering::SeqCst);
            state.in_flight.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(wait).await;
            state.in_flight.fetch_sub(1, Ordering::SeqCst);
            HttpResponse::Ok().finish()
        }
        None => {
            state.accepted.lock().expect("lock").push(Arrival {
                signature: header("x-onetable-signature"),
                event_id: header("x-onetable-event-id"),
                body: body.to_vec(),
            });
            HttpResponse::NoContent().finish()
        }
    }
}

async fn elsewhere(state: web::Data<State>) -> HttpResponse {
    state.followed.fetch_add(1, Ordering::SeqCst);
    HttpResponse::Ok().finish()
}
