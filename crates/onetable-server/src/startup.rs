//! Building and running the HTTP server.

use std::net::TcpListener;

use actix_http::error::DispatchError;
use actix_http::HttpService;
use actix_server::Server;
use actix_service::{fn_service, map_config, ServiceFactoryExt};
use actix_web::dev::AppConfig;
use actix_web::{web, App};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;

use onetable_store::Db;
use tracing_actix_web::TracingLogger;

use crate::auth::keys::KeyRing;
use crate::auth::rate_limit::RateLimiter;
use crate::auth::tokens::TokenSettings;
use crate::bare_errors::JsonBareErrors;
use crate::routes;
use crate::state::{AppState, AuthPolicy};
use crate::Settings;

/// Wrong `/metrics` tokens an address may send a minute: a scraper configured once sends none.
const METRICS_FAILURES_PER_MINUTE: u32 = 10;

/// A bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
    app: onetable_app::App,
}

impl Application {
    /// Loads (or creates) the signing keys, binds `settings.bind` (port 0 picks a free port) and
    /// prepares the server over `db`.
    ///
    /// # Errors
    /// When the keys cannot be loaded or the address cannot be bound.
    pub fn build(settings: &Settings, db: Db) -> anyhow::Result<Self> {
        let keys = KeyRing::load_or_create(&mut *db.conn()?)?;
        let listener = TcpListener::bind(&settings.bind)?;
        let port = listener.local_addr()?.port();
        let limits = onetable_app::imports::Limits {
            inflated_bytes: settings.import_max_inflated_mib.saturating_mul(1024 * 1024),
            cells: settings.import_max_cells,
            ..onetable_app::imports::Limits::default()
        };
        let data_keys = onetable_app::registers::sealing::DataKeys::load_or_create(
            &settings.data_dir,
            settings.data_key.as_deref(),
        )
        .map_err(|e| anyhow::anyhow!(e))?;
        let app = onetable_app::App::start(db, limits)
            .map_err(|e| anyhow::anyhow!(e.describe()))?
            .with_data_keys(data_keys)
            .with_upload_turns(settings.upload_turns)
            .with_password_rules(settings.password_rules())
            .with_robot_hosts(settings.reminder_robot_hosts.clone())
            .with_webhooks(onetable_app::subscriptions::delivery::Webhooks::new(
                &settings.webhook_allowed_hosts,
                Duration::from_secs(settings.webhook_timeout_seconds.max(1)),
                Duration::from_secs(settings.webhook_retry_max_seconds.max(1)),
            ))
            .with_cube_snapshots(
                settings.data_dir.join("cubes"),
                (settings.cube_memory_mib > 0).then(|| settings.cube_memory_mib.saturating_mul(1024 * 1024)),
            );
        let kept = app.clone();
        let state = web::Data::new(AppState {
            app,
            policy: Arc::new(AuthPolicy {
                tokens: TokenSettings { issuer: settings.jwt_issuer.clone(), audience: settings.jwt_audience.clone() },
                user_token_seconds: settings.user_token_minutes * 60,
                client_token_seconds: settings.client_token_minutes * 60,
                lockout_attempts: settings.lockout_attempts.max(1),
                lockout_seconds: settings.lockout_seconds,
            }),
            keys: Arc::new(keys),
            login_limiter: Arc::new(RateLimiter::new(settings.login_rate_per_minute, Duration::from_secs(60))),
            metrics_limiter: Arc::new(RateLimiter::new(METRICS_FAILURES_PER_MINUTE, Duration::from_secs(60))),
            token_checks: Arc::default(),
            verified_tokens: Arc::default(),
            import_max_bytes: usize::try_from(settings.import_max_mib.saturating_mul(1024 * 1024))
                .unwrap_or(usize::MAX),
            trusted_proxies: Arc::new(settings.trusted_proxies.clone()),
            metrics_token: settings.metrics_token.as_deref().filter(|t| !t.trim().is_empty()).map(Arc::from),
        });
        let local = listener.local_addr()?;
        let builder = actix_server::Server::build()
            // actix stops accepting on SIGTERM and waits this long for requests under way.
            .shutdown_timeout(settings.shutdown_grace_seconds);
        let stopping = builder.graceful_shutdown_signal();
        // The delivery worker sends the outbox's events until the server stops, or is dropped
        // (its state, which the worker watches, goes with it).
        let alive: Arc<dyn std::any::Any + Send + Sync> = state.clone().into_inner();
        let signal = stopping.clone();
        tokio::spawn(onetable_app::subscriptions::delivery::run(
            kept.clone(),
            Arc::downgrade(&alive),
            Box::pin(async move { signal.notified().await }),
        ));
        let server = builder
            .listen("onetable", listener, move || {
                let state = state.clone();
                let app = App::new()
                    .app_data(state)
                    .wrap(actix_web::middleware::from_fn(routes::middleware::common))
                    .wrap(TracingLogger::default())
                    .service(crate::openapi::serve)
                    .configure(routes::configure)
                    .default_service(web::to(routes::not_found));
                let stopping = stopping.clone();
                let http = HttpService::build()
                    // Idle keep-alive connections close when the server stops, as actix-web's
                    // own server does.
                    .graceful_shutdown_signal(move || {
                        let signal = stopping.clone();
                        async move { signal.notified().await }
                    })
                    .client_disconnect_timeout(Duration::from_secs(1))
                    .local_addr(local)
                    .h1(map_config(app, |()| AppConfig::default()));
                // Each connection's writes pass through `JsonBareErrors` (see there), and its
                // peer address goes on for the audit trail and the rate limits.
                fn_service(|io: TcpStream| {
                    let peer = io.peer_addr().ok();
                    std::future::ready(Ok::<_, DispatchError>((JsonBareErrors::new(io), peer)))
                })
                .and_then(http)
            })?
            .run();
        Ok(Self { port, server, app: kept })
    }

    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until the process is told to stop.
    ///
    /// # Errors
    /// When the server fails.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await?;
        // Every request has been answered (or the grace time ran out). The cubes go to disk
        // with what they hold now, so that the next start catches up from here.
        let (cubes, db) = (self.app.cubes.clone(), self.app.db.clone());
        let started = std::time::Instant::now();
        let written = actix_web::rt::task::spawn_blocking(move || match db.conn() {
            Ok(mut conn) => cubes.snapshot_all(&mut conn),
            Err(e) => {
                tracing::warn!(error = %e, "no cube snapshots at shutdown: no database connection");
                0
            }
        })
        .await
        .unwrap_or(0);
        tracing::info!(cubes = written, ms = started.elapsed().as_millis(), "stopped; cube snapshots written");
        Ok(())
    }

    pub fn into_server(self) -> Server {
        self.server
    }
}
