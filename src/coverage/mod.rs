//! Where the network reaches: the coverage list (streets, houses, entrances,
//! with the technologies and tariffs each offers), checking an address as a
//! person types it, and importing the list from CSV (one transaction: a broken
//! file changes nothing).

pub mod address;

use std::collections::BTreeMap;

use entity::{coverage_address, coverage_street};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    QueryFilter,
};

pub use address::{StreetKey, house_key};

/// How an address is connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Technology {
    /// Optical fibre to the flat (GPON).
    Gpon,
    /// Fibre to the building, Ethernet to the flat.
    Fttb,
}

impl Technology {
    /// The code in the coverage file.
    pub fn code(self) -> &'static str {
        match self {
            Technology::Gpon => "gpon",
            Technology::Fttb => "fttb",
        }
    }

    fn parse(code: &str) -> Option<Technology> {
        match code.trim().to_ascii_lowercase().as_str() {
            "gpon" => Some(Technology::Gpon),
            "fttb" => Some(Technology::Fttb),
            _ => None,
        }
    }
}

/// An address as a person gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressQuery {
    /// Street, any spelling.
    pub street: String,
    /// House, e.g. «12к2».
    pub house: String,
    /// Entrance (подъезд), if given.
    pub entrance: Option<i32>,
}

/// Why an address cannot be looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// No street name.
    #[error("no street")]
    NoStreet,
    /// No house number.
    #[error("no house")]
    NoHouse,
    /// Entrance out of 1..=99.
    #[error("bad entrance")]
    BadEntrance,
    /// A part is longer than 100 characters.
    #[error("too long")]
    TooLong,
}

/// An address made comparable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalised {
    /// The street.
    pub street: StreetKey,
    /// The house.
    pub house: String,
    /// The entrance.
    pub entrance: Option<i32>,
}

impl AddressQuery {
    /// The address made comparable.
    pub fn normalise(&self) -> Result<Normalised, AddressError> {
        if self.street.chars().count() > 100 || self.house.chars().count() > 100 {
            return Err(AddressError::TooLong);
        }
        let street = StreetKey::parse(&self.street).ok_or(AddressError::NoStreet)?;
        let house = house_key(&self.house).ok_or(AddressError::NoHouse)?;
        if let Some(e) = self.entrance
            && !(1..=99).contains(&e)
        {
            return Err(AddressError::BadEntrance);
        }
        Ok(Normalised {
            street,
            house,
            entrance: self.entrance,
        })
    }
}

/// What the network offers at an address.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Availability {
    /// The street as the coverage list names it, when found.
    pub street: Option<String>,
    /// The street's id, when found.
    pub street_id: Option<i64>,
    /// The house, written one way.
    pub house: String,
    /// Technologies at the house (the entrance's, when given).
    pub technologies: Vec<Technology>,
    /// Catalog codes of the tariffs offered there.
    pub tariff_codes: Vec<String>,
    /// Streets of the list with a similar name, when the street was not found.
    pub suggestions: Vec<String>,
}

impl Availability {
    /// Whether the address can be connected.
    pub fn available(&self) -> bool {
        !self.technologies.is_empty()
    }
}

async fn streets_named(
    db: &impl ConnectionTrait,
    name: &str,
) -> Result<Vec<coverage_street::Model>, DbErr> {
    coverage_street::Entity::find()
        .filter(coverage_street::Column::Name.eq(name))
        .all(db)
        .await
}

/// How many suggestions an unknown street gets.
const SUGGESTIONS: usize = 5;

