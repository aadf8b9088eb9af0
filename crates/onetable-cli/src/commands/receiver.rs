//! A department system's endpoint for pushed events (the demo's 民政局 system, and the webhook
//! benchmark's receiver): it checks each event's signature as a department would, deduplicates by
//! event id, and shows what it received at `GET /`. `POST /mode` with `ok` or `down` makes it
//! answer 503 for a while, as a system under maintenance.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use onetable_app::subscriptions::{signing, WebhookEvent};
use serde::Serialize;

/// Events shown on its page.
const SHOWN: usize = 50;

/// What the receiver has seen.
#[derive(Debug, Default)]
pub struct Received {
    secret: String,
    ids: Mutex<HashSet<String>>,
    latest: Mutex<VecDeque<WebhookEvent>>,
    /// Events accepted for the first time.
    pub unique: AtomicUsize,
    /// Events that arrived again (at least once: a receiver deduplicates).
    pub repeated: AtomicUsize,
    /// Requests refused: a bad signature, or while down.
    pub refused: AtomicUsize,
    /// Events of a village older than one it already had (its revision lower).
    pub out_of_order: AtomicUsize,
    revisions: Mutex<HashMap<String, i64>>,
    down: AtomicBool,
}

impl Received {
    /// Answers 503 to everything while `down`.
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }
}

#[derive(Serialize)]
struct Stats {
    unique: usize,
    repeated: usize,
    refused: usize,
    down: bool,
}

/// Starts the receiver on `bind` (port 0: any free one); answers its address and what it sees.
///
/// # Errors
/// When the address cannot be bound.
pub fn start(bind: &str, secret: &str) -> anyhow::Result<(String, Arc<Received>, actix_web::dev::ServerHandle)> {
    let received = Arc::new(Received { secret: secret.to_owned(), ..Received::default() });
    let shared = web::Data::from(received.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(shared.clone())
            .route("/events", web::post().to(event))
            .route("/mode", web::post().to(mode))
            .route("/stats", web::get().to(stats))
            .route("/", web::get().to(page))
    })
    .workers(1)
    .disable_signals()
    .bind(bind)?;
    let address = server.addrs()[0];
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(server);
    Ok((format!("http://{address}"), received, handle))
}

async fn event(received: web::Data<Received>, request: HttpRequest, body: web::Bytes) -> HttpResponse {
    if received.down.load(Ordering::SeqCst) {
        received.refused.fetch_add(1, Ordering::SeqCst);
        return HttpResponse::ServiceUnavailable().body("maintenance");
    }
    let header = request.headers().get(signing::HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !signing::verify(&received.secret, header, &body, chrono::Utc::now().timestamp()) {
        received.refused.fetch_add(1, Ordering::SeqCst);
        return HttpResponse::Unauthorized().body("bad signature");
    }
    let Ok(event) = serde_json::from_slice::<WebhookEvent>(&body) else {
        received.refused.fetch_add(1, Ordering::SeqCst);
        return HttpResponse::BadRequest().body("not an event");
    };
    let first = received.ids.lock().is_ok_and(|mut ids| ids.insert(event.id.clone()));
    if first {
        received.unique.fetch_add(1, Ordering::SeqCst);
        let key = format!("{}/{}/{}", event.subscription, event.region, event.period);
        if let Ok(mut revisions) = received.revisions.lock() {
            let last = revisions.entry(key).or_insert(event.revision);
            if event.revision < *last {
                received.out_of_order.fetch_add(1, Ordering::SeqCst);
            }
            *last = (*last).max(event.revision);
        }
        if let Ok(mut latest) = received.latest.lock() {
            latest.push_front(event);
            latest.truncate(SHOWN);
        }
    } else {
        received.repeated.fetch_add(1, Ordering::SeqCst);
    }
    HttpResponse::NoContent().finish()
}

async fn mode(received: web::Data<Received>, body: String) -> HttpResponse {
    received.set_down(body.trim() == "down");
    HttpResponse::NoContent().finish()
}

fn snapshot(received: &Received) -> Stats {
    Stats {
        unique: received.unique.load(Ordering::SeqCst),
        repeated: received.repeated.load(Ordering::SeqCst),
        refused: received.refused.load(Ordering::SeqCst),
        down: received.down.load(Ordering::SeqCst),
    }
}

async fn stats(received: web::Data<Received>) -> HttpResponse {
    HttpResponse::Ok().json(snapshot(&received))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

async fn page(received: web::Data<Received>) -> HttpResponse {
    let stats = snapshot(&received);
    let rows: String = received
        .latest
        .lock()
        .map(|latest| {
            latest
                .iter()
                .map(|e| {
                    format!(
                        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        escape(&e.occurred_at),
                        escape(&e.kind),
                        escape(&e.region),
                        escape(&e.period),
                        escape(&e.indicators.join("、")),
                        e.revision
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    HttpResponse::Ok().content_type("text/html; charset=utf-8").body(format!(
        "<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>民政局系统（演示接收端）</title><body style=\"font-family:sans-serif\"><h1>民政局系统（演示接收端）</h1>\
         <p>签名校验通过的事件 {} 个（重复到达已去重 {} 次，拒收 {} 次）。最近的事件：</p>\
         <table border=\"1\" cellpadding=\"4\"><tr><th>发生时间</th><th>类型</th><th>村</th><th>期别</th><th>指标</th><th>版本</th></tr>{rows}</table>",
        stats.unique, stats.repeated, stats.refused
    ))
}
