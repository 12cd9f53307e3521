//! The demo data: Mechelen's Voortgangsrapport 2022, loaded as the API serves it.

use serde_json::{json, Value};

use crate::helpers::TestApp;

/// Every item of a list, following `next`.
async fn all(app: &TestApp, path: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut next = Some(path.to_string());
    while let Some(path) = next {
        let page = app.get(&path).await.ok_json(200);
        items.extend(page["items"].as_array().unwrap().iter().cloned());
        next = page["next"].as_str().map(str::to_string);
    }
    items
}

fn titles(items: &[Value]) -> Vec<&str> {
    items.iter().map(|i| i["title"].as_str().unwrap()).collect()
}

const DOMAINS: [&str; 7] = [
    "organisatiecultuur",
    "bereiken-doelstellingen",
    "voorkomen-fraude-en-fouten",
    "naleven-wetgeving-en-procedures",
    "efficient-gebruik-middelen",
    "betrouwbare-informatie",
    "bescherming-activa",
];

#[actix_web::test]
async fn the_demo_has_the_27_high_risks_open_in_2022_per_domain() {
    let app = TestApp::with_demo().await;
    let mut counts = Vec::new();
    for domain in DOMAINS {
        let risks = all(
            &app,
            &format!("/api/v1/risks?domain_id={domain}&year=2022&status=open"),
        )
        .await;
        counts.push(risks.len());
    }
    assert_eq!(counts, [4, 4, 6, 3, 5, 2, 3]);
    let all_risks = all(&app, "/api/v1/risks?limit=1000").await;
    assert_eq!(all_risks.len(), 27);
    for risk in &all_risks {
        let assessments = risk["assessments"].as_array().unwrap();
        assert_eq!(assessments.len(), 1);
        assert_eq!(assessments[0]["year"], 2022);
        assert_eq!(assessments[0]["status"], "open");
        assert_eq!(
            assessments[0]["likelihood"],
            Value::Null,
            "the report gives no scores"
        );
        assert_eq!(assessments[0]["score"], Value::Null);
    }
    let culture = all(&app, "/api/v1/risks?domain_id=organisatiecultuur").await;
    assert_eq!(
        titles(&culture),
        [
            "Hoge werkdruk",
            "Meer betrokkenheid middenkader",
            "Beter leren omgaan met verandering",
            "Meer dienstoverschrijdend werken",
        ]
    );
    let found = all(&app, "/api/v1/risks?q=werkdruk").await;
    assert_eq!(titles(&found), ["Hoge werkdruk"]);
    let activa = all(&app, "/api/v1/risks?domain_id=bescherming-activa").await;
    assert_eq!(titles(&activa)[2], "Sleutelbeheer");
}

#[actix_web::test]
async fn the_demo_has_every_realisation_and_planning_item_per_domain() {
    let app = TestApp::with_demo().await;
    let mut realised = Vec::new();
    let mut planned = Vec::new();
    for domain in DOMAINS {
        let base = format!("/api/v1/actions?domain_id={domain}&year=2022&limit=7");
        realised.push(all(&app, &format!("{base}&status=realised")).await.len());
        planned.push(all(&app, &format!("{base}&status=planned")).await.len());
    }
    assert_eq!(realised, [29, 18, 19, 12, 23, 16, 14]);
    assert_eq!(planned, [11, 8, 9, 7, 9, 9, 5]);
    assert_eq!(all(&app, "/api/v1/actions?limit=1000").await.len(), 173);
}

#[actix_web::test]
async fn the_realisations_of_organisatiecultuur_are_those_of_the_report() {
    let app = TestApp::with_demo().await;
    let top = all(
        &app,
        "/api/v1/actions?domain_id=organisatiecultuur&year=2022&status=realised&top_level=true",
    )
    .await;
    let titles = titles(&top);
    assert_eq!(titles.len(), 19);
    assert_eq!(titles[0], "Personeelsnieuws Lunaweb");
    assert!(titles.contains(&"Herschreven missie, visie en waarden"));
    assert!(titles.contains(&"Werken bij de overheid: Mechelen – Kempen"));

    let wellbeing = top
        .iter()
        .find(|a| a["title"] == "Welzijn op het werk")
        .unwrap();
    let subs = all(
        &app,
        &format!("/api/v1/actions?parent_id={}", wellbeing["id"]),
    )
    .await;
    assert_eq!(subs.len(), 10);
    let sub_titles: Vec<&str> = subs.iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert!(sub_titles.contains(&"Welzijnsbevraging"));
    assert!(sub_titles.contains(&"Week van het werkgeluk"));
    assert!(sub_titles.contains(&"Deconnectiecharter"));
}

