//! Department queries.

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;

use super::dto::{Department, DepartmentPatch, NewDepartment};
use crate::api::{self, Precondition};
use crate::audit;
use crate::audit::EntityType;
use crate::auth::Principal;
use crate::db::schema::{actions, departments, risks};
use crate::error::ApiError;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = departments)]
struct DepartmentRow {
    id: String,
    name: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<DepartmentRow> for Department {
    fn from(row: DepartmentRow) -> Self {
        Self {
            id: row.id,
            name: row.name,
            created_at: row.created_at.into(),
            updated_at: row.updated_at.into(),
        }
    }
}

/// The sort key of the department list.
pub fn key(department: &Department) -> String {
    department.id.clone()
}

pub fn list(
    conn: &mut PgConnection,
    after: Option<String>,
    limit: i64,
) -> Result<Vec<Department>, ApiError> {
    let mut query = departments::table
        .select(DepartmentRow::as_select())
        .order(departments::id)
        .limit(limit)
        .into_boxed();
    if let Some(after) = after {
        query = query.filter(departments::id.gt(after));
    }
    Ok(query
        .load(conn)?
        .into_iter()
        .map(Department::from)
        .collect())
}

fn not_found(id: &str) -> ApiError {
    ApiError::NotFound(format!("There is no department with id `{id}`."))
}

pub fn find(conn: &mut PgConnection, id: &str) -> Result<Department, ApiError> {
    departments::table
        .find(id)
        .select(DepartmentRow::as_select())
        .first(conn)
        .optional()?
        .map(Department::from)
        .ok_or_else(|| not_found(id))
}

fn find_for_update(conn: &mut PgConnection, id: &str) -> Result<Department, ApiError> {
    departments::table
        .find(id)
        .select(DepartmentRow::as_select())
        .for_update()
        .first(conn)
        .optional()?
        .map(Department::from)
        .ok_or_else(|| not_found(id))
}

fn ensure_name_free(
    conn: &mut PgConnection,
    name: &str,
    except: Option<&str>,
) -> Result<(), ApiError> {
    let holder: Option<String> = departments::table
        .filter(departments::name.eq(name))
        .select(departments::id)
        .first(conn)
        .optional()?;
    api::ensure_name_free("department", holder, name, except)
}

pub fn create(
    conn: &mut PgConnection,
    principal: &Principal,
    new: NewDepartment,
) -> Result<Department, ApiError> {
    let taken: bool =
        diesel::select(diesel::dsl::exists(departments::table.find(&new.id))).get_result(conn)?;
    if taken {
        return Err(ApiError::Conflict(format!(
            "A department with id `{}` already exists.",
            new.id
        )));
    }
    ensure_name_free(conn, &new.name, None)?;
    let row = diesel::insert_into(departments::table)
        .values((departments::id.eq(&new.id), departments::name.eq(&new.name)))
        .returning(DepartmentRow::as_returning())
        .get_result(conn)?;
    let created = Department::from(row);
    audit::created(
        conn,
        principal,
        EntityType::Department,
        &created.id,
        &created,
    )?;
    Ok(created)
}

pub fn update(
    conn: &mut PgConnection,
    principal: &Principal,
    id: &str,
    patch: DepartmentPatch,
    precondition: &Precondition,
) -> Result<Department, ApiError> {
    let current = find_for_update(conn, id)?;
    precondition.check(&current)?;
    let name = match patch.name {
        Some(name) => {
            ensure_name_free(conn, &name, Some(id))?;
            name
        }
        None => current.name.clone(),
    };
    let row = diesel::update(departments::table.find(id))
        .set((
            departments::name.eq(name),
            departments::updated_at.eq(diesel::dsl::now),
        ))
        .returning(DepartmentRow::as_returning())
        .get_result(conn)?;
    let changed = Department::from(row);
    audit::changed(
        conn,
        principal,
        EntityType::Department,
        id,
        &current,
        &changed,
    )?;
    Ok(changed)
}

pub fn delete(
    conn: &mut PgConnection,
    principal: &Principal,
    id: &str,
    precondition: &Precondition,
) -> Result<(), ApiError> {
    let current = find_for_update(conn, id)?;
    precondition.check(&current)?;
    let risks: i64 = risks::table
        .filter(risks::department_id.eq(id))
        .count()
        .get_result(conn)?;
    let actions: i64 = actions::table
        .filter(actions::department_id.eq(id))
        .count()
        .get_result(conn)?;
    if risks + actions > 0 {
        return Err(ApiError::Conflict(format!(
            "The department `{id}` still owns {risks} risks and {actions} actions; give them another owner first."
        )));
    }
    diesel::delete(departments::table.find(id)).execute(conn)?;
    audit::deleted(conn, principal, EntityType::Department, id, &current)?;
    Ok(())
}
