//! What the departments owe for a year, derived, never copied: every action `planned` or
//! `in_progress` the year before (what became of it?), every action `in_progress` this year
//! without progress, every risk followed up (`open` or `monitoring`) the year before, and
//! every row of the year under review. Each item has a state; the worklist and the progress
//! overview are one statement each over the same derivation ([`ITEMS`]).

use chrono::{DateTime, NaiveDate, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Date, Integer, Nullable, Text};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::{Principal, Role};
use crate::error::ApiError;

crate::db::text_enum! {
    /// Which yearly row an item asks for.
    pub enum ItemKind {
        ActionStatus,
        RiskAssessment,
        RecommendationStatus,
    }
}

crate::db::text_enum! {
    /// What an owed item still lacks: a status, an in-progress action's progress, or an
    /// assessment.
    pub enum Missing {
        NoStatus,
        NoProgress,
        NoAssessment,
    }
}

crate::db::text_enum! {
    /// Where an item stands: `owed` (no answer yet, or an action in progress without its
    /// progress), `returned` by the reviewer with a note, `submitted` and waiting for review,
    /// `approved`, or `answered` in a year without review.
    pub enum ItemState {
        Owed,
        Returned,
        Submitted,
        Approved,
        Answered,
    }
}

/// The items of the years the literal `$years` selects (a query of one `year` column), one
/// row each: `year`, `kind`, `id` (of the action or risk), `title`, `department_id`, last
/// year's and this year's values, the review, `state` and `missing`, as a CTE `items`. The
/// worklist asks for one year, the export for every opened year: one derivation for both.
macro_rules! items_of_years {
    ($years:literal) => {
        concat!(
            "WITH ys AS (",
            $years,
            "),
items AS (
    SELECT ys.year, 'action_status'::text AS kind, a.id, a.title, a.department_id,
           p.status AS previous_status, p.progress AS previous_progress,
           NULL::integer AS previous_likelihood, NULL::integer AS previous_impact,
           p.note AS previous_note,
           c.status, c.progress, NULL::integer AS likelihood, NULL::integer AS impact, c.note,
           c.review_note, c.updated_at,
           CASE WHEN c.action_id IS NULL THEN 'owed'
                WHEN c.review = 'returned' THEN 'returned'
                WHEN c.review = 'submitted' THEN 'submitted'
                WHEN c.status = 'in_progress' AND c.progress IS NULL THEN 'owed'
                WHEN c.review = 'approved' THEN 'approved'
                ELSE 'answered' END AS state,
           CASE WHEN c.action_id IS NULL THEN 'no_status'
                WHEN c.status = 'in_progress' AND c.progress IS NULL THEN 'no_progress' END
               AS missing
    FROM ys CROSS JOIN actions a
    LEFT JOIN action_statuses p ON p.action_id = a.id AND p.year = ys.year - 1
    LEFT JOIN action_statuses c ON c.action_id = a.id AND c.year = ys.year
    WHERE p.status IN ('planned', 'in_progress')
       OR c.review IS NOT NULL
       OR (c.status = 'in_progress' AND c.progress IS NULL)
    UNION ALL
    SELECT ys.year, 'risk_assessment', r.id, r.title, r.department_id,
           p.status, NULL, p.likelihood, p.impact, p.note,
           c.status, NULL, c.likelihood, c.impact, c.note,
           c.review_note, c.updated_at,
           CASE WHEN c.risk_id IS NULL THEN 'owed'
                WHEN c.review = 'returned' THEN 'returned'
                WHEN c.review = 'submitted' THEN 'submitted'
                WHEN c.review = 'approved' THEN 'approved'
                ELSE 'answered' END,
           CASE WHEN c.risk_id IS NULL THEN 'no_assessment' END
    FROM ys CROSS JOIN risks r
    LEFT JOIN risk_assessments p ON p.risk_id = r.id AND p.year = ys.year - 1
    LEFT JOIN risk_assessments c ON c.risk_id = r.id AND c.year = ys.year
    WHERE p.status IN ('open', 'monitoring') OR c.review IS NOT NULL
    UNION ALL
    SELECT ys.year, 'recommendation_status', r.id, left(r.text, 300), r.department_id,
           p.status, NULL, NULL, NULL, p.note,
           c.status, NULL, NULL, NULL, c.note,
           c.review_note, c.updated_at,
           CASE WHEN c.recommendation_id IS NULL THEN 'owed'
                WHEN c.review = 'returned' THEN 'returned'
                WHEN c.review = 'submitted' THEN 'submitted'
                WHEN c.review = 'approved' THEN 'approved'
                ELSE 'answered' END,
           CASE WHEN c.recommendation_id IS NULL THEN 'no_status' END
    FROM ys CROSS JOIN recommendations r
    JOIN audits au ON au.id = r.audit_id
    LEFT JOIN LATERAL (
        SELECT e.status, e.note FROM recommendation_statuses e
        WHERE e.recommendation_id = r.id AND e.year < ys.year
        ORDER BY e.year DESC LIMIT 1
    ) p ON true
    LEFT JOIN recommendation_statuses c ON c.recommendation_id = r.id AND c.year = ys.year
    WHERE (extract(year FROM coalesce(au.audited_on, r.created_at)) <= ys.year
           AND (p.status IS NULL OR p.status NOT IN ('implemented', 'risk_accepted')))
       OR c.review IS NOT NULL
)"
        )
    };
}
pub(crate) use items_of_years;

