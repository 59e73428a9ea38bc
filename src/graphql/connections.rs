//! GraphQL face of new connections: `connectionAvailability`,
//! `submitConnectionApplication`, `connectionApplication` for the applicant,
//! and the operators' tools (the list, status changes, connecting, the
//! coverage import).

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};

use super::catalog::Tariff;
use super::connection::{connection, page_request};
use super::context::ContextExt;
use super::errors::{ApiError, UserError, UserErrorCode};
use super::scalars::{Date, DateTime};
use crate::applications::{self, ApplicationError, NewApplication};
use crate::auth::ClientInfo;
use crate::coverage::{self, AddressError, AddressQuery, Technology};
use crate::ratelimit;

/// An address as a person types it: any spelling of the street («ул.
/// Тверская», «Тверская улица», «Ленинский пр-т»), the house with its корпус
/// or строение («12к2», «12 корп. 2»), and the entrance if known.
#[derive(Debug, Clone, InputObject)]
pub struct AddressInput {
    /// Street, up to 100 characters.
    pub street: String,
    /// House, up to 100 characters.
    pub house: String,
    /// Entrance (подъезд), 1–99.
    pub entrance: Option<i32>,
}

impl From<AddressInput> for AddressQuery {
    fn from(a: AddressInput) -> Self {
        AddressQuery {
            street: a.street,
            house: a.house,
            entrance: a.entrance,
        }
    }
}

/// How a house is connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ConnectionTechnology {
    /// Optical fibre to the flat (GPON).
    Gpon,
    /// Fibre to the building, Ethernet cable to the flat.
    Fttb,
}

impl From<Technology> for ConnectionTechnology {
    fn from(t: Technology) -> Self {
        match t {
            Technology::Gpon => ConnectionTechnology::Gpon,
            Technology::Fttb => ConnectionTechnology::Fttb,
        }
    }
}

fn address_message(err: AddressError) -> &'static str {
    match err {
        AddressError::NoStreet => "Укажите улицу",
        AddressError::NoHouse => "Укажите номер дома",
        AddressError::BadEntrance => "Номер подъезда — от 1 до 99",
        AddressError::TooLong => "Адрес слишком длинный",
    }
}

fn address_field(err: AddressError) -> &'static str {
    match err {
        AddressError::NoStreet | AddressError::TooLong => "street",
        AddressError::NoHouse => "house",
        AddressError::BadEntrance => "entrance",
    }
}

/// Whether a house can be connected, and how.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct ConnectionAvailability {
    /// Whether the network reaches the address.
    pub available: bool,
    /// The street as the coverage list names it (null when not found).
    pub street: Option<String>,
    /// The house, written one way («12к2»).
    pub house: String,
    /// The entrance asked about.
    pub entrance: Option<i32>,
    /// Technologies at the house.
    pub technologies: Vec<ConnectionTechnology>,
    /// Streets with a similar name, when the street was not found.
    pub suggestions: Vec<String>,
    /// What to tell the person, in Russian.
    pub message: String,
    #[graphql(skip)]
    tariff_codes: Vec<String>,
}

#[async_graphql::ComplexObject]
impl ConnectionAvailability {
    /// Tariffs offered at the address.
    #[graphql(complexity = "super::cost::times(super::cost::CATALOG_ITEMS, child_complexity)")]
    async fn tariffs(&self, ctx: &Context<'_>) -> Result<Vec<Tariff>, ApiError> {
        if self.tariff_codes.is_empty() {
            return Ok(Vec::new());
        }
        Ok(crate::catalog::list(ctx.db(), true, None)
            .await?
            .into_iter()
            .filter(|t| self.tariff_codes.contains(&t.code))
            .map(Tariff)
            .collect())
    }
}

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "applications::ApplicationStatus")]
pub enum ConnectionApplicationStatus {
    /// Received; we will call back.
    New,
    /// We called and spoke to the applicant.
    Contacted,
    /// The installation day is agreed.
    Scheduled,
    /// Connected: the account is open.
    Connected,
    /// Cancelled.
    Canceled,
}

