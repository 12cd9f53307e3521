//! Rate limits: per token (or per client address for anonymous reads), and per client address
//! for failed authentications, as token buckets that refill continuously. A request over the
//! limit gets 429 with `Retry-After` in seconds.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

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

    /// Whether `key` may make a request now (counting it), or how many seconds until it may.
    pub fn take(&self, key: &K) -> Result<(), u64> {
        self.check(key, true)
    }

    /// Whether `key` has any request left, without counting one.
    pub fn peek(&self, key: &K) -> Result<(), u64> {
        self.check(key, false)
    }

    fn check(&self, key: &K, count: bool) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
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
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) * 60.0 / capacity;
            Err(wait.ceil().max(1.0) as u64)
        }
    }
}

/// The limiters of the process.
pub struct Limits {
    pub requests: Limiter<String>,
    pub failures: Limiter<IpAddr>,
}

impl Limits {
    pub fn new(limits: RateLimits) -> Self {
        Self {
            requests: Limiter::new(limits.per_token),
            failures: Limiter::new(limits.auth_failures),
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
        for _ in 0..3 {
            assert_eq!(limiter.take(&"a"), Ok(()));
        }
        let wait = limiter.take(&"a").unwrap_err();
        assert!((1..=20).contains(&wait), "{wait}");
        assert_eq!(limiter.take(&"b"), Ok(()), "keys are separate");
        assert_eq!(Limiter::new(0).take(&"a"), Ok(()), "0 is unlimited");
        let peeked = Limiter::new(1);
        assert_eq!(peeked.peek(&"a"), Ok(()));
        assert_eq!(peeked.peek(&"a"), Ok(()), "peeking counts nothing");
    }
}
