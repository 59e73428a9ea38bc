//! GraphQL face of sign-in: requesting credentials, login, logout, password
//! change, and the list of login sessions.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::Duration;

use super::accounts::Account;
use super::context::ContextExt;
use super::errors::{ApiError, UserError, UserErrorCode};
use super::messages;
use super::node::{GlobalId, NodeKind};
use super::scalars::DateTime;
use crate::auth::AuthError;
use crate::auth::{self, ClientInfo, Session, password::PasswordHasher};
use crate::sms::SmsWake;
use crate::time::moscow_text;

/// How long sessions last (schema data).
#[derive(Debug, Clone, Copy)]
pub struct SessionTtl(pub Duration);

fn signed_in(ctx: &Context<'_>) -> Result<(i64, Option<i64>), ApiError> {
    let viewer = ctx.viewer();
    viewer
        .credential_id()
        .map(|credential| (credential, viewer.session_id()))
        .ok_or(ApiError::Unauthenticated)
}

fn client(ctx: &Context<'_>) -> ClientInfo {
    ctx.data_opt::<ClientInfo>().cloned().unwrap_or_default()
}

fn hasher<'c>(ctx: &Context<'c>) -> &'c PasswordHasher {
    ctx.data_unchecked::<PasswordHasher>()
}

/// A signed-in session of the account, as listed to its owner.
#[derive(Debug, Clone)]
pub struct LoginSession {
    session: Session,
    current: bool,
}

impl LoginSession {
    /// The session as `ctx`'s viewer sees it.
    pub fn new(ctx: &Context<'_>, session: Session) -> Self {
        let current = ctx.viewer().session_id() == Some(session.id);
        LoginSession { session, current }
    }

    /// The credential the session belongs to (for ownership checks).
    pub fn credential_id(&self) -> i64 {
        self.session.credential_id
    }
}

/// A signed-in session (a device or browser) of the account.
#[Object]
impl LoginSession {
    /// Opaque global ID; pass it to `revokeLoginSession`.
    pub async fn id(&self) -> ID {
        GlobalId::encode(NodeKind::LoginSession, self.session.id)
    }

    /// Device or browser, from its `User-Agent`.
    async fn user_agent(&self) -> Option<&str> {
        self.session.user_agent.as_deref()
    }

    /// Address the session signed in from.
    async fn ip_address(&self) -> Option<&str> {
        self.session.ip_address.as_deref()
    }

    /// When it signed in.
    async fn created_at(&self) -> DateTime {
        DateTime(self.session.created_at)
    }

    /// Its last request (to the minute).
    async fn last_seen_at(&self) -> DateTime {
        DateTime(self.session.last_seen_at)
    }

    /// When it stops working unless ended earlier.
    async fn expires_at(&self) -> DateTime {
        DateTime(self.session.expires_at)
    }

    /// Whether this is the session making the request.
    async fn current(&self) -> bool {
        self.current
    }
}

/// What kind of user a session belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum ViewerRole {
    /// A subscriber: sees their own account.
    Subscriber,
    /// An operator: uses the `staff` fields.
    Staff,
}

/// Input of `requestCredentials`.
#[derive(Debug, InputObject)]
pub struct RequestCredentialsInput {
    /// Account number (лицевой счёт), 12 digits; spaces allowed.
    pub account_number: String,
    /// The contract's mobile phone in any usual spelling: `+7 (999) 000-00-01`, `89990000001`.
    pub phone: String,
    /// "I accept the rules of service": must be true.
    pub accept_rules: bool,
}

/// Result of `requestCredentials`. The same whether or not the pair matched.
#[derive(Debug, SimpleObject)]
pub struct RequestCredentialsPayload {
    /// Whether the request was taken (false only with user errors).
    pub accepted: bool,
    /// What happens next, in Russian, ready to show.
    pub message: String,
    /// Problems with the input.
    pub user_errors: Vec<UserError>,
}

/// Input of `login`.
#[derive(Debug, InputObject)]
pub struct LoginInput {
    /// Login from the SMS (case does not matter).
    pub login: String,
    /// Password.
    pub password: String,
}

/// Result of `login`.
#[derive(Debug, SimpleObject)]
pub struct LoginPayload {
    /// Bearer token for `Authorization: Bearer <token>`; shown only now.
    pub token: Option<String>,
    /// When the token stops working.
    pub expires_at: Option<DateTime>,
    /// Subscriber or staff.
    pub role: Option<ViewerRole>,
    /// The subscriber's account (null for staff and on failure).
    pub account: Option<Account>,
    /// When sign-in is locked after wrong passwords: until when.
    pub locked_until: Option<DateTime>,
    /// Why sign-in failed: `INVALID_CREDENTIALS`, `LOGIN_LOCKED`.
    pub user_errors: Vec<UserError>,
}

impl LoginPayload {
    fn failed(error: UserError, locked_until: Option<DateTime>) -> Self {
        LoginPayload {
            token: None,
            expires_at: None,
            role: None,
            account: None,
            locked_until,
            user_errors: vec![error],
        }
    }
}

