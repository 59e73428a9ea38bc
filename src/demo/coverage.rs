//! The demo coverage list: real Moscow streets, houses connected by GPON or
//! FTTB, one house covered in two of its entrances only. Written as the CSV
//! an operator would import and imported through `coverage::import`.

use std::fmt::Write;

use sea_orm::DatabaseConnection;

use crate::coverage::{self, ImportError};

/// Streets, how many houses of each are connected, and how.
const STREETS: &[(&str, u32, &str)] = &[
    ("Ленинский проспект", 90, "gpon"),
    ("Тверская улица", 24, "fttb"),
    ("Профсоюзная улица", 60, "gpon"),
    ("улица Вавилова", 40, "fttb"),
    ("Мичуринский проспект", 30, "gpon"),
    ("Кутузовский проспект", 36, "gpon"),
    ("Новослободская улица", 20, "fttb"),
    ("Планерная улица", 24, "gpon"),
    ("Фрунзенская набережная", 50, "fttb"),
    ("бульвар Яна Райниса", 44, "gpon"),
    ("Каширское шоссе", 70, "gpon"),
    ("Садовая-Кудринская улица", 28, "fttb"),
];

/// GPON houses offer every tariff; FTTB houses up to 500 Mbit/s.
fn tariffs(technology: &str) -> &'static str {
    if technology == "gpon" {
        "internet-200;internet-500;internet-1000;internet-500-tv"
    } else {
        "internet-200;internet-500;internet-500-tv"
    }
}

/// The demo list as CSV.
pub fn csv() -> String {
    let mut out = String::from("street,house,entrance,technologies,tariffs\n");
    for (street, houses, technology) in STREETS {
        for house in 1..=*houses {
            // Every third house has two корпуса instead of one building.
            let names = if house % 3 == 0 {
                vec![format!("{house}к1"), format!("{house}к2")]
            } else {
                vec![house.to_string()]
            };
            for name in names {
                if *street == "улица Вавилова" && name == "5" {
                    // Only two entrances of this house are wired so far.
                    for entrance in [1, 2] {
                        let _ = writeln!(
                            out,
                            "{street},{name},{entrance},{technology},{}",
                            tariffs(technology)
                        );
                    }
                    continue;
                }
                let _ = writeln!(out, "{street},{name},,{technology},{}", tariffs(technology));
            }
        }
    }
    out
}

/// Imports the demo list.
pub async fn seed(db: &DatabaseConnection) -> Result<(), ImportError> {
    coverage::import(db, csv().as_bytes()).await.map(|_| ())
}