#[actix_web::test]
async fn an_action_under_several_domains_is_one_record() {
    let app = TestApp::with_demo().await;
    for (title, domains) in [
        (
            "Migratie Topdesk",
            vec!["betrouwbare-informatie", "efficient-gebruik-middelen"],
        ),
        (
            "Digitalisering Mechelbon",
            vec!["efficient-gebruik-middelen", "voorkomen-fraude-en-fouten"],
        ),
        (
            "Uitwerking processen in LB365",
            vec!["bereiken-doelstellingen", "voorkomen-fraude-en-fouten"],
        ),
    ] {
        let found: Vec<Value> = all(&app, "/api/v1/actions?limit=1000")
            .await
            .into_iter()
            .filter(|a| a["title"] == title)
            .collect();
        assert_eq!(found.len(), 1, "{title}");
        assert_eq!(
            found[0]["domain_ids"],
            serde_json::json!(domains),
            "{title}"
        );
    }
}

#[actix_web::test]
async fn the_narrative_descriptions_are_on_their_actions() {
    let app = TestApp::with_demo().await;
    let found = all(&app, "/api/v1/actions?q=ondernemersloket").await;
    assert_eq!(
        titles(&found)[0],
        "Opstart project Digitaal ondernemersloket"
    );
    assert!(found[0]["description"]
        .as_str()
        .unwrap()
        .contains("Kortrijk, Sint-Niklaas en de Vlaamse ICT-organisatie (V-ICT-OR)"));
    let found = all(&app, "/api/v1/actions?q=financien&sort=title").await;
    assert!(titles(&found).contains(&"Basisopleiding financiën"));
}

#[actix_web::test]
async fn the_demo_opens_2023_with_what_2022_planned_and_followed_up_on_the_worklists() {
    let app = TestApp::with_demo().await;
    let year = app.get("/api/v1/reports/2023").await.ok_json(200);
    assert_eq!(year["report"]["status"], "collecting");
    assert_eq!(year["report"]["review_required"], true);
    let progress = app.get("/api/v1/reports/2023/progress").await.ok_json(200);
    // the 58 planning listings of 2022 are 50 actions (8 listed under a second domain too)
    assert_eq!(progress["totals"]["owed"], 50 + 27, "{progress}");
    assert_eq!(progress["totals"]["open"], 50 + 27);
    let owed: Vec<(Value, Value)> = progress["departments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["department_id"].clone(), d["owed"].clone()))
        .collect();
    assert_eq!(
        owed,
        vec![
            (json!("financien"), json!(5 + 4)),
            (json!("ict"), json!(3)),
            (json!("personeel"), json!(5 + 1)),
            (Value::Null, json!(50 + 27 - 18)),
        ]
    );
    let hr = all(
        &app,
        "/api/v1/reports/2023/worklist?department_id=personeel",
    )
    .await;
    assert_eq!(
        titles(&hr),
        [
            "Gunning aanbesteding en implementatie soft HR",
            "Nieuwe externe preventiedienst",
            "Implementatie nieuwe rechtspositieregeling",
            "Aanbesteding soft HR (skills en competenties)",
            "Interne mobiliteit",
            "Hoge werkdruk",
        ]
    );
    assert!(hr.iter().all(
        |item| item["previous"]["status"] == "planned" || item["previous"]["status"] == "open"
    ));
}

#[actix_web::test]
async fn the_demo_registers_the_audits_the_report_names_with_the_actions_that_follow() {
    let app = TestApp::with_demo().await;
    let audits = all(&app, "/api/v1/audits").await;
    assert_eq!(
        titles(&audits),
        ["Audit Financiën", "Audit informatiebeheer"]
    );
    for (audit, follow_up) in audits.iter().zip([
        "Opvolgaudit financiële processen",
        "Uitvoeren actieplan na audit informatiebeheer",
    ]) {
        assert_eq!(audit["auditor"], "other");
        assert_eq!(audit["auditor_name"], "Audio");
        assert_eq!(audit["audited_on"], Value::Null, "the report gives no date");
        let ids = audit["action_ids"].as_array().unwrap();
        assert_eq!(ids.len(), 1);
        let action = app
            .get(&format!("/api/v1/actions/{}", ids[0]))
            .await
            .ok_json(200);
        assert_eq!(action["title"], follow_up);
    }
}
