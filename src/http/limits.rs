//! Rate limits: per token (or per client address for anonymous reads), and per client address
//! for failed authentications, as token buckets that refill continuously; and a cap on the
//! expensive requests one token has in progress at once. A request over a limit gets 429 with
//! `Retry-After` in seconds.

use std::collections::HashMap;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::web::Bytes;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub use crate::config::RateLimits;
use crate::error::ApiError;

/// Buckets kept at most per limiter; when full, the full (idle) ones are dropped.
const KEYS: usize = 10_000;

struct Bucket {
    tokens: f64,
    at: Instant,
}

/// One token bucket per key: `per_minute` requests, bursts of as many.
pub struct Limiter<K> {
    per_minute: u32,
    buckets: Mutex<HashMap<K, Bucket>>,
}

impl<K: std::hash::Hash + Eq + Clone> Limiter<K> {
    /// Requests per minute (`0`: unlimited).
    pub fn per_minute(&self) -> u32 {
        self.per_minute
    }

    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn refill(&self, bucket: &mut Bucket, now: Instant) {
        let capacity = f64::from(self.per_minute);
        let elapsed = now.duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * capacity / 60.0).min(capacity);
        bucket.at = now;
    }

    /// Whether `key` may make a request now (counting it), with what is left of its quota
    /// (`None` when unlimited), or how many seconds until it may.
    pub fn take(&self, key: &K) -> Result<Option<Quota>, u64> {
        self.check(key, true)
    }

    /// Whether `key` has any request left, without counting one.
    pub fn peek(&self, key: &K) -> Result<Option<Quota>, u64> {
        self.check(key, false)
    }

    fn check(&self, key: &K, count: bool) -> Result<Option<Quota>, u64> {
        if self.per_minute == 0 {
            return Ok(None);
        }
        let capacity = f64::from(self.per_minute);
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= KEYS && !buckets.contains_key(key) {
            let limiter = self;
            buckets.retain(|_, bucket| {
                limiter.refill(bucket, now);
                bucket.tokens < capacity
            });
            if buckets.len() >= KEYS {
                buckets.clear();
            }
        }
        let bucket = buckets.entry(key.clone()).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        self.refill(bucket, now);
        if bucket.tokens >= 1.0 {
            if count {
                bucket.tokens -= 1.0;
            }
            Ok(Some(Quota {
                limit: self.per_minute,
                remaining: bucket.tokens.floor() as u32,
                full_in: ((capacity - bucket.tokens) * 60.0 / capacity).ceil() as u64,
            }))
        } else {
            let wait = (1.0 - bucket.tokens) * 60.0 / capacity;
            Err(wait.ceil().max(1.0) as u64)
        }
    }
}

/// At most `max` requests in progress at once per key (`0`: unlimited). One more waits up to
/// [`IN_FLIGHT_WAIT`] for a place, so a burst of quick requests is served in turn, and is
/// refused only when the key's requests hold their places longer.
pub struct InFlight {
    max: u32,
    places: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// One request in progress; its place is given back when dropped.
pub struct Permit {
    _place: Option<OwnedSemaphorePermit>,
}

/// How long a request waits for a place before it is refused.
pub const IN_FLIGHT_WAIT: Duration = Duration::from_secs(2);

/// How long a client refused by [`InFlight`] should wait: about what an expensive request
/// takes.
pub const IN_FLIGHT_RETRY_SECS: u64 = 2;

impl InFlight {
    pub fn new(max: u32) -> Self {
        Self {
            max,
            places: Mutex::new(HashMap::new()),
        }
    }

    fn places_of(&self, key: &str) -> Arc<Semaphore> {
        let mut places = self.places.lock().unwrap_or_else(|e| e.into_inner());
        if places.len() >= KEYS && !places.contains_key(key) {
            // forget the keys with nothing in progress
            let max = self.max as usize;
            places.retain(|_, p| Arc::strong_count(p) > 1 || p.available_permits() < max);
        }
        places
            .entry(key.to_string())
            .or_insert_with(|| Arc::new(Semaphore::new(self.max as usize)))
            .clone()
    }

    /// A place for one more request of `key`, or the 429 when its requests keep all of theirs
    /// for [`IN_FLIGHT_WAIT`].
    pub async fn acquire(&self, key: &str) -> Result<Permit, ApiError> {
        if self.max == 0 {
            return Ok(Permit { _place: None });
        }
        let places = self.places_of(key);
        match actix_web::rt::time::timeout(IN_FLIGHT_WAIT, places.acquire_owned()).await {
            Ok(Ok(place)) => Ok(Permit {
                _place: Some(place),
            }),
            _ => Err(ApiError::TooManyRequests {
                detail: format!(
                    "This client already has {} expensive requests (searches, reports, exports) in progress; retry after {IN_FLIGHT_RETRY_SECS} seconds.",
                    self.max
                ),
                retry_after: IN_FLIGHT_RETRY_SECS,
            }),
        }
    }
}

/// The operations whose cost grows with the data rather than with the answer's size: they
/// count against [`InFlight`].
const EXPENSIVE: [&str; 4] = [
    "/api/v1/reports/{year}",
    "/api/v1/reports/{year}/document",
    "/api/v1/reports/{year}/follow-up",
    "/api/v1/exports/{table}",
];

/// Whether a request for the operation `template` is expensive: a report, a document, an
/// export, a workbook (the exports' or a worklist's), or any search (a non-empty `q`).
pub fn expensive(method: &Method, template: &str, query: &str) -> bool {
    if method != Method::GET && method != Method::HEAD {
        return false;
    }
    let workbook = query.split('&').any(|pair| pair == "format=xlsx")
        && matches!(
            template,
            "/api/v1/exports" | "/api/v1/reports/{year}/worklist"
        );
    workbook
        || EXPENSIVE.contains(&template)
        || query.split('&').any(|pair| {
            pair.strip_prefix("q=")
                .is_some_and(|value| !value.is_empty())
        })
}

/// A response body that keeps its request's [`Permit`] until the last byte is sent, so a
/// streamed export counts as long as it reads the database.
pub struct Held {
    body: BoxBody,
    _permit: Permit,
}

impl Held {
    pub fn new(body: BoxBody, permit: Permit) -> Self {
        Self {
            body,
            _permit: permit,
        }
    }
}

impl MessageBody for Held {
    type Error = Box<dyn std::error::Error>;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_next(cx)
    }
}