async fn suggest(db: &impl ConnectionTrait, key: &StreetKey) -> Result<Vec<String>, DbErr> {
    let streets = coverage_street::Entity::find().all(db).await?;
    let mut scored: Vec<(usize, String)> = streets
        .into_iter()
        .filter_map(|s| {
            let d = if s.name.contains(&key.name) || key.name.contains(&s.name) {
                0
            } else {
                address::distance(&s.name, &key.name)
            };
            // A third of the name may be mistyped.
            (d <= (key.name.chars().count() / 3).max(1)).then_some((d, s.display))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    Ok(scored
        .into_iter()
        .take(SUGGESTIONS)
        .map(|(_, name)| name)
        .collect())
}

/// Looks an address up in the coverage list.
pub async fn check(db: &impl ConnectionTrait, address: &Normalised) -> Result<Availability, DbErr> {
    let named = streets_named(db, &address.street.name).await?;
    // The type given must match; without one, the name must be unambiguous.
    let street = if address.street.kind.is_empty() {
        match named.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        }
    } else {
        named.into_iter().find(|s| s.kind == address.street.kind)
    };
    let Some(street) = street else {
        return Ok(Availability {
            house: address.house.clone(),
            suggestions: suggest(db, &address.street).await?,
            ..Availability::default()
        });
    };
    let rows = coverage_address::Entity::find()
        .filter(coverage_address::Column::StreetId.eq(street.id))
        .filter(coverage_address::Column::House.eq(address.house.clone()))
        .all(db)
        .await?;
    // A row for the entrance asked wins; a row without one covers the house.
    let row = rows
        .iter()
        .find(|r| r.entrance.is_some() && r.entrance == address.entrance)
        .or_else(|| rows.iter().find(|r| r.entrance.is_none()))
        .or_else(|| {
            // An entrance not given: any covered entrance says the house is.
            address.entrance.is_none().then(|| rows.first()).flatten()
        });
    let (technologies, tariff_codes) = match row {
        Some(row) => (
            row.technologies
                .split(';')
                .filter_map(Technology::parse)
                .collect(),
            row.tariffs
                .split(';')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    Ok(Availability {
        street: Some(street.display),
        street_id: Some(street.id),
        house: address.house.clone(),
        technologies,
        tariff_codes,
        suggestions: Vec::new(),
    })
}

/// What an import wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportReport {
    /// Streets in the list.
    pub streets: u64,
    /// Address rows in the list.
    pub addresses: u64,
}

/// A coverage file that cannot be imported; nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A line is wrong.
    #[error("line {line}: {message}")]
    Line {
        /// 1-based line number.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// The most rows one file may hold.
pub const MAX_ROWS: u64 = 1_000_000;

struct Row {
    street: StreetKey,
    display: String,
    house: String,
    entrance: Option<i32>,
    technologies: String,
    tariffs: String,
}

fn line_error(line: u64, message: impl Into<String>) -> ImportError {
    ImportError::Line {
        line,
        message: message.into(),
    }
}

fn parse_row(
    line: u64,
    record: &csv::StringRecord,
    tariffs: &[String],
) -> Result<Row, ImportError> {
    let field = |i: usize| record.get(i).unwrap_or("").trim();
    if record.len() != 5 {
        return Err(line_error(
            line,
            "expected 5 fields: street,house,entrance,technologies,tariffs",
        ));
    }
    if record
        .iter()
        .any(|f| f.chars().any(|c| c.is_control()) || f.chars().count() > 500)
    {
        return Err(line_error(
            line,
            "a field holds a control character or is too long",
        ));
    }
    let display = field(0);
    let street = StreetKey::parse(display).ok_or_else(|| line_error(line, "no street name"))?;
    if display.chars().count() > 100 {
        return Err(line_error(line, "street longer than 100 characters"));
    }
    let house = house_key(field(1)).ok_or_else(|| line_error(line, "no house number"))?;
    let entrance = match field(2) {
        "" => None,
        text => Some(
            text.parse::<i32>()
                .ok()
                .filter(|e| (1..=99).contains(e))
                .ok_or_else(|| line_error(line, "entrance is not a number from 1 to 99"))?,
        ),
    };
    let mut techs = Vec::new();
    for code in field(3).split(';').map(str::trim).filter(|c| !c.is_empty()) {
        let tech = Technology::parse(code)
            .ok_or_else(|| line_error(line, format!("unknown technology {code:?} (gpon, fttb)")))?;
        techs.push(tech.code());
    }
    if techs.is_empty() {
        return Err(line_error(line, "no technology"));
    }
    let mut codes = Vec::new();
    for code in field(4).split(';').map(str::trim).filter(|c| !c.is_empty()) {
        if !tariffs.iter().any(|t| t == code) {
            return Err(line_error(line, format!("unknown tariff {code:?}")));
        }
        codes.push(code);
    }
    Ok(Row {
        display: display.to_owned(),
        street,
        house,
        entrance,
        technologies: techs.join(";"),
        tariffs: codes.join(";"),
    })
}

/// Replaces the coverage list with the CSV in `reader` (header
/// `street,house,entrance,technologies,tariffs`; the last two `;`-separated
/// codes). Read as a stream; written in one transaction.
pub async fn import(
    db: &DatabaseConnection,
    reader: impl std::io::Read,
) -> Result<ImportReport, ImportError> {
    let tariffs: Vec<String> = crate::catalog::list(db, true, None)
        .await?
        .into_iter()
        .map(|i| i.code)
        .collect();
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(reader);
    let header = csv
        .headers()
        .map_err(|e| line_error(1, e.to_string()))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect::<Vec<_>>();
    if header != ["street", "house", "entrance", "technologies", "tariffs"] {
        return Err(line_error(
            1,
            "the header must be street,house,entrance,technologies,tariffs",
        ));
    }
    let tx = crate::db::begin_write(db).await?;
    match replace_all(&tx, csv, &tariffs).await {
        Ok(report) => {
            tx.commit().await?;
            Ok(report)
        }
        Err(err) => {
            // Given back at once, not whenever the pool gets round to it.
            tx.rollback().await?;
            Err(err)
        }
    }
}

/// The import's work inside its transaction.
async fn replace_all<R: std::io::Read>(
    tx: &sea_orm::DatabaseTransaction,
    mut csv: csv::Reader<R>,
    tariffs: &[String],
) -> Result<ImportReport, ImportError> {
    tx.execute_raw(crate::db::statement(
        tx,
        "DELETE FROM coverage_address",
        vec![],
    ))
    .await?;
    tx.execute_raw(crate::db::statement(
        tx,
        "DELETE FROM coverage_street",
        vec![],
    ))
    .await?;
    let mut streets: BTreeMap<StreetKey, i64> = BTreeMap::new();
    let mut seen = std::collections::HashSet::new();
    let mut report = ImportReport::default();
    let mut batch = Vec::new();
    for record in csv.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            line_error(line, e.to_string())
        })?;
        let line = record.position().map_or(0, |p| p.line());
        if report.addresses >= MAX_ROWS {
            return Err(line_error(line, format!("more than {MAX_ROWS} rows")));
        }
        let row = parse_row(line, &record, tariffs)?;
        let street_id = match streets.get(&row.street) {
            Some(id) => *id,
            None => {
                let id = coverage_street::Entity::insert(coverage_street::ActiveModel {
                    name: Set(row.street.name.clone()),
                    kind: Set(row.street.kind.clone()),
                    display: Set(row.display.clone()),
                    ..Default::default()
                })
                .exec(tx)
                .await?
                .last_insert_id;
                streets.insert(row.street.clone(), id);
                id
            }
        };
        if !seen.insert((street_id, row.house.clone(), row.entrance)) {
            return Err(line_error(line, "the same address again"));
        }
        batch.push(coverage_address::ActiveModel {
            street_id: Set(street_id),
            house: Set(row.house),
            entrance: Set(row.entrance),
            technologies: Set(row.technologies),
            tariffs: Set(row.tariffs),
            ..Default::default()
        });
        report.addresses += 1;
        if batch.len() >= 500 {
            coverage_address::Entity::insert_many(std::mem::take(&mut batch))
                .exec(tx)
                .await?;
        }
    }
    if !batch.is_empty() {
        coverage_address::Entity::insert_many(batch)
            .exec(tx)
            .await?;
    }
    report.streets = streets.len() as u64;
    Ok(report)
}
