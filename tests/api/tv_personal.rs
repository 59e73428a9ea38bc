//! The signed-in side of the TV guide: ratings, notification settings,
//! favourites and their reminders, and channel visibility.

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use crate::common::{TestApp, data, error_codes};

/// Two airings of «Тёмный сезон» (the demo guide repeats its shows).
async fn two_airings(app: &TestApp) -> (Value, Value) {
    let body = app
        .graphql(
            "{ tvChannels(first: 40) { nodes { programmes(date: \"2026-11-25\") { id title } } } }",
            json!({}),
        )
        .await;
    let ids: Vec<Value> = data(&body)["tvChannels"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["programmes"].as_array().unwrap().clone())
        .filter(|p| p["title"] == "Тёмный сезон")
        .map(|p| p["id"].clone())
        .collect();
    assert!(ids.len() >= 2, "{ids:?}");
    (ids[0].clone(), ids[ids.len() - 1].clone())
}

const RATE: &str =
    "mutation ($id: ID!, $stars: Int!) { rateProgramme(input: {programmeId: $id, stars: $stars}) {
  programme { rating { average count myStars } } userErrors { field code } } }";
const RATING: &str = "query ($id: ID!) { node(id: $id) { ... on TvProgramme { title rating { average count myStars } } } }";

#[tokio::test]
async fn ratings_are_one_per_subscriber_and_title_and_public() {
    let app = TestApp::spawn().await;
    let (first, second) = two_airings(&app).await;
    let anonymous = app.graphql(RATING, json!({ "id": first })).await;
    assert_eq!(
        data(&anonymous)["node"]["rating"],
        json!({ "average": null, "count": 0, "myStars": null })
    );

    let demo = app.login("demo", "demo12345").await;
    let demo2 = app.login("demo2", "demo12345").await;
    let body = app
        .graphql_as(Some(&demo), RATE, json!({ "id": first, "stars": 5 }))
        .await;
    assert_eq!(
        data(&body)["rateProgramme"]["programme"]["rating"],
        json!({ "average": 5.0, "count": 1, "myStars": 5 })
    );
    // Another airing of the same title shares the ratings.
    app.graphql_as(Some(&demo2), RATE, json!({ "id": second, "stars": 2 }))
        .await;
    let body = app.graphql(RATING, json!({ "id": first })).await;
    assert_eq!(
        data(&body)["node"]["rating"],
        json!({ "average": 3.5, "count": 2, "myStars": null })
    );
    // Rating again changes the vote, it does not add one.
    app.graphql_as(Some(&demo), RATE, json!({ "id": second, "stars": 3 }))
        .await;
    let body = app
        .graphql_as(Some(&demo), RATING, json!({ "id": first }))
        .await;
    assert_eq!(
        data(&body)["node"]["rating"],
        json!({ "average": 2.5, "count": 2, "myStars": 3 })
    );

    for stars in [0, 6, -1] {
        let body = app
            .graphql_as(Some(&demo), RATE, json!({ "id": first, "stars": stars }))
            .await;
        assert_eq!(
            data(&body)["rateProgramme"]["userErrors"][0]["field"],
            json!(["input", "stars"]),
            "{stars}"
        );
    }
    let unknown = kabinet::graphql::node::GlobalId::encode(
        kabinet::graphql::node::NodeKind::TvProgramme,
        999_999_999,
    );
    let body = app
        .graphql_as(Some(&demo), RATE, json!({ "id": unknown, "stars": 4 }))
        .await;
    assert_eq!(
        data(&body)["rateProgramme"]["userErrors"][0]["code"],
        "NOT_FOUND"
    );
    let body = app.graphql(RATE, json!({ "id": first, "stars": 4 })).await;
    assert_eq!(error_codes(&body), ["UNAUTHENTICATED"]);
    let body = app.graphql(RATING, json!({ "id": first })).await;
    assert_eq!(
        data(&body)["node"]["rating"]["count"],
        2,
        "refusals changed nothing"
    );
}

