//! Every request gets an id, in the outermost middleware: a sane incoming `X-Request-Id` (from
//! a gateway that already named the request) is kept, else one is made. The id is in the
//! `X-Request-Id` response header, in the access log line, in every problem body and in the
//! audit events the request's writes record. The access log line never shows a secret from the
//! query string.

use std::time::Instant;

use actix_web::body::{BodySize, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::HttpMessage;

/// The request and response header that carries the id.
pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");
/// The longest incoming id that is kept.
const LONGEST: usize = 64;

/// The id of the request being served, in its extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

impl RequestId {
    /// The id of `req`, if it passed through [`assign`].
    pub fn of(req: &actix_web::HttpRequest) -> Option<String> {
        req.extensions().get::<Self>().map(|id| id.0.clone())
    }
}

/// An incoming id is kept when it is 1 to 64 characters of letters, digits, `-`, `_`, `.`
/// and `:` (what gateways and UUIDs use); anything else could forge or flood a log line.
fn sane(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= LONGEST
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// A new random id: 16 hex digits.
fn generate() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the operating system provides random bytes");
    hex::encode(bytes)
}

/// Names the request, serves it, adds the id to the response and writes the access log line.
pub async fn assign(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let id = req
        .headers()
        .get(&HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| sane(v))
        .map_or_else(generate, str::to_string);
    req.extensions_mut().insert(RequestId(id.clone()));
    let line = AccessLine {
        peer: req.peer_addr().map(|a| a.ip().to_string()),
        method: req.method().to_string(),
        target: redacted(&req.uri().to_string()),
        version: req.version(),
    };
    let mut res = match next.call(req).await {
        Ok(res) => res,
        Err(err) => {
            // actix answers it further out; the log still names it
            let status = err.as_response_error().status_code();
            line.write(&id, status, None, started);
            return Err(err);
        }
    };
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(HEADER, value);
    }
    let size = res.response().body().size();
    line.write(&id, res.status(), Some(size), started);
    Ok(res)
}

/// What the access log says of a request, read before it is served.
struct AccessLine {
    peer: Option<String>,
    method: String,
    target: String,
    version: actix_web::http::Version,
}

impl AccessLine {
    fn write(self, id: &str, status: StatusCode, size: Option<BodySize>, started: Instant) {
        let status = status.as_u16();
        let bytes = match size {
            Some(BodySize::Sized(n)) => n.to_string(),
            _ => "-".into(),
        };
        let millis = started.elapsed().as_secs_f64() * 1000.0;
        let peer = self.peer.as_deref().unwrap_or("-");
        let target = loggable(&self.target);
        log::info!(
            target: "voortgang::access",
            request_id = id, peer = peer, method = self.method.as_str(), path = target.as_str(),
            status = status, bytes = bytes.as_str(), millis = (millis * 10.0).round() / 10.0;
            "{peer} \"{} {target} {:?}\" {status} {bytes} {millis:.1}ms {id}",
            self.method, self.version
        );
    }
}

/// Text from a request as it may appear in a log line: control characters escaped, so no
/// input can forge a line.
pub fn loggable(text: &str) -> String {
    text.chars().flat_map(char::escape_debug).collect()
}

/// Query parameters whose value is never logged, by a part of their name.
const SECRET_NAMES: &[&str] = &["token", "secret", "password", "passwd", "auth", "key"];
/// The prefix of every API token's secret.
const TOKEN_PREFIX: &str = "vgt_";

/// The request target as the log may show it: the value of a parameter named like a secret,
/// and anything that looks like a token (`vgt_...`, also in the path), is `[redacted]`.
pub fn redacted(target: &str) -> String {
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (target, None),
    };
    let mut out = without_tokens(path);
    if let Some(query) = query {
        out.push('?');
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((name, _)) if is_secret_name(name) => format!("{name}=[redacted]"),
                _ => without_tokens(pair),
            })
            .collect();
        out.push_str(&pairs.join("&"));
    }
    out
}

fn is_secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    SECRET_NAMES.iter().any(|secret| name.contains(secret))
}

/// `text` with every token-like run (`vgt_` or `vgt%5F` and what follows up to a separator)
/// replaced.
fn without_tokens(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    while at < text.len() {
        let rest = &lower[at..];
        let prefix = [TOKEN_PREFIX, "vgt%5f"]
            .into_iter()
            .find(|p| rest.starts_with(p));
        match prefix {
            Some(prefix) => {
                let run = text[at + prefix.len()..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
                    .unwrap_or(text.len() - at - prefix.len());
                out.push_str("[redacted]");
                at += prefix.len() + run;
            }
            None => {
                let c = text[at..].chars().next().expect("inside the text");
                out.push(c);
                at += c.len_utf8();
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_reach_the_log() {
        assert_eq!(
            redacted("/api/v1/domains?access_token=vgt_abc-DEF_1&limit=5"),
            "/api/v1/domains?access_token=[redacted]&limit=5"
        );
        assert_eq!(
            redacted("/api/v1/actions?q=vgt_secret123%20x&API_KEY=42"),
            "/api/v1/actions?q=[redacted]%20x&API_KEY=[redacted]"
        );
        assert_eq!(
            redacted("/api/v1/x/VGT%5Fabc?q=financi%C3%ABn"),
            "/api/v1/x/[redacted]?q=financi%C3%ABn"
        );
        assert_eq!(redacted("/health/ready"), "/health/ready");
        assert_eq!(redacted("/a?flag&token"), "/a?flag&token");
    }

    #[test]
    fn only_sane_incoming_ids_are_kept() {
        assert!(sane("0af7651916cd43dd8448eb211c80319c"));
        assert!(sane("req-42.gateway:7"));
        assert!(!sane(""));
        assert!(!sane("a b"));
        assert!(!sane("line\nbreak"));
        assert!(!sane(&"x".repeat(65)));
        assert_eq!(generate().len(), 16);
    }
}