/// Result of `logout`.
#[derive(Debug, SimpleObject)]
pub struct LogoutPayload {
    /// Whether a session was ended.
    pub ok: bool,
    /// Always empty; here for the payload convention.
    pub user_errors: Vec<UserError>,
}

/// Result of `logoutEverywhere`.
#[derive(Debug, SimpleObject)]
pub struct LogoutEverywherePayload {
    /// How many sessions were ended, this one included.
    pub ended_sessions: i32,
    /// Always empty; here for the payload convention.
    pub user_errors: Vec<UserError>,
}

/// Input of `changePassword`.
#[derive(Debug, InputObject)]
pub struct ChangePasswordInput {
    /// The password now in use.
    pub current_password: String,
    /// The new password: 8 to 128 characters.
    pub new_password: String,
}

/// Result of `changePassword`.
#[derive(Debug, SimpleObject)]
pub struct ChangePasswordPayload {
    /// Whether the password was changed (every other session is then ended).
    pub ok: bool,
    /// `WRONG_PASSWORD`, `LOGIN_LOCKED` (after too many wrong passwords), `TOO_SHORT`, `TOO_LONG`.
    pub user_errors: Vec<UserError>,
}

/// Input of `revokeLoginSession`.
#[derive(Debug, InputObject)]
pub struct RevokeLoginSessionInput {
    /// The session's `id` from `loginSessions`.
    pub id: ID,
}

/// Result of `revokeLoginSession`.
#[derive(Debug, SimpleObject)]
pub struct RevokeLoginSessionPayload {
    /// Whether the session was ended.
    pub ok: bool,
    /// `NOT_FOUND` when there is no such live session of yours.
    pub user_errors: Vec<UserError>,
}

const CREDENTIALS_SENT: &str = "Если номер лицевого счёта и телефон совпадают с договором, \
логин и пароль придут в SMS на телефон договора в течение нескольких минут.";

/// Every sign-in refusal as a person reads it: the one place auth errors are
/// said. A rate limit and our own failures are GraphQL errors, not user errors.
fn refusal(err: AuthError) -> Result<UserError, ApiError> {
    use UserErrorCode as C;
    let at = |field: &str, code, message: String| UserError::at(&["input", field], code, message);
    Ok(match err {
        AuthError::RulesNotAccepted => at(
            "acceptRules",
            C::RulesNotAccepted,
            "Чтобы получить доступ, примите правила оказания услуг".into(),
        ),
        AuthError::InvalidAccountNumber => at(
            "accountNumber",
            C::InvalidValue,
            messages::ACCOUNT_NUMBER_FORM.into(),
        ),
        AuthError::InvalidPhone => at(
            "phone",
            C::InvalidValue,
            "Укажите мобильный телефон из договора: +7XXXXXXXXXX".into(),
        ),
        AuthError::InvalidCredentials => {
            UserError::general(C::InvalidCredentials, "Неверный логин или пароль")
        }
        AuthError::LoginTooLong => at(
            "login",
            C::TooLong,
            format!(
                "Логин не длиннее {} символов: это номер лицевого счёта или логин из SMS",
                auth::MAX_LOGIN_LENGTH
            ),
        ),
        AuthError::Locked { until } => UserError::general(
            C::LoginLocked,
            format!(
                "Слишком много неверных паролей: вход и смена пароля заблокированы до {}. Забыли пароль — запросите новый по номеру счёта и телефону",
                moscow_text(until)
            ),
        ),
        AuthError::WrongPassword => at(
            "currentPassword",
            C::WrongPassword,
            "Текущий пароль указан неверно".into(),
        ),
        AuthError::PasswordTooShort => at(
            "newPassword",
            C::TooShort,
            format!(
                "Пароль должен быть не короче {} символов",
                auth::PASSWORD_LENGTH.start()
            ),
        ),
        AuthError::PasswordTooLong => at(
            "newPassword",
            C::TooLong,
            format!(
                "Пароль должен быть не длиннее {} символов",
                auth::PASSWORD_LENGTH.end()
            ),
        ),
        AuthError::RateLimited { retry_at } => return Err(ApiError::RateLimited { retry_at }),
        other @ (AuthError::InvalidStaffLogin
        | AuthError::LoginTaken
        | AuthError::Hashing(_)
        | AuthError::Db(_)) => return Err(ApiError::internal(other)),
    })
}

/// Sign-in mutations.
#[derive(Default)]
pub struct AuthMutation;

