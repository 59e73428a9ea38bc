//! The operators' EPG import: an XMLTV document sent as a string (operators'
//! requests may be larger, see `KABINET_STAFF_BODY_LIMIT`), applied with the
//! same importer as `kabinet import-epg`.

use async_graphql::{Context, InputObject, Object, SimpleObject};

use super::context::ContextExt;
use super::errors::{ApiError, UserError};
use crate::tv::import;

/// Input of `importEpg`.
#[derive(Debug, InputObject)]
pub struct ImportEpgInput {
    /// The XMLTV document, as text.
    pub xmltv: String,
}

/// What an import changed.
#[derive(Debug, Clone, SimpleObject)]
pub struct EpgImportReport {
    /// Channels in the file.
    pub channels: i32,
    /// Of them, channels that were new.
    pub new_channels: i32,
    /// Programmes written.
    pub programmes: i32,
    /// Programmes of the covered time ranges that were replaced.
    pub replaced: i32,
}

/// Result of `importEpg`.
#[derive(Debug, SimpleObject)]
pub struct ImportEpgPayload {
    /// What changed; null when the file was refused.
    pub report: Option<EpgImportReport>,
    /// `INVALID_VALUE` for a file that is not valid XMLTV (the message names
    /// the line); nothing is changed then.
    pub user_errors: Vec<UserError>,
}

fn count(n: impl TryInto<i32>) -> i32 {
    n.try_into().unwrap_or(i32::MAX)
}

/// Operators' TV guide mutations (part of `StaffMutation`).
#[derive(Default)]
pub struct TvStaffMutation;

#[Object]
impl TvStaffMutation {
    /// Imports an XMLTV file into the guide: channels are added or renamed, and
    /// each channel's programmes in the time range the file covers are replaced.
    /// A file that does not parse changes nothing.
    async fn import_epg(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The XMLTV document.")] input: ImportEpgInput,
    ) -> Result<ImportEpgPayload, ApiError> {
        ctx.staff()?;
        match import::import(ctx.db(), input.xmltv.as_bytes()).await {
            Ok(report) => Ok(ImportEpgPayload {
                report: Some(EpgImportReport {
                    channels: count(report.channels),
                    new_channels: count(report.new_channels),
                    programmes: count(report.programmes),
                    replaced: count(report.replaced),
                }),
                user_errors: Vec::new(),
            }),
            Err(err) => match super::tv::refusal(&err) {
                Some((field, code, message)) => Ok(ImportEpgPayload {
                    report: None,
                    user_errors: vec![UserError::at(&["input", field], code, message)],
                }),
                None => Err(ApiError::internal(err)),
            },
        }
    }
}