/// An application to be connected.
#[derive(Debug, Clone)]
pub struct ConnectionApplication(applications::Application);

impl From<applications::Application> for ConnectionApplication {
    fn from(a: applications::Application) -> Self {
        ConnectionApplication(a)
    }
}

/// An application to be connected.
#[Object]
impl ConnectionApplication {
    /// The number to quote (with the phone) to follow it.
    async fn number(&self) -> &str {
        &self.0.number
    }

    /// Where it stands.
    async fn status(&self) -> ConnectionApplicationStatus {
        self.0.status.into()
    }

    /// The address to connect.
    async fn address(&self) -> &str {
        &self.0.address
    }

    /// The tariff asked for.
    async fn tariff(&self, ctx: &Context<'_>) -> Result<Option<Tariff>, ApiError> {
        Ok(ctx
            .loaders()
            .catalog
            .load_one(self.0.tariff_id)
            .await?
            .map(Tariff))
    }

    /// The installation day: proposed within 5 days, or as agreed.
    async fn installation_date(&self) -> Date {
        Date(self.0.installation_date)
    }

    /// The applicant's name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The applicant's phone: in full for operators, masked for anyone else.
    async fn phone(&self, ctx: &Context<'_>) -> String {
        let full = &self.0.phone;
        if ctx.staff().is_ok() {
            return full.clone();
        }
        crate::accounts::Phone::parse(full).map_or_else(|_| "***".to_owned(), |p| p.masked())
    }

    /// The account opened when connected: with it and the phone, the
    /// subscriber gets a login by SMS (`requestCredentials`).
    async fn account_number(&self, ctx: &Context<'_>) -> Result<Option<String>, ApiError> {
        let Some(id) = self.0.account_id else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()
            .accounts
            .load_one(id)
            .await?
            .map(|a| a.number.as_str().to_owned()))
    }

    /// Whether it carries a friend's referral code.
    async fn referred(&self) -> bool {
        self.0.referral_code.is_some()
    }

    /// When it was made.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }

    /// When it last changed.
    async fn updated_at(&self) -> DateTime {
        DateTime(self.0.updated_at)
    }
}

connection!(
    ConnectionApplicationConnection,
    ConnectionApplicationEdge,
    ConnectionApplication,
    "connection applications"
);

