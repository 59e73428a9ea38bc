//! GraphQL face of payments: `createPayment`, `paymentMethods`,
//! `Account.payments` and the `Payment` type.

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::Duration;

use super::billing::{Transaction, parse_key};
use super::connection::{connection, page_request};
use super::context::ContextExt;
use super::errors::{ApiError, UserError, UserErrorCode};
use super::messages;
use super::node::{GlobalId, NodeKind};
use super::scalars::{DateTime, Decimal, Money};
use crate::accounts::{self, AccountNumber};
use crate::auth::ClientInfo;
use crate::money::Kopecks;
use crate::payments::methods::{self, AmountError, Method};
use crate::payments::{self, NewPayment, PaymentError, PaymentStatus as Status, Payments, refunds};
use crate::ratelimit::{self, Limit, RateLimitError};

/// Payments started without signing in, per client address.
const ANONYMOUS_PER_ADDRESS: Limit = Limit {
    name: "payment_anonymous",
    max: 10,
    window: Duration::minutes(10),
};
/// Payments a signed-in subscriber starts, per account.
const PER_ACCOUNT: Limit = Limit {
    name: "payment_account",
    max: 30,
    window: Duration::hours(1),
};

/// A way to pay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[graphql(remote = "Method")]
pub enum PaymentMethod {
    /// A bank card, on the payment provider's page.
    BankCard,
    /// The Faster Payments System (СБП), on the payment provider's page.
    Sbp,
    /// A payment terminal or a bank, quoting the account number (not started
    /// online).
    Terminal,
}

/// Where a payment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum PaymentStatus {
    /// Waiting for the payer on the provider's page (`confirmationUrl`).
    Pending,
    /// Paid and credited to the balance.
    Succeeded,
    /// Declined or cancelled.
    Canceled,
    /// Not confirmed in time.
    Expired,
}

impl From<Status> for PaymentStatus {
    fn from(status: Status) -> Self {
        match status {
            // Reservations are never shown; one would still be waiting.
            Status::New | Status::Pending => PaymentStatus::Pending,
            Status::Succeeded => PaymentStatus::Succeeded,
            Status::Canceled => PaymentStatus::Canceled,
            Status::Expired => PaymentStatus::Expired,
        }
    }
}

/// A top-up through the payment provider.
#[derive(Debug, Clone)]
pub struct Payment(pub payments::Payment);

impl From<payments::Payment> for Payment {
    fn from(payment: payments::Payment) -> Self {
        Payment(payment)
    }
}

/// A top-up through the payment provider.
#[Object]
impl Payment {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        GlobalId::encode(NodeKind::Payment, self.0.id)
    }

    /// What is credited to the balance.
    async fn amount(&self) -> Money {
        self.0.amount.into()
    }

    /// What the payer pays on top (zero for a card).
    async fn commission(&self) -> Money {
        self.0.commission.into()
    }

    /// What the payer pays: amount plus commission.
    async fn total(&self) -> Money {
        (self.0.amount + self.0.commission).into()
    }

    /// How it is paid.
    async fn method(&self) -> PaymentMethod {
        self.0.method.into()
    }

    /// Where it stands.
    async fn status(&self) -> PaymentStatus {
        self.0.status.into()
    }

    /// Where to send the payer to pay, while the payment is pending.
    async fn confirmation_url(&self) -> Option<&str> {
        match self.0.status {
            Status::Pending => self.0.confirmation_url.as_deref(),
            _ => None,
        }
    }

    /// When it was started.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }

    /// Until when it can be paid; afterwards it expires.
    async fn expires_at(&self) -> DateTime {
        DateTime(self.0.expires_at)
    }

    /// When it succeeded, was cancelled or expired.
    async fn finished_at(&self) -> Option<DateTime> {
        self.0.finished_at.map(DateTime)
    }

    /// Why it was cancelled, in Russian.
    async fn cancel_reason(&self) -> Option<&'static str> {
        (self.0.status == Status::Canceled).then_some(match self.0.cancel_reason.as_deref() {
            Some("expired_on_confirmation") => "Время на оплату истекло",
            Some("canceled_by_payer") => "Оплата отменена",
            _ => "Банк или платёжная система отклонили оплату",
        })
    }

    /// Refunds of this payment, oldest first.
    #[graphql(complexity = "super::cost::times(super::cost::OWN_ITEMS, child_complexity)")]
    async fn refunds(&self, ctx: &Context<'_>) -> Result<Vec<Refund>, ApiError> {
        Ok(ctx
            .loaders()
            .refunds
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Refund)
            .collect())
    }

    /// The entry that credited the balance (once succeeded).
    async fn transaction(&self, ctx: &Context<'_>) -> Result<Option<Transaction>, ApiError> {
        let Some(entry_id) = self.0.ledger_entry_id else {
            return Ok(None);
        };
        Ok(ctx
            .loaders()
            .ledger_entries
            .load_one(entry_id)
            .await?
            .filter(|e| e.account_id == self.0.account_id)
            .map(Transaction::from))
    }
}

