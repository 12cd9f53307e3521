//! Knowing, without asking the database on every request, whether data changed.
//!
//! Commits that change the data (or the tokens) are announced by the database with NOTIFY
//! (migration 10). One thread per process listens on a connection of its own and counts them
//! into generations; a process also counts its own commits at once, so a client reads its own
//! writes. What is kept in memory is kept under the generation it was read in, and is served
//! only while the generation is unchanged and the listener is connected: when the listener
//! loses its connection nothing kept is trusted until it is back.
//!
//! The listener sleeps in `poll(2)` on its connection's socket and wakes only when PostgreSQL
//! sends something, when the heartbeat is due, or when the process drops its `Changes`: an
//! idle service does no work. It talks to libpq directly (the library diesel itself uses, so
//! it connects exactly as the pool does: same URL, TLS and password settings), because
//! diesel's connection does not expose its socket.

use std::ffi::{c_char, CStr, CString};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::ptr::{self, NonNull};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, Weak};
use std::thread;
use std::time::Duration;

use pq_sys::{ConnStatusType, ExecStatusType, PGconn};

/// How long the listener waits for a notification before it checks its connection.
const HEARTBEAT: Duration = Duration::from_secs(5);
/// How long it waits before trying to connect again.
const RECONNECT: Duration = Duration::from_secs(1);
/// How the listener's session appears in `pg_stat_activity`.
pub const APPLICATION_NAME: &str = "voortgang-listener";

/// The generations of the data and of the tokens.
#[derive(Debug, Default)]
pub struct Changes {
    data: AtomicU64,
    tokens: AtomicU64,
    listening: AtomicBool,
    /// Closed when this is dropped, which wakes and ends the listener.
    stop: Mutex<Option<UnixStream>>,
    /// Rung at every change heard or made, for the threads that wait on changes.
    bell: Bell,
}

/// A counter that threads wait on until it moves: [`Bell::ring`] wakes them all.
#[derive(Debug, Default)]
pub struct Bell {
    rung: Mutex<u64>,
    moved: Condvar,
}

impl Bell {
    /// Wakes every thread waiting in [`Bell::wait`].
    pub fn ring(&self) {
        *self.rung.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        self.moved.notify_all();
    }

    /// How often it rang so far (what [`Bell::wait`] compares with).
    pub fn rung(&self) -> u64 {
        *self.rung.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sleeps until it rings after `seen` (see [`Bell::rung`]) or `timeout` passed; answers
    /// the count then.
    pub fn wait(&self, seen: u64, timeout: Duration) -> u64 {
        let rung = self.rung.lock().unwrap_or_else(|e| e.into_inner());
        let (rung, _) = self
            .moved
            .wait_timeout_while(rung, timeout, |rung| *rung == seen)
            .unwrap_or_else(|e| e.into_inner());
        *rung
    }
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
        self.wake();
    }

    /// Rings at every change this process makes or hears (and when it is asked to wake the
    /// threads waiting on it).
    pub fn bell(&self) -> &Bell {
        &self.bell
    }

    fn wake(&self) {
        self.bell.ring();
    }

    fn set_listening(&self, listening: bool) {
        self.listening.store(listening, Ordering::Release);
        if !listening {
            // from now on changes go unheard: nothing is kept while nobody listens, and what
            // was kept before must not be trusted after a reconnection
            self.changed();
        }
    }

    fn heard(&self, channel: &str) {
        let generation = if channel == "voortgang_tokens" {
            &self.tokens
        } else {
            &self.data
        };
        generation.fetch_add(1, Ordering::AcqRel);
        self.wake();
    }
}

/// Starts the listener thread; it ends when `changes` is dropped.
pub fn listen(database_url: String, changes: &Arc<Changes>) {
    let (kept, woken) = match UnixStream::pair() {
        Ok(pair) => pair,
        Err(err) => {
            log::error!("cannot start the change listener: {err}; nothing is kept in memory");
            return;
        }
    };
    *changes.stop.lock().unwrap_or_else(|e| e.into_inner()) = Some(kept);
    let weak = Arc::downgrade(changes);
    let spawned = thread::Builder::new()
        .name("voortgang-listen".into())
        .spawn(move || run(&database_url, &weak, &woken));
    if let Err(err) = spawned {
        log::error!("cannot start the change listener: {err}; nothing is kept in memory");
    }
}

fn run(database_url: &str, weak: &Weak<Changes>, stop: &UnixStream) {
    let mut logged = false;
    loop {
        match Listener::connect(database_url) {
            Ok(mut listener) => {
                let Some(changes) = weak.upgrade() else {
                    return;
                };
                changes.set_listening(true);
                drop(changes);
                if logged {
                    log::info!("listening for changes again");
                    logged = false;
                }
                let lost = hear(&mut listener, weak, stop);
                if let Some(changes) = weak.upgrade() {
                    changes.set_listening(false);
                }
                match lost {
                    Some(err) => log::warn!("lost the change listener's connection: {err}"),
                    None => return,
                }
            }
            Err(err) => {
                if !logged {
                    log::warn!("cannot listen for changes yet: {err}");
                    logged = true;
                }
                if matches!(wait(None, stop, RECONNECT), Ok(Woken::Stop) | Err(_)) {
                    return;
                }
            }
        }
    }
}

/// Counts notifications until the connection fails (the error) or `changes` is dropped.
fn hear(listener: &mut Listener, weak: &Weak<Changes>, stop: &UnixStream) -> Option<String> {
    loop {
        let woken = match wait(Some(listener.socket()), stop, HEARTBEAT) {
            Ok(woken) => woken,
            Err(err) => return Some(err),
        };
        let checked = match woken {
            Woken::Stop => return None,
            Woken::Socket => listener.consume(),
            Woken::Timeout => listener.execute(c"SELECT 1"),
        };
        if let Err(err) = checked {
            return Some(err);
        }
        let changes = weak.upgrade()?;
        listener.notifications(|channel| changes.heard(channel));
    }
}