fn client(ctx: &Context<'_>) -> String {
    ctx.data_opt::<ClientInfo>()
        .and_then(|c| c.ip.clone())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Public reads of new connections.
#[derive(Default)]
pub struct ConnectionsQuery;

#[Object]
impl ConnectionsQuery {
    /// Whether a house can be connected, with which technologies and tariffs;
    /// suggestions when the street is not in the list. Anyone may ask.
    async fn connection_availability(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The address as typed.")] address: AddressInput,
    ) -> Result<ConnectionAvailability, ApiError> {
        let entrance = address.entrance;
        let normalised =
            AddressQuery::from(address)
                .normalise()
                .map_err(|e| ApiError::BadUserInput {
                    message: address_message(e).to_owned(),
                    argument: Some(match address_field(e) {
                        "street" => "address.street",
                        "house" => "address.house",
                        _ => "address.entrance",
                    }),
                })?;
        let found = coverage::check(ctx.db(), &normalised).await?;
        let available = found.available();
        let message = match (&found.street, available) {
            (_, true) => "Дом подключён: выберите тариф и оставьте заявку",
            (Some(_), false) => "Этот дом пока не подключён",
            (None, false) if found.suggestions.is_empty() => {
                "Такой улицы нет в списке подключённых"
            }
            (None, false) => "Улица не найдена: может быть, вы имели в виду одну из этих?",
        };
        Ok(ConnectionAvailability {
            available,
            street: found.street,
            house: found.house,
            entrance,
            technologies: found.technologies.into_iter().map(Into::into).collect(),
            suggestions: found.suggestions,
            message: message.to_owned(),
            tariff_codes: found.tariff_codes,
        })
    }

    /// An application followed by its number and the phone it was made with;
    /// null when either does not match. Limited per client address.
    async fn connection_application(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The application's number.")] number: String,
        #[graphql(desc = "The phone the application was made with.")] phone: String,
    ) -> Result<Option<ConnectionApplication>, ApiError> {
        let now = ctx.clock().now();
        ratelimit::hit(
            ctx.db(),
            now,
            &applications::LOOKUPS_PER_CLIENT,
            &client(ctx),
        )
        .await
        .map_err(super::payments::limited)?;
        if number.chars().count() > 20 || phone.chars().count() > 30 {
            return Ok(None);
        }
        Ok(applications::find_for_applicant(ctx.db(), &number, &phone)
            .await?
            .map(Into::into))
    }
}

/// Input of `submitConnectionApplication`.
#[derive(Debug, InputObject)]
pub struct SubmitConnectionApplicationInput {
    /// Where to connect.
    pub address: AddressInput,
    /// The tariff wanted (its `id`; one offered at the address).
    pub tariff_id: async_graphql::ID,
    /// Who to call back (up to 100 characters).
    pub name: String,
    /// Their mobile phone, +7XXXXXXXXXX (other usual spellings accepted).
    pub phone: String,
    /// A friend's referral code (from their referral link), if any.
    pub referral_code: Option<String>,
}

/// Result of `submitConnectionApplication`.
#[derive(Debug, SimpleObject)]
pub struct SubmitConnectionApplicationPayload {
    /// The application: quote its number with the phone to follow it.
    pub application: Option<ConnectionApplication>,
    /// Streets with a similar name, when the street was not found.
    pub suggestions: Vec<String>,
    /// `REQUIRED`, `TOO_LONG`, `INVALID_VALUE`, `NOT_COVERED`, `NOT_OFFERED`,
    /// `NOT_FOUND`.
    pub user_errors: Vec<UserError>,
}

/// Every application refusal as a person reads it: the input field at fault,
/// its code and the sentence; `None` for what is not the user's to fix.
fn refusal(err: &ApplicationError) -> Option<(&'static str, UserErrorCode, &'static str)> {
    use ApplicationError as E;
    use UserErrorCode as C;
    Some(match err {
        E::Address(e) => (
            match address_field(*e) {
                "street" => "address.street",
                "house" => "address.house",
                _ => "address.entrance",
            },
            if *e == AddressError::TooLong {
                C::TooLong
            } else {
                C::InvalidValue
            },
            address_message(*e),
        ),
        E::NotCovered { .. } => (
            "address",
            C::NotCovered,
            "Этот адрес пока не подключён к сети",
        ),
        E::NoTariff => ("tariffId", C::NotFound, "Такого тарифа нет"),
        E::TariffNotOffered => (
            "tariffId",
            C::NotOffered,
            "Этот тариф недоступен по вашему адресу",
        ),
        E::NameRequired => ("name", C::Required, "Укажите, как к вам обращаться"),
        E::NameTooLong => ("name", C::TooLong, "Имя длиннее 100 символов"),
        E::BadPhone => (
            "phone",
            C::InvalidValue,
            "Укажите мобильный телефон в формате +7XXXXXXXXXX",
        ),
        E::UnknownReferralCode => (
            "referralCode",
            C::InvalidValue,
            "Такого кода приглашения нет: проверьте ссылку друга",
        ),
        E::NotFound => ("number", C::NotFound, "Заявки с таким номером нет"),
        E::Transition { .. } => (
            "status",
            C::InvalidTransition,
            "Из текущего состояния заявку так изменить нельзя",
        ),
        E::DateInPast => (
            "installationDate",
            C::InvalidValue,
            "Дата установки уже прошла",
        ),
        E::RateLimited { .. } | E::Db(_) => return None,
    })
}

fn user_error(err: ApplicationError) -> Result<UserError, ApiError> {
    match refusal(&err) {
        Some((field, code, message)) => {
            let path: Vec<&str> = std::iter::once("input").chain(field.split('.')).collect();
            Ok(UserError::at(&path, code, message))
        }
        None => Err(match err {
            ApplicationError::RateLimited { retry_at } => ApiError::RateLimited { retry_at },
            ApplicationError::Db(e) => e.into(),
            other => ApiError::internal(other),
        }),
    }
}

/// Applications from anyone.
#[derive(Default)]
pub struct ConnectionsMutation;

#[Object]
impl ConnectionsMutation {
    /// Asks to be connected at a covered address; staff call back and a
    /// technician comes within 5 days. Anyone may ask; limited per client
    /// address, phone and house (the error `RATE_LIMITED` says when to retry).
    async fn submit_connection_application(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Address, tariff, name, phone and a friend's code.")]
        input: SubmitConnectionApplicationInput,
    ) -> Result<SubmitConnectionApplicationPayload, ApiError> {
        let refused =
            |err: ApplicationError| -> Result<SubmitConnectionApplicationPayload, ApiError> {
                let suggestions = match &err {
                    ApplicationError::NotCovered { suggestions } => suggestions.clone(),
                    _ => Vec::new(),
                };
                Ok(SubmitConnectionApplicationPayload {
                    application: None,
                    suggestions,
                    user_errors: vec![user_error(err)?],
                })
            };
        if input.tariff_id.chars().count() > 64 {
            return refused(ApplicationError::NoTariff);
        }
        let new = NewApplication {
            address: input.address.into(),
            tariff: super::catalog::code_of(ctx, &input.tariff_id).await?,
            name: input.name,
            phone: input.phone,
            referral_code: input.referral_code,
        };
        match applications::submit(ctx.db(), ctx.clock().now(), &client(ctx), new).await {
            Ok(application) => Ok(SubmitConnectionApplicationPayload {
                application: Some(application.into()),
                suggestions: Vec::new(),
                user_errors: Vec::new(),
            }),
            Err(err) => refused(err),
        }
    }
}

/// Operators' reads of applications (part of `StaffQuery`).
pub(super) async fn staff_applications(
    ctx: &Context<'_>,
    status: Option<ConnectionApplicationStatus>,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> Result<ConnectionApplicationConnection, ApiError> {
    let request = page_request(first, after, last, before)?;
    Ok(
        applications::page(ctx.db(), status.map(Into::into), &request)
            .await?
            .into(),
    )
}

/// Input of `staff.setConnectionApplicationStatus`.
#[derive(Debug, InputObject)]
pub struct SetConnectionApplicationStatusInput {
    /// The application's number.
    pub number: String,
    /// The new status (not `CONNECTED`: use `markApplicationConnected`).
    pub status: ConnectionApplicationStatus,
    /// The installation day agreed, if it changes.
    pub installation_date: Option<Date>,
}

/// Input of `staff.markApplicationConnected`.
#[derive(Debug, InputObject)]
pub struct MarkApplicationConnectedInput {
    /// The application's number.
    pub number: String,
}

/// Result of the operators' application mutations.
#[derive(Debug, SimpleObject)]
pub struct ConnectionApplicationPayload {
    /// The application as it is now.
    pub application: Option<ConnectionApplication>,
    /// Points the friend who referred the applicant got (on connecting).
    pub referral_points: Option<i32>,
    /// `NOT_FOUND`, `INVALID_TRANSITION`, `INVALID_VALUE`.
    pub user_errors: Vec<UserError>,
}

impl ConnectionApplicationPayload {
    fn refused(err: ApplicationError) -> Result<Self, ApiError> {
        Ok(ConnectionApplicationPayload {
            application: None,
            referral_points: None,
            user_errors: vec![user_error(err)?],
        })
    }
}

/// Input of `staff.importCoverage`.
#[derive(Debug, InputObject)]
pub struct ImportCoverageInput {
    /// CSV with the header `street,house,entrance,technologies,tariffs` (the
    /// last two `;`-separated codes); it replaces the whole list.
    pub csv: String,
}

/// What a coverage import wrote.
#[derive(Debug, SimpleObject)]
pub struct CoverageImportReport {
    /// Streets in the list.
    pub streets: i32,
    /// Address rows in the list.
    pub addresses: i32,
}

/// Result of `staff.importCoverage`.
#[derive(Debug, SimpleObject)]
pub struct ImportCoveragePayload {
    /// What was written (null when refused: then nothing changed).
    pub report: Option<CoverageImportReport>,
    /// `INVALID_VALUE` with the line and what is wrong.
    pub user_errors: Vec<UserError>,
}

/// Operators' mutations of new connections (part of `StaffMutation`).
pub struct ConnectionsStaffMutation;

/// Operators' mutations of new connections.
#[Object]
impl ConnectionsStaffMutation {
    /// Moves an application: NEW → CONTACTED or CANCELED; CONTACTED → SCHEDULED
    /// or CANCELED; SCHEDULED → CONTACTED or CANCELED. Anything else is
    /// `INVALID_TRANSITION`.
    async fn set_connection_application_status(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The application, its new status and installation day.")]
        input: SetConnectionApplicationStatusInput,
    ) -> Result<ConnectionApplicationPayload, ApiError> {
        match applications::set_status(
            ctx.db(),
            ctx.clock().now(),
            input.number.trim(),
            input.status.into(),
            input.installation_date.map(|d| d.0),
        )
        .await
        {
            Ok(application) => Ok(ConnectionApplicationPayload {
                application: Some(application.into()),
                referral_points: None,
                user_errors: Vec::new(),
            }),
            Err(err) => ConnectionApplicationPayload::refused(err),
        }
    }

    /// Marks an application connected: opens the account with the tariff from
    /// today and gives the referring friend their points, once.
    async fn mark_application_connected(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The application.")] input: MarkApplicationConnectedInput,
    ) -> Result<ConnectionApplicationPayload, ApiError> {
        let rules = ctx.data_unchecked::<crate::bonus::BonusRules>();
        match applications::mark_connected(
            ctx.db(),
            ctx.clock().as_ref(),
            rules,
            input.number.trim(),
        )
        .await
        {
            Ok(done) => Ok(ConnectionApplicationPayload {
                application: Some(done.application.into()),
                referral_points: done
                    .referral_points
                    .map(|p| i32::try_from(p).unwrap_or(i32::MAX)),
                user_errors: Vec::new(),
            }),
            Err(err) => ConnectionApplicationPayload::refused(err),
        }
    }

    /// Replaces the coverage list with a CSV file; a broken file changes
    /// nothing and says its line.
    async fn import_coverage(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The CSV text.")] input: ImportCoverageInput,
    ) -> Result<ImportCoveragePayload, ApiError> {
        match coverage::import(ctx.db(), input.csv.as_bytes()).await {
            Ok(report) => Ok(ImportCoveragePayload {
                report: Some(CoverageImportReport {
                    streets: i32::try_from(report.streets).unwrap_or(i32::MAX),
                    addresses: i32::try_from(report.addresses).unwrap_or(i32::MAX),
                }),
                user_errors: Vec::new(),
            }),
            Err(coverage::ImportError::Line { line, message }) => Ok(ImportCoveragePayload {
                report: None,
                user_errors: vec![UserError::at(
                    &["input", "csv"],
                    UserErrorCode::InvalidValue,
                    format!("Строка {line}: {message}"),
                )],
            }),
            Err(coverage::ImportError::Db(e)) => Err(e.into()),
        }
    }
}