connection!(PaymentConnection, PaymentEdge, Payment, "payments");

/// Where a refund stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
pub enum RefundStatus {
    /// Sent to the payment provider, not yet confirmed.
    Pending,
    /// The money went back to the payer; the balance was debited.
    Succeeded,
    /// The provider refused it; nothing moved.
    Canceled,
}

/// Money returned from a payment to the payer.
#[derive(Debug, Clone)]
pub struct Refund(pub refunds::Refund);

/// Money returned from a payment to the payer.
#[Object]
impl Refund {
    /// Opaque id.
    async fn id(&self) -> ID {
        ID(format!("r{}", self.0.id))
    }

    /// What is returned.
    async fn amount(&self) -> Money {
        self.0.amount.into()
    }

    /// Why, as the operator wrote it.
    async fn reason(&self) -> &str {
        &self.0.reason
    }

    /// Where it stands.
    async fn status(&self) -> RefundStatus {
        match self.0.status.as_str() {
            "succeeded" => RefundStatus::Succeeded,
            "canceled" => RefundStatus::Canceled,
            _ => RefundStatus::Pending,
        }
    }

    /// When it was asked for.
    async fn created_at(&self) -> DateTime {
        DateTime(self.0.created_at)
    }

    /// When the provider confirmed or refused it.
    async fn finished_at(&self) -> Option<DateTime> {
        self.0.finished_at.map(DateTime)
    }
}

/// A way to pay, with what it costs, shown before paying.
#[derive(Debug, Clone, SimpleObject)]
pub struct PaymentMethodInfo {
    /// The way.
    pub method: PaymentMethod,
    /// Its name, in Russian.
    pub name: String,
    /// Whether `createPayment` starts it (a terminal payment starts at the
    /// terminal, with the account number).
    pub online: bool,
    /// The commission the payer pays on top, percent of the amount.
    pub commission_percent: Decimal,
    /// The commission on the amount asked about (rounded up to a kopeck);
    /// null when no amount was given.
    pub commission: Option<Money>,
    /// The amount plus the commission; null when no amount was given.
    pub total: Option<Money>,
    /// Smallest payment.
    pub min_amount: Money,
    /// Largest payment.
    pub max_amount: Money,
}

fn method_name(method: Method) -> &'static str {
    match method {
        Method::BankCard => "Банковская карта",
        Method::Sbp => "Система быстрых платежей (СБП)",
        Method::Terminal => "Терминал или банк по номеру лицевого счёта",
    }
}

/// Root fields about payments.
#[derive(Default)]
pub struct PaymentsQuery;

