//! Who is calling, and how they sign in: credentials (subscribers and staff),
//! sessions with hashed tokens, lockout after wrong passwords.
//!
//! Every account-scoped resolver finds the account from the viewer (which
//! comes from the session), never from an id the client sends.

mod credentials;
pub mod lockout;
pub mod password;
mod session_ends;
mod sessions;
pub mod token;

pub use credentials::{
    AuthError, CredentialRequest, LOGINS_PER_ADDRESS, LoginAttempt, LoginOutcome, MAX_LOGIN_LENGTH,
    NewCredential, PASSWORD_LENGTH, REQUESTS_PER_ACCOUNT, REQUESTS_PER_ADDRESS, REQUESTS_PER_PHONE,
    StaffMember, add_staff, change_password, login, request_credentials, seed_credential,
    staff_by_login, staff_member,
};
pub use entity::credential::Role;
pub use session_ends::SessionEnds;
pub use sessions::{
    ClientInfo, Session, authenticate, authenticate_with_account, find_many as find_sessions,
    is_live as session_is_live, list_for_account, list_for_credential, revoke,
    revoke_all_for_credential,
};

/// The caller of a request or WebSocket connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Viewer {
    identity: Identity,
    session_id: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Identity {
    #[default]
    Anonymous,
    Subscriber {
        account_id: i64,
        credential_id: i64,
    },
    Staff {
        credential_id: i64,
    },
}

impl Viewer {
    /// Someone who has not signed in.
    pub const fn anonymous() -> Self {
        Viewer {
            identity: Identity::Anonymous,
            session_id: None,
        }
    }

    /// The viewer of an authenticated session.
    pub fn from_session(session: &Session) -> Self {
        let identity = match (session.role, session.account_id) {
            (Role::Subscriber, Some(account_id)) => Identity::Subscriber {
                account_id,
                credential_id: session.credential_id,
            },
            (Role::Staff, _) => Identity::Staff {
                credential_id: session.credential_id,
            },
            // A subscriber credential without an account cannot exist (schema constraint).
            (Role::Subscriber, None) => Identity::Anonymous,
        };
        Viewer {
            identity,
            session_id: Some(session.id),
        }
    }

    /// The signed-in subscriber's account, if any.
    pub const fn account_id(&self) -> Option<i64> {
        match self.identity {
            Identity::Subscriber { account_id, .. } => Some(account_id),
            _ => None,
        }
    }

    /// The credential the viewer signed in with.
    pub const fn credential_id(&self) -> Option<i64> {
        match self.identity {
            Identity::Subscriber { credential_id, .. } | Identity::Staff { credential_id } => {
                Some(credential_id)
            }
            Identity::Anonymous => None,
        }
    }

    /// The session of this request.
    pub const fn session_id(&self) -> Option<i64> {
        self.session_id
    }

    /// Whether nobody is signed in.
    pub const fn is_anonymous(&self) -> bool {
        matches!(self.identity, Identity::Anonymous)
    }

    /// Whether the viewer is an operator.
    pub const fn is_staff(&self) -> bool {
        matches!(self.identity, Identity::Staff { .. })
    }

    /// Whether the account `account_id` is the viewer's own.
    pub fn owns_account(&self, account_id: i64) -> bool {
        self.account_id() == Some(account_id)
    }

    /// Whether the viewer may see the account `account_id`: its owner, or staff.
    pub fn can_see_account(&self, account_id: i64) -> bool {
        self.owns_account(account_id) || self.is_staff()
    }
}
