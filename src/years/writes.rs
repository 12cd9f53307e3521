//! The delete and the review of one year's row, which every kind of yearly row does the same
//! way. [`yearly_writes!`] writes both for one kind from its table, its parent's lock and
//! touch, how it reads and converts a row, and its audit entity type.

/// Writes `delete` and `review` of one kind of yearly row (keyed by its parent's id and the
/// year) in the calling repository, where the table's schema module, the row type and the
/// functions named are in scope.
///
/// Both lock the parent (`lock(conn, principal, id)`), read the row with
/// `current(conn, id, year)` (404 from `not_found(id, year)` when there is none), check the
/// `If-Match` precondition, write, `touch` the parent and record the audit event, all in the
/// caller's transaction. A delete first checks that the year takes writes; a review that the
/// row waits for review and that the reviewer did not submit it.
macro_rules! yearly_writes {
    (
        table: $table:ident,
        row: $row:ident => $out:ident via $convert:path,
        lock: $lock:path, touch: $touch:path,
        current: $current:path, not_found: $not_found:path,
        entity: $entity:expr,
        what: $what:tt,
        delete: $delete:ident, review: $review:ident $(,)?
    ) => {
        /// Deletes the row of `year`, when the year takes the caller's writes
        /// (`years::ensure_writable`).
        pub fn $delete(
            conn: &mut PgConnection,
            principal: &$crate::auth::Principal,
            id: i32,
            year: i32,
            precondition: &$crate::api::Precondition,
        ) -> Result<(), $crate::error::ApiError> {
            $lock(conn, principal, id)?;
            $crate::years::ensure_writable(conn, principal, year)?;
            let existing = $current(conn, id, year)?.ok_or_else(|| $not_found(id, year))?;
            precondition.check(&existing)?;
            diesel::delete($table::table.find((id, year))).execute(conn)?;
            $touch(conn, id)?;
            $crate::audit::deleted(conn, principal, $entity, format!("{id}/{year}"), &existing)?;
            Ok(())
        }

        /// Approves or returns the row of `year` (a reviewer or admin who did not submit it).
        pub fn $review(
            conn: &mut PgConnection,
            principal: &$crate::auth::Principal,
            id: i32,
            year: i32,
            input: &$crate::years::ReviewInput,
            precondition: &$crate::api::Precondition,
        ) -> Result<$out, $crate::error::ApiError> {
            $lock(conn, principal, id)?;
            let existing = $current(conn, id, year)?.ok_or_else(|| $not_found(id, year))?;
            let what = format!(concat!("The ", $what, " {} in {}"), id, year);
            $crate::years::ensure_reviewable(principal, &what, existing.review.as_ref())?;
            let outcome = input.outcome()?;
            precondition.check(&existing)?;
            let row: $row = diesel::update($table::table.find((id, year)))
                .set((
                    $table::review.eq(outcome),
                    $table::reviewed_by.eq(&principal.name),
                    $table::reviewed_at.eq(diesel::dsl::now),
                    $table::review_note.eq(&input.note),
                    $table::updated_at.eq(diesel::dsl::now),
                ))
                .returning($row::as_returning())
                .get_result(conn)?;
            let reviewed = $convert(row);
            $touch(conn, id)?;
            $crate::audit::record(
                conn,
                principal,
                $entity,
                format!("{id}/{year}"),
                Some(&existing),
                Some(&reviewed),
            )?;
            Ok(reviewed)
        }
    };
}

pub(crate) use yearly_writes;
