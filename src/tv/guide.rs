//! The guide in memory. Programmes change only when an EPG file is imported,
//! yet the grid, "now on air", a channel's day and search read thousands of
//! them per request; so each replica keeps the whole guide (and its search
//! index) in memory and serves those from it. Every import increases
//! `tv_guide_version` in its transaction; each request compares that number
//! (one small statement) with the snapshot's and rebuilds when it changed,
//! so all replicas answer from what the database holds.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::{tv_guide_version, tv_programme};
use futures_util::TryStreamExt;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryOrder};

use super::search::SearchIndex;
use super::{Programme, programme};

/// Programmes longer than this are not expected; lookups by time look this far back.
const LONGEST_PROGRAMME: Duration = Duration::hours(24);

/// One version of the guide.
pub struct Snapshot {
    version: i64,
    /// By channel, then start.
    programmes: Vec<Programme>,
    by_channel: HashMap<i64, Range<usize>>,
    by_id: HashMap<i64, usize>,
    pub(super) search: SearchIndex,
}

impl Snapshot {
    fn new(version: i64, programmes: Vec<Programme>) -> Result<Snapshot, tantivy::TantivyError> {
        let mut by_channel: HashMap<i64, Range<usize>> = HashMap::new();
        let mut by_id = HashMap::with_capacity(programmes.len());
        for (i, p) in programmes.iter().enumerate() {
            by_channel
                .entry(p.channel_id)
                .and_modify(|r| r.end = i + 1)
                .or_insert(i..i + 1);
            by_id.insert(p.id, i);
        }
        let search = SearchIndex::build(&programmes)?;
        Ok(Snapshot {
            version,
            programmes,
            by_channel,
            by_id,
            search,
        })
    }

    /// A programme by id.
    pub fn programme(&self, id: i64) -> Option<&Programme> {
        self.by_id.get(&id).map(|i| &self.programmes[*i])
    }

    fn of_channel(&self, channel_id: i64) -> &[Programme] {
        self.by_channel
            .get(&channel_id)
            .map_or(&[], |r| &self.programmes[r.clone()])
    }

    /// A channel's programmes that overlap `[from, to)`, by start.
    fn overlapping(
        &self,
        channel_id: i64,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Iterator<Item = &Programme> {
        let list = self.of_channel(channel_id);
        let first = list.partition_point(|p| p.starts_at < from - LONGEST_PROGRAMME);
        let last = list.partition_point(|p| p.starts_at < to);
        list[first..last.max(first)]
            .iter()
            .filter(move |p| p.ends_at > from)
    }

    /// Programmes of these channels that overlap `[from, to)`, by channel (in
    /// the order given) and time.
    pub fn between(
        &self,
        channel_ids: &[i64],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Vec<Programme> {
        channel_ids
            .iter()
            .flat_map(|c| self.overlapping(*c, from, to))
            .cloned()
            .collect()
    }

    /// Each channel's Moscow day: the programmes that air between its 00:00
    /// and the next (one running at midnight included), by time. Every key
    /// asked is in the answer, empty when nothing airs.
    pub fn moscow_days(
        &self,
        keys: &[(i64, NaiveDate)],
    ) -> HashMap<(i64, NaiveDate), Vec<Programme>> {
        keys.iter()
            .map(|&(channel, day)| {
                let from = crate::time::start_of_moscow_day(day);
                let to = crate::time::next_moscow_midnight(from);
                (
                    (channel, day),
                    self.overlapping(channel, from, to).cloned().collect(),
                )
            })
            .collect()
    }
}

/// The snapshot a replica serves from, rebuilt when the guide's version moves.
#[derive(Default)]
pub struct Guide {
    current: RwLock<Option<Arc<Snapshot>>>,
    rebuilding: tokio::sync::Mutex<()>,
}

/// The guide's version in the database.
pub async fn version(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    Ok(tv_guide_version::Entity::find_by_id(1)
        .one(db)
        .await?
        .map_or(0, |v| v.version))
}

/// Marks the guide changed (call in the transaction that changes it).
pub async fn bump(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    db.execute_unprepared("UPDATE tv_guide_version SET version = version + 1 WHERE id = 1")
        .await?;
    Ok(())
}

impl Guide {
    fn held(&self) -> Option<Arc<Snapshot>> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The current guide: the one held when the database's version matches,
    /// else a new one (one rebuild at a time; the others wait for it).
    pub async fn get(&self, db: &DatabaseConnection) -> Result<Arc<Snapshot>, DbErr> {
        let wanted = version(db).await?;
        if let Some(held) = self.held().filter(|s| s.version == wanted) {
            return Ok(held);
        }
        let _one_at_a_time = self.rebuilding.lock().await;
        if let Some(held) = self.held().filter(|s| s.version >= wanted) {
            return Ok(held);
        }
        // The version is read before the rows: rows newer than it only cause
        // one more rebuild later, never a stale snapshot labelled new.
        let wanted = version(db).await?;
        // Streamed and converted row by row: the rows as the driver gives
        // them never all sit in memory beside the programmes made of them.
        let mut programmes = Vec::new();
        let mut rows = tv_programme::Entity::find()
            .order_by_asc(tv_programme::Column::ChannelId)
            .order_by_asc(tv_programme::Column::StartsAt)
            .order_by_asc(tv_programme::Column::Id)
            .stream(db)
            .await?;
        while let Some(row) = rows.try_next().await? {
            programmes.push(programme(row));
        }
        drop(rows);
        programmes.shrink_to_fit();
        crate::memory::return_freed_pages();
        let started = std::time::Instant::now();
        let snapshot = tokio::task::spawn_blocking(move || {
            let snapshot = Snapshot::new(wanted, programmes);
            crate::memory::return_freed_pages();
            snapshot
        })
        .await
        .map_err(|e| DbErr::Custom(format!("building the TV guide: {e}")))?
        .map_err(|e| DbErr::Custom(format!("building the TV search index: {e}")))?;
        tracing::info!(
            version = wanted,
            programmes = snapshot.programmes.len(),
            ms = started.elapsed().as_millis() as u64,
            "TV guide loaded"
        );
        let snapshot = Arc::new(snapshot);
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(snapshot.clone());
        Ok(snapshot)
    }
}