#[Object]
impl AuthMutation {
    /// First registration and password recovery alike: when the account number and
    /// the contract phone match, a login and a new password go by SMS to that phone
    /// and every open session of the account ends. The answer is the same whether or
    /// not they matched. Limited per account, per phone and per client address
    /// (`RATE_LIMITED` with `extensions.retryAt`).
    async fn request_credentials(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Account number, contract phone and consent.")]
        input: RequestCredentialsInput,
    ) -> Result<RequestCredentialsPayload, ApiError> {
        let request = auth::CredentialRequest {
            account_number: input.account_number,
            phone: input.phone,
            accept_rules: input.accept_rules,
        };
        let outcome = auth::request_credentials(
            ctx.db(),
            ctx.clock().now(),
            hasher(ctx),
            &client(ctx),
            request,
        )
        .await;
        let user_error = match outcome {
            Ok(()) => {
                ctx.data_unchecked::<SmsWake>().0.notify_one();
                return Ok(RequestCredentialsPayload {
                    accepted: true,
                    message: CREDENTIALS_SENT.to_owned(),
                    user_errors: Vec::new(),
                });
            }
            Err(err) => refusal(err)?,
        };
        Ok(RequestCredentialsPayload {
            accepted: false,
            message: user_error.message.clone(),
            user_errors: vec![user_error],
        })
    }

    /// Signs in with the login and password from the SMS (or a staff login). After a
    /// few wrong passwords the login is locked for a while (`LOGIN_LOCKED`, with
    /// `lockedUntil`); an unknown login and a wrong password look the same.
    async fn login(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Login and password.")] input: LoginInput,
    ) -> Result<LoginPayload, ApiError> {
        let ttl = ctx.data_unchecked::<SessionTtl>().0;
        let attempt = auth::LoginAttempt {
            login: input.login,
            password: input.password,
        };
        match auth::login(
            ctx.db(),
            ctx.clock().now(),
            hasher(ctx),
            &client(ctx),
            ttl,
            attempt,
        )
        .await
        {
            Ok(outcome) => {
                let session = outcome.session;
                let account = match session.account_id {
                    Some(id) => ctx
                        .loaders()
                        .accounts
                        .load_one(id)
                        .await?
                        .map(Account::from),
                    None => None,
                };
                let role = match session.role {
                    auth::Role::Subscriber => ViewerRole::Subscriber,
                    auth::Role::Staff => ViewerRole::Staff,
                };
                Ok(LoginPayload {
                    token: Some(outcome.token),
                    expires_at: Some(DateTime(session.expires_at)),
                    role: Some(role),
                    account,
                    locked_until: None,
                    user_errors: Vec::new(),
                })
            }
            Err(err) => {
                let locked_until = match &err {
                    AuthError::Locked { until } => Some(DateTime(*until)),
                    _ => None,
                };
                Ok(LoginPayload::failed(refusal(err)?, locked_until))
            }
        }
    }

    /// Ends this session.
    async fn logout(&self, ctx: &Context<'_>) -> Result<LogoutPayload, ApiError> {
        let (credential, session) = signed_in(ctx)?;
        let ok = match session {
            Some(session) => auth::revoke(ctx.db(), ctx.clock().now(), credential, session).await?,
            None => false,
        };
        Ok(LogoutPayload {
            ok,
            user_errors: Vec::new(),
        })
    }

    /// Ends every session of this login, this one included.
    async fn logout_everywhere(
        &self,
        ctx: &Context<'_>,
    ) -> Result<LogoutEverywherePayload, ApiError> {
        let (credential, _) = signed_in(ctx)?;
        let ended =
            auth::revoke_all_for_credential(ctx.db(), ctx.clock().now(), credential, None).await?;
        Ok(LogoutEverywherePayload {
            ended_sessions: i32::try_from(ended).unwrap_or(i32::MAX),
            user_errors: Vec::new(),
        })
    }

    /// Changes the password; every other session ends, this one goes on.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Current and new password.")] input: ChangePasswordInput,
    ) -> Result<ChangePasswordPayload, ApiError> {
        let (credential, session) = signed_in(ctx)?;
        let outcome = auth::change_password(
            ctx.db(),
            ctx.clock().now(),
            hasher(ctx),
            credential,
            session,
            input.current_password,
            input.new_password,
        )
        .await;
        let error = match outcome {
            Ok(()) => {
                return Ok(ChangePasswordPayload {
                    ok: true,
                    user_errors: Vec::new(),
                });
            }
            Err(err) => refusal(err)?,
        };
        Ok(ChangePasswordPayload {
            ok: false,
            user_errors: vec![error],
        })
    }

    /// Ends one of your sessions (e.g. a lost phone), found in `loginSessions`.
    async fn revoke_login_session(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The session to end.")] input: RevokeLoginSessionInput,
    ) -> Result<RevokeLoginSessionPayload, ApiError> {
        let (credential, _) = signed_in(ctx)?;
        let id = GlobalId::parse("input.id", &input.id)?;
        let ok = id.kind == NodeKind::LoginSession
            && auth::revoke(ctx.db(), ctx.clock().now(), credential, id.key).await?;
        Ok(RevokeLoginSessionPayload {
            ok,
            user_errors: if ok {
                Vec::new()
            } else {
                vec![UserError::at(
                    &["input", "id"],
                    UserErrorCode::NotFound,
                    "Такого активного сеанса нет",
                )]
            },
        })
    }
}
