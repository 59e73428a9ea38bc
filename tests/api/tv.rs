//! The TV guide: import (idempotent, atomic), a channel's day, the grid and
//! "now on air" at Moscow day and slot boundaries, and statement counts.

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use crate::common::{TestApp, data, error_codes};

/// Two channels around midnight of 26 → 27 November 2026 (Moscow).
const SMALL: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<tv>
  <channel id="test.one"><display-name>Тест Один</display-name></channel>
  <channel id="test.two"><display-name>Тест Два</display-name></channel>
  <programme start="20261126230000 +0300" stop="20261127003000 +0300" channel="test.one"><title>Ночной фильм</title><category>Фильм</category><credits><director>Эльдар Рязанов</director></credits><rating system="RU"><value>16+</value></rating></programme>
  <programme start="20261127003000 +0300" stop="20261127120000 +0300" channel="test.one"><title>Утро</title><category>Развлекательное</category></programme>
  <programme start="20261127120000 +0300" stop="20261127130000 +0300" channel="test.one"><title>Новости</title><category>Новости</category><premiere/></programme>
  <programme start="20261127000000 +0300" stop="20261127121500 +0300" channel="test.two"><title>Долгое шоу</title><category>Развлекательное</category></programme>
  <programme start="20261127121500 +0300" stop="20261127140000 +0300" channel="test.two"><title>Футбол</title><category>Спорт</category><category>Футбол</category></programme>
</tv>
"#;

async fn import(
    app: &TestApp,
    xml: &str,
) -> Result<kabinet::tv::import::ImportReport, kabinet::tv::TvError> {
    kabinet::tv::import::import(&app.state.db, xml.as_bytes()).await
}

