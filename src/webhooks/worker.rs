//! The delivery worker: threads of their own that turn audit events into deliveries and send
//! them. A write never waits for it: the write's transaction records its audit event and
//! ends; the worker is woken by the change (or by another instance's NOTIFY) and sends from
//! the database. A slow or dead receiver holds one worker thread for at most the timeout,
//! and no connection meanwhile.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::queue::{self, Claimed, Outcome};
use super::sign;
use super::target::{AllowedHosts, Guard};
use crate::config::WebhookConfig;
use crate::db::Database;

/// Audit events read per fan-out transaction.
const FAN_OUT_BATCH: i64 = 500;
/// How long an idle worker sleeps when nothing wakes it.
const IDLE: Duration = Duration::from_secs(60);
/// The most of a receiver's answer that is read (and then dropped).
const ANSWER_MAX: u64 = 64 * 1024;
/// The longest wait between two retries.
const RETRY_MAX: Duration = Duration::from_secs(3600);

/// The running worker; dropping it stops its threads.
pub struct Worker {
    stop: Arc<AtomicBool>,
    db: Database,
    threads: Vec<JoinHandle<()>>,
}

impl Worker {
    /// Starts `config.workers` threads (none when 0).
    pub fn start(db: Database, config: &WebhookConfig) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let hosts = Arc::new(AllowedHosts::new(config.hosts.iter().cloned()));
        let threads = (0..config.workers)
            .filter_map(|index| {
                let sender = Sender {
                    index,
                    db: db.clone(),
                    stop: stop.clone(),
                    hosts: hosts.clone(),
                    config: config.clone(),
                };
                std::thread::Builder::new()
                    .name(format!("voortgang-webhooks-{index}"))
                    .spawn(move || sender.run())
                    .map_err(|err| log::error!("cannot start a webhook worker: {err}"))
                    .ok()
            })
            .collect();
        Self { stop, db, threads }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        self.db.changes().wake();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

struct Sender {
    index: u32,
    db: Database,
    stop: Arc<AtomicBool>,
    hosts: Arc<AllowedHosts>,
    config: WebhookConfig,
}

impl Sender {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Acquire)
    }

    fn run(self) {
        let agent = ureq::AgentBuilder::new()
            .resolver(Guard(self.hosts.clone()))
            .redirects(0)
            .timeout(self.config.timeout)
            .user_agent(concat!("voortgang-webhooks/", env!("CARGO_PKG_VERSION")))
            .build();
        let mut deadline_checked: Option<Instant> = None;
        let mut seen = self.db.changes().rung();
        let mut woken = true;
        let mut failing = false;
        while !self.stopped() {
            let wait = match self.round(&agent, &mut deadline_checked, woken) {
                Ok(wait) => {
                    if std::mem::take(&mut failing) {
                        log::info!("webhooks: the database answers again");
                    }
                    match wait {
                        Some(wait) => wait,
                        None => continue,
                    }
                }
                Err(err) => {
                    // once per outage, not once a second
                    if !std::mem::replace(&mut failing, true) {
                        log::warn!("webhooks: {err}; trying again every second");
                    }
                    Duration::from_secs(1)
                }
            };
            if self.stopped() {
                break;
            }
            let before = seen;
            seen = self.db.changes().wait(seen, wait);
            woken = seen != before;
        }
    }

    /// One round: fan out, look for deadlines, send one message. Answers how long to sleep,
    /// or `None` to go on at once (a message was sent; there may be more). `woken`: a change
    /// started the round.
    fn round(
        &self,
        agent: &ureq::Agent,
        deadline_checked: &mut Option<Instant>,
        woken: bool,
    ) -> Result<Option<Duration>, String> {
        if !self.db.is_prepared() {
            return Ok(Some(Duration::from_secs(1)));
        }
        let pool = self.db.pool().map_err(|e| e.to_string())?;
        let mut conn = pool.get().map_err(|e| format!("no connection: {e}"))?;
        let mut read = 0;
        loop {
            let n = queue::fan_out(&mut conn, FAN_OUT_BATCH).map_err(|e| e.to_string())?;
            read += n;
            if (n as i64) < FAN_OUT_BATCH {
                break;
            }
        }
        let days = i32::try_from(self.config.deadline_days).unwrap_or(i32::MAX);
        if self.index == 0
            && deadline_checked.is_none_or(|at| at.elapsed() >= self.config.deadline_every)
        {
            queue::deadline_notices(&mut conn, days).map_err(|e| e.to_string())?;
            *deadline_checked = Some(Instant::now());
        }
        let lease = self.config.timeout + Duration::from_secs(5);
        let claimed = queue::claim(&mut conn, lease).map_err(|e| e.to_string())?;
        let Some(claimed) = claimed else {
            let due = queue::next_due(&mut conn).map_err(|e| e.to_string())?;
            let until_due = due.map_or(IDLE, |at| {
                (at - Utc::now()).to_std().unwrap_or(Duration::ZERO) + Duration::from_millis(5)
            });
            // a change whose events are not ready (an older transaction still runs) is looked
            // at again shortly, as the end of a transaction that wrote nothing is not heard
            let again = if woken && read == 0 {
                Duration::from_secs(1)
            } else {
                IDLE
            };
            let deadline_check = match (self.index, *deadline_checked) {
                (0, Some(at)) => self.config.deadline_every.saturating_sub(at.elapsed()),
                _ => IDLE,
            };
            return Ok(Some(until_due.min(again).min(deadline_check)));
        };
        drop(conn);
        let outcome = send(agent, &self.hosts, &claimed);
        if !outcome.delivered() {
            log::info!(
                "webhook {} message {} attempt {} failed: {}",
                claimed.webhook_id,
                claimed.message_id,
                claimed.attempts,
                outcome.error.as_deref().unwrap_or("")
            );
        }
        let retry_in = backoff(self.config.first_retry, claimed.attempts);
        let mut conn = pool.get().map_err(|e| format!("no connection: {e}"))?;
        queue::record(
            &mut conn,
            &claimed,
            &outcome,
            retry_in,
            self.config.give_up_after,
        )
        .map_err(|e| e.to_string())?;
        Ok(None)
    }
}