#[Object]
impl PaymentsQuery {
    /// Every way to pay with its commission and limits; with `amount`, what
    /// that payment would cost each way. Anyone may ask.
    #[graphql(complexity = "super::cost::times(super::cost::CATALOG_ITEMS, child_complexity)")]
    async fn payment_methods(
        &self,
        #[graphql(desc = "The top-up to price.")] amount: Option<Decimal>,
    ) -> Vec<PaymentMethodInfo> {
        Method::ALL
            .into_iter()
            .map(|method| {
                let commission = amount.map(|a| method.commission_on(a.0));
                PaymentMethodInfo {
                    method: method.into(),
                    name: method_name(method).to_owned(),
                    online: method.online(),
                    commission_percent: Decimal(Kopecks::new(i64::from(
                        method.commission_basis_points(),
                    ))),
                    commission: commission.map(Into::into),
                    total: amount.zip(commission).map(|(a, c)| (a.0 + c).into()),
                    min_amount: methods::MIN_AMOUNT.into(),
                    max_amount: methods::MAX_AMOUNT.into(),
                }
            })
            .collect()
    }
}

/// Input of `createPayment`.
#[derive(Debug, InputObject)]
pub struct CreatePaymentInput {
    /// What to credit, 1.00 … 100000.00.
    pub amount: Decimal,
    /// How to pay (a card unless said otherwise).
    #[graphql(default_with = "PaymentMethod::BankCard")]
    pub method: PaymentMethod,
    /// Where the provider sends the payer back (http or https).
    pub return_url: String,
    /// Keep the card for later payments and autopayment.
    #[graphql(default)]
    pub save_card: bool,
    /// Repeating a request with the same key returns the first payment.
    pub idempotency_key: Option<String>,
    /// Pay into this account (12 digits) without signing in, or for someone
    /// else; without it, into the signed-in subscriber's account.
    pub account_number: Option<String>,
}

/// Result of `createPayment`.
#[derive(Debug, SimpleObject)]
pub struct CreatePaymentPayload {
    /// The payment: send the payer to its `confirmationUrl`.
    pub payment: Option<Payment>,
    /// The holder of the account paid into, masked («И***в И. И.»), to
    /// confirm the account number.
    pub holder_name: Option<String>,
    /// `AMOUNT_TOO_SMALL`, `AMOUNT_TOO_LARGE`, `INVALID_VALUE`, `NOT_FOUND`,
    /// `ACCOUNT_CLOSED`, `IDEMPOTENCY_KEY_REUSED`, `PROVIDER_UNAVAILABLE`.
    pub user_errors: Vec<UserError>,
}

impl CreatePaymentPayload {
    fn refused(error: UserError) -> Self {
        CreatePaymentPayload {
            payment: None,
            holder_name: None,
            user_errors: vec![error],
        }
    }
}

