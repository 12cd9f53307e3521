//! Knowing, without asking the database on every request, whether data changed.
//!
//! Commits that change the data (or the tokens) are announced by the database with NOTIFY
//! (migration 10). One thread per process listens on a connection of its own and counts them
//! into generations; a process also counts its own commits at once, so a client reads its own
//! writes. What is kept in memory is kept under the generation it was read in, and is served
//! only while the generation is unchanged and the listener is connected: when the listener
//! loses its connection nothing kept is trusted until it is back.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::thread;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;

/// How often the listener looks for notifications.
const POLL: Duration = Duration::from_millis(2);
/// How often the listener checks its connection with a query.
const HEARTBEAT: Duration = Duration::from_secs(5);

/// The generations of the data and of the tokens.
#[derive(Debug, Default)]
pub struct Changes {
    data: AtomicU64,
    tokens: AtomicU64,
    listening: AtomicBool,
}

impl Changes {
    /// The data generation, if changes are being heard (else nothing kept may be used).
    pub fn data(&self) -> Option<u64> {
        self.listening
            .load(Ordering::Acquire)
            .then(|| self.data.load(Ordering::Acquire))
    }

    /// The token generation, if changes are being heard.
    pub fn tokens(&self) -> Option<u64> {
        self.listening
            .load(Ordering::Acquire)
            .then(|| self.tokens.load(Ordering::Acquire))
    }

    /// Something may have changed: this process committed a write.
    pub fn changed(&self) {
        self.data.fetch_add(1, Ordering::AcqRel);
        self.tokens.fetch_add(1, Ordering::AcqRel);
    }

    fn set_listening(&self, listening: bool) {
        self.listening.store(listening, Ordering::Release);
        if !listening {
            // from now on changes go unheard: nothing is kept while nobody listens, and what
            // was kept before must not be trusted after a reconnection
            self.changed();
        }
    }
}

/// Starts the listener thread; it ends when `changes` is dropped.
pub fn listen(database_url: String, changes: &Arc<Changes>) {
    let weak = Arc::downgrade(changes);
    let spawned = thread::Builder::new()
        .name("voortgang-listen".into())
        .spawn(move || run(&database_url, &weak));
    if let Err(err) = spawned {
        log::error!("cannot start the change listener: {err}; nothing is kept in memory");
    }
}

fn run(database_url: &str, weak: &Weak<Changes>) {
    let mut logged = false;
    while weak.strong_count() > 0 {
        let connected = PgConnection::establish(database_url)
            .map_err(|e| e.to_string())
            .and_then(|mut conn| {
                conn.batch_execute("LISTEN voortgang_data; LISTEN voortgang_tokens")
                    .map(|()| conn)
                    .map_err(|e| e.to_string())
            });
        match connected {
            Ok(mut conn) => {
                let Some(changes) = weak.upgrade() else {
                    return;
                };
                changes.set_listening(true);
                drop(changes);
                if logged {
                    log::info!("listening for changes again");
                    logged = false;
                }
                let lost = hear(&mut conn, weak);
                if let Some(changes) = weak.upgrade() {
                    changes.set_listening(false);
                }
                if let Some(err) = lost {
                    log::warn!("lost the change listener's connection: {err}");
                }
            }
            Err(err) => {
                if !logged {
                    log::warn!("cannot listen for changes yet: {err}");
                    logged = true;
                }
                thread::sleep(Duration::from_secs(1));
            }
        }
    }
}

/// Counts notifications until the connection fails (the error) or `changes` is dropped.
fn hear(conn: &mut PgConnection, weak: &Weak<Changes>) -> Option<diesel::result::Error> {
    let mut checked = Instant::now();
    loop {
        let changes = weak.upgrade()?;
        for notification in conn.notifications_iter() {
            match notification {
                Ok(n) if n.channel == "voortgang_tokens" => {
                    changes.tokens.fetch_add(1, Ordering::AcqRel);
                }
                Ok(_) => {
                    changes.data.fetch_add(1, Ordering::AcqRel);
                }
                Err(err) => return Some(err),
            }
        }
        drop(changes);
        if checked.elapsed() > HEARTBEAT {
            if let Err(err) = diesel::sql_query("SELECT 1").execute(conn) {
                return Some(err);
            }
            checked = Instant::now();
        }
        thread::sleep(POLL);
    }
}
