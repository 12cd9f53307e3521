use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_migrations::MigrationHarness;

use voortgang::startup::{quote_ident, MIGRATIONS};

use crate::helpers::{connect, drop_database, execute, fresh_database_name};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(conn: &mut PgConnection, sql: &str) -> i64 {
    diesel::sql_query(sql).get_result::<Count>(conn).unwrap().n
}

/// Runs `test` on a new, empty database (not cloned from the template) and drops it afterwards.
fn on_empty_database(test: impl FnOnce(&mut PgConnection)) {
    let name = fresh_database_name();
    let mut admin = connect("postgres");
    execute(
        &mut admin,
        &format!("CREATE DATABASE {}", quote_ident(&name)),
    );
    test(&mut connect(&name));
    drop_database(&mut admin, &name);
}

#[test]
fn migrations_apply_to_an_empty_database_revert_and_apply_again() {
    on_empty_database(|conn| {
        let applied = conn.run_pending_migrations(MIGRATIONS).unwrap();
        assert!(!applied.is_empty());
        assert_eq!(count(conn, "SELECT count(*) AS n FROM themes"), 11);
        assert_eq!(count(conn, "SELECT count(*) AS n FROM domains"), 0);

        conn.revert_all_migrations(MIGRATIONS).unwrap();
        let tables = "SELECT count(*) AS n FROM information_schema.tables \
                      WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'";
        assert_eq!(count(conn, tables), 0);

        conn.run_pending_migrations(MIGRATIONS).unwrap();
        assert_eq!(count(conn, "SELECT count(*) AS n FROM themes"), 11);
        assert!(!conn.has_pending_migration(MIGRATIONS).unwrap());
    });
}

#[test]
fn the_database_refuses_what_the_api_refuses() {
    on_empty_database(|conn| {
        conn.run_pending_migrations(MIGRATIONS).unwrap();
        let refused = [
            "INSERT INTO domains (id, name, position) VALUES ('Geen Slug', 'X', 1)",
            "INSERT INTO domains (id, name, position) VALUES ('x', '', 1)",
            "INSERT INTO domains (id, name, position) VALUES ('x', 'X', 0)",
            "INSERT INTO criteria (domain_id, text, position) VALUES ('onbekend', 'X', 1)",
            "INSERT INTO departments (id, name) VALUES ('-x', 'X')",
            "INSERT INTO themes (number, code, name) VALUES (11, 'NEW', 'Nieuw')",
        ];
        for sql in refused {
            assert!(
                diesel::sql_query(sql).execute(conn).is_err(),
                "accepted: {sql}"
            );
        }
        execute(
            conn,
            "INSERT INTO domains (id, name, position) VALUES ('a', 'A', 1)",
        );
        execute(
            conn,
            "INSERT INTO criteria (domain_id, text, position) VALUES ('a', 'X', 1)",
        );
        let delete = diesel::sql_query("DELETE FROM domains WHERE id = 'a'").execute(conn);
        assert!(delete.is_err(), "a domain with criteria is kept");
        let duplicate_position = conn.transaction::<_, diesel::result::Error, _>(|conn| {
            diesel::sql_query("INSERT INTO domains (id, name, position) VALUES ('b', 'B', 1)")
                .execute(conn)?;
            Ok(())
        });
        assert!(
            duplicate_position.is_err(),
            "the deferred position constraint holds at commit"
        );
    });
}
