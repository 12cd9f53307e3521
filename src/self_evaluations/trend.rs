//! The maturity of the Leidraad themes over the years: `GET /api/v1/self-evaluations/trend`,
//! and the report's section on the latest self-evaluation.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, Date, Integer, Nullable, SmallInt, Text};

use super::dto::{ThemeScore, ThemeTrend, Trend, TrendQuery, YearScore};
use crate::api::limits::{SLUG_MAX, YEARS, YEAR_MAX, YEAR_MIN};
use crate::api::validate;
use crate::api::{respond, Query};
use crate::db::fixed::{ByName, Part};
use crate::db::Database;
use crate::error::ApiError;

#[derive(QueryableByName)]
struct Point {
    #[diesel(sql_type = Integer)]
    number: i32,
    #[diesel(sql_type = Text)]
    theme_code: String,
    #[diesel(sql_type = Text)]
    theme_name: String,
    #[diesel(sql_type = Integer)]
    top_level: i32,
    #[diesel(sql_type = Nullable<Integer>)]
    year: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    self_evaluation_id: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    title: Option<String>,
    #[diesel(sql_type = Nullable<Date>)]
    evaluated_on: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<SmallInt>)]
    score: Option<i16>,
    #[diesel(sql_type = Nullable<Text>)]
    level: Option<String>,
    #[diesel(sql_type = Nullable<SmallInt>)]
    target: Option<i16>,
    #[diesel(sql_type = Nullable<Array<Integer>>)]
    action_ids: Option<Vec<i32>>,
}

/// Every theme, with per year the score of the latest self-evaluation of that year that
/// scored it (by day of evaluation, then registration): the organisation's (organisation-wide
/// and partial ones) or one department's, up to `until`. One statement of a fixed text.
const POINTS: &str = "\
SELECT t.number, t.code AS theme_code, t.name AS theme_name,
       (SELECT coalesce(max(level), 0)::integer FROM maturity_levels) AS top_level,
       p.year, p.self_evaluation_id, p.title, p.evaluated_on, p.score, l.name AS level,
       p.target, p.action_ids
FROM themes t
LEFT JOIN (
    SELECT DISTINCT ON (s.theme_code, s.year)
           s.theme_code, s.year::integer AS year, s.self_evaluation_id, e.title, e.evaluated_on,
           s.score, s.target,
           ARRAY(SELECT a.action_id FROM self_evaluation_actions a
                 WHERE a.self_evaluation_id = s.self_evaluation_id
                   AND a.theme_code = s.theme_code
                 ORDER BY a.action_id) AS action_ids
    FROM self_evaluation_scores s
    JOIN self_evaluations e ON e.id = s.self_evaluation_id
    WHERE CASE WHEN $1::text IS NULL THEN e.scope IN ('organisation', 'partial')
               ELSE e.department_id = $1 END
      AND ($2::integer IS NULL OR s.year <= $2)
    ORDER BY s.theme_code, s.year, e.evaluated_on DESC NULLS LAST, e.id DESC
) p ON p.theme_code = t.code
LEFT JOIN maturity_levels l ON l.level = p.score
ORDER BY t.number, p.year";

/// The self-evaluation a theme's latest score comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    pub id: i32,
    pub year: i32,
    pub title: String,
    pub evaluated_on: Option<NaiveDate>,
}

/// The trend of every theme, and the most recent self-evaluation it draws on: one statement.
pub fn trend_with_source(
    conn: &mut PgConnection,
    department: Option<&str>,
    until: Option<i32>,
) -> Result<(Trend, Option<Source>), ApiError> {
    let values = [
        Part::OptionalText(department.map(str::to_string)),
        Part::OptionalInteger(until),
    ];
    let points: Vec<Point> = ByName::new(POINTS, &values).load(conn)?;
    let top_level = points.first().map_or(0, |p| p.top_level);
    let mut source: Option<Source> = None;
    let mut themes: Vec<ThemeTrend> = Vec::new();
    let mut latest: Vec<Option<&Point>> = Vec::new();
    for point in &points {
        if themes.last().is_none_or(|t| t.number != point.number) {
            themes.push(ThemeTrend {
                number: point.number,
                theme_code: point.theme_code.clone(),
                theme_name: point.theme_name.clone(),
                series: Vec::new(),
                score: None,
                level: None,
                previous: None,
                change: None,
                target: None,
                gap: None,
                action_ids: Vec::new(),
                needs_action: false,
            });
            latest.push(None);
        }
        let (Some(year), Some(id), Some(score)) =
            (point.year, point.self_evaluation_id, point.score)
        else {
            continue;
        };
        let theme = themes.last_mut().expect("pushed above");
        theme.series.push(YearScore {
            year,
            self_evaluation_id: id,
            score: score.into(),
            target: point.target.map(i32::from),
        });
        *latest.last_mut().expect("pushed above") = Some(point);
        let newer = source
            .as_ref()
            .is_none_or(|s| (year, point.evaluated_on, id) > (s.year, s.evaluated_on, s.id));
        if newer {
            source = Some(Source {
                id,
                year,
                title: point.title.clone().unwrap_or_default(),
                evaluated_on: point.evaluated_on,
            });
        }
    }
    for (theme, point) in themes.iter_mut().zip(latest) {
        let Some(point) = point else { continue };
        let score = theme.series.last().map(|p| p.score);
        theme.score = score;
        theme.level = point.level.clone();
        theme.previous = theme
            .series
            .len()
            .checked_sub(2)
            .map(|i| theme.series[i].score);
        theme.change = score.zip(theme.previous).map(|(now, then)| now - then);
        theme.target = point.target.map(i32::from);
        theme.gap = score.and_then(|score| ThemeScore::gap(score, theme.target));
        theme.action_ids = point.action_ids.clone().unwrap_or_default();
        theme.needs_action = theme.gap.is_some_and(|gap| gap > 0) && theme.action_ids.is_empty();
    }
    Ok((
        Trend {
            department_id: department.map(str::to_string),
            top_level,
            themes,
        },
        source,
    ))
}

/// Maturity per theme over the years
///
/// For each of the eleven Leidraad themes: its score per year (the latest self-evaluation of
/// the year that scored it), the latest score and target, the change since the previous
/// scored year, the gap to the target, the improvement actions of the latest score, and
/// `needs_action` when the theme is below its target without an improvement action. The
/// organisation's trend follows organisation-wide and partial self-evaluations; with
/// `department_id`, that department's.
#[utoipa::path(
    tag = "self-evaluations",
    params(TrendQuery),
    responses((status = 200, description = "The trend of every theme.", body = Trend))
)]
#[get("/self-evaluations/trend")]
pub async fn get_maturity_trend(
    db: web::Data<Database>,
    Query(params): Query<TrendQuery>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    // the department is echoed in the answer: only a department id is one
    if let Some(department) = params.department_id.as_deref() {
        if validate::slug(department).is_err() {
            return Err(ApiError::BadRequest(format!(
                "department_id must be a department id (lowercase letters, digits and hyphens, at most {SLUG_MAX})"
            )));
        }
    }
    if params.until.is_some_and(|year| !YEARS.contains(&year)) {
        return Err(ApiError::BadRequest(format!(
            "until must be from {YEAR_MIN} to {YEAR_MAX}"
        )));
    }
    respond::read(&db, &req, move |conn| {
        trend_with_source(conn, params.department_id.as_deref(), params.until)
            .map(|(trend, _)| trend)
    })
    .await
}
