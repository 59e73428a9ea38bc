//! Who is calling. Every account-scoped resolver finds the account from the
//! viewer (which comes from the session), never from an id the client sends.

/// The caller of a request or WebSocket connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Viewer {
    account_id: Option<i64>,
}

impl Viewer {
    /// Someone who has not signed in.
    pub const fn anonymous() -> Self {
        Viewer { account_id: None }
    }

    /// A subscriber signed in to the account `account_id`.
    pub const fn subscriber(account_id: i64) -> Self {
        Viewer {
            account_id: Some(account_id),
        }
    }

    /// The signed-in subscriber's account, if any.
    pub const fn account_id(&self) -> Option<i64> {
        self.account_id
    }

    /// Whether the viewer may see the account `account_id`.
    pub fn owns_account(&self, account_id: i64) -> bool {
        self.account_id == Some(account_id)
    }
}
