//! The Russian sentences the API shows people, in one place: what each
//! domain's errors say, and the sentences more than one resolver needs. Domain
//! errors carry a code and data only; this catalogue says them in Russian.

use crate::accounts::AccountError;
use crate::money::MoneyParseError;

/// A period whose start comes after its end (`from` after `to`).
pub const REVERSED_PERIOD: &str = "Начало периода позже его конца";

/// Something failed on our side.
pub const INTERNAL: &str = "Внутренняя ошибка сервера";

/// [`INTERNAL`], naming the request so support can find it.
pub fn internal_with_id(request_id: &str) -> String {
    format!("{INTERNAL}. Код запроса: {request_id}")
}

/// The session behind a WebSocket (or a request) has ended.
pub const SESSION_ENDED: &str = "Сессия завершена: войдите снова";
/// An account number that is not one.
pub const ACCOUNT_NUMBER_FORM: &str = "Номер лицевого счёта состоит из 12 цифр";
/// An account number nobody has.
pub const NO_SUCH_ACCOUNT: &str = "Такого лицевого счёта нет";
/// A programme id that is not in the guide.
pub const NO_SUCH_PROGRAMME: &str = "Такой передачи нет в программе";
/// A time range whose end is not after its start.
pub const PERIOD_BACKWARDS: &str = "Конец периода должен быть позже начала";
/// An idempotency key used before for another request.
pub const KEY_REUSED: &str =
    "Этот ключ идемпотентности уже использован для другого запроса: пришлите новый ключ";
/// Stars outside 1..5.
pub const STARS_RANGE: &str = "Оценка — от 1 до 5 звёзд";

/// Why a sum of money was refused.
pub fn money(error: &MoneyParseError) -> &'static str {
    match error {
        MoneyParseError::Malformed => {
            "сумма должна быть числом с точкой и не более чем двумя знаками после неё, например \"549.00\""
        }
        MoneyParseError::TooPrecise => {
            "в сумме не может быть больше двух знаков после точки (копейки)"
        }
        MoneyParseError::TooLarge => "сумма слишком велика",
    }
}

/// Why an account value was refused.
pub fn account(error: &AccountError) -> &'static str {
    match error {
        AccountError::InvalidNumber => "номер лицевого счёта состоит из 12 цифр",
        AccountError::InvalidPhone => {
            "номер телефона должен быть российским: +7XXXXXXXXXX, 8XXXXXXXXXX или 7XXXXXXXXXX"
        }
    }
}
