//! The export tables: a star schema for PowerBI. Each table is one SQL query whose columns
//! are stable and documented here; the JSON pages and the CSV stream are made from the same
//! query, so they hold the same rows.

use serde::Serialize;

use crate::reports::cycle::worklist::{items_of_years, progress_counts};
use utoipa::ToSchema;

/// The role of a table in the star schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Dimension,
    Fact,
    Bridge,
}

/// A column of an export table.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct Column {
    /// Column name, as in the JSON keys and the CSV header.
    #[schema(example = "action_id")]
    pub name: &'static str,
    /// `integer`, `text`, `date` (YYYY-MM-DD) or `timestamp` (ISO 8601 with offset).
    #[schema(example = "integer")]
    pub r#type: &'static str,
    /// What the column holds.
    #[schema(example = "Identifier of the action.")]
    pub description: &'static str,
}

/// An export table.
#[derive(Debug)]
pub struct Table {
    pub name: &'static str,
    pub kind: Kind,
    pub description: &'static str,
    pub columns: &'static [Column],
    /// The query, selecting exactly `columns` (timestamps as `timestamptz`).
    pub query: &'static str,
    /// The key columns, unique and in row order, with their SQL type.
    pub key: &'static [(&'static str, &'static str)],
    /// Whether `updated_at` is a column, so the incremental filters apply.
    pub incremental: bool,
}

/// What starts a cell a spreadsheet would evaluate (a PostgreSQL regular expression).
pub const FORMULA_START: &str = r"^[-=+@\t\r]";

const fn col(name: &'static str, r#type: &'static str, description: &'static str) -> Column {
    Column {
        name,
        r#type,
        description,
    }
}

const CREATED: Column = col("created_at", "timestamp", "When the row was created.");
const UPDATED: Column = col("updated_at", "timestamp", "When the row was last changed.");
/// A bridge's `updated_at`: its action's, which changes with the action's links.
const ACTION_UPDATED: Column = col(
    "updated_at",
    "timestamp",
    "When the action was last changed.",
);

