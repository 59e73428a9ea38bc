//! Demo internet sessions: a month of a household's devices (a laptop, two
//! phones, the TV box), with a few evenings well under the tariff's speed,
//! and yesterday a device never seen before, which raises the "new device"
//! notification. Written through the accounting ingest, as the network would.

use chrono::{DateTime, Duration, Utc};
use sea_orm::DatabaseConnection;

use super::DemoError;
use crate::traffic::record::{Figures, RawReport, Report};
use crate::traffic::{devices, ingest};

/// The household's devices: MAC, IP, typical rate while downloading
/// (kbit/s; the demo tariff gives 500 Mbit/s), sessions a day.
const DEVICES: [(&str, &str, i64, u32); 4] = [
    ("3C:22:FB:4A:10:01", "10.120.4.17", 440_000, 2),
    ("A4:83:E7:2B:55:02", "10.120.4.18", 380_000, 3),
    ("F0:18:98:6C:21:03", "10.120.4.19", 300_000, 2),
    ("00:1A:79:5D:90:04", "10.120.4.20", 400_000, 1),
];

/// A small deterministic scatter (no randomness in demo data).
fn scatter(seed: u64) -> u64 {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^ (x >> 29)
}

fn report(
    id: String,
    number: &str,
    device: (&str, &str, i64),
    start: DateTime<Utc>,
    minutes: i64,
    rate_kbps: i64,
) -> RawReport {
    let seconds = minutes * 60;
    // Downloading a fiftieth of the time; a tenth as much goes out.
    let bytes_in = rate_kbps * 1000 / 8 * seconds / 50;
    RawReport(Report {
        session_id: id,
        account_number: number.to_owned(),
        figures: Figures {
            start,
            end: start + Duration::seconds(seconds),
            ip: device.1.to_owned(),
            mac: device.0.to_owned(),
            bytes_in,
            bytes_out: bytes_in / 10,
            avg_rate_kbps: rate_kbps,
            peak_rate_kbps: rate_kbps * 2,
        },
    })
}

/// Writes the demo sessions of the account `number` (id `account_id`).
pub async fn seed(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    account_id: i64,
    number: &str,
) -> Result<(), DemoError> {
    let month_ago = now - Duration::days(30);
    for (mac, ..) in DEVICES {
        devices::remember(db, account_id, mac, now - Duration::days(400), month_ago).await?;
    }
    let mut reports = Vec::new();
    for day in 1..=30u64 {
        // Daytime to evening of that day, all ended well before now.
        let morning = now - Duration::days(day as i64) - Duration::hours(14);
        // Three evenings in the month the line was congested.
        let congested = day % 9 == 4;
        for (d, (mac, ip, rate, per_day)) in DEVICES.iter().enumerate() {
            for n in 0..*per_day {
                let seed = scatter(day * 100 + d as u64 * 10 + u64::from(n));
                let start = morning + Duration::minutes((seed % 720) as i64);
                let minutes = 10 + (seed % 170) as i64;
                let spread = 70 + (seed % 45) as i64;
                let rate = rate * spread / 100 / if congested { 3 } else { 1 };
                reports.push(report(
                    format!("demo-{number}-{day}-{d}-{n}"),
                    number,
                    (mac, ip, rate),
                    start,
                    minutes,
                    rate,
                ));
            }
        }
    }
    // Last night, a device the household has never used.
    reports.push(report(
        format!("demo-{number}-new-device"),
        number,
        ("5E:77:0C:91:AB:05", "10.120.4.33", 0),
        now - Duration::hours(20),
        95,
        48_000,
    ));
    // In the order the network would have reported them.
    reports.sort_by_key(|r| r.0.figures.end);
    let checked = reports
        .into_iter()
        .map(|r| r.check(now))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| DemoError::Invalid("session report"))?;
    ingest::ingest(db, now, &checked).await?;
    Ok(())
}
