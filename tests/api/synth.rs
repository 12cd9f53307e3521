//! `voortgang synth`: synthetic data for benchmarks, the same for the same seed.

use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::helpers::TestApp;

#[derive(QueryableByName)]
struct Digest {
    #[diesel(sql_type = Text)]
    digest: String,
}

fn digest(conn: &mut PgConnection) -> String {
    diesel::sql_query(
        "SELECT md5(
            (SELECT string_agg(title || coalesce(parent_id, 0) || coalesce(department_id, ''), ',' ORDER BY id) FROM actions)
            || (SELECT string_agg(action_id || ':' || year || status || coalesce(progress, -1), ',' ORDER BY action_id, year) FROM action_statuses)
            || (SELECT string_agg(action_id || domain_id || position, ',' ORDER BY action_id, domain_id) FROM action_domains)
            || (SELECT string_agg(risk_id || ':' || year || status || likelihood || impact, ',' ORDER BY risk_id, year) FROM risk_assessments)
            || (SELECT string_agg(title || audited_on, ',' ORDER BY id) FROM audits)
            || (SELECT string_agg(recommendation_id || ':' || year || status, ',' ORDER BY recommendation_id, year) FROM recommendation_statuses)
            || (SELECT string_agg(e.title || e.scope || sc.theme_code || sc.score || coalesce(sc.target, -1), ',' ORDER BY e.id, sc.theme_code) FROM self_evaluations e JOIN self_evaluation_scores sc ON sc.self_evaluation_id = e.id)
            || (SELECT coalesce(string_agg(self_evaluation_id || theme_code || action_id, ',' ORDER BY 1), '') FROM self_evaluation_actions)
         ) AS digest",
    )
    .get_result::<Digest>(conn)
    .unwrap()
    .digest
}

#[actix_web::test]
async fn synthetic_data_is_realistic_and_the_same_for_a_seed() {
    let options = voortgang::startup::synth::Options {
        actions: 70,
        risks: 10,
        audits: 4,
        recommendations: 12,
        self_evaluations: 8,
        years: 3,
        first_year: 2021,
        seed: 7,
    };
    let mut digests = Vec::new();
    for _ in 0..2 {
        let app = TestApp::with_domains(&["een", "twee", "drie"]).await;
        let mut conn = app.db();
        let summary = voortgang::startup::synth::generate(&mut conn, options).unwrap();
        assert_eq!(summary.actions, 70);
        assert_eq!(summary.risks, 10);
        assert!(summary.statuses >= 70 && summary.assessments >= 10);
        assert_eq!((summary.audits, summary.recommendations), (4, 12));
        assert!(summary.recommendation_statuses >= 12);
        // two organisation-wide and two partial self-evaluations, four of departments
        assert_eq!(summary.self_evaluations, 8);
        assert_eq!(
            summary.self_evaluation_scores,
            6 * 11 + 4 + 3,
            "{summary:?}"
        );
        digests.push(digest(&mut conn));

        use voortgang::db::schema::actions;
        let subs: i64 = actions::table
            .filter(actions::parent_id.is_not_null())
            .count()
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(subs, 20, "two in seven are sub-actions");
        // every action starts planned, in a year of the range
        let first: Vec<(String, i32)> = diesel::sql_query(
            "SELECT DISTINCT ON (action_id) status, year FROM action_statuses \
             ORDER BY action_id, year",
        )
        .load::<FirstStatus>(&mut conn)
        .unwrap()
        .into_iter()
        .map(|f| (f.status, f.year))
        .collect();
        assert_eq!(first.len(), 70);
        assert!(first
            .iter()
            .all(|(status, year)| status == "planned" && (2021..=2023).contains(year)));
        // and the service serves it
        let report = app.get("/api/v1/reports/2022").await.ok_json(200);
        assert_eq!(report["domains"].as_array().unwrap().len(), 3);
        let summary = app
            .get("/api/v1/recommendations/summary?year=2023")
            .await
            .ok_json(200);
        assert_eq!(summary["totals"]["recommendations"], 12, "{summary}");
        // the trend of the organisation follows them
        let trend = app.get("/api/v1/self-evaluations/trend").await.ok_json(200);
        let series = &trend["themes"][0]["series"];
        assert!(!series.as_array().unwrap().is_empty(), "{trend}");
    }
    assert_eq!(digests[0], digests[1], "the same seed gives the same data");
}

#[derive(QueryableByName)]
struct FirstStatus {
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = diesel::sql_types::Integer)]
    year: i32,
}
