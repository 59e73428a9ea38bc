//! GraphQL face of internet sessions and traffic: `Account.internetSessions`,
//! `Account.trafficByDay` and `Account.speedReport`.

use async_graphql::{Context, Object, SimpleObject};

use super::connection::connection;
use super::context::ContextExt;
use super::errors::ApiError;
use super::scalars::{Date, DateTime};
use crate::pagination::PageRequest;
use crate::traffic::report::{self, RangeError};
use crate::traffic::{Session, daily};

/// A count of bytes as a GraphQL number: `Int` is 32-bit and a day's traffic
/// passes 2 GiB; a double holds whole numbers exactly up to 2^53.
fn bytes(n: i64) -> f64 {
    n as f64
}

fn kbps(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// One internet session as the network reported it.
#[derive(Debug, Clone)]
pub struct InternetSession(Session);

impl From<Session> for InternetSession {
    fn from(s: Session) -> Self {
        InternetSession(s)
    }
}

/// One internet session as the network reported it.
#[Object]
impl InternetSession {
    /// The network's id of the session.
    async fn session_id(&self) -> &str {
        &self.0.session_id
    }

    /// When it started.
    async fn start(&self) -> DateTime {
        DateTime(self.0.figures.start)
    }

    /// When it ended (for a session still open: its latest report).
    async fn end(&self) -> DateTime {
        DateTime(self.0.figures.end)
    }

    /// How long it lasted, in seconds.
    async fn duration_seconds(&self) -> i32 {
        i32::try_from((self.0.figures.end - self.0.figures.start).num_seconds()).unwrap_or(i32::MAX)
    }

    /// The IP address it had (IPv4 or IPv6).
    async fn ip(&self) -> &str {
        &self.0.figures.ip
    }

    /// The device's MAC address, `AA:BB:CC:DD:EE:FF`.
    async fn mac(&self) -> &str {
        &self.0.figures.mac
    }

    /// Bytes received by the subscriber (a whole number).
    async fn bytes_in(&self) -> f64 {
        bytes(self.0.figures.bytes_in)
    }

    /// Bytes sent by the subscriber (a whole number).
    async fn bytes_out(&self) -> f64 {
        bytes(self.0.figures.bytes_out)
    }

    /// Average rate over the session, kbit/s.
    async fn avg_rate_kbps(&self) -> i32 {
        kbps(self.0.figures.avg_rate_kbps)
    }

    /// Peak rate, kbit/s.
    async fn peak_rate_kbps(&self) -> i32 {
        kbps(self.0.figures.peak_rate_kbps)
    }
}

connection!(
    InternetSessionConnection,
    InternetSessionEdge,
    InternetSession,
    "internet sessions"
);

/// Traffic of one Moscow day.
#[derive(Debug, Clone, SimpleObject)]
pub struct TrafficDay {
    /// The day.
    pub date: Date,
    /// Bytes received (a whole number); a session over midnight counts on
    /// each day in proportion to its time there.
    pub bytes_in: f64,
    /// Bytes sent (a whole number).
    pub bytes_out: f64,
    /// Sessions open some time that day.
    pub sessions: i32,
}

impl From<report::TrafficDay> for TrafficDay {
    fn from(d: report::TrafficDay) -> Self {
        TrafficDay {
            date: Date(d.date),
            bytes_in: bytes(d.bytes_in),
            bytes_out: bytes(d.bytes_out),
            sessions: i32::try_from(d.sessions).unwrap_or(i32::MAX),
        }
    }
}

/// The measured speed of one Moscow day beside the tariff's.
#[derive(Debug, Clone, SimpleObject)]
pub struct SpeedDay {
    /// The day.
    pub date: Date,
    /// The speed of the tariff in force that day, kbit/s (null without one).
    pub tariff_kbps: Option<i32>,
    /// Sessions open some time that day.
    pub sessions: i32,
    /// Median of those sessions' average rates, kbit/s (null without sessions).
    pub median_kbps: Option<i32>,
    /// 90th percentile (nearest rank) of their average rates, kbit/s.
    pub p90_kbps: Option<i32>,
    /// The highest peak rate that day, kbit/s.
    pub peak_kbps: Option<i32>,
    /// `medianKbps` as a whole percentage of `tariffKbps`.
    pub median_percent_of_tariff: Option<i32>,
}

impl From<report::SpeedDay> for SpeedDay {
    fn from(d: report::SpeedDay) -> Self {
        SpeedDay {
            date: Date(d.date),
            tariff_kbps: d.tariff_kbps.map(kbps),
            sessions: i32::try_from(d.sessions).unwrap_or(i32::MAX),
            median_kbps: d.median_kbps.map(kbps),
            p90_kbps: d.p90_kbps.map(kbps),
            peak_kbps: d.peak_kbps.map(kbps),
            median_percent_of_tariff: d.median_percent_of_tariff().map(kbps),
        }
    }
}

/// The measured speed beside the tariff's, day by day: the evidence for a
/// complaint about speed.
#[derive(Debug, Clone, SimpleObject)]
pub struct SpeedReport {
    /// Every day of the range, oldest first.
    pub days: Vec<SpeedDay>,
    /// Days with sessions whose median was under half the tariff's speed.
    pub days_below_half: i32,
}

/// The days of a report range, or the argument error.
fn days(from: Date, to: Date) -> Result<Vec<chrono::NaiveDate>, ApiError> {
    report::days(from.0, to.0).map_err(|err| match err {
        RangeError::Reversed => ApiError::bad_input("from", super::messages::REVERSED_PERIOD),
        RangeError::TooLong => ApiError::bad_input(
            "to",
            format!(
                "Период — не больше {} дней: запросите его частями",
                report::MAX_REPORT_DAYS
            ),
        ),
    })
}

/// A page of the account's sessions (for `Account.internetSessions`).
pub(super) async fn sessions(
    ctx: &Context<'_>,
    account_id: i64,
    from: Option<DateTime>,
    to: Option<DateTime>,
    request: PageRequest,
) -> Result<InternetSessionConnection, ApiError> {
    if let (Some(from), Some(to)) = (&from, &to)
        && from.0 > to.0
    {
        return Err(ApiError::bad_input(
            "from",
            super::messages::REVERSED_PERIOD,
        ));
    }
    Ok(crate::traffic::store::page(
        ctx.db(),
        account_id,
        from.map(|d| d.0),
        to.map(|d| d.0),
        &request,
    )
    .await?
    .into())
}

/// Traffic per day (for `Account.trafficByDay`).
pub(super) async fn by_day(
    ctx: &Context<'_>,
    account_id: i64,
    from: Date,
    to: Date,
) -> Result<Vec<TrafficDay>, ApiError> {
    let days = days(from, to)?;
    Ok(daily::traffic(ctx.db(), account_id, &days)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// The speed report (for `Account.speedReport`).
pub(super) async fn speed(
    ctx: &Context<'_>,
    account_id: i64,
    from: Date,
    to: Date,
) -> Result<SpeedReport, ApiError> {
    let days = days(from, to)?;
    let report = daily::speed(ctx.db(), account_id, &days).await?;
    let below_half = report
        .iter()
        .filter(|d| d.median_percent_of_tariff().is_some_and(|p| p < 50))
        .count();
    Ok(SpeedReport {
        days: report.into_iter().map(Into::into).collect(),
        days_below_half: i32::try_from(below_half).unwrap_or(i32::MAX),
    })
}
