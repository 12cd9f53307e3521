//! Synthetic data at scale, on top of the demo data, for benchmarks: `voortgang synth`.
//!
//! Actions spread over the domains, a fifth of them in groups of sub-actions under a parent,
//! one in ten top-level actions serving a second domain; each action starts in some year as
//! `planned`, goes `in_progress` and ends `realised` (mostly), `postponed` or `cancelled`;
//! risks with yearly assessments; links to risks and themes; audits with recommendations that
//! go from `open` to (mostly) `implemented` over the years; self-evaluations whose scores rise
//! over the years, with targets and improvement actions; Dutch-looking titles. The same
//! seed gives the same data (one transaction, PostgreSQL's `setseed`, no parallel workers).
//! Synthetic actions carry `external_ref` `SYNTH-<seed>-<n>`.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Double, Integer};

use crate::error::ApiError;

/// How much to generate.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub actions: i32,
    pub risks: i32,
    pub audits: i32,
    pub recommendations: i32,
    pub self_evaluations: i32,
    pub years: i32,
    pub first_year: i32,
    pub seed: i32,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            actions: 20_000,
            risks: 2_700,
            audits: 200,
            recommendations: 1_000,
            self_evaluations: 100,
            years: 10,
            first_year: 2016,
            seed: 1,
        }
    }
}

/// What was generated.
#[derive(Debug, QueryableByName)]
pub struct Summary {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub actions: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub statuses: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub risks: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub assessments: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub audits: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub recommendations: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub recommendation_statuses: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub self_evaluations: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub self_evaluation_scores: i64,
}

const VERBS: &str = "ARRAY['Digitalisering', 'Optimalisatie', 'Uitrol', 'Audit', 'Opvolging', \
    'Herziening', 'Aanbesteding', 'Invoering', 'Evaluatie', 'Vereenvoudiging', 'Automatisering', \
    'Actualisering', 'Opmaak', 'Verbetering', 'Centralisatie']";
const OBJECTS: &str = "ARRAY['facturatie', 'personeelsdossier', 'wagenpark', 'subsidieproces', \
    'klachtenbehandeling', 'archiefbeheer', 'contractbeheer', 'toegangsbeheer', 'kasbeheer', \
    'informatieveiligheid', 'vergunningsproces', 'meldingenproces', 'onthaal', 'inkoopproces', \
    'projectopvolging', 'voorraadbeheer', 'gebouwenbeheer', 'dataplatform', 'welzijnsbeleid', \
    'deontologische code']";
const PLACES: &str = "ARRAY['stadhuis', 'sociale dienst', 'burgerzaken', 'financiën', \
    'personeelsdienst', 'uitvoeringsdiensten', 'cultuurcentrum', 'bibliotheek', 'jeugddienst', \
    'wijkwerking', 'brandweer', 'politiezone']";
const DEPARTMENTS: &str = "ARRAY['financien', 'personeel', 'ict', 'facility', 'burgerzaken', \
    'wonen', 'omgeving', 'welzijn', 'cultuur', 'communicatie', 'mobiliteit', 'veiligheid']";
const RISKS: &str = "ARRAY['Onvoldoende', 'Gebrekkige', 'Verouderde', 'Onduidelijke', \
    'Ontbrekende', 'Te trage', 'Versnipperde']";