/// A payment refusal as a person reads it, or `None` when it was not theirs.
pub(super) fn refusal(err: &PaymentError) -> Option<UserError> {
    use UserErrorCode as C;
    let at =
        |field: &str, code, message: &str| Some(UserError::at(&["input", field], code, message));
    match err {
        PaymentError::Amount(AmountError::TooSmall) => {
            at("amount", C::AmountTooSmall, "Сумма платежа — не меньше 1 ₽")
        }
        PaymentError::Amount(AmountError::TooLarge) => at(
            "amount",
            C::AmountTooLarge,
            "Сумма платежа — не больше 100 000 ₽",
        ),
        PaymentError::MethodNotOnline => at(
            "method",
            C::InvalidValue,
            "Этот способ оплаты не начинается в личном кабинете: оплатите в терминале или банке по номеру лицевого счёта",
        ),
        PaymentError::ReturnUrlInvalid => at(
            "returnUrl",
            C::InvalidValue,
            "Адрес возврата должен начинаться с http:// или https:// и быть не длиннее 2048 символов",
        ),
        PaymentError::NoAccount => at("accountNumber", C::NotFound, messages::NO_SUCH_ACCOUNT),
        PaymentError::AccountClosed => Some(UserError::general(
            C::AccountClosed,
            "Договор расторгнут: пополнить этот лицевой счёт нельзя",
        )),
        PaymentError::IdempotencyKeyReused => at(
            "idempotencyKey",
            C::IdempotencyKeyReused,
            messages::KEY_REUSED,
        ),
        PaymentError::Provider(crate::payments::provider::ProviderError::Unavailable(_)) => {
            Some(UserError::general(
                C::ProviderUnavailable,
                "Платёжная система сейчас недоступна, платёж не создан: попробуйте через несколько минут",
            ))
        }
        PaymentError::PaymentNotFound => at("paymentId", C::NotFound, "Такого платежа нет"),
        PaymentError::NotPaid => at(
            "paymentId",
            C::InvalidValue,
            "Вернуть можно только оплаченный платёж",
        ),
        PaymentError::RefundNotPositive => at(
            "amount",
            C::AmountTooSmall,
            "Сумма возврата должна быть больше нуля",
        ),
        PaymentError::RefundTooLarge { available } => Some(UserError::at(
            &["input", "amount"],
            C::AmountTooLarge,
            format!(
                "Вернуть можно не больше {} ₽: остальное уже возвращено или не было оплачено",
                available.to_decimal_string()
            ),
        )),
        PaymentError::ReasonMissing => at("reason", C::Required, "Укажите причину возврата"),
        PaymentError::ReasonTooLong => at("reason", C::TooLong, "Причина длиннее 300 символов"),
        PaymentError::Provider(crate::payments::provider::ProviderError::Refused(_)) => Some(
            UserError::general(C::ProviderRefused, "Платёжная система отказала в операции"),
        ),
        PaymentError::CardNotFound => at("cardId", C::NotFound, "Такой сохранённой карты нет"),
        PaymentError::ThresholdMissing => at(
            "threshold",
            C::Required,
            "Укажите порог: автоплатёж пополнит счёт, когда баланс опустится ниже него",
        ),
        PaymentError::ThresholdOutOfRange => {
            at("threshold", C::InvalidValue, "Порог — от 0 до 100 000 ₽")
        }
        PaymentError::DayOfMonthOutOfRange => at(
            "dayOfMonth",
            C::InvalidValue,
            "День месяца — от 1 до 31 (в коротком месяце — его последний день)",
        ),
        PaymentError::Provider(_) | PaymentError::Billing(_) | PaymentError::Db(_) => None,
    }
}

pub(super) fn limited(err: RateLimitError) -> ApiError {
    match err {
        RateLimitError::Limited { retry_at } => ApiError::RateLimited { retry_at },
        RateLimitError::Db(e) => e.into(),
    }
}

/// Payment mutations.
#[derive(Default)]
pub struct PaymentsMutation;