/// The wait before the retry after attempt `attempts`: `first` doubled per attempt, at most
/// an hour, and between half of that and all of it ("equal jitter"), so that receivers that
/// come back are not hit by every sender at once.
pub fn backoff(first: Duration, attempts: i32) -> Duration {
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(20);
    let full = first.saturating_mul(1 << doublings).min(RETRY_MAX);
    let mut random = [0u8; 4];
    getrandom::fill(&mut random).expect("the operating system provides random bytes");
    let fraction = f64::from(u32::from_le_bytes(random)) / f64::from(u32::MAX);
    full / 2 + full.mul_f64(fraction / 2.0)
}

/// Sends one message: `POST` of its body with the Standard Webhooks headers.
fn send(agent: &ureq::Agent, hosts: &AllowedHosts, claimed: &Claimed) -> Outcome {
    let started = Instant::now();
    let failed = |status: Option<u16>, error: String| Outcome {
        status,
        duration: started.elapsed(),
        error: Some(error),
    };
    // the allow-list may have changed since the subscription was made
    if let Err(why) = hosts.check(&claimed.url) {
        return failed(None, format!("the target URL {why}"));
    }
    let timestamp = Utc::now().timestamp();
    let secrets: Vec<&str> = claimed.secrets.iter().map(String::as_str).collect();
    let signature = sign::signature(
        &secrets,
        &claimed.message_id,
        timestamp,
        claimed.body.as_bytes(),
    );
    let sent = agent
        .post(&claimed.url)
        .set("content-type", "application/json")
        .set("webhook-id", &claimed.message_id)
        .set("webhook-timestamp", &timestamp.to_string())
        .set("webhook-signature", &signature)
        .send_bytes(claimed.body.as_bytes());
    let answer = match sent {
        Ok(answer) => answer,
        Err(ureq::Error::Status(_, answer)) => answer,
        Err(ureq::Error::Transport(err)) => return failed(None, err.to_string()),
    };
    let status = answer.status();
    let mut sink = Vec::new();
    // the answer is read (so the connection can be used again) but never kept
    let _ = answer.into_reader().take(ANSWER_MAX).read_to_end(&mut sink);
    let duration = started.elapsed();
    let error = match status {
        200..=299 => None,
        300..=399 => Some(format!(
            "the receiver answered {status}; redirects are not followed"
        )),
        _ => Some(format!("the receiver answered {status}")),
    };
    Outcome {
        status: Some(status),
        duration,
        error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time_with_jitter_and_at_most_an_hour() {
        let first = Duration::from_secs(10);
        for attempts in 1..=30 {
            let full = first
                .saturating_mul(1 << (attempts - 1).min(20))
                .min(RETRY_MAX);
            let wait = backoff(first, attempts);
            assert!(wait >= full / 2 && wait <= full, "{attempts}: {wait:?}");
        }
        let waits: std::collections::HashSet<_> =
            (0..20).map(|_| backoff(first, 3).as_millis()).collect();
        assert!(waits.len() > 1, "jitter varies the wait");
    }
}
