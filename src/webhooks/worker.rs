//! The delivery worker: threads of their own. One turns audit events into deliveries (the
//! fan-out), woken by each change (a commit of this process, or another instance's NOTIFY);
//! the senders send them. A write never waits for either: its transaction records its audit
//! event and ends. A slow or dead receiver holds one sender for at most the timeout, and no
//! connection meanwhile; the fan-out goes on.

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
use crate::db::changes::Bell;
use crate::db::Database;

/// Audit events read per fan-out transaction.
const FAN_OUT_BATCH: i64 = 500;
/// How long an idle thread sleeps when nothing wakes it.
const IDLE: Duration = Duration::from_secs(60);
/// The most of a receiver's answer that is read (and then dropped).
const ANSWER_MAX: u64 = 64 * 1024;
/// The longest wait between two retries.
const RETRY_MAX: Duration = Duration::from_secs(3600);

/// The running worker; dropping it stops its threads.
pub struct Worker {
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

/// What the worker's threads share.
struct Shared {
    db: Database,
    config: WebhookConfig,
    hosts: AllowedHosts,
    stop: AtomicBool,
    /// Rung by the fan-out when there may be something to send.
    queued: Bell,
}

impl Shared {
    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Acquire)
    }

    /// A pooled connection, once the schema is ready.
    fn connection(&self) -> Result<crate::db::PgPooled, String> {
        let pool = self.db.pool().map_err(|e| e.to_string())?;
        pool.get().map_err(|e| format!("no connection: {e}"))
    }
}

impl Worker {
    /// Starts the fan-out and `config.workers` senders (nothing when 0).
    pub fn start(db: Database, config: &WebhookConfig) -> Self {
        let shared = Arc::new(Shared {
            db,
            config: config.clone(),
            hosts: AllowedHosts::new(config.hosts.iter().cloned()),
            stop: AtomicBool::new(false),
            queued: Bell::default(),
        });
        let mut threads = Vec::new();
        if config.workers > 0 {
            let fan_out = shared.clone();
            threads.extend(spawn("voortgang-webhooks-fan-out", move || {
                FanOut(fan_out).run()
            }));
        }
        for index in 0..config.workers {
            let sender = shared.clone();
            threads.extend(spawn(&format!("voortgang-webhooks-{index}"), move || {
                run(&sender)
            }));
        }
        Self { shared, threads }
    }
}

fn spawn(name: &str, work: impl FnOnce() + Send + 'static) -> Option<JoinHandle<()>> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(work)
        .map_err(|err| log::error!("cannot start the webhook thread {name}: {err}"))
        .ok()
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Release);
        self.shared.db.changes().bell().ring();
        self.shared.queued.ring();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

/// Runs `round` until the worker stops, sleeping on `bell` for what it answers; an error (the
/// database is away) is logged once per outage and tried again every second.
fn repeat(
    shared: &Shared,
    bell: &Bell,
    mut round: impl FnMut(bool) -> Result<Option<Duration>, String>,
) {
    let mut seen = bell.rung();
    let mut woken = true;
    let mut failing = false;
    while !shared.stopped() {
        let wait = match round(woken) {
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
                if !std::mem::replace(&mut failing, true) {
                    log::warn!("webhooks: {err}; trying again every second");
                }
                Duration::from_secs(1)
            }
        };
        if shared.stopped() {
            break;
        }
        let before = seen;
        seen = bell.wait(seen, wait);
        woken = seen != before;
    }
}

/// The fan-out: audit events to deliveries, and the deadline notices.
struct FanOut(Arc<Shared>);

impl FanOut {
    fn run(self) {
        let shared = &self.0;
        let mut deadline_checked: Option<Instant> = None;
        repeat(shared, shared.db.changes().bell(), |woken| {
            self.round(&mut deadline_checked, woken).map(Some)
        });
    }

    /// Fans out what is ready and looks for deadlines when due; answers how long to sleep.
    /// `woken`: a change started the round.
    fn round(
        &self,
        deadline_checked: &mut Option<Instant>,
        woken: bool,
    ) -> Result<Duration, String> {
        let shared = &self.0;
        if !shared.db.is_prepared() {
            return Ok(Duration::from_secs(1));
        }
        let mut conn = shared.connection()?;
        let mut read = 0;
        loop {
            let n = queue::fan_out(&mut conn, FAN_OUT_BATCH).map_err(|e| e.to_string())?;
            read += n;
            if (n as i64) < FAN_OUT_BATCH {
                break;
            }
        }
        let every = shared.config.deadline_every;
        let mut notices = 0;
        if deadline_checked.is_none_or(|at| at.elapsed() >= every) {
            let days = i32::try_from(shared.config.deadline_days).unwrap_or(i32::MAX);
            notices = queue::deadline_notices(&mut conn, days).map_err(|e| e.to_string())?;
            *deadline_checked = Some(Instant::now());
        }
        // a change may also be a ping, a redelivery or a subscription switched on
        if woken || read > 0 || notices > 0 {
            shared.queued.ring();
        }
        // after a change, look again shortly: events of a transaction that was still running
        // are ready once it is over, and the end of one that wrote nothing is not heard
        let again = if woken { Duration::from_secs(1) } else { IDLE };
        let next_check = deadline_checked.map_or(IDLE, |at| every.saturating_sub(at.elapsed()));
        Ok(again.min(next_check))
    }
}

/// A sender: claims the next due message, sends it, records how it went.
fn run(shared: &Shared) {
    let agent = ureq::AgentBuilder::new()
        .resolver(Guard(Arc::new(shared.hosts.clone())))
        .redirects(0)
        .timeout(shared.config.timeout)
        .user_agent(concat!("voortgang-webhooks/", env!("CARGO_PKG_VERSION")))
        .build();
    repeat(shared, &shared.queued, |_| send_next(shared, &agent));
}

/// Sends one message if one is due; answers `None` when it did (there may be more), else how
/// long until the next is due.
fn send_next(shared: &Shared, agent: &ureq::Agent) -> Result<Option<Duration>, String> {
    if !shared.db.is_prepared() {
        return Ok(Some(Duration::from_secs(1)));
    }
    let mut conn = shared.connection()?;
    let lease = shared.config.timeout + Duration::from_secs(5);
    let Some(claimed) = queue::claim(&mut conn, lease).map_err(|e| e.to_string())? else {
        let due = queue::next_due(&mut conn).map_err(|e| e.to_string())?;
        let until_due = due.map_or(IDLE, |at| {
            (at - Utc::now()).to_std().unwrap_or(Duration::ZERO) + Duration::from_millis(5)
        });
        return Ok(Some(until_due.min(IDLE)));
    };
    drop(conn);
    let outcome = send(agent, &shared.hosts, &claimed);
    if !outcome.delivered() {
        log::info!(
            "webhook {} message {} attempt {} failed: {}",
            claimed.webhook_id,
            claimed.message_id,
            claimed.attempts,
            outcome.error.as_deref().unwrap_or("")
        );
    }
    let retry_in = backoff(shared.config.first_retry, claimed.attempts);
    let mut conn = shared.connection()?;
    queue::record(
        &mut conn,
        &claimed,
        &outcome,
        retry_in,
        shared.config.give_up_after,
    )
    .map_err(|e| e.to_string())?;
    Ok(None)
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
