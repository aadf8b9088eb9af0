//! JSON bodies for the answers actix-http writes by itself. A request head it cannot parse (a
//! URL over 64 KiB, a head over 128 KiB, bytes that are not HTTP) is answered by actix-http's
//! dispatcher before any code of ours runs: a 400 or 431 with an empty body, and actix-http has
//! no hook to change it. Every connection's writes pass through [`JsonBareErrors`], which knows
//! such an answer by its exact head (an empty error answer that closes the connection: ours
//! always carry the JSON error body) and writes the error body every other answer has instead.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::routes::middleware::MAX_HEAD_BYTES;

const BARE_400: &[u8] = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n";
const BARE_431: &[u8] = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\nconnection: close\r\n";

/// A connection whose bare parse-error answers get the JSON error body.
pub struct JsonBareErrors<T> {
    inner: T,
    /// The answer written instead, and how much of it is out.
    pending: Vec<u8>,
    sent: usize,
    /// The longest line read on this connection so far, and the one being read: a request line
    /// past the head limit tells a URL too long from other malformed requests.
    longest_line: usize,
    line: usize,
}

impl<T> JsonBareErrors<T> {
    pub fn new(inner: T) -> Self {
        Self { inner, pending: Vec::new(), sent: 0, longest_line: 0, line: 0 }
    }

    fn saw(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if b == b'\n' {
                self.line = 0;
            } else {
                self.line += 1;
                self.longest_line = self.longest_line.max(self.line);
            }
        }
    }

    /// The JSON answer for a bare one (by the longest line read: one past the head limit is a
    /// URL too long, answered as a head too large is).
    fn answer(&self, status_431: bool) -> Vec<u8> {
        let too_large = status_431 || self.longest_line > MAX_HEAD_BYTES;
        let (status, code, message) = if too_large {
            (
                "431 Request Header Fields Too Large",
                "headers_too_large",
                format!("请求头过大（超过 {} KiB）：地址或请求头太长", MAX_HEAD_BYTES / 1024),
            )
        } else {
            ("400 Bad Request", "bad_request", "请求无法解析：不是格式正确的 HTTP 请求".to_owned())
        };
        let body = serde_json::json!({"error": code, "message": message, "details": []}).to_string();
        let mut out = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\nx-content-type-options: nosniff\r\n\r\n",
            body.len()
        )
        .into_bytes();
        out.extend(body.as_bytes());
        out
    }

    /// `buf` with a bare error answer at its end replaced, if it ends with one.
    fn replaced(&self, buf: &[u8]) -> Option<Vec<u8>> {
        let (at, is_431) = [(BARE_400, false), (BARE_431, true)]
            .into_iter()
            .find_map(|(bare, is_431)| buf.windows(bare.len()).rposition(|w| w == bare).map(|at| (at, is_431)))?;
        let head = &buf[at..];
        let end = head.windows(4).position(|w| w == b"\r\n\r\n")?;
        if end + 4 != head.len() {
            return None;
        }
        let mut out = buf[..at].to_vec();
        out.extend(self.answer(is_431));
        Some(out)
    }
}

impl<T: AsyncWrite + Unpin> JsonBareErrors<T> {
    /// Writes out what is pending.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.sent < self.pending.len() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.sent..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.sent += n;
        }
        self.pending.clear();
        self.sent = 0;
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for JsonBareErrors<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        ready!(Pin::new(&mut self.inner).poll_read(cx, buf))?;
        let this = &mut *self;
        this.saw(&buf.filled()[before..]);
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for JsonBareErrors<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        ready!(self.poll_pending(cx))?;
        if let Some(answer) = self.replaced(buf) {
            self.pending = answer;
            // Taken whole: what is left goes out on the next write, flush or shutdown.
            if let Poll::Ready(Err(e)) = self.poll_pending(cx) {
                return Poll::Ready(Err(e));
            }
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_answer_at_the_end_is_replaced_and_nothing_else() {
        let mut io = JsonBareErrors::new(());
        let bare = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\ndate: x\r\n\r\n";
        let mut written = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}".to_vec();
        written.extend(bare);
        let answer = String::from_utf8(io.replaced(&written).unwrap_or_default()).unwrap_or_default();
        assert!(
            answer.starts_with("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}HTTP/1.1 400 Bad Request\r\n"),
            "{answer}"
        );
        let body: serde_json::Value =
            serde_json::from_str(answer.rsplit("\r\n\r\n").next().unwrap_or_default()).unwrap_or_default();
        assert_eq!(body["error"], "bad_request", "{answer}");
        assert!(io.replaced(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").is_none());
        let with_body = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\nmore";
        assert!(io.replaced(with_body).is_none(), "only an answer that ends the write");

        io.saw(&vec![b'a'; MAX_HEAD_BYTES + 1]);
        let answer = String::from_utf8(io.replaced(bare).unwrap_or_default()).unwrap_or_default();
        assert!(answer.starts_with("HTTP/1.1 431 "), "a URL too long: {answer}");
    }
}
