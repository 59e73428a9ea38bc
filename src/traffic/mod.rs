//! Internet sessions and traffic: the network's accounting reports sessions
//! (`record`, `ingest`), devices new on an account are told to the subscriber
//! (`devices`), and the subscriber reads sessions, traffic per day and the
//! measured speed beside the tariff's (`store`, `report`, `daily`).

pub mod daily;
pub mod devices;
pub mod ingest;
pub mod record;
pub mod report;
pub mod store;

pub use ingest::{IngestError, MAX_BATCH, Outcome};
pub use record::Problem;
pub use store::Session;