/// Why the listener woke up.
#[derive(Debug, PartialEq, Eq)]
enum Woken {
    Stop,
    Socket,
    Timeout,
}

/// Sleeps until `socket` has something to read, `stop` is closed, or `timeout` passed.
fn wait(socket: Option<RawFd>, stop: &UnixStream, timeout: Duration) -> Result<Woken, String> {
    let watch = |fd: RawFd| libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    let mut fds = [watch(stop.as_raw_fd()), watch(socket.unwrap_or(-1))];
    let count = if socket.is_some() { 2 } else { 1 };
    let millis = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
    // SAFETY: `fds` is a valid array of `count` pollfd structures for the whole call.
    let ready = unsafe { libc::poll(fds.as_mut_ptr(), count, millis) };
    if ready < 0 {
        let err = std::io::Error::last_os_error();
        return if err.kind() == std::io::ErrorKind::Interrupted {
            Ok(Woken::Timeout)
        } else {
            Err(format!("poll: {err}"))
        };
    }
    Ok(if fds[0].revents != 0 {
        Woken::Stop
    } else if count == 2 && fds[1].revents != 0 {
        Woken::Socket
    } else {
        Woken::Timeout
    })
}

/// libpq's notices (such as the server's word that it ends the session) go to the log, not
/// straight to standard error.
unsafe extern "C" fn notice(_: *mut std::ffi::c_void, message: *const c_char) {
    if !message.is_null() {
        // SAFETY: libpq passes a NUL-terminated message that lives for the call.
        let text = unsafe { CStr::from_ptr(message) }.to_string_lossy();
        log::debug!("change listener: {}", text.trim());
    }
}

/// A libpq connection that does nothing but LISTEN.
struct Listener(NonNull<PGconn>);

impl Listener {
    fn connect(database_url: &str) -> Result<Self, String> {
        let url = CString::new(database_url).map_err(|_| "DATABASE_URL contains NUL")?;
        let name = CString::new(APPLICATION_NAME).map_err(|_| "the name contains NUL")?;
        let keywords: [*const c_char; 3] = [
            c"dbname".as_ptr(),
            c"application_name".as_ptr(),
            ptr::null(),
        ];
        let values: [*const c_char; 3] = [url.as_ptr(), name.as_ptr(), ptr::null()];
        // SAFETY: both arrays are NULL-terminated and outlive the call; expand_dbname=1 reads
        // the URL as a connection string, as diesel does.
        let raw = unsafe { pq_sys::PQconnectdbParams(keywords.as_ptr(), values.as_ptr(), 1) };
        let mut listener = Self(NonNull::new(raw).ok_or("libpq is out of memory")?);
        // SAFETY: a live connection; the processor is a plain function that keeps nothing.
        unsafe {
            pq_sys::PQsetNoticeProcessor(listener.0.as_ptr(), Some(notice), ptr::null_mut());
        }
        // SAFETY: the pointer is a live connection until `drop`.
        if unsafe { pq_sys::PQstatus(listener.0.as_ptr()) } != ConnStatusType::CONNECTION_OK {
            return Err(listener.error());
        }
        listener.execute(c"LISTEN voortgang_data; LISTEN voortgang_tokens")?;
        Ok(listener)
    }

    /// libpq's message for the last failure.
    fn error(&self) -> String {
        // SAFETY: libpq returns a NUL-terminated string owned by the connection.
        let text = unsafe { CStr::from_ptr(pq_sys::PQerrorMessage(self.0.as_ptr())) };
        text.to_string_lossy().trim().to_string()
    }

    fn execute(&mut self, sql: &CStr) -> Result<(), String> {
        // SAFETY: a live connection and a NUL-terminated statement; the result is freed here.
        let status = unsafe {
            let result = pq_sys::PQexec(self.0.as_ptr(), sql.as_ptr());
            if result.is_null() {
                return Err(self.error());
            }
            let status = pq_sys::PQresultStatus(result);
            pq_sys::PQclear(result);
            status
        };
        match status {
            ExecStatusType::PGRES_COMMAND_OK | ExecStatusType::PGRES_TUPLES_OK => Ok(()),
            _ => Err(self.error()),
        }
    }

    fn socket(&self) -> RawFd {
        // SAFETY: a live connection.
        unsafe { pq_sys::PQsocket(self.0.as_ptr()) }
    }

    /// Reads what arrived on the socket; an error when the connection is gone.
    fn consume(&mut self) -> Result<(), String> {
        // SAFETY: a live connection.
        let (read, status) = unsafe {
            let read = pq_sys::PQconsumeInput(self.0.as_ptr());
            (read, pq_sys::PQstatus(self.0.as_ptr()))
        };
        if read == 0 || status != ConnStatusType::CONNECTION_OK {
            return Err(self.error());
        }
        Ok(())
    }

    /// Hands the channel of every notification read so far to `heard`.
    fn notifications(&mut self, mut heard: impl FnMut(&str)) {
        loop {
            // SAFETY: a live connection; each notification is read, then freed with PQfreemem
            // as libpq requires.
            unsafe {
                let notification = pq_sys::PQnotifies(self.0.as_ptr());
                if notification.is_null() {
                    return;
                }
                let channel = CStr::from_ptr((*notification).relname).to_string_lossy();
                heard(&channel[..]);
                pq_sys::PQfreemem(notification.cast());
            }
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        // SAFETY: the connection is finished once, here.
        unsafe { pq_sys::PQfinish(self.0.as_ptr()) };
    }
}
