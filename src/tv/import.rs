//! EPG import: a parsed XMLTV file is applied in one transaction. Channels are
//! upserted by XMLTV id; for each channel the time range the file covers is
//! replaced, so importing the same or an overlapping file again leaves no
//! duplicates. A file that does not parse changes nothing.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{tv_channel, tv_programme};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter,
};

use super::xmltv::{self, XmltvProgramme};
use super::{Category, TvError, normalize};

/// Rows per multi-row insert: 12 values a row stays under SQLite's 32 766 and
/// PostgreSQL's 65 535 bind parameters.
const CHUNK: usize = 2500;

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Channels in the file.
    pub channels: usize,
    /// Channels that were new.
    pub new_channels: usize,
    /// Programmes written.
    pub programmes: usize,
    /// Programmes the file replaced.
    pub replaced: u64,
}

fn row(channel_id: i64, p: &XmltvProgramme) -> tv_programme::ActiveModel {
    let (category, genres) = Category::classify(&p.categories);
    tv_programme::ActiveModel {
        channel_id: Set(channel_id),
        starts_at: Set(p.start),
        ends_at: Set(p.stop),
        title: Set(p.title.trim().to_owned()),
        title_key: Set(Some(normalize(&p.title))),
        description: Set(p.description.trim().to_owned()),
        category: Set(category.code().to_owned()),
        genres: Set(genres.join("\n")),
        people: Set(p
            .people
            .iter()
            .map(|(role, name)| format!("{role}:{name}"))
            .collect::<Vec<_>>()
            .join("\n")),
        age_rating: Set(p.age_rating),
        premiere: Set(p.premiere),
        ..Default::default()
    }
}

/// Imports an XMLTV document.
pub async fn import(db: &DatabaseConnection, bytes: &[u8]) -> Result<ImportReport, TvError> {
    let guide = xmltv::parse(bytes)?;
    let tx = crate::db::begin_write(db).await?;
    let existing: HashMap<String, tv_channel::Model> = tv_channel::Entity::find()
        .all(&tx)
        .await?
        .into_iter()
        .map(|c| (c.xmltv_id.clone(), c))
        .collect();
    let mut next_number = existing.values().map(|c| c.number).max().unwrap_or(0) + 1;
    let mut ids: HashMap<&str, i64> = HashMap::new();
    let mut report = ImportReport {
        channels: guide.channels.len(),
        ..Default::default()
    };
    for channel in &guide.channels {
        match existing.get(&channel.id) {
            Some(known) => {
                if known.name != channel.name {
                    tv_channel::Entity::update_many()
                        .col_expr(tv_channel::Column::Name, channel.name.clone().into())
                        .filter(tv_channel::Column::Id.eq(known.id))
                        .exec(&tx)
                        .await?;
                }
                ids.insert(&channel.id, known.id);
            }
            None => {
                let created = tv_channel::Entity::insert(tv_channel::ActiveModel {
                    xmltv_id: Set(channel.id.clone()),
                    name: Set(channel.name.clone()),
                    number: Set(next_number),
                    package_id: Set(None),
                    ..Default::default()
                })
                .exec_with_returning(&tx)
                .await?;
                next_number += 1;
                report.new_channels += 1;
                ids.insert(&channel.id, created.id);
            }
        }
    }

    let mut by_channel: HashMap<i64, Vec<&XmltvProgramme>> = HashMap::new();
    for p in &guide.programmes {
        if let Some(id) = ids.get(p.channel.as_str()) {
            by_channel.entry(*id).or_default().push(p);
        }
    }
    let mut rows = Vec::with_capacity(guide.programmes.len());
    for (channel_id, programmes) in by_channel {
        let from: DateTime<Utc> = programmes.iter().map(|p| p.start).min().unwrap_or_default();
        let to: DateTime<Utc> = programmes.iter().map(|p| p.stop).max().unwrap_or_default();
        report.replaced += replace_range(&tx, channel_id, from, to).await?;
        rows.extend(programmes.iter().map(|p| row(channel_id, p)));
        report.programmes += programmes.len();
    }
    // Few large statements: each round trip of a large one can wait on TCP's
    // delayed acknowledgement (sqlx leaves Nagle on), ~40 ms a time.
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(CHUNK).collect();
        tv_programme::Entity::insert_many(chunk).exec(&tx).await?;
    }
    super::guide::bump(&tx).await?;
    tx.commit().await?;
    Ok(report)
}

async fn replace_range(
    db: &impl ConnectionTrait,
    channel_id: i64,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Ok(tv_programme::Entity::delete_many()
        .filter(tv_programme::Column::ChannelId.eq(channel_id))
        .filter(tv_programme::Column::StartsAt.gte(from))
        .filter(tv_programme::Column::StartsAt.lt(to))
        .exec(db)
        .await?
        .rows_affected)
}
