//! Dense, 1-based positions among siblings (the domains; the criteria of one domain).
//!
//! Placing an item at a position shifts the siblings after it; positions beyond the end
//! place it last. The UNIQUE constraints on positions are deferred to the end of the
//! transaction, so a shift may pass through duplicates. Each function must run inside the
//! transaction of the write it belongs to.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text};

/// A set of items ordered by one `position` column.
#[derive(Debug, Clone, Copy)]
pub enum Siblings<'a> {
    Domains,
    CriteriaOf(&'a str),
}

impl Siblings<'_> {
    fn table(self) -> &'static str {
        match self {
            Self::Domains => "domains",
            Self::CriteriaOf(_) => "criteria",
        }
    }

    fn scope(self) -> Option<String> {
        match self {
            Self::Domains => None,
            Self::CriteriaOf(domain) => Some(domain.to_string()),
        }
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = Integer)]
    n: i32,
}

/// Locks the siblings against concurrent reordering and counts them.
fn lock_and_count(conn: &mut PgConnection, siblings: Siblings) -> QueryResult<i32> {
    let table = siblings.table();
    let key = format!("{table}:{}", siblings.scope().unwrap_or_default());
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1))")
        .bind::<Text, _>(key)
        .execute(conn)?;
    let sql = match siblings {
        Siblings::Domains => format!("SELECT count(*)::integer AS n FROM {table}"),
        Siblings::CriteriaOf(_) => {
            format!("SELECT count(*)::integer AS n FROM {table} WHERE domain_id = $1")
        }
    };
    let query = diesel::sql_query(sql).into_boxed();
    let query = match siblings.scope() {
        Some(scope) => query.bind::<Text, _>(scope),
        None => query,
    };
    Ok(query.get_result::<Count>(conn)?.n)
}

/// Adds `delta` to the positions from `from` to `to` (inclusive).
fn shift(
    conn: &mut PgConnection,
    siblings: Siblings,
    from: i32,
    to: i32,
    delta: i32,
) -> QueryResult<usize> {
    let mut sql = format!(
        "UPDATE {} SET position = position + $1 WHERE position BETWEEN $2 AND $3",
        siblings.table()
    );
    if siblings.scope().is_some() {
        sql.push_str(" AND domain_id = $4");
    }
    let query = diesel::sql_query(sql)
        .into_boxed()
        .bind::<Integer, _>(delta)
        .bind::<Integer, _>(from)
        .bind::<Integer, _>(to);
    let query = match siblings.scope() {
        Some(scope) => query.bind::<Text, _>(scope),
        None => query,
    };
    query.execute(conn)
}

/// Makes room for a new item and returns its position: `requested`, or last when absent or
/// beyond the end.
pub fn insert_at(
    conn: &mut PgConnection,
    siblings: Siblings,
    requested: Option<i32>,
) -> QueryResult<i32> {
    let last = lock_and_count(conn, siblings)? + 1;
    let position = requested.map_or(last, |p| p.clamp(1, last));
    shift(conn, siblings, position, i32::MAX - 1, 1)?;
    Ok(position)
}

/// Moves the siblings between an item's position `from` and its new position, and returns
/// the new position (`requested`, or last when beyond the end). The caller stores it on the item.
pub fn move_to(
    conn: &mut PgConnection,
    siblings: Siblings,
    from: i32,
    requested: i32,
) -> QueryResult<i32> {
    let last = lock_and_count(conn, siblings)?;
    let to = requested.clamp(1, last.max(1));
    if to < from {
        shift(conn, siblings, to, from - 1, 1)?;
    } else if to > from {
        shift(conn, siblings, from + 1, to, -1)?;
    }
    Ok(to)
}

/// Closes the gap a removed item left at `position`.
pub fn remove_at(conn: &mut PgConnection, siblings: Siblings, position: i32) -> QueryResult<()> {
    lock_and_count(conn, siblings)?;
    shift(conn, siblings, position + 1, i32::MAX - 1, -1)?;
    Ok(())
}