/// The items of year `$1`.
const ITEMS: &str = items_of_years!("SELECT $1::integer AS year");

/// The counts of one department line of the progress overview, over `items` grouped by
/// department (and year); `$overdue` says whether the deadline has passed.
macro_rules! progress_counts {
    ($overdue:literal) => {
        concat!(
            "count(i.kind)::integer AS owed,
             count(*) FILTER (WHERE i.state IN ('approved', 'answered'))::integer AS answered,
             count(*) FILTER (WHERE i.state = 'submitted')::integer AS waiting,
             count(*) FILTER (WHERE i.state = 'returned')::integer AS returned,
             count(*) FILTER (WHERE i.state = 'owed')::integer AS open,
             count(*) FILTER (WHERE i.state IN ('owed', 'returned') AND ",
            $overdue,
            ")::integer AS overdue"
        )
    };
}
pub(crate) use progress_counts;

/// The values of a yearly row (an action's status or a risk's assessment) as an item shows
/// them; the fields of the other kind are null.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemValues {
    /// The status (`planned`, `in_progress`, ... for an action; `open`, `monitoring`, ... for
    /// a risk).
    #[schema(example = "in_progress")]
    pub status: String,
    /// An action's progress in percent, or null.
    #[schema(required = true, example = 60)]
    pub progress: Option<i32>,
    /// A risk's likelihood (1-5), or null.
    #[schema(required = true, example = 4)]
    pub likelihood: Option<i32>,
    /// A risk's impact (1-5), or null.
    #[schema(required = true, example = 3)]
    pub impact: Option<i32>,
    /// The note, or null.
    #[schema(required = true, example = "Opstart in het najaar.")]
    pub note: Option<String>,
}

/// One thing a department owes for the year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorklistItem {
    /// What is asked: an action's status or a risk's assessment of the year.
    #[schema(example = "action_status")]
    pub kind: ItemKind,
    /// The action or risk.
    #[schema(example = 12)]
    pub id: i32,
    /// Its title.
    #[schema(example = "Welzijn op het werk")]
    pub title: String,
    /// Its department, or null.
    #[schema(required = true, example = "personeel")]
    pub department_id: Option<String>,
    /// Where the item stands.
    #[schema(example = "owed")]
    pub state: ItemState,
    /// For an owed item, what is missing: `no_status`, `no_progress` or `no_assessment`.
    #[schema(required = true, example = "no_status")]
    pub missing: Option<Missing>,
    /// Last year's values, or null.
    #[schema(required = true)]
    pub previous: Option<ItemValues>,
    /// This year's values, or null while nothing was answered.
    #[schema(required = true)]
    pub current: Option<ItemValues>,
    /// The reviewer's note when the answer was returned (or approved with a remark), or null.
    #[schema(required = true, example = "Graag de voortgang in procent aanvullen.")]
    pub review_note: Option<String>,
    /// When this year's row was last written, or null.
    #[schema(required = true, example = "2024-03-12T08:30:00Z")]
    pub updated_at: Option<DateTime<Utc>>,
    /// Where to answer: the yearly row to `PUT`.
    #[schema(example = "/api/v1/actions/12/statuses/2023")]
    pub answer: String,
}

