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

/// A report as it arrives (JSON, camelCase).
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RawReport {
    /// The network's id of the session.
    pub session_id: String,
    /// The account (лицевой счёт) the session belongs to.
    pub account_number: String,
    /// When it started.
    pub start: DateTime<Utc>,
    /// When it ended (or the time of this interim report).
    pub end: DateTime<Utc>,
    /// The address it had.
    pub ip: String,
    /// The device's MAC address.
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

/// A report that passed every check, in canonical form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The network's id.
    pub session_id: String,
    /// The account number, as sent.
    pub account_number: String,
    /// Start.
    pub start: DateTime<Utc>,
    /// End.
    pub end: DateTime<Utc>,
    /// Canonical address text.
    pub ip: String,
    /// `AA:BB:CC:DD:EE:FF`.
    pub mac: String,
    /// Bytes in.
    pub bytes_in: i64,
    /// Bytes out.
    pub bytes_out: i64,
    /// Average rate.
    pub avg_rate_kbps: i64,
    /// Peak rate.
    pub peak_rate_kbps: i64,
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
        if !valid_session_id(&self.session_id) {
            return Err(Problem::SessionId);
        }
        if self.account_number.len() > 32 {
            return Err(Problem::UnknownAccount);
        }
        if self.start > self.end
            || self.end - self.start > MAX_SESSION
            || self.end > now + CLOCK_SLACK
        {
            return Err(Problem::Times);
        }
        let ip: IpAddr = self.ip.trim().parse().map_err(|_| Problem::Ip)?;
        let mac = canonical_mac(&self.mac).ok_or(Problem::Mac)?;
        if [
            self.bytes_in,
            self.bytes_out,
            self.avg_rate_kbps,
            self.peak_rate_kbps,
        ]
        .iter()
        .any(|n| *n < 0)
        {
            return Err(Problem::Negative);
        }
        Ok(Report {
            session_id: self.session_id,
            account_number: self.account_number.trim().to_owned(),
            start: self.start,
            end: self.end,
            ip: ip.to_string(),
            mac,
            bytes_in: self.bytes_in,
            bytes_out: self.bytes_out,
            avg_rate_kbps: self.avg_rate_kbps,
            peak_rate_kbps: self.peak_rate_kbps,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw() -> RawReport {
        let end: DateTime<Utc> = "2026-11-25T09:00:00Z".parse().unwrap();
        RawReport {
            session_id: "acct-1".into(),
            account_number: "100000000001".into(),
            start: end - Duration::hours(2),
            end,
            ip: "10.0.0.7".into(),
            mac: "aa-bb-cc-dd-ee-0f".into(),
            bytes_in: 1,
            bytes_out: 2,
            avg_rate_kbps: 3,
            peak_rate_kbps: 4,
        }
    }

    fn now() -> DateTime<Utc> {
        "2026-11-25T09:00:00Z".parse().unwrap()
    }

    #[test]
    fn canonical_forms() {
        let report = raw().check(now()).unwrap();
        assert_eq!(report.mac, "AA:BB:CC:DD:EE:0F");
        let mut v6 = raw();
        v6.ip = "2001:DB8::1".into();
        assert_eq!(v6.check(now()).unwrap().ip, "2001:db8::1");
    }

    #[test]
    fn each_problem_is_named() {
        type Change = fn(&mut RawReport);
        let cases: Vec<(Change, Problem)> = vec![
            (|r| r.session_id = String::new(), Problem::SessionId),
            (|r| r.session_id = "a\0b".into(), Problem::SessionId),
            (|r| r.session_id = "x".repeat(65), Problem::SessionId),
            (|r| r.start = r.end + Duration::seconds(1), Problem::Times),
            (|r| r.start = r.end - Duration::days(32), Problem::Times),
            (|r| r.end += Duration::minutes(6), Problem::Times),
            (|r| r.ip = "10.0.0.256".into(), Problem::Ip),
            (|r| r.mac = "AA:BB:CC:DD:EE".into(), Problem::Mac),
            (|r| r.mac = "AA:BB:CC:DD:EE:GG".into(), Problem::Mac),
            (|r| r.bytes_in = -1, Problem::Negative),
            (|r| r.peak_rate_kbps = -1, Problem::Negative),
        ];
        for (change, problem) in cases {
            let mut report = raw();
            change(&mut report);
            assert_eq!(report.check(now()), Err(problem));
        }
    }
}