#[Object]
impl PaymentsMutation {
    /// Starts a top-up through the payment provider and returns the payment
    /// with the URL of the provider's page. Signed in, it credits the
    /// subscriber's own account; with `accountNumber`, anyone may pay into that
    /// account (the answer shows only the masked holder name), limited per
    /// client address.
    async fn create_payment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Amount, method, return URL, card saving and key.")]
        input: CreatePaymentInput,
    ) -> Result<CreatePaymentPayload, ApiError> {
        let now = ctx.clock().now();
        let key = parse_key(input.idempotency_key.as_deref())?;
        let own = ctx.viewer().account_id();
        let (account, anonymous) = match (&input.account_number, own) {
            (Some(number), _) => {
                let Ok(number) = AccountNumber::parse(number) else {
                    return Ok(CreatePaymentPayload::refused(UserError::at(
                        &["input", "accountNumber"],
                        UserErrorCode::InvalidValue,
                        messages::ACCOUNT_NUMBER_FORM,
                    )));
                };
                let subject = ctx
                    .data_opt::<ClientInfo>()
                    .and_then(|c| c.ip.clone())
                    .unwrap_or_else(|| "unknown".to_owned());
                ratelimit::hit(ctx.db(), now, &ANONYMOUS_PER_ADDRESS, &subject)
                    .await
                    .map_err(limited)?;
                let account = accounts::find_by_number(ctx.db(), &number).await?;
                let Some(account) = account else {
                    return Ok(CreatePaymentPayload::refused(UserError::at(
                        &["input", "accountNumber"],
                        UserErrorCode::NotFound,
                        messages::NO_SUCH_ACCOUNT,
                    )));
                };
                let anonymous = own != Some(account.id);
                (account, anonymous)
            }
            (None, Some(account_id)) => {
                ratelimit::hit(ctx.db(), now, &PER_ACCOUNT, &account_id.to_string())
                    .await
                    .map_err(limited)?;
                let account = ctx
                    .loaders()
                    .accounts
                    .load_one(account_id)
                    .await?
                    .ok_or(ApiError::Unauthenticated)?;
                (account, false)
            }
            (None, None) => return Err(ApiError::Unauthenticated),
        };
        let new = NewPayment {
            account_id: account.id,
            amount: input.amount.0,
            method: input.method.into(),
            return_url: input.return_url,
            // A stranger cannot save a card on someone else's account.
            save_card: input.save_card && !anonymous,
            anonymous,
            key,
        };
        let holder_name = anonymous.then(|| account.masked_holder_name());
        match ctx.data_unchecked::<Payments>().create(now, new).await {
            Ok(payment) => Ok(CreatePaymentPayload {
                payment: Some(payment.into()),
                holder_name,
                user_errors: Vec::new(),
            }),
            Err(err) => match refusal(&err) {
                Some(error) => Ok(CreatePaymentPayload {
                    payment: None,
                    holder_name,
                    user_errors: vec![error],
                }),
                None => Err(ApiError::internal(err)),
            },
        }
    }
}

/// The account's payments (for `Account.payments`).
pub(super) async fn account_payments(
    ctx: &Context<'_>,
    account_id: i64,
    first: Option<i32>,
    after: Option<String>,
    last: Option<i32>,
    before: Option<String>,
) -> Result<PaymentConnection, ApiError> {
    let request = page_request(first, after, last, before)?;
    Ok(payments::page(ctx.db(), account_id, &request).await?.into())
}

/// Input of `staff.refundPayment`.
#[derive(Debug, InputObject)]
pub struct RefundPaymentInput {
    /// The payment's ID.
    pub payment_id: ID,
    /// What to return: part or all of what is left.
    pub amount: Decimal,
    /// Why, 1–300 characters; shown in the subscriber's history.
    pub reason: String,
}

/// Result of `staff.refundPayment`.
#[derive(Debug, SimpleObject)]
pub struct RefundPaymentPayload {
    /// The refund (pending until the provider confirms).
    pub refund: Option<Refund>,
    /// `NOT_FOUND`, `INVALID_VALUE`, `AMOUNT_TOO_SMALL`, `AMOUNT_TOO_LARGE`,
    /// `REQUIRED`, `TOO_LONG`, `PROVIDER_REFUSED`.
    pub user_errors: Vec<UserError>,
}

/// Operators' payment mutations (part of `StaffMutation`).
pub struct PaymentsStaffMutation {
    /// The operator.
    pub credential_id: i64,
}

/// Operators' payment mutations.
#[Object]
impl PaymentsStaffMutation {
    /// Returns part or all of a paid payment to the payer through the payment
    /// provider; the balance is debited (kind `REFUND`) once the provider
    /// confirms. Never more than was paid, whatever runs at the same time.
    async fn refund_payment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Payment, amount and reason.")] input: RefundPaymentInput,
    ) -> Result<RefundPaymentPayload, ApiError> {
        let refused = |error| RefundPaymentPayload {
            refund: None,
            user_errors: vec![error],
        };
        let payment_id = match GlobalId::decode(&input.payment_id) {
            Some(GlobalId {
                kind: NodeKind::Payment,
                key,
            }) => key,
            _ => {
                return Ok(refused(UserError::at(
                    &["input", "paymentId"],
                    UserErrorCode::NotFound,
                    "Такого платежа нет",
                )));
            }
        };
        let result = ctx
            .data_unchecked::<Payments>()
            .refund(
                ctx.clock().now(),
                self.credential_id,
                payment_id,
                input.amount.0,
                &input.reason,
            )
            .await;
        match result {
            Ok(refund) => Ok(RefundPaymentPayload {
                refund: Some(Refund(refund)),
                user_errors: Vec::new(),
            }),
            Err(err) => match refusal(&err) {
                Some(error) => Ok(refused(error)),
                None => Err(ApiError::internal(err)),
            },
        }
    }
}

