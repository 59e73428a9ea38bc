//! One session report as the network sends it, and what makes it acceptable:
//! each rule here is checked before anything of a batch is written.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;

/// The longest session a report may describe (a session still open reports
/// its figures so far under the same id, well within this).
pub const MAX_SESSION: Duration = Duration::days(31);
/// How far ahead of our clock an end may lie (the network's clock drifts).
pub const CLOCK_SLACK: Duration = Duration::minutes(5);

/// A report as it arrives (JSON, camelCase), not yet checked.
#[derive(Debug, Clone, Deserialize)]
#[serde(transparent)]
pub struct RawReport(pub Report);

/// What a session was: when, from where, how much, how fast (canonical
/// once checked).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Figures {
    /// Start.
    pub start: DateTime<Utc>,
    /// End (or the time of the latest interim report).
    pub end: DateTime<Utc>,
    /// Canonical address text (IPv4 or IPv6).
    pub ip: String,
    /// `AA:BB:CC:DD:EE:FF`.
    pub mac: String,
    /// Bytes to the subscriber.
    pub bytes_in: i64,
    /// Bytes from the subscriber.
    pub bytes_out: i64,
    /// Average rate, kbit/s.
    pub avg_rate_kbps: i64,
    /// Peak rate, kbit/s.
    pub peak_rate_kbps: i64,
}

/// A session report (checked, once it comes out of [`RawReport::check`]).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The network's id.
    pub session_id: String,
    /// The account number, as sent.
    pub account_number: String,
    /// The session.
    #[serde(flatten)]
    pub figures: Figures,
}

/// What is wrong with one report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// Not a report object (a missing field, a wrong type).
    #[error("not a session report: {0}")]
    Shape(String),
    /// The session id is empty, too long or not printable ASCII.
    #[error("sessionId must be 1 to 64 printable ASCII characters")]
    SessionId,
    /// No account has this number.
    #[error("no account has this accountNumber")]
    UnknownAccount,
    /// The same session id was reported earlier for another account.
    #[error("sessionId belongs to another account")]
    OtherAccount,
    /// The same session id appears twice in the batch for different accounts.
    #[error("sessionId repeats in this batch with another accountNumber")]
    Conflicting,
    /// End before start, longer than allowed, or in the future.
    #[error(
        "start must not be after end, a session lasts at most 31 days and ends no later than now"
    )]
    Times,
    /// Not an IPv4 or IPv6 address.
    #[error("ip is not an IPv4 or IPv6 address")]
    Ip,
    /// Not six hexadecimal pairs.
    #[error("mac must be six hexadecimal pairs separated by ':' or '-'")]
    Mac,
    /// A negative count or rate.
    #[error("bytes and rates must not be negative")]
    Negative,
}

/// The canonical form of a MAC address (`aa-bb-cc-dd-ee-ff` and
/// `AA:BB:CC:DD:EE:FF` are the same device).
pub fn canonical_mac(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.trim().split([':', '-']).collect();
    if parts.len() != 6
        || parts
            .iter()
            .any(|p| p.len() != 2 || !p.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return None;
    }
    Some(parts.join(":").to_ascii_uppercase())
}

fn valid_session_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_graphic())
}

impl RawReport {
    /// Checks the report against `now`; the account is looked up later.
    pub fn check(self, now: DateTime<Utc>) -> Result<Report, Problem> {
        let Report {
            session_id,
            account_number,
            figures: f,
        } = self.0;
        if !valid_session_id(&session_id) {
            return Err(Problem::SessionId);
        }
        if account_number.len() > 32 {
            return Err(Problem::UnknownAccount);
        }
        if f.start > f.end || f.end - f.start > MAX_SESSION || f.end > now + CLOCK_SLACK {
            return Err(Problem::Times);
        }
        let ip: IpAddr = f.ip.trim().parse().map_err(|_| Problem::Ip)?;
        let mac = canonical_mac(&f.mac).ok_or(Problem::Mac)?;
        if [f.bytes_in, f.bytes_out, f.avg_rate_kbps, f.peak_rate_kbps]
            .iter()
            .any(|n| *n < 0)
        {
            return Err(Problem::Negative);
        }
        Ok(Report {
            session_id,
            account_number: account_number.trim().to_owned(),
            figures: Figures {
                ip: ip.to_string(),
                mac,
                ..f
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawReport {
        let end: DateTime<Utc> = "2026-11-25T09:00:00Z".parse().unwrap();
        RawReport(Report {
            session_id: "acct-1".into(),
            account_number: "100000000001".into(),
            figures: Figures {
                start: end - Duration::hours(2),
                end,
                ip: "10.0.0.7".into(),
                mac: "aa-bb-cc-dd-ee-0f".into(),
                bytes_in: 1,
                bytes_out: 2,
                avg_rate_kbps: 3,
                peak_rate_kbps: 4,
            },
        })
    }

    fn now() -> DateTime<Utc> {
        "2026-11-25T09:00:00Z".parse().unwrap()
    }

    #[test]
    fn canonical_forms() {
        let report = raw().check(now()).unwrap();
        assert_eq!(report.figures.mac, "AA:BB:CC:DD:EE:0F");
        let mut v6 = raw();
        v6.0.figures.ip = "2001:DB8::1".into();
        assert_eq!(v6.check(now()).unwrap().figures.ip, "2001:db8::1");
    }

    #[test]
    fn each_problem_is_named() {
        type Change = fn(&mut RawReport);
        let cases: Vec<(Change, Problem)> = vec![
            (|r| r.0.session_id = String::new(), Problem::SessionId),
            (|r| r.0.session_id = "a\0b".into(), Problem::SessionId),
            (|r| r.0.session_id = "x".repeat(65), Problem::SessionId),
            (
                |r| r.0.figures.start = r.0.figures.end + Duration::seconds(1),
                Problem::Times,
            ),
            (
                |r| r.0.figures.start = r.0.figures.end - Duration::days(32),
                Problem::Times,
            ),
            (|r| r.0.figures.end += Duration::minutes(6), Problem::Times),
            (|r| r.0.figures.ip = "10.0.0.256".into(), Problem::Ip),
            (|r| r.0.figures.mac = "AA:BB:CC:DD:EE".into(), Problem::Mac),
            (
                |r| r.0.figures.mac = "AA:BB:CC:DD:EE:GG".into(),
                Problem::Mac,
            ),
            (|r| r.0.figures.bytes_in = -1, Problem::Negative),
            (|r| r.0.figures.peak_rate_kbps = -1, Problem::Negative),
        ];
        for (change, problem) in cases {
            let mut report = raw();
            change(&mut report);
            assert_eq!(report.check(now()), Err(problem));
        }
    }
}
