//! Printable documents made in process: the payment slip with its QR code and
//! the monthly statement.

pub mod contract;
pub mod pdf;
pub mod receipt;
pub mod statement;