/// The gateway's address as browsers reach it (for document links).
#[derive(Debug, Clone)]
pub struct PublicUrl(pub String);

/// A payment slip (квитанция) to print or to scan in a banking app.
#[derive(Debug, Clone)]
pub struct PaymentReceipt {
    receipt: crate::payments::receipts::Receipt,
    qr_payload: String,
    url: String,
}

/// A payment slip (квитанция) to print or to scan in a banking app.
#[Object]
impl PaymentReceipt {
    /// Opaque id.
    async fn id(&self) -> ID {
        ID(self.receipt.id.clone())
    }

    /// The sum on the slip.
    async fn amount(&self) -> Money {
        self.receipt.amount.into()
    }

    /// The PDF (open it with the same bearer token; nobody else can).
    async fn url(&self) -> &str {
        &self.url
    }

    /// The payment QR code's text (GOST R 56042-2014), the same as printed.
    async fn qr_payload(&self) -> &str {
        &self.qr_payload
    }

    /// When it was made.
    async fn created_at(&self) -> DateTime {
        DateTime(self.receipt.created_at)
    }
}

/// Input of `createPaymentReceipt`.
#[derive(Debug, InputObject)]
pub struct CreatePaymentReceiptInput {
    /// The sum to pay, 1.00 … 100000.00.
    pub amount: Decimal,
}

/// Result of `createPaymentReceipt`.
#[derive(Debug, SimpleObject)]
pub struct CreatePaymentReceiptPayload {
    /// The slip.
    pub receipt: Option<PaymentReceipt>,
    /// `AMOUNT_TOO_SMALL`, `AMOUNT_TOO_LARGE`.
    pub user_errors: Vec<UserError>,
}

/// Payment slips.
#[derive(Default)]
pub struct ReceiptsMutation;

#[Object]
impl ReceiptsMutation {
    /// Makes a payment slip for the signed-in subscriber's account: a PDF with
    /// the payee's bank details, the account number, the sum and the payment
    /// QR code, to pay at a bank or by scanning.
    async fn create_payment_receipt(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The sum.")] input: CreatePaymentReceiptInput,
    ) -> Result<CreatePaymentReceiptPayload, ApiError> {
        let account_id = ctx.subscriber()?;
        let account = ctx
            .loaders()
            .accounts
            .load_one(account_id)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        let receipt = match crate::payments::receipts::create(
            ctx.db(),
            ctx.clock().now(),
            account_id,
            input.amount.0,
        )
        .await
        {
            Ok(receipt) => receipt,
            Err(err) => {
                return match refusal(&err) {
                    Some(error) => Ok(CreatePaymentReceiptPayload {
                        receipt: None,
                        user_errors: vec![error],
                    }),
                    None => Err(ApiError::internal(err)),
                };
            }
        };
        let payee = ctx.data_unchecked::<crate::documents::receipt::Payee>();
        let slip = crate::documents::receipt::Slip {
            payee,
            account_number: account.number.as_str(),
            holder_name: &account.holder_name,
            address: &account.address,
            amount: receipt.amount,
        };
        let base = &ctx.data_unchecked::<PublicUrl>().0;
        Ok(CreatePaymentReceiptPayload {
            receipt: Some(PaymentReceipt {
                qr_payload: slip.qr_payload(),
                url: format!("{base}/documents/receipts/{}.pdf", receipt.id),
                receipt,
            }),
            user_errors: Vec::new(),
        })
    }
}