const SETTINGS: &str =
    "{ me { notificationSettings { smsNews smsBilling smsTv email updatedAt } } }";
const UPDATE: &str =
    "mutation ($i: UpdateNotificationSettingsInput!) { updateNotificationSettings(input: $i) {
  notificationSettings { smsNews smsBilling smsTv email updatedAt } userErrors { field code } } }";

#[tokio::test]
async fn notification_settings_default_to_billing_warnings_and_change_in_part() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    let body = app.graphql_as(Some(&demo), SETTINGS, json!({})).await;
    assert_eq!(
        data(&body)["me"]["notificationSettings"],
        json!({ "smsNews": false, "smsBilling": true, "smsTv": false, "email": false, "updatedAt": null })
    );
    let body = app
        .graphql_as(Some(&demo), UPDATE, json!({ "i": { "smsTv": true } }))
        .await;
    let settings = &data(&body)["updateNotificationSettings"]["notificationSettings"];
    assert_eq!(settings["smsTv"], true);
    assert_eq!(settings["smsBilling"], true, "untouched");
    assert_eq!(settings["updatedAt"], "2026-11-25T12:00:00+03:00");
    let body = app
        .graphql_as(Some(&demo), UPDATE, json!({ "i": { "smsBilling": false } }))
        .await;
    let settings = &data(&body)["updateNotificationSettings"]["notificationSettings"];
    assert_eq!(
        (settings["smsTv"].clone(), settings["smsBilling"].clone()),
        (json!(true), json!(false))
    );

    let body = app
        .graphql_as(Some(&demo), UPDATE, json!({ "i": { "email": true } }))
        .await;
    assert_eq!(
        data(&body)["updateNotificationSettings"]["userErrors"][0]["code"],
        "REQUIRED",
        "no e-mail in the contract"
    );
    let body = app.graphql_as(Some(&demo), SETTINGS, json!({})).await;
    assert_eq!(data(&body)["me"]["notificationSettings"]["email"], false);

    let other = app.login("demo2", "demo12345").await;
    let body = app.graphql_as(Some(&other), SETTINGS, json!({})).await;
    assert_eq!(
        data(&body)["me"]["notificationSettings"]["smsTv"],
        false,
        "per subscriber"
    );
    let body = app.graphql(UPDATE, json!({ "i": { "smsTv": true } })).await;
    assert_eq!(error_codes(&body), ["UNAUTHENTICATED"]);
}

/// One channel with a series airing twice, three and four days after the start
/// of every test (25 November 2026, 12:00 Moscow time).
const REMINDER_GUIDE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<tv>
  <channel id="remind.one"><display-name>Напоминания</display-name></channel>
  <programme start="20261128200000 +0300" stop="20261128210000 +0300" channel="remind.one"><title>Сериал для напоминания</title><category>Сериал</category></programme>
  <programme start="20261128210000 +0300" stop="20261128220000 +0300" channel="remind.one"><title>Другое</title><category>Фильм</category></programme>
  <programme start="20261129200000 +0300" stop="20261129210000 +0300" channel="remind.one"><title>Сериал для напоминания</title><category>Сериал</category></programme>
</tv>
"#;

const ADD_FAVOURITE: &str =
    "mutation ($input: AddTvFavouriteInput!) { addTvFavourite(input: $input) {
  favourite { id title category } userErrors { field code } } }";
const REMOVE_FAVOURITE: &str =
    "mutation ($id: ID!) { removeTvFavourite(input: {id: $id}) { removedId userErrors { code } } }";
const REMINDERS: &str =
    "{ me { tvReminders { title startsAt smsSent channel { name } programme { title } } } }";

fn reminder_sms(app: &TestApp) -> Vec<Value> {
    app.sms_messages()
        .into_iter()
        .filter(|m| m["text"].as_str().unwrap_or("").starts_with("Напоминание"))
        .collect()
}