/// Every export table, dimensions first.
pub const TABLES: &[Table] = &[
    Table {
        name: "domains",
        kind: Kind::Dimension,
        description: "The control domains, in report order.",
        columns: &[
            col("domain_id", "text", "Slug of the domain (key)."),
            col("domain_name", "text", "Name of the domain."),
            col("description", "text", "Introduction of the domain."),
            col("position", "integer", "Place in the report, from 1."),
            CREATED,
            UPDATED,
        ],
        query: "SELECT id AS domain_id, name AS domain_name, description, position, \
                created_at, updated_at FROM domains",
        key: &[("domain_id", "text")],
        incremental: true,
    },
    Table {
        name: "criteria",
        kind: Kind::Dimension,
        description: "The criteria of each domain (\"Detail criterium\").",
        columns: &[
            col(
                "criterion_id",
                "integer",
                "Identifier of the criterion (key).",
            ),
            col("domain_id", "text", "Its domain."),
            col("domain_name", "text", "Name of its domain."),
            col("text", "text", "What the criterion says."),
            col("position", "integer", "Place within the domain, from 1."),
            CREATED,
            UPDATED,
        ],
        query: "SELECT c.id AS criterion_id, c.domain_id, d.name AS domain_name, c.text, \
                c.position, c.created_at, c.updated_at \
                FROM criteria c JOIN domains d ON d.id = c.domain_id",
        key: &[("criterion_id", "integer")],
        incremental: true,
    },
    Table {
        name: "departments",
        kind: Kind::Dimension,
        description: "The departments that own risks and actions.",
        columns: &[
            col("department_id", "text", "Slug of the department (key)."),
            col("department_name", "text", "Name of the department."),
            CREATED,
            UPDATED,
        ],
        query: "SELECT id AS department_id, name AS department_name, created_at, updated_at \
                FROM departments",
        key: &[("department_id", "text")],
        incremental: true,
    },
    Table {
        name: "themes",
        kind: Kind::Dimension,
        description: "The themes 0-10 of the Leidraad organisatiebeheersing.",
        columns: &[
            col("theme_code", "text", "Code of the theme (key), e.g. `CUL`."),
            col("theme_number", "integer", "Number of the theme, 0 to 10."),
            col("theme_name", "text", "Name of the theme."),
        ],
        query: "SELECT code AS theme_code, number AS theme_number, name AS theme_name FROM themes",
        key: &[("theme_code", "text")],
        incremental: false,
    },
    Table {
        name: "years",
        kind: Kind::Dimension,
        description: "The report years: every year with report metadata, statuses or \
                      assessments.",
        columns: &[
            col("year", "integer", "The year (key)."),
            col("title", "text", "Title of the year's report."),
            col("status", "text", "`draft` or `adopted`."),
            col(
                "presented_to",
                "text",
                "The body the report is presented to.",
            ),
            col("presented_on", "date", "The day it is presented."),
            col("adopted_on", "date", "The day it was adopted."),
            col("decision_url", "text", "Link to the council decision."),
            col("sha256", "text", "SHA-256 of the adopted report."),
        ],
        query: "SELECT y.year, coalesce(r.title, 'Voortgangsrapport ' || y.year) AS title, \
                coalesce(r.status, 'draft') AS status, r.presented_to, r.presented_on, \
                r.adopted_on, r.decision_url, r.sha256 \
                FROM (SELECT year FROM report_years UNION SELECT year FROM action_statuses \
                      UNION SELECT year FROM risk_assessments \
                      UNION SELECT year FROM recommendation_statuses \
                      UNION SELECT year FROM self_evaluations) y \
                LEFT JOIN report_years r ON r.year = y.year",
        key: &[("year", "integer")],
        incremental: false,
    },
    Table {
        name: "risks",
        kind: Kind::Dimension,
        description: "The risks, under their domain.",
        columns: &[
            col("risk_id", "integer", "Identifier of the risk (key)."),
            col("domain_id", "text", "Its domain."),
            col("domain_name", "text", "Name of its domain."),
            col("title", "text", "Title of the risk."),
            col("description", "text", "Description."),
            col("department_id", "text", "Owning department."),
            col("department_name", "text", "Name of the owning department."),
            CREATED,
            UPDATED,
        ],
        query: "SELECT r.id AS risk_id, r.domain_id, d.name AS domain_name, r.title, \
                r.description, r.department_id, dep.name AS department_name, \
                r.created_at, r.updated_at \
                FROM risks r JOIN domains d ON d.id = r.domain_id \
                LEFT JOIN departments dep ON dep.id = r.department_id",
        key: &[("risk_id", "integer")],
        incremental: true,
    },
    Table {
        name: "actions",
        kind: Kind::Dimension,
        description: "The actions; a sub-action names its parent.",
        columns: &[
            col("action_id", "integer", "Identifier of the action (key)."),
            col("external_ref", "text", "The department's own reference."),
            col("parent_id", "integer", "The parent action of a sub-action."),
            col("title", "text", "Title of the action."),
            col("description", "text", "Description."),
            col("department_id", "text", "Owning department."),
            col("department_name", "text", "Name of the owning department."),
            col("plan_ref", "text", "Reference in the multi-year plan."),
            CREATED,
            UPDATED,
        ],
        query: "SELECT a.id AS action_id, a.external_ref, a.parent_id, a.title, a.description, \
                a.department_id, dep.name AS department_name, a.plan_ref, \
                a.created_at, a.updated_at \
                FROM actions a LEFT JOIN departments dep ON dep.id = a.department_id",
        key: &[("action_id", "integer")],
        incremental: true,
    },
    Table {
        name: "audits",
        kind: Kind::Dimension,
        description: "The audits the organisation underwent.",
        columns: &[
            col("audit_id", "integer", "Identifier of the audit (key)."),
            col(
                "auditor",
                "text",
                "`audit_vlaanderen`, `internal_audit`, `external_auditor` or `other`.",
            ),
            col("auditor_name", "text", "The auditor's name."),
            col("title", "text", "Title of the audit."),
            col(
                "audited_on",
                "date",
                "The day of the audit or of its report.",
            ),
            col("reference", "text", "The reference of the audit report."),
            col("report_url", "text", "Link to the audit report."),
            CREATED,
            UPDATED,
        ],
        query: "SELECT id AS audit_id, auditor, auditor_name, title, audited_on, reference, \
                report_url, created_at, updated_at FROM audits",
        key: &[("audit_id", "integer")],
        incremental: true,
    },
    Table {
        name: "maturity_levels",
        kind: Kind::Dimension,
        description: "Audit Vlaanderen's assessment scale for internal control.",
        columns: &[
            col("level", "integer", "The level (key), from 0."),
            col("level_name", "text", "Its name on the scale."),
            col(
                "cycle_phase",
                "text",
                "The Plan-Do-Check-Act phase the scale gives the level, if any.",
            ),
        ],
        query: "SELECT level::integer AS level, name AS level_name, cycle_phase \
                FROM maturity_levels",
        key: &[("level", "integer")],
        incremental: false,
    },
    Table {
        name: "self_evaluations",
        kind: Kind::Dimension,
        description: "The self-evaluations against the Leidraad.",
        columns: &[
            col(
                "self_evaluation_id",
                "integer",
                "Identifier of the self-evaluation (key).",
            ),
            col("year", "integer", "The report year it belongs to."),
            col("title", "text", "Title."),
            col(
                "scope",
                "text",
                "`organisation`, `department` or `partial`.",
            ),
            col(
                "department_id",
                "text",
                "The department evaluated (scope `department`).",
            ),
            col("evaluated_on", "date", "The day of the evaluation."),
            CREATED,
            UPDATED,
        ],
        query: "SELECT id AS self_evaluation_id, year, title, scope, department_id, \
                evaluated_on, created_at, updated_at FROM self_evaluations",
        key: &[("self_evaluation_id", "integer")],
        incremental: true,
    },
    Table {
        name: "risk_assessments",
        kind: Kind::Fact,
        description: "One row per risk and year: the assessment, with its derived score and \
                      level.",
        columns: &[
            col("risk_id", "integer", "The risk (key, with year)."),
            col("year", "integer", "The year (key, with risk_id)."),
            col("domain_id", "text", "The risk's domain."),
            col("risk_title", "text", "Title of the risk."),
            col("likelihood", "integer", "Likelihood 1-5."),
            col("impact", "integer", "Impact 1-5."),
            col("score", "integer", "Likelihood x impact, 1-25."),
            col("level", "text", "`low`, `medium`, `high` or `critical`."),
            col(
                "status",
                "text",
                "`open`, `monitoring`, `mitigated` or `closed`.",
            ),
            col("note", "text", "Explanation."),
            col(
                "review",
                "text",
                "`submitted`, `approved` or `returned` in a year under review; empty otherwise. \
                 The report counts a reviewed year's rows only once approved.",
            ),
            CREATED,
            UPDATED,
        ],
        query: "SELECT ra.risk_id, ra.year, r.domain_id, r.title AS risk_title, ra.likelihood, \
                ra.impact, ra.likelihood * ra.impact AS score, \
                CASE WHEN ra.likelihood * ra.impact >= 16 THEN 'critical' \
                     WHEN ra.likelihood * ra.impact >= 10 THEN 'high' \
                     WHEN ra.likelihood * ra.impact >= 5 THEN 'medium' \
                     WHEN ra.likelihood * ra.impact >= 1 THEN 'low' END AS level, \
                ra.status, ra.note, ra.review, ra.created_at, ra.updated_at \
                FROM risk_assessments ra JOIN risks r ON r.id = ra.risk_id",
        key: &[("risk_id", "integer"), ("year", "integer")],
        incremental: true,
    },
    Table {
        name: "action_statuses",
        kind: Kind::Fact,
        description: "One row per action and year: its status and progress.",
        columns: &[
            col("action_id", "integer", "The action (key, with year)."),
            col("year", "integer", "The year (key, with action_id)."),
            col("action_title", "text", "Title of the action."),
            col("department_id", "text", "Owning department of the action."),
            col(
                "status",
                "text",
                "`planned`, `in_progress`, `realised`, `postponed` or `cancelled`.",
            ),
            col("progress", "integer", "Progress in percent."),
            col("note", "text", "Note of that year."),
            col(
                "review",
                "text",
                "`submitted`, `approved` or `returned` in a year under review; empty otherwise. \
                 The report counts a reviewed year's rows only once approved.",
            ),
            CREATED,
            UPDATED,
        ],
        query: "SELECT s.action_id, s.year, a.title AS action_title, a.department_id, s.status, \
                s.progress, s.note, s.review, s.created_at, s.updated_at \
                FROM action_statuses s JOIN actions a ON a.id = s.action_id",
        key: &[("action_id", "integer"), ("year", "integer")],
        incremental: true,
    },
    Table {
        name: "recommendation_statuses",
        kind: Kind::Fact,
        description: "One row per recommendation and year: what became of it.",
        columns: &[
            col(
                "recommendation_id",
                "integer",
                "The recommendation (key, with year).",
            ),
            col("year", "integer", "The year (key, with recommendation_id)."),
            col("audit_id", "integer", "The audit that made it."),
            col("priority", "text", "`high`, `medium` or `low`."),
            col("department_id", "text", "Owning department."),
            col("due_on", "date", "The day it is due."),
            col(
                "status",
                "text",
                "`open`, `in_progress`, `implemented`, `partly_implemented`, \
                 `not_implemented` or `risk_accepted`.",
            ),
            col("note", "text", "Note of that year."),
            col(
                "review",
                "text",
                "`submitted`, `approved` or `returned` in a year under review; empty otherwise.",
            ),
            CREATED,
            UPDATED,
        ],
        query: "SELECT s.recommendation_id, s.year, r.audit_id, r.priority, r.department_id, \
                r.due_on, s.status, s.note, s.review, s.created_at, s.updated_at \
                FROM recommendation_statuses s \
                JOIN recommendations r ON r.id = s.recommendation_id",
        key: &[("recommendation_id", "integer"), ("year", "integer")],
        incremental: true,
    },
    Table {
        name: "self_evaluation_scores",
        kind: Kind::Fact,
        description: "One row per self-evaluation and Leidraad theme: the maturity score, the \
                      target and the gap.",
        columns: &[
            col(
                "self_evaluation_id",
                "integer",
                "The self-evaluation (key, with theme_code).",
            ),
            col(
                "theme_code",
                "text",
                "The theme (key, with self_evaluation_id).",
            ),
            col("year", "integer", "The report year of the self-evaluation."),
            col(
                "scope",
                "text",
                "`organisation`, `department` or `partial`.",
            ),
            col(
                "department_id",
                "text",
                "The department evaluated (scope `department`).",
            ),
            col("score", "integer", "The maturity level scored."),
            col("target", "integer", "The level aimed at."),
            col(
                "gap",
                "integer",
                "How far the score is below the target (0 when reached; empty without target).",
            ),
            col(
                "improvement_actions",
                "integer",
                "How many improvement actions the score leads to.",
            ),
            col(
                "updated_at",
                "timestamp",
                "When the self-evaluation was last changed.",
            ),
        ],
        query: "SELECT s.self_evaluation_id, s.theme_code, s.year, e.scope, e.department_id, \
                s.score::integer AS score, s.target::integer AS target, \
                greatest(s.target - s.score, 0)::integer AS gap, \
                (SELECT count(*)::integer FROM self_evaluation_actions a \
                 WHERE a.self_evaluation_id = s.self_evaluation_id \
                 AND a.theme_code = s.theme_code) AS improvement_actions, e.updated_at \
                FROM self_evaluation_scores s \
                JOIN self_evaluations e ON e.id = s.self_evaluation_id",
        key: &[("self_evaluation_id", "integer"), ("theme_code", "text")],
        incremental: true,
    },
    Table {
        name: "worklist_progress",
        kind: Kind::Fact,
        description: "The coordinator's overview of every year opened for collection, per \
                      department: what the departments' worklists hold and where it stands \
                      (as GET /api/v1/reports/{year}/progress).",
        columns: &[
            col("year", "integer", "The year (key, with department_id)."),
            col(
                "department_id",
                "text",
                "The department (key, with year); empty for the items of actions and risks \
                 without a department.",
            ),
            col(
                "owed",
                "integer",
                "Every item the year asks of the department.",
            ),
            col(
                "answered",
                "integer",
                "Items answered: approved, or written in a year without review.",
            ),
            col(
                "waiting",
                "integer",
                "Answers submitted and waiting for review.",
            ),
            col("returned", "integer", "Answers the reviewer returned."),
            col("open", "integer", "Items not answered yet."),
            col(
                "overdue",
                "integer",
                "Items open or returned after the year's collect_until.",
            ),
        ],
        query: concat!(
            items_of_years!("SELECT year FROM report_years WHERE collect_until IS NOT NULL"),
            " SELECT ys.year, coalesce(d.id, '') AS department_id, ",
            progress_counts!("y.collect_until < current_date"),
            " FROM ys JOIN report_years y ON y.year = ys.year \
             CROSS JOIN (SELECT id FROM departments UNION ALL SELECT NULL) d \
             LEFT JOIN items i ON i.year = ys.year AND i.department_id IS NOT DISTINCT FROM d.id \
             GROUP BY ys.year, y.collect_until, d.id \
             HAVING d.id IS NOT NULL OR count(i.kind) > 0"
        ),
        key: &[("year", "integer"), ("department_id", "text")],
        incremental: false,
    },
    Table {
        name: "action_domains",
        kind: Kind::Bridge,
        description: "Which domains each action serves, with its place in each.",
        columns: &[
            col("action_id", "integer", "The action (key, with domain_id)."),
            col("domain_id", "text", "The domain (key, with action_id)."),
            col("domain_name", "text", "Name of the domain."),
            col(
                "position",
                "integer",
                "Place of the action in the domain's lists.",
            ),
            ACTION_UPDATED,
        ],
        query: "SELECT ad.action_id, ad.domain_id, d.name AS domain_name, ad.position, \
                a.updated_at \
                FROM action_domains ad JOIN domains d ON d.id = ad.domain_id \
                JOIN actions a ON a.id = ad.action_id",
        key: &[("action_id", "integer"), ("domain_id", "text")],
        incremental: true,
    },
    Table {
        name: "action_risks",
        kind: Kind::Bridge,
        description: "Which risks each action addresses.",
        columns: &[
            col("action_id", "integer", "The action (key, with risk_id)."),
            col("risk_id", "integer", "The risk (key, with action_id)."),
            col("risk_title", "text", "Title of the risk."),
            ACTION_UPDATED,
        ],
        query: "SELECT ar.action_id, ar.risk_id, r.title AS risk_title, a.updated_at \
                FROM action_risks ar JOIN risks r ON r.id = ar.risk_id \
                JOIN actions a ON a.id = ar.action_id",
        key: &[("action_id", "integer"), ("risk_id", "integer")],
        incremental: true,
    },
    Table {
        name: "action_themes",
        kind: Kind::Bridge,
        description: "The Leidraad themes of each action.",
        columns: &[
            col("action_id", "integer", "The action (key, with theme_code)."),
            col("theme_code", "text", "The theme (key, with action_id)."),
            col("theme_name", "text", "Name of the theme."),
            ACTION_UPDATED,
        ],
        query: "SELECT at.action_id, at.theme_code, t.name AS theme_name, a.updated_at \
                FROM action_themes at JOIN themes t ON t.code = at.theme_code \
                JOIN actions a ON a.id = at.action_id",
        key: &[("action_id", "integer"), ("theme_code", "text")],
        incremental: true,
    },
    Table {
        name: "risk_themes",
        kind: Kind::Bridge,
        description: "The Leidraad themes of each risk.",
        columns: &[
            col("risk_id", "integer", "The risk (key, with theme_code)."),
            col("theme_code", "text", "The theme (key, with risk_id)."),
            col("theme_name", "text", "Name of the theme."),
            col("updated_at", "timestamp", "When the risk was last changed."),
        ],
        query: "SELECT rt.risk_id, rt.theme_code, t.name AS theme_name, r.updated_at \
                FROM risk_themes rt JOIN themes t ON t.code = rt.theme_code \
                JOIN risks r ON r.id = rt.risk_id",
        key: &[("risk_id", "integer"), ("theme_code", "text")],
        incremental: true,
    },
    Table {
        name: "audit_actions",
        kind: Kind::Bridge,
        description: "The actions that follow from each audit.",
        columns: &[
            col("audit_id", "integer", "The audit (key, with action_id)."),
            col("action_id", "integer", "The action (key, with audit_id)."),
            col(
                "updated_at",
                "timestamp",
                "When the audit was last changed.",
            ),
        ],
        query: "SELECT aa.audit_id, aa.action_id, au.updated_at \
                FROM audit_actions aa JOIN audits au ON au.id = aa.audit_id",
        key: &[("audit_id", "integer"), ("action_id", "integer")],
        incremental: true,
    },
];