/// Adds synthetic data in one transaction and tells how much.
pub fn generate(conn: &mut PgConnection, options: Options) -> Result<Summary, ApiError> {
    let Options {
        actions,
        risks,
        audits,
        recommendations,
        self_evaluations,
        years,
        first_year,
        seed,
    } = options;
    let last_year = first_year + years - 1;
    conn.transaction(|conn| {
        diesel::sql_query("SET LOCAL max_parallel_workers_per_gather = 0").execute(conn)?;
        diesel::sql_query("SELECT setseed($1)")
            .bind::<Double, _>(f64::from(seed % 1000) / 1000.0)
            .execute(conn)?;
        diesel::sql_query(format!(
            "INSERT INTO departments (id, name) \
             SELECT d, initcap(d) FROM unnest({DEPARTMENTS}) d ON CONFLICT DO NOTHING"
        ))
        .execute(conn)?;

        // the plan: one row per action, top-level ones and their sub-actions (n % 7 in 3, 4
        // are sub-actions of the action at n % 7 = 2 before them)
        diesel::sql_query(format!(
            "CREATE TEMP TABLE synth_plan ON COMMIT DROP AS \
             SELECT n, 'SYNTH-' || $1 || '-' || n AS ref, \
                    CASE WHEN n % 7 IN (3, 4) THEN 'SYNTH-' || $1 || '-' || (n - n % 7 + 2) END AS parent_ref, \
                    ({VERBS})[1 + floor(random() * 15)::int] || ' ' || \
                    ({OBJECTS})[1 + floor(random() * 20)::int] || ' ' || \
                    ({PLACES})[1 + floor(random() * 12)::int] AS title, \
                    ({DEPARTMENTS})[1 + floor(random() * 12)::int] AS department_id, \
                    (SELECT array_agg(id ORDER BY position) FROM domains)[1 + floor(random() * (SELECT count(*) FROM domains))::int] AS domain_id, \
                    random() < 0.1 AS second_domain, \
                    $2 + floor(random() * $4)::int AS start_year, \
                    1 + floor(random() * 3)::int AS duration, \
                    random() AS fate \
             FROM generate_series(1, $3) n"
        ))
        .bind::<Integer, _>(seed)
        .bind::<Integer, _>(first_year)
        .bind::<Integer, _>(actions)
        .bind::<Integer, _>(years)
        .execute(conn)?;
        // sub-actions serve their parent's domain and start with it
        diesel::sql_query(
            "UPDATE synth_plan c SET domain_id = p.domain_id, start_year = p.start_year, \
                    second_domain = false \
             FROM synth_plan p WHERE c.parent_ref = p.ref",
        )
        .execute(conn)?;
        diesel::sql_query(
            "INSERT INTO actions (external_ref, title, department_id, description) \
             SELECT ref, title, department_id, \
                    CASE WHEN n % 4 = 0 THEN 'Actie ' || n || ' van het synthetische plan.' END \
             FROM synth_plan ORDER BY n",
        )
        .execute(conn)?;
        diesel::sql_query(
            "UPDATE actions a SET parent_id = p.id \
             FROM synth_plan s JOIN actions p ON p.external_ref = s.parent_ref \
             WHERE a.external_ref = s.ref",
        )
        .execute(conn)?;
        diesel::sql_query(
            "INSERT INTO action_domains (action_id, domain_id, position) \
             SELECT a.id, s.domain_id, \
                    coalesce((SELECT max(position) FROM action_domains d WHERE d.domain_id = s.domain_id), 0) \
                    + row_number() OVER (PARTITION BY s.domain_id ORDER BY s.n) \
             FROM synth_plan s JOIN actions a ON a.external_ref = s.ref",
        )
        .execute(conn)?;
        diesel::sql_query(
            "INSERT INTO action_domains (action_id, domain_id, position) \
             SELECT a.id, d.id, \
                    coalesce((SELECT max(position) FROM action_domains x WHERE x.domain_id = d.id), 0) \
                    + row_number() OVER (PARTITION BY d.id ORDER BY s.n) \
             FROM synth_plan s JOIN actions a ON a.external_ref = s.ref \
             JOIN domains d ON d.position = 1 + (s.n % (SELECT count(*) FROM domains)) \
             WHERE s.second_domain AND d.id <> s.domain_id",
        )
        .execute(conn)?;
        // planned in the first year, in progress until the last, then realised (mostly),
        // postponed or cancelled
        diesel::sql_query(
            "INSERT INTO action_statuses (action_id, year, status, progress) \
             SELECT a.id, y, \
                    CASE WHEN y = s.start_year THEN 'planned' \
                         WHEN y < s.start_year + s.duration THEN 'in_progress' \
                         WHEN s.fate < 0.8 THEN 'realised' \
                         WHEN s.fate < 0.9 THEN 'postponed' ELSE 'cancelled' END, \
                    CASE WHEN y = s.start_year THEN 0 \
                         WHEN y < s.start_year + s.duration THEN 20 + ((y - s.start_year) * 30) % 70 \
                         WHEN s.fate < 0.8 THEN 100 END \
             FROM synth_plan s JOIN actions a ON a.external_ref = s.ref \
             CROSS JOIN LATERAL generate_series(s.start_year, least(s.start_year + s.duration, $1)) y",
        )
        .bind::<Integer, _>(last_year)
        .execute(conn)?;

        diesel::sql_query(format!(
            "CREATE TEMP TABLE synth_risks ON COMMIT DROP AS \
             SELECT n, ({RISKS})[1 + floor(random() * 7)::int] || ' ' || \
                    ({OBJECTS})[1 + floor(random() * 20)::int] || ' bij ' || \
                    ({PLACES})[1 + floor(random() * 12)::int] || ' (' || n || ')' AS title, \
                    (SELECT array_agg(id ORDER BY position) FROM domains)[1 + floor(random() * (SELECT count(*) FROM domains))::int] AS domain_id, \
                    ({DEPARTMENTS})[1 + floor(random() * 12)::int] AS department_id, \
                    $1 + floor(random() * $2)::int AS start_year, \
                    1 + floor(random() * 4)::int AS duration \
             FROM generate_series(1, $3) n"
        ))
        .bind::<Integer, _>(first_year)
        .bind::<Integer, _>(years)
        .bind::<Integer, _>(risks)
        .execute(conn)?;
        diesel::sql_query(
            "INSERT INTO risks (domain_id, title, department_id) \
             SELECT domain_id, title, department_id FROM synth_risks ORDER BY n",
        )
        .execute(conn)?;
        diesel::sql_query(
            "INSERT INTO risk_assessments (risk_id, year, likelihood, impact, status) \
             SELECT r.id, y, 1 + floor(random() * 5)::int, 1 + floor(random() * 5)::int, \
                    CASE WHEN y = least(s.start_year + s.duration, $1) AND s.duration < 3 THEN 'closed' \
                         WHEN y = s.start_year THEN 'open' ELSE 'monitoring' END \
             FROM synth_risks s JOIN risks r ON r.title = s.title \
             CROSS JOIN LATERAL generate_series(s.start_year, least(s.start_year + s.duration, $1)) y",
        )
        .bind::<Integer, _>(last_year)
        .execute(conn)?;
        diesel::sql_query(
            "INSERT INTO action_risks (action_id, risk_id) \
             SELECT a.id, r.id FROM synth_plan s JOIN actions a ON a.external_ref = s.ref \
             JOIN synth_risks sr ON sr.n = 1 + (s.n * 7919) % greatest($1, 1) \
             JOIN risks r ON r.title = sr.title \
             WHERE s.n % 3 = 0",
        )
        .bind::<Integer, _>(risks)
        .execute(conn)?;
        diesel::sql_query(
            "INSERT INTO action_themes (action_id, theme_code) \
             SELECT a.id, t.code FROM synth_plan s JOIN actions a ON a.external_ref = s.ref \
             JOIN themes t ON t.number = s.n % 11 WHERE s.n % 2 = 0",
        )
        .execute(conn)?;

        // audits of every kind in the years, each with recommendations (their due day a year
        // or two after the audit) that go from open to, mostly, implemented
        diesel::sql_query(format!(
            "INSERT INTO audits (external_ref, auditor, title, audited_on) \
             SELECT 'SYNTH-AUD-' || $1 || '-' || n, \
                    (ARRAY['audit_vlaanderen', 'internal_audit', 'external_auditor', 'other'])[1 + n % 4], \
                    'Audit ' || ({OBJECTS})[1 + floor(random() * 20)::int] || ' ' || \
                    ({PLACES})[1 + floor(random() * 12)::int] || ' (' || n || ')', \
                    make_date($2 + floor(random() * $3)::int, 1 + floor(random() * 12)::int, 1) \
             FROM generate_series(1, $4) n"
        ))
        .bind::<Integer, _>(seed)
        .bind::<Integer, _>(first_year)
        .bind::<Integer, _>(years)
        .bind::<Integer, _>(audits)
        .execute(conn)?;
        diesel::sql_query(format!(
            "CREATE TEMP TABLE synth_recommendations ON COMMIT DROP AS \
             SELECT n, 'SYNTH-REC-' || $1 || '-' || n AS ref, a.id AS audit_id, a.audited_on, \
                    ({VERBS})[1 + floor(random() * 15)::int] || ' van het ' || \
                    ({OBJECTS})[1 + floor(random() * 20)::int] || ' (' || n || ')' AS text, \
                    (ARRAY['high', 'medium', 'low'])[1 + floor(random() * 3)::int] AS priority, \
                    ({DEPARTMENTS})[1 + floor(random() * 12)::int] AS department_id, \
                    1 + floor(random() * 3)::int AS duration, random() AS fate \
             FROM generate_series(1, $2) n \
             JOIN audits a ON a.external_ref = 'SYNTH-AUD-' || $1 || '-' || (1 + n % greatest($3, 1))"
        ))
        .bind::<Integer, _>(seed)
        .bind::<Integer, _>(recommendations)
        .bind::<Integer, _>(audits)
        .execute(conn)?;
        diesel::sql_query(
            "INSERT INTO recommendations (audit_id, external_ref, text, priority, department_id, due_on) \
             SELECT audit_id, ref, text, priority, department_id, \
                    (audited_on + make_interval(years => 1 + n % 2))::date \
             FROM synth_recommendations ORDER BY n",
        )
        .execute(conn)?;
        diesel::sql_query(
            "INSERT INTO recommendation_statuses (recommendation_id, year, status, note) \
             SELECT r.id, y, \
                    CASE WHEN y = extract(year FROM s.audited_on) THEN 'open' \
                         WHEN y < extract(year FROM s.audited_on) + s.duration THEN 'in_progress' \
                         WHEN s.fate < 0.7 THEN 'implemented' \
                         WHEN s.fate < 0.85 THEN 'partly_implemented' \
                         WHEN s.fate < 0.95 THEN 'not_implemented' ELSE 'risk_accepted' END, \
                    CASE WHEN s.fate >= 0.95 THEN 'Kost weegt niet op tegen het risico.' END \
             FROM synth_recommendations s JOIN recommendations r ON r.external_ref = s.ref \
             CROSS JOIN LATERAL generate_series(extract(year FROM s.audited_on)::int, \
                  least(extract(year FROM s.audited_on)::int + s.duration, $1)) y",
        )
        .bind::<Integer, _>(last_year)
        .execute(conn)?;

        // self-evaluations over the years: a quarter organisation-wide, a quarter partial (a
        // third of the themes), half per department; scores rise with the years, targets are
        // at or one above, and most gaps have an improvement action
        diesel::sql_query(format!(
            "CREATE TEMP TABLE synth_evaluations ON COMMIT DROP AS \
             SELECT n, 'SYNTH-ZE-' || $1 || '-' || n AS ref, $2 + n % $3 AS year, \
                    (ARRAY['organisation', 'partial', 'department', 'department'])[1 + n % 4] AS scope, \
                    CASE WHEN n % 4 >= 2 THEN ({DEPARTMENTS})[1 + n % 12] END AS department_id \
             FROM generate_series(1, $4) n"
        ))
        .bind::<Integer, _>(seed)
        .bind::<Integer, _>(first_year)
        .bind::<Integer, _>(years)
        .bind::<Integer, _>(self_evaluations)
        .execute(conn)?;
        diesel::sql_query(
            "INSERT INTO self_evaluations (external_ref, year, title, scope, department_id, \
                                           evaluated_on, method) \
             SELECT ref, year, 'Zelfevaluatie ' || year || ' (' || n || ')', scope, department_id, \
                    make_date(year, 1 + floor(random() * 12)::int, 1), 'Workshop per thema.' \
             FROM synth_evaluations ORDER BY n",
        )
        .execute(conn)?;
        diesel::sql_query(
            "INSERT INTO self_evaluation_scores (self_evaluation_id, year, theme_code, score, target) \
             SELECT e.id, e.year, t.code, sc.score, \
                    least(top.level, sc.score + (random() < 0.6)::int)::smallint \
             FROM synth_evaluations s JOIN self_evaluations e ON e.external_ref = s.ref \
             JOIN themes t ON s.scope <> 'partial' OR t.number % 3 = s.n % 3 \
             CROSS JOIN (SELECT max(level) AS level FROM maturity_levels) top \
             CROSS JOIN LATERAL (SELECT least(top.level, greatest(0, floor( \
                    (s.year - $1)::float / greatest($2, 1) * (top.level + 1) \
                    + random() - 0.3)))::smallint AS score) sc",
        )
        .bind::<Integer, _>(first_year)
        .bind::<Integer, _>(years)
        .execute(conn)?;
        diesel::sql_query(
            "INSERT INTO self_evaluation_actions (self_evaluation_id, theme_code, action_id) \
             SELECT sc.self_evaluation_id, sc.theme_code, a.id \
             FROM synth_evaluations s JOIN self_evaluations e ON e.external_ref = s.ref \
             JOIN self_evaluation_scores sc ON sc.self_evaluation_id = e.id \
             JOIN actions a ON a.external_ref = 'SYNTH-' || $1 || '-' \
                  || (1 + (s.n * 11 + length(sc.theme_code)) % greatest($2, 1)) \
             WHERE sc.target > sc.score AND random() < 0.7",
        )
        .bind::<Integer, _>(seed)
        .bind::<Integer, _>(actions)
        .execute(conn)?;

        Ok(diesel::sql_query(
            "SELECT (SELECT count(*) FROM synth_plan) AS actions, \
                    (SELECT count(*) FROM action_statuses s JOIN actions a ON a.id = s.action_id \
                      JOIN synth_plan p ON p.ref = a.external_ref) AS statuses, \
                    (SELECT count(*) FROM synth_risks) AS risks, \
                    (SELECT count(*) FROM risk_assessments ra JOIN risks r ON r.id = ra.risk_id \
                      JOIN synth_risks s ON s.title = r.title) AS assessments, \
                    (SELECT count(*) FROM audits WHERE external_ref LIKE 'SYNTH-AUD-%') AS audits, \
                    (SELECT count(*) FROM synth_recommendations) AS recommendations, \
                    (SELECT count(*) FROM recommendation_statuses s \
                      JOIN recommendations r ON r.id = s.recommendation_id \
                      JOIN synth_recommendations p ON p.ref = r.external_ref) AS recommendation_statuses, \
                    (SELECT count(*) FROM synth_evaluations) AS self_evaluations, \
                    (SELECT count(*) FROM self_evaluation_scores sc \
                      JOIN self_evaluations e ON e.id = sc.self_evaluation_id \
                      JOIN synth_evaluations s ON s.ref = e.external_ref) AS self_evaluation_scores",
        )
        .get_result(conn)?)
    })
}
