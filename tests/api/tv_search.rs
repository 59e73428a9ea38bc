//! TV search in Russian (word forms, ё, case, part of a title, people, genre,
//! category, rating, time range) and the day's highlights. Searches are
//! limited to the test channels so the demo week does not get in the way.

use serde_json::{Value, json};

use crate::common::{TestApp, data, error_codes};

/// Two channels, 25–28 November 2026 (the tests start on 25 November, 12:00).
const GUIDE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<tv>
  <channel id="search.one"><display-name>Поиск Один</display-name></channel>
  <channel id="search.two"><display-name>Поиск Два</display-name></channel>
  <programme start="20261125100000 +0300" stop="20261125103000 +0300" channel="search.two"><title>Новости</title><category>Новости</category></programme>
  <programme start="20261127120000 +0300" stop="20261127123000 +0300" channel="search.two"><title>Новости</title><category>Новости</category></programme>
  <programme start="20261127200000 +0300" stop="20261127210000 +0300" channel="search.one"><title>Тёмный сезон</title><category>Сериал</category><category>Детектив</category><credits><actor>Пётр Фёдоров</actor></credits></programme>
  <programme start="20261127210000 +0300" stop="20261127220000 +0300" channel="search.one"><title>Футбола нет: обзор недели</title><category>Спорт</category><credits><presenter>Георгий Черданцев</presenter></credits></programme>
  <programme start="20261128190000 +0300" stop="20261128214000 +0300" channel="search.one"><title>Ирония судьбы, или С лёгким паром!</title><category>Фильм</category><category>Комедия</category><category>Мелодрама</category><credits><director>Эльдар Рязанов</director><actor>Андрей Мягков</actor></credits></programme>
  <programme start="20261128220000 +0300" stop="20261128235900 +0300" channel="search.two"><title>Служебный роман</title><category>Фильм</category><category>Комедия</category><credits><director>Эльдар Рязанов</director><actor>Андрей Мягков</actor></credits><premiere/></programme>
  <programme start="20261127150000 +0300" stop="20261127163000 +0300" channel="search.two"><title>Дневной фильм</title><category>Фильм</category></programme>
  <programme start="20261127100000 +0300" stop="20261127113000 +0300" channel="search.one"><title>Премьера утром</title><category>Документальный</category><premiere/></programme>
  <programme start="20261127200000 +0300" stop="20261127210000 +0300" channel="search.two"><title>Вечерние новости</title><category>Новости</category></programme>
</tv>
"#;

const SEARCH: &str = "query ($filter: ProgrammeSearchInput!, $first: Int, $after: String) {
  searchProgrammes(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    nodes { id title startsAt channel { name } rating { average count } } } }";

