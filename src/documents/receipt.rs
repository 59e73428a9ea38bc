//! The payment slip (квитанция, form ПД-4): the payee's bank details, the
//! account number and the sum, with the payment QR code of GOST R 56042-2014
//! that banking apps scan.

use qrcode::{Color, EcLevel, QrCode};

use super::pdf::{HEIGHT, Image, Page, PdfError};
use crate::money::Kopecks;

/// Who is paid: the provider's bank details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payee {
    /// Name of the company.
    pub name: String,
    /// Settlement account (р/с), 20 digits.
    pub account: String,
    /// Bank name.
    pub bank: String,
    /// Bank identification code (БИК), 9 digits.
    pub bic: String,
    /// Correspondent account (к/с), 20 digits.
    pub corr_account: String,
    /// Taxpayer number (ИНН).
    pub inn: String,
    /// Tax registration reason code (КПП).
    pub kpp: String,
}

/// What one slip is for.
#[derive(Debug, Clone)]
pub struct Slip<'a> {
    /// The payee.
    pub payee: &'a Payee,
    /// The subscriber's account number (лицевой счёт).
    pub account_number: &'a str,
    /// The contract holder.
    pub holder_name: &'a str,
    /// The service address.
    pub address: &'a str,
    /// The sum.
    pub amount: Kopecks,
}

/// A value for the QR payload: its separator and line breaks cannot appear.
fn clean(value: &str) -> String {
    value
        .chars()
        .map(|c| if c == '|' || c.is_control() { ' ' } else { c })
        .collect()
}

impl Slip<'_> {
    /// What the payment is for.
    pub fn purpose(&self) -> String {
        format!(
            "Оплата услуг связи по лицевому счёту {}",
            self.account_number
        )
    }

    /// The GOST R 56042-2014 payload: `ST00012` (UTF-8), the required fields
    /// first in their order, then the payer's account and the sum in kopecks.
    pub fn qr_payload(&self) -> String {
        let p = self.payee;
        format!(
            "ST00012|Name={}|PersonalAcc={}|BankName={}|BIC={}|CorrespAcc={}|PayeeINN={}|KPP={}|Purpose={}|PersAcc={}|Sum={}",
            clean(&p.name),
            clean(&p.account),
            clean(&p.bank),
            clean(&p.bic),
            clean(&p.corr_account),
            clean(&p.inn),
            clean(&p.kpp),
            clean(&self.purpose()),
            clean(self.account_number),
            self.amount.get()
        )
    }

    /// The QR code as an image, one pixel per module with a 4-module quiet
    /// zone.
    pub fn qr_image(&self) -> Result<Image, qrcode::types::QrError> {
        let code = QrCode::with_error_correction_level(self.qr_payload().as_bytes(), EcLevel::M)?;
        let modules = code.width();
        let quiet = 4;
        let side = modules + 2 * quiet;
        let colors = code.to_colors();
        let mut pixels = vec![255u8; side * side];
        for y in 0..modules {
            for x in 0..modules {
                if colors[y * modules + x] == Color::Dark {
                    pixels[(y + quiet) * side + x + quiet] = 0;
                }
            }
        }
        let side = u32::try_from(side).unwrap_or(0);
        Ok(Image {
            width: side,
            height: side,
            pixels,
        })
    }

    /// The slip as a PDF: the notice (извещение) and the receipt (квитанция),
    /// each with the payee, the payer and the sum; the QR beside the notice.
    pub fn render(&self) -> Result<Vec<u8>, SlipError> {
        let mut page = Page::new();
        let sum = format!("{} руб.", self.amount.to_decimal_string());
        let p = self.payee;
        let details = [
            format!("Получатель: {}", p.name),
            format!("ИНН {}   КПП {}", p.inn, p.kpp),
            format!("Р/с {}", p.account),
            format!("{}, БИК {}", p.bank, p.bic),
            format!("К/с {}", p.corr_account),
            format!("Назначение: {}", self.purpose()),
            format!("Лицевой счёт: {}", self.account_number),
            format!("Плательщик: {}", self.holder_name),
            format!("Адрес: {}", self.address),
            format!("Сумма: {sum}"),
            "Подпись плательщика: ____________________".to_owned(),
        ];
        let top = HEIGHT - 60.0;
        let half = 330.0;
        for (section, title) in [(0.0, "ИЗВЕЩЕНИЕ"), (half, "КВИТАНЦИЯ")] {
            let y0 = top - section;
            page.line(40.0, y0 + 20.0, 555.0, y0 + 20.0);
            page.text(48.0, y0, 12.0, title);
            page.text(48.0, y0 - 16.0, 8.0, "Кассир");
            page.line(190.0, y0 + 20.0, 190.0, y0 - 300.0);
            for (i, line) in details.iter().enumerate() {
                let y = y0 - 4.0 - 22.0 * i as f32;
                page.text(200.0, y, 10.0, line.clone());
            }
        }
        page.line(
            40.0,
            top - half - 300.0 + 20.0,
            555.0,
            top - half - 300.0 + 20.0,
        );
        page.image(48.0, top - 190.0, 130.0, self.qr_image()?);
        page.text(48.0, top - 205.0, 7.0, "Отсканируйте в приложении банка");
        Ok(page.render(&format!("Квитанция: лицевой счёт {}", self.account_number))?)
    }
}

/// Why a slip could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SlipError {
    /// The QR payload does not fit a QR code.
    #[error("the QR code cannot be made: {0}")]
    Qr(#[from] qrcode::types::QrError),
    /// The PDF could not be made.
    #[error(transparent)]
    Pdf(#[from] PdfError),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payee() -> Payee {
        Payee {
            name: "ООО «Онлайм»".into(),
            account: "40702810900000000001".into(),
            bank: "ПАО Сбербанк".into(),
            bic: "044525225".into(),
            corr_account: "30101810400000000225".into(),
            inn: "7700000000".into(),
            kpp: "770001001".into(),
        }
    }

    #[test]
    fn the_payload_has_the_required_fields_first_in_order() {
        let payee = payee();
        let slip = Slip {
            payee: &payee,
            account_number: "100000000001",
            holder_name: "Иванов Иван Иванович",
            address: "г. Москва",
            amount: Kopecks::new(123_456),
        };
        assert_eq!(
            slip.qr_payload(),
            "ST00012|Name=ООО «Онлайм»|PersonalAcc=40702810900000000001|BankName=ПАО Сбербанк|\
             BIC=044525225|CorrespAcc=30101810400000000225|PayeeINN=7700000000|KPP=770001001|\
             Purpose=Оплата услуг связи по лицевому счёту 100000000001|PersAcc=100000000001|Sum=123456"
        );
        let pipe = Payee {
            name: "A|B".into(),
            ..payee.clone()
        };
        let odd = Slip {
            payee: &pipe,
            ..slip
        };
        assert!(odd.qr_payload().starts_with("ST00012|Name=A B|"));
    }
}