/// The table called `name`.
pub fn find(name: &str) -> Option<(usize, &'static Table)> {
    TABLES.iter().enumerate().find(|(_, t)| t.name == name)
}

impl Table {
    fn key_list(&self, alias: &str) -> String {
        self.key
            .iter()
            .map(|(name, _)| format!("{alias}.{name}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The rows in key order, filtered by the incremental window in the transaction settings
    /// `voortgang.export_from` / `voortgang.export_to` (empty: unbounded); with `after`, only
    /// rows after the key in bind parameter `$1` (a JSON array), at most `$2` of them.
    fn rows(&self, paged: bool) -> String {
        let mut sql = format!("SELECT * FROM ({}) e WHERE true", self.query);
        if self.incremental {
            sql.push_str(
                " AND e.updated_at >= coalesce(nullif(current_setting('voortgang.export_from', true), '')::timestamptz, '-infinity') \
                 AND e.updated_at < coalesce(nullif(current_setting('voortgang.export_to', true), '')::timestamptz, 'infinity')",
            );
        }
        if paged {
            let cursor: Vec<String> = self
                .key
                .iter()
                .enumerate()
                .map(|(i, (_, ty))| format!("($1::jsonb->>{i})::{ty}"))
                .collect();
            sql.push_str(&format!(
                " AND ($1::text IS NULL OR ({}) > ({}))",
                self.key_list("e"),
                cursor.join(", ")
            ));
        }
        if paged {
            sql.push_str(&format!(" ORDER BY {} LIMIT $2", self.key_list("e")));
        }
        sql
    }

    /// One page as JSON: the rows as an array (every column present, null when empty), how
    /// many, and the key of the last row as a JSON array.
    pub fn page_sql(&self) -> String {
        let keys: Vec<String> = self
            .key
            .iter()
            .map(|(name, _)| format!("p.{name}"))
            .collect();
        format!(
            "SELECT coalesce(json_agg(row_to_json(p) ORDER BY {order}), '[]')::text AS items, \
             count(*) AS rows, \
             (array_agg(json_build_array({keys})::text ORDER BY {reverse}))[1] AS last_key \
             FROM ({rows}) p",
            order = keys.join(", "),
            reverse = keys
                .iter()
                .map(|k| format!("{k} DESC"))
                .collect::<Vec<_>>()
                .join(", "),
            keys = keys.join(", "),
            rows = self.rows(true)
        )
    }

    /// The whole table for `COPY ... TO STDOUT (FORMAT csv)`: timestamps as ISO 8601 text,
    /// like the JSON, and text that a spreadsheet would read as a formula (starting with `=`,
    /// `+`, `-`, `@`, a tab or a carriage return) prefixed with `'`, as OWASP recommends
    /// against CSV injection.
    pub fn csv_sql(&self) -> String {
        let columns: Vec<String> = self
            .columns
            .iter()
            .map(|c| match c.r#type {
                "timestamp" => format!("to_json(c.{0}) #>> '{{}}' AS {0}", c.name),
                "text" => format!(
                    "CASE WHEN c.{0} ~ '{FORMULA_START}' THEN '''' || c.{0} ELSE c.{0} END AS {0}",
                    c.name
                ),
                _ => format!("c.{}", c.name),
            })
            .collect();
        format!(
            "SELECT {} FROM ({}) c ORDER BY {}",
            columns.join(", "),
            self.rows(false),
            self.key_list("c")
        )
    }
}