/// Waits (up to 5 s) until the subscriber has `count` reminders.
async fn wait_for_reminders(app: &TestApp, token: &str, count: usize) -> Vec<Value> {
    for _ in 0..200 {
        let body = app.graphql_as(Some(token), REMINDERS, json!({})).await;
        let list = data(&body)["me"]["tvReminders"].as_array().unwrap().clone();
        if list.len() >= count {
            return list;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("expected {count} reminders");
}

/// Lets the workers run a few rounds.
async fn let_workers_run() {
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
}

#[tokio::test]
async fn favourites_are_announced_two_days_ahead_once_per_airing() {
    let app = TestApp::spawn().await;
    kabinet::tv::import::import(&app.state.db, REMINDER_GUIDE.as_bytes())
        .await
        .unwrap();
    let demo = app.login("demo", "demo12345").await;
    let demo2 = app.login("demo2", "demo12345").await;
    let body = app
        .graphql_as(
            Some(&demo),
            "mutation { updateNotificationSettings(input: {smsTv: true}) { userErrors { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&body)["updateNotificationSettings"]["userErrors"],
        json!([])
    );

    // demo adds by title (any case), demo2 from the guide (the programme's category).
    let body = app
        .graphql_as(
            Some(&demo),
            ADD_FAVOURITE,
            json!({ "input": { "title": "СЕРИАЛ для напоминания", "category": "SERIES" } }),
        )
        .await;
    let favourite = data(&body)["addTvFavourite"]["favourite"].clone();
    assert_eq!(favourite["category"], "SERIES");
    let body = app
        .graphql(
            "{ tvChannels(last: 1) { nodes { programmes(date: \"2026-11-28\") { id title } } } }",
            json!({}),
        )
        .await;
    let airing = data(&body)["tvChannels"]["nodes"][0]["programmes"][0].clone();
    assert_eq!(airing["title"], "Сериал для напоминания");
    let body = app
        .graphql_as(
            Some(&demo2),
            ADD_FAVOURITE,
            json!({ "input": { "programmeId": airing["id"] } }),
        )
        .await;
    let favourite2 = data(&body)["addTvFavourite"]["favourite"].clone();
    assert_eq!(favourite2["category"], "SERIES");
    let by_category =
        "query ($c: ProgrammeCategory) { me { tvFavourites(category: $c) { title } } }";
    let body = app
        .graphql_as(Some(&demo2), by_category, json!({ "c": "FILM" }))
        .await;
    assert_eq!(data(&body)["me"]["tvFavourites"], json!([]));
    let body = app
        .graphql_as(Some(&demo2), by_category, json!({ "c": "SERIES" }))
        .await;
    assert_eq!(
        data(&body)["me"]["tvFavourites"],
        json!([{ "title": "Сериал для напоминания" }])
    );

    // Three days ahead: nothing yet.
    let_workers_run().await;
    let body = app.graphql_as(Some(&demo), REMINDERS, json!({})).await;
    assert_eq!(data(&body)["me"]["tvReminders"], json!([]));

    // Just under two days before the first airing it is announced.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 26, 17, 0, 1).unwrap());
    let reminders = wait_for_reminders(&app, &demo, 1).await;
    assert_eq!(
        reminders,
        [json!({
            "title": "Сериал для напоминания",
            "startsAt": "2026-11-28T20:00:00+03:00",
            "smsSent": true,
            "channel": { "name": "Напоминания" },
            "programme": { "title": "Сериал для напоминания" }
        })]
    );
    let reminders2 = wait_for_reminders(&app, &demo2, 1).await;
    assert_eq!(reminders2[0]["smsSent"], false, "demo2 has TV SMS off");
    for _ in 0..200 {
        if !reminder_sms(&app).is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let sms = reminder_sms(&app);
    assert_eq!(sms.len(), 1, "{sms:?}");
    assert_eq!(sms[0]["to"], "+79990000001");
    assert!(
        sms[0]["text"]
            .as_str()
            .unwrap()
            .contains("«Сериал для напоминания» 28.11 в 20:00")
    );

    // More rounds, a later clock and a re-import of the guide announce nothing again.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 26, 18, 0, 0).unwrap());
    kabinet::tv::import::import(&app.state.db, REMINDER_GUIDE.as_bytes())
        .await
        .unwrap();
    let_workers_run().await;
    assert_eq!(wait_for_reminders(&app, &demo, 1).await.len(), 1);
    assert_eq!(reminder_sms(&app).len(), 1);

    // The second airing comes within two days a day later.
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 27, 17, 0, 1).unwrap());
    let reminders = wait_for_reminders(&app, &demo, 2).await;
    assert_eq!(reminders[1]["startsAt"], "2026-11-29T20:00:00+03:00");
    for _ in 0..200 {
        if reminder_sms(&app).len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(reminder_sms(&app).len(), 2);

    // Removing: only one's own, once.
    let body = app
        .graphql_as(
            Some(&demo),
            REMOVE_FAVOURITE,
            json!({ "id": favourite2["id"] }),
        )
        .await;
    assert_eq!(
        data(&body)["removeTvFavourite"]["userErrors"][0]["code"],
        "NOT_FOUND"
    );
    let body = app
        .graphql_as(
            Some(&demo),
            "query ($id: ID!) { node(id: $id) { id } }",
            json!({ "id": favourite2["id"] }),
        )
        .await;
    assert_eq!(data(&body)["node"], Value::Null);
    let body = app
        .graphql_as(
            Some(&demo),
            REMOVE_FAVOURITE,
            json!({ "id": favourite["id"] }),
        )
        .await;
    assert_eq!(
        data(&body)["removeTvFavourite"]["removedId"],
        favourite["id"]
    );
    let body = app
        .graphql_as(Some(&demo), "{ me { tvFavourites { title } } }", json!({}))
        .await;
    assert_eq!(data(&body)["me"]["tvFavourites"], json!([]));
}

#[tokio::test]
async fn adding_a_favourite_needs_a_programme_or_a_title_and_a_subscriber() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    for input in [
        json!({}),
        json!({ "title": "   " }),
        json!({ "title": "Время", "programmeId": "VHZQcm9ncmFtbWU6MQ" }),
    ] {
        let body = app
            .graphql_as(Some(&demo), ADD_FAVOURITE, json!({ "input": input }))
            .await;
        assert_eq!(
            data(&body)["addTvFavourite"]["userErrors"][0]["code"],
            "REQUIRED",
            "{input}"
        );
    }
    let body = app
        .graphql_as(
            Some(&demo),
            ADD_FAVOURITE,
            json!({ "input": { "title": "я".repeat(201) } }),
        )
        .await;
    assert_eq!(
        data(&body)["addTvFavourite"]["userErrors"][0]["code"],
        "TOO_LONG"
    );
    // Adding the same title again only changes its category.
    for category in ["NEWS", "OTHER"] {
        app.graphql_as(
            Some(&demo),
            ADD_FAVOURITE,
            json!({ "input": { "title": "Время", "category": category } }),
        )
        .await;
    }
    let body = app
        .graphql_as(
            Some(&demo),
            "{ me { tvFavourites { title category } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&body)["me"]["tvFavourites"],
        json!([{ "title": "Время", "category": "OTHER" }])
    );
    let body = app
        .graphql(ADD_FAVOURITE, json!({ "input": { "title": "Время" } }))
        .await;
    assert_eq!(error_codes(&body), ["UNAUTHENTICATED"]);
}

const VISIBLE: &str =
    "query ($ids: [ID!]!) { nodes(ids: $ids) { ... on TvChannel { name visible } } }";
const GRID: &str = "{ tvSchedule(from: \"2026-11-25T12:00:00+03:00\", to: \"2026-11-25T13:00:00+03:00\") { channel { name } } }";
const NOW_ON_AIR: &str = "{ onAir(slots: 0) { items { channel { name } } } }";

async fn first_of_package(app: &TestApp, package: &str) -> Value {
    let body = app
        .graphql(
            "query ($p: ID) { tvChannels(packageId: $p, first: 1) { nodes { id name } } }",
            json!({ "p": package }),
        )
        .await;
    data(&body)["tvChannels"]["nodes"][0].clone()
}

fn names(list: &Value, path: &str) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| item[path]["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn channel_visibility_is_per_subscriber_and_shapes_the_default_views() {
    let app = TestApp::spawn().await;
    let base = first_of_package(&app, "base").await;
    let kino = first_of_package(&app, "kino").await;
    let ids = json!([base["id"], kino["id"]]);
    let demo = app.login("demo", "demo12345").await;
    let demo2 = app.login("demo2", "demo12345").await;
    let visible = |body: &Value| -> Vec<bool> {
        data(body)["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["visible"].as_bool().unwrap())
            .collect()
    };
    let body = app.graphql(VISIBLE, json!({ "ids": ids })).await;
    assert_eq!(visible(&body), [true, true]);

    // demo has a TV tariff (the base package) and no film package.
    let body = app
        .graphql_as(
            Some(&demo),
            "mutation { showOnlyMyPackages(input: {enabled: true}) { enabled } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&body)["showOnlyMyPackages"]["enabled"], true);
    let body = app
        .graphql_as(Some(&demo), "{ me { tvOnlyMyPackages } }", json!({}))
        .await;
    assert_eq!(data(&body)["me"]["tvOnlyMyPackages"], true);
    let body = app
        .graphql_as(Some(&demo), VISIBLE, json!({ "ids": ids }))
        .await;
    assert_eq!(visible(&body), [true, false]);
    let body = app.graphql_as(Some(&demo), GRID, json!({})).await;
    let grid = names(&data(&body)["tvSchedule"], "channel");
    assert!(grid.contains(&base["name"].as_str().unwrap().to_owned()));
    assert!(!grid.contains(&kino["name"].as_str().unwrap().to_owned()));
    assert_eq!(grid.len(), 110, "the base package");
    let body = app.graphql_as(Some(&demo), NOW_ON_AIR, json!({})).await;
    assert_eq!(
        names(&data(&body)["onAir"][0]["items"], "channel").len(),
        110
    );

    // Others are not affected.
    let body = app
        .graphql_as(Some(&demo2), VISIBLE, json!({ "ids": ids }))
        .await;
    assert_eq!(visible(&body), [true, true]);
    let body = app.graphql(GRID, json!({})).await;
    assert_eq!(data(&body)["tvSchedule"].as_array().unwrap().len(), 220);

    // Explicit choices win over the package rule.
    let set = "mutation ($ids: [ID!]!, $v: Boolean!) { setChannelVisibility(input: {channelIds: $ids, visible: $v}) {
      channels { name visible } userErrors { code } } }";
    let body = app
        .graphql_as(Some(&demo), set, json!({ "ids": [kino["id"]], "v": true }))
        .await;
    assert_eq!(
        data(&body)["setChannelVisibility"]["channels"],
        json!([{ "name": kino["name"], "visible": true }])
    );
    app.graphql_as(Some(&demo), set, json!({ "ids": [base["id"]], "v": false }))
        .await;
    let body = app
        .graphql_as(Some(&demo), VISIBLE, json!({ "ids": ids }))
        .await;
    assert_eq!(visible(&body), [false, true]);
    let body = app.graphql_as(Some(&demo), NOW_ON_AIR, json!({})).await;
    let on_air = names(&data(&body)["onAir"][0]["items"], "channel");
    assert!(on_air.contains(&kino["name"].as_str().unwrap().to_owned()));
    assert!(!on_air.contains(&base["name"].as_str().unwrap().to_owned()));
    // Asking for a hidden channel by ID still shows it.
    let body = app
        .graphql_as(
            Some(&demo),
            "query ($ids: [ID!]) { tvSchedule(channelIds: $ids, from: \"2026-11-25T12:00:00+03:00\", to: \"2026-11-25T13:00:00+03:00\") { channel { name } } }",
            json!({ "ids": [base["id"]] }),
        )
        .await;
    assert_eq!(data(&body)["tvSchedule"].as_array().unwrap().len(), 1);

    // Turning the package rule off keeps the explicit choices.
    app.graphql_as(
        Some(&demo),
        "mutation { showOnlyMyPackages(input: {enabled: false}) { enabled } }",
        json!({}),
    )
    .await;
    let body = app.graphql_as(Some(&demo), GRID, json!({})).await;
    assert_eq!(data(&body)["tvSchedule"].as_array().unwrap().len(), 219);

    // Not a channel; not signed in.
    let body = app
        .graphql_as(
            Some(&demo),
            set,
            json!({ "ids": ["VHZQcm9ncmFtbWU6MQ"], "v": false }),
        )
        .await;
    assert_eq!(
        data(&body)["setChannelVisibility"]["userErrors"][0]["code"],
        "NOT_FOUND"
    );
    let body = app
        .graphql(set, json!({ "ids": [kino["id"]], "v": false }))
        .await;
    assert_eq!(error_codes(&body), ["UNAUTHENTICATED"]);
}

/// The text the apps send for a shipped operation (its fragments appended).
fn shipped(name: &str) -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("operations");
    let sources: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            (path.display().to_string(), text)
        })
        .collect();
    kabinet::graphql::persisted::documents_of(&sources)
        .unwrap()
        .into_iter()
        .find(|op| op.name == name)
        .unwrap_or_else(|| panic!("no shipped operation {name}"))
        .text
}

