//! Several replicas on one database: background work is done exactly once.

use kabinet::accounts::Phone;
use kabinet::clock::Clock;
use std::collections::HashSet;

use crate::common::TestApp;

#[tokio::test]
async fn two_replicas_deliver_each_sms_exactly_once() {
    let primary = TestApp::spawn().await;
    let replica = primary.spawn_replica().await;
    let phone = Phone::parse("+79990000001").unwrap();
    let count = 60;
    // Stored the way every feature stores them: in the database, for any worker to claim.
    for i in 0..count {
        kabinet::sms::enqueue(
            &primary.state.db,
            primary.clock.now(),
            &phone,
            format!("сообщение {i}"),
        )
        .await
        .unwrap();
    }
    let messages = primary.wait_for_sms(count).await;
    // Give a double delivery time to show up.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let messages = if messages.len() == count {
        primary.sms_messages()
    } else {
        messages
    };
    let texts: Vec<&str> = messages
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    let unique: HashSet<&str> = texts.iter().copied().collect();
    assert_eq!(texts.len(), count, "each message once, no duplicates");
    assert_eq!(unique.len(), count);
    drop(replica);
}