/// Imports the guide and returns the IDs of its two channels.
async fn guide(app: &TestApp) -> Vec<Value> {
    kabinet::tv::import::import(&app.state.db, GUIDE.as_bytes())
        .await
        .expect("the test guide imports");
    let body = app
        .graphql("{ tvChannels(last: 2) { nodes { id name } } }", json!({}))
        .await;
    let nodes = data(&body)["tvChannels"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(nodes[0]["name"], "Поиск Один");
    nodes.iter().map(|n| n["id"].clone()).collect()
}

async fn titles(app: &TestApp, channels: &[Value], filter: Value) -> Vec<String> {
    let mut filter = filter;
    filter["channelIds"] = json!(channels);
    let body = app
        .graphql(SEARCH, json!({ "filter": filter, "first": 50 }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    data(&body)["searchProgrammes"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn titles_match_in_any_word_form_case_and_with_yo() {
    let app = TestApp::spawn().await;
    let ch = guide(&app).await;
    // Word forms: the title says «Новости», «Футбола».
    assert_eq!(
        titles(&app, &ch, json!({ "title": "новость" })).await,
        ["Новости", "Вечерние новости"]
    );
    assert_eq!(
        titles(&app, &ch, json!({ "title": "футбол" })).await,
        ["Футбола нет: обзор недели"]
    );
    // Case and ё = е, both ways.
    assert_eq!(
        titles(&app, &ch, json!({ "title": "ТЕМНЫЙ СЕЗОН" })).await,
        ["Тёмный сезон"]
    );
    assert_eq!(
        titles(&app, &ch, json!({ "title": "с легким паром" })).await,
        ["Ирония судьбы, или С лёгким паром!"]
    );
    // Part of a title, and a word still being typed.
    assert_eq!(
        titles(&app, &ch, json!({ "title": "сезон" })).await,
        ["Тёмный сезон"]
    );
    assert_eq!(
        titles(&app, &ch, json!({ "title": "служеб" })).await,
        ["Служебный роман"]
    );
    // A finished word (trailing space) is not a prefix.
    assert!(
        titles(&app, &ch, json!({ "title": "служеб " }))
            .await
            .is_empty()
    );
    // Every word must match.
    assert!(
        titles(&app, &ch, json!({ "title": "сезон футбола" }))
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn people_genres_and_categories_narrow_the_search() {
    let app = TestApp::spawn().await;
    let ch = guide(&app).await;
    let both = ["Ирония судьбы, или С лёгким паром!", "Служебный роман"];
    // A surname alone, a full name, and ё written as е.
    assert_eq!(
        titles(&app, &ch, json!({ "person": "Рязанов" })).await,
        both
    );
    assert_eq!(
        titles(&app, &ch, json!({ "person": "эльдар рязанов" })).await,
        both
    );
    assert_eq!(
        titles(&app, &ch, json!({ "person": "Федоров" })).await,
        ["Тёмный сезон"]
    );
    assert!(
        titles(&app, &ch, json!({ "person": "Михалков" }))
            .await
            .is_empty()
    );
    // Genre in another form; category.
    assert_eq!(titles(&app, &ch, json!({ "genre": "комедии" })).await, both);
    assert_eq!(
        titles(&app, &ch, json!({ "genre": "детектив" })).await,
        ["Тёмный сезон"]
    );
    assert_eq!(
        titles(&app, &ch, json!({ "category": "FILM" })).await,
        [
            "Дневной фильм",
            "Ирония судьбы, или С лёгким паром!",
            "Служебный роман"
        ]
    );
    assert_eq!(
        titles(
            &app,
            &ch,
            json!({ "category": "FILM", "person": "Мягков", "title": "роман" })
        )
        .await,
        ["Служебный роман"]
    );
}

#[tokio::test]
async fn time_range_and_minimum_rating() {
    let app = TestApp::spawn().await;
    let ch = guide(&app).await;
    // By default the search starts now (25 November, 12:00): the morning news is over.
    assert_eq!(
        titles(&app, &ch, json!({ "title": "новости" })).await,
        ["Новости", "Вечерние новости"]
    );
    assert_eq!(
        titles(
            &app,
            &ch,
            json!({ "title": "новости", "from": "2026-11-25T00:00:00+03:00" })
        )
        .await,
        ["Новости", "Новости", "Вечерние новости"]
    );
    assert_eq!(
        titles(
            &app,
            &ch,
            json!({ "person": "Рязанов", "from": "2026-11-28T00:00:00+03:00", "to": "2026-11-28T21:00:00+03:00" })
        )
        .await,
        ["Ирония судьбы, или С лёгким паром!"]
    );

    // Ratings: «Служебный роман» 5 and 4 (4.5), «Ирония судьбы» 2.
    let demo = app.login("demo", "demo12345").await;
    let demo2 = app.login("demo2", "demo12345").await;
    let body = app
        .graphql(
            SEARCH,
            json!({ "filter": { "person": "Рязанов", "channelIds": ch } }),
        )
        .await;
    let nodes = data(&body)["searchProgrammes"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    let rate = "mutation ($id: ID!, $stars: Int!) { rateProgramme(input: {programmeId: $id, stars: $stars}) { userErrors { code } } }";
    for (token, id, stars) in [
        (&demo, &nodes[1]["id"], 5),
        (&demo2, &nodes[1]["id"], 4),
        (&demo, &nodes[0]["id"], 2),
    ] {
        let body = app
            .graphql_as(Some(token), rate, json!({ "id": id, "stars": stars }))
            .await;
        assert_eq!(data(&body)["rateProgramme"]["userErrors"], json!([]));
    }
    assert_eq!(
        titles(&app, &ch, json!({ "person": "Рязанов", "minRating": 4.5 })).await,
        ["Служебный роман"]
    );
    assert_eq!(
        titles(&app, &ch, json!({ "person": "Рязанов", "minRating": 2 })).await,
        ["Ирония судьбы, или С лёгким паром!", "Служебный роман"]
    );
    // Unrated titles do not pass a rating filter.
    assert!(
        titles(&app, &ch, json!({ "title": "сезон", "minRating": 1 }))
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn results_page_in_time_order_and_bad_filters_are_refused() {
    let app = TestApp::spawn().await;
    let ch = guide(&app).await;
    let filter =
        json!({ "title": "новости", "from": "2026-11-25T00:00:00+03:00", "channelIds": ch });
    let mut seen = Vec::new();
    let mut after = Value::Null;
    loop {
        let body = app
            .graphql(
                SEARCH,
                json!({ "filter": filter, "first": 1, "after": after }),
            )
            .await;
        let page = &data(&body)["searchProgrammes"];
        assert_eq!(page["totalCount"], 3);
        seen.push(page["nodes"][0]["startsAt"].as_str().unwrap().to_owned());
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(
        seen,
        [
            "2026-11-25T10:00:00+03:00",
            "2026-11-27T12:00:00+03:00",
            "2026-11-27T20:00:00+03:00"
        ]
    );

    for bad in [
        json!({ "title": "«»!?" }),
        json!({ "person": "   -  " }),
        json!({ "minRating": 7 }),
        json!({ "from": "2026-11-28T00:00:00+03:00", "to": "2026-11-27T00:00:00+03:00" }),
    ] {
        let body = app.graphql(SEARCH, json!({ "filter": bad })).await;
        assert_eq!(error_codes(&body), ["BAD_USER_INPUT"], "{bad}");
    }
    let body = app
        .graphql(
            SEARCH,
            json!({ "filter": { "title": "новости" }, "first": 101 }),
        )
        .await;
    assert_eq!(error_codes(&body), ["BAD_USER_INPUT"]);
}

#[tokio::test]
async fn the_whole_demo_week_is_searchable() {
    let app = TestApp::spawn().await;
    let body = app
        .graphql(
            SEARCH,
            json!({ "filter": { "title": "новость", "from": "2026-11-23T00:00:00+03:00" }, "first": 1 }),
        )
        .await;
    let page = &data(&body)["searchProgrammes"];
    assert!(page["totalCount"].as_i64().unwrap() > 1000, "{page}");
    assert_eq!(page["nodes"][0]["startsAt"], "2026-11-23T00:00:00+03:00");
}

#[tokio::test]
async fn a_page_of_results_costs_a_constant_number_of_statements() {
    let app = TestApp::spawn().await;
    let query = |n: i64| json!({ "filter": { "title": "новости" }, "first": n });
    // The first search builds the guide and its index in memory.
    app.graphql(SEARCH, query(1)).await;
    let (small, few) = app.count_sql(app.graphql(SEARCH, query(2))).await;
    let (large, many) = app.count_sql(app.graphql(SEARCH, query(100))).await;
    assert_eq!(
        data(&small)["searchProgrammes"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        data(&large)["searchProgrammes"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        100
    );
    // Count, page, channels, ratings: one statement each, however long the
    // page. One per result would be 100+.
    assert_eq!(few, many, "{few} for 2 results, {many} for 100");
}

const HIGHLIGHTS: &str = "query ($date: Date, $channels: [ID!]) {
  tvHighlights(date: $date, channelIds: $channels) { title startsAt premiere } }";

#[tokio::test]
async fn highlights_are_premieres_and_prime_time_films_best_first() {
    let app = TestApp::spawn().await;
    let ch = guide(&app).await;
    let body = app
        .graphql(HIGHLIGHTS, json!({ "date": "2026-11-27", "channels": ch }))
        .await;
    let titles: Vec<&str> = data(&body)["tvHighlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    // The morning premiere and the prime-time series, in time order; not the
    // afternoon film, not the evening news.
    assert_eq!(
        titles,
        [
            "Премьера утром",
            "Тёмный сезон",
            "Футбола нет: обзор недели"
        ]
    );
    let body = app
        .graphql(HIGHLIGHTS, json!({ "date": "2026-11-28", "channels": ch }))
        .await;
    assert_eq!(
        data(&body)["tvHighlights"],
        json!([
            { "title": "Ирония судьбы, или С лёгким паром!", "startsAt": "2026-11-28T19:00:00+03:00", "premiere": false },
            { "title": "Служебный роман", "startsAt": "2026-11-28T22:00:00+03:00", "premiere": true }
        ])
    );
    // The demo week has highlights every day, at most 20.
    let body = app.graphql(HIGHLIGHTS, json!({})).await;
    let all = data(&body)["tvHighlights"].as_array().unwrap().len();
    assert!((1..=20).contains(&all), "{all}");
}