async fn test_channels(app: &TestApp) -> (Value, Value) {
    let body = app
        .graphql(
            "{ tvChannels(first: 100, after: null) { totalCount pageInfo { endCursor } } }",
            json!({}),
        )
        .await;
    let total = data(&body)["tvChannels"]["totalCount"].as_i64().unwrap();
    // The two test channels come last in list order.
    let body = app
        .graphql(
            "query ($n: Int) { tvChannels(last: $n) { nodes { id name number } } }",
            json!({ "n": 2 }),
        )
        .await;
    let nodes = data(&body)["tvChannels"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(nodes[1]["number"].as_i64().unwrap(), total);
    (nodes[0].clone(), nodes[1].clone())
}

fn titles(programmes: &Value) -> Vec<String> {
    programmes
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_demo_guide_has_220_channels_in_packages_and_a_week_of_programme() {
    let app = TestApp::spawn().await;
    let body = app.graphql("{ tvPackages { id name base } tvChannels(packageId: \"sport\") { totalCount } all: tvChannels { totalCount } }", json!({})).await;
    let d = data(&body);
    assert_eq!(d["all"]["totalCount"], 220);
    assert_eq!(d["tvPackages"].as_array().unwrap().len(), 6);
    assert_eq!(d["tvPackages"][0]["base"], true);
    assert_eq!(d["tvChannels"]["totalCount"], 10);
    let body = app
        .graphql("{ tvChannels(first: 1) { nodes { name programmes(date: \"2026-11-29\") { title category people { role name } } } } }", json!({}))
        .await;
    let programmes = &data(&body)["tvChannels"]["nodes"][0]["programmes"];
    assert!(
        programmes.as_array().unwrap().len() > 10,
        "four days ahead is in the guide"
    );
    let unknown = app
        .graphql(
            "{ tvChannels(packageId: \"nope\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_codes(&unknown), ["BAD_USER_INPUT"]);
}

#[tokio::test]
async fn a_channels_day_is_the_moscow_day_including_what_runs_over_midnight() {
    let app = TestApp::spawn().await;
    let report = import(&app, SMALL).await.unwrap();
    assert_eq!(
        (report.channels, report.new_channels, report.programmes),
        (2, 2, 5)
    );
    let (one, _) = test_channels(&app).await;
    let q = "query ($id: ID!, $d: Date!) { tvChannel(id: $id) { name programmes(date: $d) { title category genres ageRating premiere people { role name } } } }";
    let day26 = app
        .graphql(q, json!({ "id": one["id"], "d": "2026-11-26" }))
        .await;
    assert_eq!(
        titles(&data(&day26)["tvChannel"]["programmes"]),
        ["Ночной фильм"]
    );
    let day27 = app
        .graphql(q, json!({ "id": one["id"], "d": "2026-11-27" }))
        .await;
    let programmes = &data(&day27)["tvChannel"]["programmes"];
    assert_eq!(
        titles(programmes),
        ["Ночной фильм", "Утро", "Новости"],
        "the film runs past midnight"
    );
    assert_eq!(programmes[0]["category"], "FILM");
    assert_eq!(programmes[0]["ageRating"], 16);
    assert_eq!(programmes[0]["people"][0]["name"], "Эльдар Рязанов");
    assert_eq!(programmes[2]["premiere"], true);
}

const GRID: &str = "query ($ids: [ID!], $from: DateTime!, $to: DateTime!) { tvSchedule(channelIds: $ids, from: $from, to: $to) { channel { name } programmes { title } } }";

#[tokio::test]
async fn the_grid_shows_what_overlaps_the_range_and_refuses_a_month() {
    let app = TestApp::spawn().await;
    import(&app, SMALL).await.unwrap();
    let (one, two) = test_channels(&app).await;
    let ids = json!([one["id"], two["id"]]);
    // [12:00, 12:15): «Утро» ended at 12:00 exactly and is out; «Футбол» starts at 12:15 and is out.
    let body = app
        .graphql(GRID, json!({ "ids": ids, "from": "2026-11-27T12:00:00+03:00", "to": "2026-11-27T12:15:00+03:00" }))
        .await;
    let grid = data(&body)["tvSchedule"].as_array().unwrap().clone();
    assert_eq!(grid.len(), 2);
    assert_eq!(titles(&grid[0]["programmes"]), ["Новости"]);
    assert_eq!(titles(&grid[1]["programmes"]), ["Долгое шоу"]);
    // Any offset works: the same instant in UTC.
    let utc = app
        .graphql(
            GRID,
            json!({ "ids": ids, "from": "2026-11-27T09:00:00Z", "to": "2026-11-27T09:15:00Z" }),
        )
        .await;
    assert_eq!(data(&utc)["tvSchedule"], data(&body)["tvSchedule"]);

    let month = app
        .graphql(
            GRID,
            json!({ "from": "2026-11-01T00:00:00+03:00", "to": "2026-12-01T00:00:00+03:00" }),
        )
        .await;
    assert_eq!(error_codes(&month), ["BAD_USER_INPUT"]);
    let backwards = app
        .graphql(
            GRID,
            json!({ "from": "2026-11-27T12:00:00+03:00", "to": "2026-11-27T11:00:00+03:00" }),
        )
        .await;
    assert_eq!(error_codes(&backwards), ["BAD_USER_INPUT"]);
}

const ON_AIR: &str = "query ($at: DateTime, $slots: Int) { onAir(at: $at, slots: $slots) { startsAt endsAt now items { channel { name } programme { title } } } }";

fn slot_titles(slot: &Value, channel: &str) -> Vec<String> {
    slot["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["channel"]["name"] == channel)
        .map(|i| i["programme"]["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn on_air_groups_by_slot_at_the_boundaries() {
    let app = TestApp::spawn().await;
    import(&app, SMALL).await.unwrap();
    // Exactly 12:00: «Новости» starts now, «Утро» is over.
    let body = app
        .graphql(
            ON_AIR,
            json!({ "at": "2026-11-27T12:00:00+03:00", "slots": 2 }),
        )
        .await;
    let slots = data(&body)["onAir"].as_array().unwrap().clone();
    assert_eq!(slots.len(), 3);
    assert_eq!(slots[0]["now"], true);
    assert_eq!(slot_titles(&slots[0], "Тест Один"), ["Новости"]);
    assert_eq!(slot_titles(&slots[0], "Тест Два"), ["Долгое шоу"]);
    // «Футбол» at 12:15 opens slot 1 (until 13:00); slot 2 is 13:00–13:30.
    assert_eq!(slot_titles(&slots[1], "Тест Два"), ["Футбол"]);
    assert_eq!(slots[1]["endsAt"], "2026-11-27T13:00:00+03:00");
    assert_eq!(slots[2]["startsAt"], "2026-11-27T13:00:00+03:00");

    // One second earlier «Утро» is still on and «Новости» is next.
    let body = app
        .graphql(
            ON_AIR,
            json!({ "at": "2026-11-27T11:59:59+03:00", "slots": 1 }),
        )
        .await;
    let slots = data(&body)["onAir"].as_array().unwrap().clone();
    assert_eq!(slot_titles(&slots[0], "Тест Один"), ["Утро"]);
    assert_eq!(slot_titles(&slots[1], "Тест Один"), ["Новости"]);

    // Without `at` the application clock decides.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 26, 20, 30, 0).unwrap());
    let body = app.graphql(ON_AIR, json!({ "slots": 0 })).await;
    assert_eq!(
        slot_titles(&data(&body)["onAir"][0], "Тест Один"),
        ["Ночной фильм"]
    );
    let bad = app.graphql(ON_AIR, json!({ "slots": 99 })).await;
    assert_eq!(error_codes(&bad), ["BAD_USER_INPUT"]);
}

#[tokio::test]
async fn importing_again_replaces_the_covered_range_without_duplicates() {
    let app = TestApp::spawn().await;
    import(&app, SMALL).await.unwrap();
    let again = import(&app, SMALL).await.unwrap();
    assert_eq!(
        (again.new_channels, again.replaced, again.programmes),
        (0, 5, 5)
    );
    let (one, _) = test_channels(&app).await;
    // A corrected feed for the afternoon of channel one: the 12:00 news becomes a film.
    let update = r#"<tv><channel id="test.one"><display-name>Тест Один HD</display-name></channel>
      <programme start="20261127120000 +0300" stop="20261127140000 +0300" channel="test.one"><title>Служебный роман</title><category>Фильм</category></programme></tv>"#;
    let report = import(&app, update).await.unwrap();
    assert_eq!((report.replaced, report.programmes), (1, 1));
    let q = "query ($id: ID!) { tvChannel(id: $id) { name programmes(date: \"2026-11-27\") { title } } }";
    let body = app.graphql(q, json!({ "id": one["id"] })).await;
    assert_eq!(data(&body)["tvChannel"]["name"], "Тест Один HD");
    assert_eq!(
        titles(&data(&body)["tvChannel"]["programmes"]),
        ["Ночной фильм", "Утро", "Служебный роман"]
    );
}

#[tokio::test]
async fn a_broken_file_is_reported_with_its_line_and_changes_nothing() {
    let app = TestApp::spawn().await;
    import(&app, SMALL).await.unwrap();
    let broken = SMALL.replace(
        "20261127120000 +0300\" stop=\"20261127130000",
        "2026-11-27 12:00\" stop=\"20261127130000",
    );
    let err = import(&app, &broken).await.unwrap_err().to_string();
    assert!(err.contains("line 7"), "{err}");
    let truncated = &SMALL[..SMALL.len() - 40];
    assert!(import(&app, truncated).await.is_err());

    // The CLI says the same and exits non-zero.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.xml");
    std::fs::write(&file, &broken).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_kabinet"))
        .arg("import-epg")
        .arg(&file)
        .env("KABINET_DATABASE_URL", &app.state.settings.database_url)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("nothing changed") && stderr.contains("line 7"),
        "{stderr}"
    );

    let (one, _) = test_channels(&app).await;
    let body = app
        .graphql("query ($id: ID!) { tvChannel(id: $id) { programmes(date: \"2026-11-27\") { title } } }", json!({ "id": one["id"] }))
        .await;
    assert_eq!(
        titles(&data(&body)["tvChannel"]["programmes"]),
        ["Ночной фильм", "Утро", "Новости"]
    );
}

#[tokio::test]
async fn a_page_of_channels_with_their_day_costs_a_constant_number_of_statements() {
    let app = TestApp::spawn().await;
    let q = "query ($n: Int) { tvChannels(first: $n) { nodes { name package { name } programmes(date: \"2026-11-25\") { title channel { number } } } } }";
    // The first request builds the guide in memory.
    app.graphql(q, json!({ "n": 1 })).await;
    let (small, few) = app.count_sql(app.graphql(q, json!({ "n": 3 }))).await;
    let (large, many) = app.count_sql(app.graphql(q, json!({ "n": 100 }))).await;
    assert_eq!(
        data(&large)["tvChannels"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        100
    );
    data(&small);
    // One statement per loader, however many channels: a wave waits until
    // the request has resolved all it can, so a long page does not split
    // it. One statement per channel would be 100+.
    assert_eq!(few, many, "{few} for 3 channels, {many} for 100");
}

const IMPORT_EPG: &str = "mutation ($xml: String!) { staff { importEpg(input: {xmltv: $xml}) {
  report { channels newChannels programmes replaced } userErrors { field code message } } } }";

#[tokio::test]
async fn operators_import_epg_files_over_graphql() {
    let app = TestApp::spawn().await;
    let operator = app.login("operator", "operator12345").await;
    let body = app
        .graphql_as(Some(&operator), IMPORT_EPG, json!({ "xml": SMALL }))
        .await;
    assert_eq!(
        data(&body)["staff"]["importEpg"],
        json!({
            "report": { "channels": 2, "newChannels": 2, "programmes": 5, "replaced": 0 },
            "userErrors": []
        })
    );
    // Again, padded past the ordinary 1 MiB body limit: operators may send more.
    let padded = SMALL.replace("<tv>", &format!("<tv><!-- {} -->", "x".repeat(1_500_000)));
    let body = app
        .graphql_as(Some(&operator), IMPORT_EPG, json!({ "xml": padded }))
        .await;
    assert_eq!(
        data(&body)["staff"]["importEpg"]["report"],
        json!({ "channels": 2, "newChannels": 0, "programmes": 5, "replaced": 5 })
    );
    let (one, _) = test_channels(&app).await;
    let day =
        "query ($id: ID!) { tvChannel(id: $id) { programmes(date: \"2026-11-27\") { title } } }";
    let before = app.graphql(day, json!({ "id": one["id"] })).await;
    assert_eq!(
        data(&before)["tvChannel"]["programmes"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    // A broken file: the line, and nothing changed.
    let broken = SMALL.replace("<title>Утро</title>", "<title>Утро</titel>");
    let body = app
        .graphql_as(Some(&operator), IMPORT_EPG, json!({ "xml": broken }))
        .await;
    let payload = &data(&body)["staff"]["importEpg"];
    assert_eq!(payload["report"], Value::Null);
    assert_eq!(payload["userErrors"][0]["code"], "INVALID_VALUE");
    assert_eq!(payload["userErrors"][0]["field"], json!(["input", "xmltv"]));
    assert!(
        payload["userErrors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("строка 6"),
        "{payload}"
    );
    let after = app.graphql(day, json!({ "id": one["id"] })).await;
    assert_eq!(after["data"], before["data"]);

    // Subscribers and anonymous callers may not; a subscriber's big body is refused whole.
    let demo = app.login("demo", "demo12345").await;
    let body = app
        .graphql_as(Some(&demo), IMPORT_EPG, json!({ "xml": SMALL }))
        .await;
    assert_eq!(error_codes(&body), ["FORBIDDEN"]);
    let body = app.graphql(IMPORT_EPG, json!({ "xml": SMALL })).await;
    assert_eq!(error_codes(&body), ["UNAUTHENTICATED"]);
    let response = app
        .post_graphql(
            Some(&demo),
            &json!({ "query": IMPORT_EPG, "variables": { "xml": padded } }),
        )
        .await;
    assert_eq!(response.status(), 413);
}

#[tokio::test]
async fn a_date_that_is_not_a_date_is_the_clients_mistake() {
    let app = TestApp::spawn().await;
    for date in ["TODAY", "\"25.11.2026\"", "20261125"] {
        let query = format!(
            "{{ tvChannels(first: 1) {{ nodes {{ programmes(date: {date}) {{ title }} }} }} }}"
        );
        let body = app.graphql(&query, json!({})).await;
        assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{date}: {body}");
    }
}