#[tokio::test]
async fn the_apps_evening_grid_of_every_channel_reads_each_thing_once() {
    let app = TestApp::spawn().await;
    let demo = app.login("demo", "demo12345").await;
    let (first, _) = two_airings(&app).await;
    app.graphql_as(Some(&demo), RATE, json!({ "id": first, "stars": 4 }))
        .await;
    let grid = shipped("TvGrid");
    let evening = json!({ "from": "2026-11-25T18:00:00+03:00", "to": "2026-11-26T00:00:00+03:00" });

    for token in [None, Some(demo.as_str())] {
        let (body, statements) = app
            .count_sql(app.graphql_as(token, &grid, evening.clone()))
            .await;
        let rows = data(&body)["tvSchedule"].as_array().unwrap().clone();
        let programmes: Vec<&Value> = rows
            .iter()
            .flat_map(|row| row["programmes"].as_array().unwrap())
            .collect();
        assert!(
            rows.len() >= 200 && programmes.len() > 1000,
            "{}",
            programmes.len()
        );
        let rated: Vec<&&Value> = programmes
            .iter()
            .filter(|p| p["title"] == "Тёмный сезон")
            .collect();
        assert!(!rated.is_empty());
        let mine = token.map(|_| 4);
        for p in rated {
            assert_eq!(
                p["rating"],
                json!({ "average": 4.0, "count": 1, "myStars": mine })
            );
        }
        // One statement per thing read, however long the grid: the channels,
        // the guide's version, their packages, the ratings; signed in also the
        // session, the cost meter, the viewer's channel choices and their own
        // stars. Resolving a thousand programmes outlasts a loader's
        // batching delay: waves that started on a timer split the ratings and
        // packages over dozens of statements.
        let most = if token.is_some() { 8 } else { 5 };
        assert!(statements <= most, "{statements} statements");
    }

    // Over a WebSocket the same: the connection's operations share one gate.
    let mut ws = app
        .ws(
            "graphql-transport-ws",
            json!({ "authorization": format!("Bearer {demo}") }),
        )
        .await;
    let (message, statements) = app
        .count_sql(async {
            ws.send(json!({ "id": "grid", "type": "subscribe",
                "payload": { "query": grid, "variables": evening } }))
                .await;
            ws.next().await
        })
        .await;
    assert_eq!(message["type"], "next", "{message}");
    let rows = message["payload"]["data"]["tvSchedule"].as_array().unwrap();
    assert!(rows.len() >= 200);
    // No session or cost meter per operation on a socket: fewer than over HTTP.
    assert!(statements <= 8, "{statements} statements over a WebSocket");
}
