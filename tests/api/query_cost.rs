//! Query cost: `extensions.cost` on every response, and a leaky-bucket budget
//! per caller that every replica shares (`RATE_LIMITED` with `retryAt`).

use chrono::{DateTime, Duration, Utc};
use kabinet::clock::Clock;
use serde_json::json;

use crate::common::{TestApp, data, error_codes};

const QUERY: &str = "{ tariffs { code name monthlyFee { amount } } }";

#[tokio::test]
async fn every_response_says_what_it_cost_and_what_is_left() {
    let app = TestApp::spawn_with(|s| s.cost_budget_per_minute = 1_000_000).await;
    let token = app.login("demo", "demo12345").await;
    let first = app.graphql_as(Some(&token), QUERY, json!({})).await;
    let cost = &first["extensions"]["cost"];
    let requested = cost["requested"].as_u64().unwrap();
    let actual = cost["actual"].as_u64().unwrap();
    assert!(actual > 0 && actual <= requested, "{cost}");
    assert_eq!(cost["perMinute"], 1_000_000);
    let remaining = cost["remaining"].as_u64().unwrap();
    assert_eq!(remaining, 1_000_000 - requested);
    let second = app.graphql_as(Some(&token), QUERY, json!({})).await;
    assert_eq!(
        second["extensions"]["cost"]["remaining"].as_u64().unwrap(),
        remaining - requested,
        "the clock stood still: nothing leaked"
    );
    // A probe costs nothing and is not metered.
    let (_, statements) = app
        .count_sql(app.graphql("{ __typename }", json!({})))
        .await;
    assert_eq!(statements, 0);
}

#[tokio::test]
async fn a_spent_budget_is_refused_on_every_replica_until_it_refills() {
    let tight = |s: &mut kabinet::config::Settings| {
        s.max_complexity = 1000;
        s.cost_budget_per_minute = 1000;
    };
    let app = TestApp::spawn_with(tight).await;
    let replica = app.spawn_replica_with(tight).await;
    let token = app.login("demo", "demo12345").await;
    let requested =
        app.graphql_as(Some(&token), QUERY, json!({})).await["extensions"]["cost"]["requested"]
            .as_u64()
            .unwrap();
    let fits = 1000 / requested;
    for _ in 1..fits {
        let body = replica.graphql_as(Some(&token), QUERY, json!({})).await;
        assert!(data(&body)["tariffs"].is_array(), "{body}");
    }
    // Spent, on either replica.
    for side in [&app, &replica] {
        let refused = side.graphql_as(Some(&token), QUERY, json!({})).await;
        assert_eq!(error_codes(&refused), ["RATE_LIMITED"], "{refused}");
        let retry_at: DateTime<Utc> = refused["errors"][0]["extensions"]["retryAt"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(retry_at > app.clock.now() && retry_at <= app.clock.now() + Duration::minutes(1));
        // A cheap read runs beside its metering; refused, it gives nothing.
        assert!(refused["data"].is_null(), "{refused}");
    }
    // Another caller has a budget of their own.
    let other = app.login("demo2", "demo12345").await;
    let body = app.graphql_as(Some(&other), QUERY, json!({})).await;
    assert!(data(&body)["tariffs"].is_array());
    // A minute later it has leaked away (both replicas share one clock in time).
    let later = app.clock.now() + Duration::minutes(1);
    app.clock.set(later);
    replica.clock.set(later);
    let token = app.login("demo", "demo12345").await;
    let body = replica.graphql_as(Some(&token), QUERY, json!({})).await;
    assert!(data(&body)["tariffs"].is_array(), "{body}");
    // A clock set back does not make a bucket fuller.
    let earlier = later - Duration::seconds(30);
    app.clock.set(earlier);
    let body = app.graphql_as(Some(&token), QUERY, json!({})).await;
    assert!(data(&body)["tariffs"].is_array(), "{body}");
}

#[tokio::test]
async fn a_mutation_the_budget_cannot_cover_does_not_run() {
    // Reads may run beside their metering; writes never do: a mutation the
    // budget cannot cover is refused before it runs.
    let tight = |s: &mut kabinet::config::Settings| {
        s.max_complexity = 20;
        s.cost_budget_per_minute = 20;
    };
    let app = TestApp::spawn_with(tight).await;
    let token = app.login("demo", "demo12345").await;
    let me = "{ me { number holderName turbo { speedMbps } balance { amount } } }";
    let mut left = 20;
    let mut read = 0;
    while left >= 10 {
        let body = app.graphql_as(Some(&token), me, json!({})).await;
        assert!(data(&body)["me"]["number"].is_string(), "{body}");
        read = body["extensions"]["cost"]["requested"].as_u64().unwrap();
        left = body["extensions"]["cost"]["remaining"].as_u64().unwrap();
    }
    let turbo = "mutation { activateTurbo(input: {optionId: \"turbo-1000-3h\"}) {
        turbo { speedMbps price { amount } startedAt endsAt } userErrors { code message } } }";
    let refused = app.graphql_as(Some(&token), turbo, json!({})).await;
    assert_eq!(error_codes(&refused), ["RATE_LIMITED"], "{refused}");
    if left < read {
        let refused = app.graphql_as(Some(&token), me, json!({})).await;
        assert_eq!(error_codes(&refused), ["RATE_LIMITED"], "{refused}");
        assert!(refused["data"].is_null(), "{refused}");
    }
    // Read with a budget that covers it: nothing was bought.
    let roomy = app.spawn_replica().await;
    let body = roomy.graphql_as(Some(&token), me, json!({})).await;
    assert!(
        data(&body)["me"]["turbo"].is_null(),
        "nothing was bought: {body}"
    );
}