#[derive(QueryableByName)]
struct ItemRow {
    #[diesel(sql_type = Text)]
    kind: ItemKind,
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Nullable<Text>)]
    department_id: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    previous_status: Option<String>,
    #[diesel(sql_type = Nullable<Integer>)]
    previous_progress: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    previous_likelihood: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    previous_impact: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    previous_note: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    status: Option<String>,
    #[diesel(sql_type = Nullable<Integer>)]
    progress: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    likelihood: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    impact: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    note: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    review_note: Option<String>,
    #[diesel(sql_type = Nullable<diesel::sql_types::Timestamptz>)]
    updated_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Text)]
    state: ItemState,
    #[diesel(sql_type = Nullable<Text>)]
    missing: Option<Missing>,
}

impl ItemRow {
    fn into_item(self, year: i32) -> WorklistItem {
        let values = |status: Option<String>, progress, likelihood, impact, note| {
            status.map(|status| ItemValues {
                status,
                progress,
                likelihood,
                impact,
                note,
            })
        };
        let answer = match self.kind {
            ItemKind::ActionStatus => format!("/api/v1/actions/{}/statuses/{year}", self.id),
            ItemKind::RiskAssessment => format!("/api/v1/risks/{}/assessments/{year}", self.id),
            ItemKind::RecommendationStatus => {
                format!("/api/v1/recommendations/{}/statuses/{year}", self.id)
            }
        };
        WorklistItem {
            kind: self.kind,
            id: self.id,
            title: self.title,
            department_id: self.department_id,
            state: self.state,
            missing: self.missing,
            previous: values(
                self.previous_status,
                self.previous_progress,
                self.previous_likelihood,
                self.previous_impact,
                self.previous_note,
            ),
            current: values(
                self.status,
                self.progress,
                self.likelihood,
                self.impact,
                self.note,
            ),
            review_note: self.review_note,
            updated_at: self.updated_at,
            answer,
        }
    }
}

/// What a worklist is asked for.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WorklistQuery {
    /// Only this department's items. By default an editor sees its own departments' items,
    /// everyone else every department's.
    #[param(example = "personeel")]
    pub department_id: Option<String>,
    /// Only items in this state. By default what is still owed: `owed` and `returned`.
    #[param(example = "returned")]
    pub state: Option<ItemState>,
    /// How many items to return, 1 to 1000 (default 50).
    #[param(minimum = 1, maximum = 1000, example = 50)]
    pub limit: Option<i64>,
    /// Where to continue: the `next_cursor` of the previous page, with the same parameters.
    pub cursor: Option<String>,
    /// `json` (default): a page of items; `xlsx`: the department's whole worklist as a form to
    /// fill in (needs `department_id` unless the caller edits for one department; `state`,
    /// `limit` and `cursor` do not apply).
    #[param(inline, example = "json")]
    pub format: Option<WorklistFormat>,
}

/// The representation of a worklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WorklistFormat {
    Json,
    Xlsx,
}

/// Where a worklist page continues: after this kind and id.
pub type ItemKey = (ItemKind, i32);

/// The key of an item, for the next cursor.
pub fn key(item: &WorklistItem) -> ItemKey {
    (item.kind, item.id)
}

/// The departments a worklist covers: the one asked for, else an editor's own, else all
/// (`None`).
pub fn departments(principal: &Principal, asked: Option<String>) -> Option<Vec<String>> {
    match (asked, principal.role) {
        (Some(asked), _) => Some(vec![asked]),
        (None, Some(Role::Editor)) => Some(principal.departments.clone()),
        (None, _) => None,
    }
}

/// A page of the items of `year` in `departments` (all when `None`) in the given states,
/// after `after`, in the order of kind and id: one statement.
pub fn page(
    conn: &mut PgConnection,
    year: i32,
    departments: Option<Vec<String>>,
    states: Vec<ItemState>,
    after: Option<ItemKey>,
    rows: i64,
) -> Result<Vec<WorklistItem>, ApiError> {
    let sql = format!(
        "{ITEMS}
        SELECT kind, id, title, department_id, previous_status, previous_progress,
               previous_likelihood, previous_impact, previous_note, status, progress,
               likelihood, impact, note, review_note, updated_at, state, missing
        FROM items
        WHERE ($2::text[] IS NULL OR department_id = ANY($2))
          AND state = ANY($3)
          AND ($4::text IS NULL OR (kind, id) > ($4, $5))
        ORDER BY kind, id
        LIMIT $6"
    );
    let (after_kind, after_id) = after.map_or((None, 0), |(kind, id)| (Some(kind), id));
    let found: Vec<ItemRow> = diesel::sql_query(sql)
        .bind::<Integer, _>(year)
        .bind::<Nullable<Array<Text>>, _>(departments)
        .bind::<Array<Text>, _>(states)
        .bind::<Nullable<Text>, _>(after_kind)
        .bind::<Integer, _>(after_id)
        .bind::<diesel::sql_types::BigInt, _>(rows)
        .load(conn)?;
    Ok(found.into_iter().map(|row| row.into_item(year)).collect())
}

