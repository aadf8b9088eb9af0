//! Turns for heavy uploads (上传排队): a form to analyze, a clean-up batch, an import. Each may
//! take hundreds of megabytes and a core while it is read, so only a few are read at once; the
//! next is told to come back (429 with `Retry-After`) rather than queued, since a queue of
//! uploads holds their bodies in memory while it waits.

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::problem::{AppResult, Kind, Problem};
use crate::App;

/// Seconds a client is told to wait for a turn.
pub const RETRY_SECONDS: u64 = 5;

/// Uploads read at once when the configuration says nothing.
pub const DEFAULT_TURNS: usize = 2;

/// The turns there are.
#[derive(Debug, Clone)]
pub struct UploadTurns(Arc<Semaphore>);

impl UploadTurns {
    #[must_use]
    pub fn new(turns: usize) -> Self {
        Self(Arc::new(Semaphore::new(turns.max(1))))
    }
}

impl Default for UploadTurns {
    fn default() -> Self {
        Self::new(DEFAULT_TURNS)
    }
}

/// One upload's turn, given back when dropped. The use cases that read an upload take one, so
/// no interface can read a file outside a turn.
#[derive(Debug)]
pub struct UploadTurn(#[allow(dead_code)] OwnedSemaphorePermit);

impl App {
    /// A turn to read an upload, taken before its body is read.
    ///
    /// # Errors
    /// 429 `too_many_uploads` with `Retry-After` while every turn is taken.
    pub fn upload_turn(&self) -> AppResult<UploadTurn> {
        self.uploads.0.clone().try_acquire_owned().map(UploadTurn).map_err(|_| {
            Problem::new(Kind::RateLimited, "too_many_uploads", "服务器正在读取其他上传的文件，请稍后几秒重试")
                .with_retry_after(RETRY_SECONDS)
        })
    }
}
