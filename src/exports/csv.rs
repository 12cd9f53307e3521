//! CSV exports streamed straight from PostgreSQL's `COPY ... TO STDOUT (FORMAT csv, HEADER)`:
//! RFC 4180 quoting, a header row even for an empty table, and memory that stays flat however
//! many rows (bounded chunks through a bounded channel: a slow client slows the copy).

use std::io::BufRead;
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, MessageBody};
use actix_web::web::Bytes;
use diesel::connection::SimpleConnection;
use diesel::pg::{CopyFormat, CopyTarget, Pg, PgConnection};
use diesel::query_builder::AstPass;
use diesel::sql_types::Text;
use diesel::Connection;
use tokio::sync::{mpsc, oneshot};

use super::tables::TABLES;
use super::Window;
use crate::db::{schema, PgPool};
use crate::error::ApiError;

/// Rows are sent on in chunks of about this size.
const CHUNK: usize = 64 * 1024;
/// Chunks in flight between the copy and the client.
const IN_FLIGHT: usize = 4;

/// The `COPY` statement of each table, made once.
fn statements() -> &'static [String] {
    static SQL: OnceLock<Vec<String>> = OnceLock::new();
    SQL.get_or_init(|| TABLES.iter().map(|t| t.csv_sql()).collect())
}

/// The query of table `N` as the source of a `COPY TO`.
struct Source<const N: usize>;

impl<const N: usize> CopyTarget for Source<N> {
    type Table = schema::domains::table;
    type SqlType = Text;

    fn walk_target(mut pass: AstPass<'_, '_, Pg>) -> diesel::QueryResult<()> {
        pass.push_sql("(");
        pass.push_sql(&statements()[N]);
        pass.push_sql(")");
        Ok(())
    }
}

/// Copies table `N` into `send`, in chunks.
fn copy<const N: usize>(
    conn: &mut PgConnection,
    send: &mut dyn FnMut(Bytes) -> bool,
) -> Result<(), ApiError> {
    let mut reader = diesel::copy_to(Source::<N>)
        .with_format(CopyFormat::Csv)
        .with_header(true)
        .load_raw(conn)?;
    let mut chunk = Vec::with_capacity(CHUNK + 1024);
    loop {
        let buf = reader
            .fill_buf()
            .map_err(|e| ApiError::internal("csv export", e))?;
        if buf.is_empty() {
            break;
        }
        chunk.extend_from_slice(buf);
        let n = buf.len();
        reader.consume(n);
        if chunk.len() >= CHUNK && !send(Bytes::from(std::mem::take(&mut chunk))) {
            return Ok(()); // the client went away
        }
    }
    if !chunk.is_empty() {
        send(Bytes::from(chunk));
    }
    Ok(())
}

fn copy_table(
    index: usize,
    conn: &mut PgConnection,
    send: &mut dyn FnMut(Bytes) -> bool,
) -> Result<(), ApiError> {
    macro_rules! dispatch {
        ($($n:literal)*) => {
            match index {
                $($n => copy::<$n>(conn, send),)*
                _ => Err(ApiError::internal("csv export", format!("no table {index}"))),
            }
        };
    }
    dispatch!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23)
}

// every table has its arm above: add arms with the tables
const _: () = assert!(super::tables::TABLES.len() <= 24);

/// Starts streaming table `index` within `window`. Fails before anything is sent when no
/// connection is available or the copy cannot start.
pub async fn stream(pool: PgPool, index: usize, window: Window) -> Result<CsvBody, ApiError> {
    let (started_tx, started_rx) = oneshot::channel::<Result<(), ApiError>>();
    let (tx, rx) = mpsc::channel::<Result<Bytes, std::io::Error>>(IN_FLIGHT);
    actix_web::rt::task::spawn_blocking(move || {
        let mut conn = match pool.get() {
            Ok(conn) => conn,
            Err(e) => {
                log::warn!("no database connection: {e}");
                let _ = started_tx.send(Err(ApiError::Unavailable(
                    "No database connection is available; retry shortly.".into(),
                )));
                return;
            }
        };
        let mut started = Some(started_tx);
        let result = conn.transaction(|conn| {
            // the copy lasts as long as the client takes to read it: no statement timeout
            conn.batch_execute("SET LOCAL statement_timeout = 0")?;
            window.apply(conn)?;
            copy_table(index, conn, &mut |chunk| {
                if let Some(started) = started.take() {
                    let _ = started.send(Ok(()));
                }
                tx.blocking_send(Ok(chunk)).is_ok()
            })
        });
        match (result, started.take()) {
            (Ok(()), Some(started)) => {
                let _ = started.send(Ok(()));
            }
            (Ok(()), None) => {}
            (Err(e), Some(started)) => {
                let _ = started.send(Err(e));
            }
            (Err(e), None) => {
                // the status is sent: end the body with an error, so the client sees a broken
                // transfer instead of a short table
                log::error!("csv export of {} broke off: {e}", TABLES[index].name);
                let _ = tx.blocking_send(Err(std::io::Error::other("the export broke off")));
            }
        }
    });
    match started_rx.await {
        Ok(Ok(())) => Ok(CsvBody { rx }),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(ApiError::internal(
            "csv export",
            "the copy ended without a word",
        )),
    }
}

/// The body of a CSV export, fed by the copy.
pub struct CsvBody {
    rx: mpsc::Receiver<Result<Bytes, std::io::Error>>,
}

impl MessageBody for CsvBody {
    type Error = std::io::Error;

    fn size(&self) -> BodySize {
        BodySize::Stream
    }

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        self.rx.poll_recv(cx)
    }
}
