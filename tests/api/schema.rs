//! The committed schema follows the code, and documents itself completely.

use serde_json::json;

use crate::common::{TestApp, data};

#[test]
fn schema_graphql_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let generated = kabinet::graphql::sdl();
    assert!(
        committed == generated,
        "schema.graphql is stale; regenerate it with:\n    cargo run -q -- print-schema > schema.graphql"
    );
}

const DESCRIPTIONS: &str = r#"{
  __schema {
    types {
      name kind description
      fields(includeDeprecated: true) { name description args { name description } }
      inputFields { name description }
      enumValues(includeDeprecated: true) { name description }
    }
  }
}"#;

fn missing(description: &serde_json::Value) -> bool {
    description.as_str().is_none_or(|d| d.trim().is_empty())
}

#[tokio::test]
async fn every_type_field_argument_and_enum_value_has_a_description() {
    let app = TestApp::spawn().await;
    let body = app.graphql(DESCRIPTIONS, json!({})).await;
    let mut undocumented = Vec::new();
    for ty in data(&body)["__schema"]["types"].as_array().unwrap() {
        let name = ty["name"].as_str().unwrap();
        if name.starts_with("__") {
            continue;
        }
        if missing(&ty["description"]) {
            undocumented.push(format!("type {name}"));
        }
        for field in ty["fields"].as_array().into_iter().flatten() {
            let field_name = field["name"].as_str().unwrap();
            if missing(&field["description"]) {
                undocumented.push(format!("field {name}.{field_name}"));
            }
            for arg in field["args"].as_array().into_iter().flatten() {
                if missing(&arg["description"]) {
                    undocumented.push(format!("argument {name}.{field_name}({})", arg["name"]));
                }
            }
        }
        for input in ty["inputFields"].as_array().into_iter().flatten() {
            if missing(&input["description"]) {
                undocumented.push(format!("input field {name}.{}", input["name"]));
            }
        }
        for value in ty["enumValues"].as_array().into_iter().flatten() {
            if missing(&value["description"]) {
                undocumented.push(format!("enum value {name}.{}", value["name"]));
            }
        }
    }
    assert!(
        undocumented.is_empty(),
        "undocumented:\n{}",
        undocumented.join("\n")
    );
}