/// What is left of a key's request quota after a request, as the `RateLimit` and
/// `RateLimit-Policy` headers (draft-ietf-httpapi-ratelimit-headers) tell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Requests per minute.
    pub limit: u32,
    /// Requests that may follow at once.
    pub remaining: u32,
    /// Seconds until the quota is full again.
    pub full_in: u64,
}

impl Quota {
    /// The quota of a key that was refused for `wait` seconds.
    pub fn spent(limit: u32, wait: u64) -> Self {
        Self {
            limit,
            remaining: 0,
            full_in: wait,
        }
    }

    /// Adds the headers that state it.
    pub fn state(&self, headers: &mut HeaderMap) {
        let policy = format!("\"per-token\";q={};w=60", self.limit);
        let left = format!("\"per-token\";r={};t={}", self.remaining, self.full_in);
        for (name, value) in [("ratelimit-policy", policy), ("ratelimit", left)] {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(HeaderName::from_static(name), value);
            }
        }
    }
}

/// The limiters of the process.
pub struct Limits {
    pub requests: Limiter<String>,
    pub failures: Limiter<IpAddr>,
    pub expensive: InFlight,
}

impl Limits {
    pub fn new(limits: RateLimits) -> Self {
        Self {
            requests: Limiter::new(limits.per_token),
            failures: Limiter::new(limits.auth_failures),
            expensive: InFlight::new(limits.expensive_per_token),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::new(RateLimits::default())
    }
}

/// The 429 problem for a wait of `seconds`.
pub fn too_many(what: &str, seconds: u64) -> ApiError {
    ApiError::TooManyRequests {
        detail: format!("Too many {what}; retry after {seconds} seconds."),
        retry_after: seconds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_asks_to_wait() {
        let limiter = Limiter::new(3);
        for left in (0..3).rev() {
            assert_eq!(limiter.take(&"a").unwrap().unwrap().remaining, left);
        }
        let wait = limiter.take(&"a").unwrap_err();
        assert!((1..=20).contains(&wait), "{wait}");
        assert!(limiter.take(&"b").is_ok(), "keys are separate");
        assert_eq!(Limiter::new(0).take(&"a"), Ok(None), "0 is unlimited");
        let peeked = Limiter::new(1);
        assert!(peeked.peek(&"a").is_ok());
        assert!(peeked.peek(&"a").is_ok(), "peeking counts nothing");
    }

    #[actix_web::test]
    async fn in_flight_counts_until_the_permit_is_dropped() {
        let cap = InFlight::new(2);
        let first = cap.acquire("a").await.unwrap();
        let _second = cap.acquire("a").await.unwrap();
        assert!(cap.acquire("a").await.is_err(), "refused after the wait");
        assert!(cap.acquire("b").await.is_ok(), "keys are separate");
        // a request waiting for a place gets the one given back
        let cap = Arc::new(cap);
        let waiter = cap.clone();
        let waiting = actix_web::rt::spawn(async move { waiter.acquire("a").await.is_ok() });
        actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        drop(first);
        assert!(waiting.await.unwrap());
        let unlimited = InFlight::new(0);
        for _ in 0..100 {
            std::mem::forget(unlimited.acquire("a").await.unwrap());
        }
    }

    #[test]
    fn searches_reports_and_exports_are_expensive() {
        let get = Method::GET;
        assert!(expensive(&get, "/api/v1/reports/{year}", ""));
        assert!(expensive(&get, "/api/v1/exports/{table}", "limit=10"));
        assert!(expensive(&get, "/api/v1/exports", "format=xlsx"));
        assert!(!expensive(&get, "/api/v1/exports", ""));
        assert!(expensive(
            &get,
            "/api/v1/reports/{year}/worklist",
            "department_id=ict&format=xlsx"
        ));
        assert!(expensive(&get, "/api/v1/actions", "limit=5&q=audit"));
        assert!(!expensive(&get, "/api/v1/actions", "limit=5&q="));
        assert!(!expensive(&get, "/api/v1/actions", "sq=audit"));
        assert!(!expensive(&Method::PUT, "/api/v1/reports/{year}", ""));
    }
}