/// A department's counts in the progress overview.
#[derive(Debug, Clone, Default, Serialize, ToSchema, QueryableByName)]
pub struct Counts {
    /// The department, or null for the items of actions and risks without a department (that
    /// line is left out when it has none). Null in the totals.
    #[diesel(sql_type = Nullable<Text>)]
    #[schema(required = true, example = "personeel")]
    pub department_id: Option<String>,
    /// Everything the year asks of it: every item, whatever its state.
    #[diesel(sql_type = Integer)]
    #[schema(example = 12)]
    pub owed: i32,
    /// Answered: approved, or written in a year without review.
    #[diesel(sql_type = Integer)]
    #[schema(example = 7)]
    pub answered: i32,
    /// Submitted and waiting for review.
    #[diesel(sql_type = Integer)]
    #[schema(example = 2)]
    pub waiting: i32,
    /// Returned by the reviewer, to be answered again.
    #[diesel(sql_type = Integer)]
    #[schema(example = 1)]
    pub returned: i32,
    /// Not answered yet.
    #[diesel(sql_type = Integer)]
    #[schema(example = 2)]
    pub open: i32,
    /// Open or returned after the deadline (`collect_until`); 0 before it.
    #[diesel(sql_type = Integer)]
    #[schema(example = 0)]
    pub overdue: i32,
    /// `answered` as a percentage of `owed`, rounded down; 100 when nothing is owed.
    #[diesel(sql_type = Integer)]
    #[schema(example = 58)]
    pub percent_answered: i32,
}

/// The coordinator's overview of a year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct YearProgress {
    /// The year.
    #[schema(example = 2023)]
    pub year: i32,
    /// The deadline of the collection, or null for a year that was not opened.
    #[schema(required = true, value_type = Option<String>, format = Date, example = "2024-03-31")]
    pub collect_until: Option<NaiveDate>,
    /// Per department, by id, every department listed (with zeros when it owes nothing).
    pub departments: Vec<Counts>,
    /// The sums over all lines.
    pub totals: Counts,
}

#[derive(QueryableByName)]
struct Deadline {
    #[diesel(sql_type = Nullable<Date>)]
    collect_until: Option<NaiveDate>,
    #[diesel(sql_type = Bool)]
    passed: bool,
}

/// The counts per department of `year`: one statement for the counts, one for the deadline.
pub fn progress(conn: &mut PgConnection, year: i32) -> Result<YearProgress, ApiError> {
    let deadline: Deadline = diesel::sql_query(
        "SELECT y.collect_until, coalesce(y.collect_until < current_date, false) AS passed \
         FROM (SELECT $1 AS year) asked LEFT JOIN report_years y ON y.year = asked.year",
    )
    .bind::<Integer, _>(year)
    .get_result(conn)?;
    let sql = format!(
        "{ITEMS}
        SELECT d.id AS department_id, {counts}, 0 AS percent_answered
        FROM (SELECT id FROM departments UNION ALL SELECT NULL) d
        LEFT JOIN items i ON i.department_id IS NOT DISTINCT FROM d.id
        GROUP BY d.id
        HAVING d.id IS NOT NULL OR count(i.kind) > 0
        ORDER BY d.id NULLS LAST",
        counts = progress_counts!("$2")
    );
    let mut departments: Vec<Counts> = diesel::sql_query(sql)
        .bind::<Integer, _>(year)
        .bind::<Bool, _>(deadline.passed)
        .load(conn)?;
    let mut totals = Counts::default();
    for line in &mut departments {
        line.percent_answered = percent(line.answered, line.owed);
        totals.owed += line.owed;
        totals.answered += line.answered;
        totals.waiting += line.waiting;
        totals.returned += line.returned;
        totals.open += line.open;
        totals.overdue += line.overdue;
    }
    totals.percent_answered = percent(totals.answered, totals.owed);
    Ok(YearProgress {
        year,
        collect_until: deadline.collect_until,
        departments,
        totals,
    })
}

fn percent(part: i32, whole: i32) -> i32 {
    if whole == 0 {
        100
    } else {
        part * 100 / whole
    }
}
