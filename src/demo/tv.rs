//! The demo TV guide: 220 channels in packages and a week of plausible Russian
//! programme around today, written as an XMLTV document and imported through
//! `tv::import`, so the demo takes the same path as a real EPG feed.

use std::fmt::Write as _;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{DatabaseConnection, DbErr};

use crate::time::{MOSCOW, moscow_date, start_of_moscow_day};
use crate::tv;

/// Channels in the demo guide.
pub const CHANNELS: usize = 220;

struct Theme {
    package: &'static str,
    channels: usize,
    /// (title, category, genres, people, minutes, age)
    shows: &'static [(
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        i64,
        i32,
    )],
}

const THEMES: &[Theme] = &[
    Theme {
        package: "base",
        channels: 110,
        shows: &[
            (
                "Новости",
                "Новости",
                "",
                "presenter:Екатерина Андреева",
                30,
                0,
            ),
            (
                "Доброе утро",
                "Развлекательное",
                "Утреннее шоу",
                "presenter:Ирина Муромцева",
                90,
                12,
            ),
            (
                "Поле чудес",
                "Развлекательное",
                "Игра",
                "presenter:Леонид Якубович",
                60,
                0,
            ),
            (
                "Что? Где? Когда?",
                "Развлекательное",
                "Интеллектуальная игра",
                "presenter:Борис Крюк",
                90,
                12,
            ),
            (
                "Ирония судьбы, или С лёгким паром!",
                "Фильм",
                "Комедия\nМелодрама",
                "director:Эльдар Рязанов\nactor:Андрей Мягков\nactor:Барбара Брыльска",
                120,
                0,
            ),
            (
                "Москва слезам не верит",
                "Фильм",
                "Мелодрама",
                "director:Владимир Меньшов\nactor:Вера Алентова",
                120,
                12,
            ),
            (
                "Тёмный сезон",
                "Сериал",
                "Детектив",
                "director:Анна Пармас\nactor:Сергей Бурунов",
                60,
                16,
            ),
            (
                "Время",
                "Новости",
                "",
                "presenter:Екатерина Андреева",
                45,
                0,
            ),
            (
                "Вечерний Ургант",
                "Развлекательное",
                "Ток-шоу",
                "presenter:Иван Ургант",
                60,
                16,
            ),
            (
                "Непутёвые заметки",
                "Документальный",
                "Путешествия",
                "presenter:Дмитрий Крылов",
                30,
                0,
            ),
        ],
    },
    Theme {
        package: "kino",
        channels: 30,
        shows: &[
            (
                "Брат",
                "Фильм",
                "Криминал\nДрама",
                "director:Алексей Балабанов\nactor:Сергей Бодров",
                100,
                18,
            ),
            (
                "Служебный роман",
                "Фильм",
                "Комедия",
                "director:Эльдар Рязанов\nactor:Андрей Мягков\nactor:Алиса Фрейндлих",
                150,
                0,
            ),
            (
                "Бриллиантовая рука",
                "Фильм",
                "Комедия",
                "director:Леонид Гайдай\nactor:Юрий Никулин",
                100,
                0,
            ),
            (
                "Легенда №17",
                "Фильм",
                "Спорт\nДрама",
                "director:Николай Лебедев\nactor:Данила Козловский",
                135,
                12,
            ),
            (
                "Кухня",
                "Сериал",
                "Комедия",
                "actor:Дмитрий Назаров",
                30,
                16,
            ),
            (
                "Тёмный сезон",
                "Сериал",
                "Детектив",
                "director:Анна Пармас\nactor:Сергей Бурунов",
                60,
                16,
            ),
        ],
    },
    Theme {
        package: "sport",
        channels: 10,
        shows: &[
            (
                "Футбол. Российская Премьер-лига. «Спартак» — «ЦСКА»",
                "Спорт",
                "Футбол",
                "commentator:Константин Генич",
                120,
                0,
            ),
            (
                "Хоккей. КХЛ. СКА — «Динамо»",
                "Спорт",
                "Хоккей",
                "commentator:Роман Скворцов",
                150,
                0,
            ),
            (
                "Футбола нет: обзор недели",
                "Спорт",
                "Футбол",
                "presenter:Георгий Черданцев",
                60,
                0,
            ),
            (
                "Все на Матч!",
                "Спорт",
                "Ток-шоу",
                "presenter:Евгений Савин",
                60,
                0,
            ),
        ],
    },
    Theme {
        package: "kids",
        channels: 12,
        shows: &[
            ("Смешарики", "Детям", "Мультфильм", "", 30, 0),
            ("Фиксики", "Детям", "Мультфильм", "", 30, 0),
            (
                "Ну, погоди!",
                "Детям",
                "Мультфильм",
                "director:Вячеслав Котёночкин",
                30,
                0,
            ),
            ("Маша и Медведь", "Детям", "Мультфильм", "", 30, 0),
        ],
    },
    Theme {
        package: "knowledge",
        channels: 30,
        shows: &[
            ("Моя планета", "Документальный", "Природа", "", 60, 0),
            (
                "Тайны Кремля",
                "Документальный",
                "История",
                "presenter:Сергей Брилёв",
                60,
                12,
            ),
            ("Новости науки", "Новости", "Наука", "", 30, 0),
        ],
    },
    Theme {
        package: "music",
        channels: 28,
        shows: &[
            ("Песня года", "Музыка", "Концерт", "", 120, 0),
            ("Хит-парад", "Музыка", "", "presenter:Алла Михеева", 60, 12),
        ],
    },
];

/// Packages sold as catalog services (the demo catalog in `demo::money`); the base package
/// comes with every TV tariff.
const SOLD_AS: &[(&str, &str)] = &[
    ("kino", "tv-kino"),
    ("sport", "tv-sport"),
    ("kids", "tv-kids"),
];

const PACKAGES: &[(&str, &str, &str, bool)] = &[
    ("base", "Базовый", "Федеральные и городские каналы", true),
    (
        "kino",
        "Кино и сериалы",
        "Отечественное и мировое кино",
        false,
    ),
    ("sport", "Спорт", "Футбол, хоккей и всё о спорте", false),
    ("kids", "Детский", "Мультфильмы и передачи для детей", false),
    (
        "knowledge",
        "Познавательный",
        "Природа, история, наука",
        false,
    ),
    ("music", "Музыкальный", "Концерты и клипы", false),
];

const FAMOUS: &[&str] = &[
    "Первый канал",
    "Россия 1",
    "НТВ",
    "Пятый канал",
    "Россия К",
    "Москва 24",
    "ТВ Центр",
    "СТС",
    "ТНТ",
    "РЕН ТВ",
];

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn xmltv_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&MOSCOW)
        .format("%Y%m%d%H%M%S %z")
        .to_string()
}

/// The demo guide as XMLTV: days from two days ago to four days ahead of `now`.
pub fn document(now: DateTime<Utc>) -> String {
    document_of_days(now, 7)
}

/// The demo guide as XMLTV: `days` Moscow days from two days before `now`.
pub fn document_of_days(now: DateTime<Utc>, days: i64) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<tv generator-info-name=\"kabinet-demo\">\n",
    );
    let mut channels = Vec::new();
    let mut number = 0;
    for theme in THEMES {
        for i in 0..theme.channels {
            let name = match (theme.package, FAMOUS.get(number)) {
                ("base", Some(famous)) => (*famous).to_owned(),
                (package, _) => format!(
                    "{} {}",
                    PACKAGES
                        .iter()
                        .find(|p| p.0 == package)
                        .map(|p| p.1)
                        .unwrap_or(package),
                    i + 1
                ),
            };
            let id = format!("ch{:03}.{}.demo", number + 1, theme.package);
            let _ = writeln!(
                xml,
                "  <channel id=\"{id}\"><display-name lang=\"ru\">{}</display-name></channel>",
                escape(&name)
            );
            channels.push((id, theme));
            number += 1;
        }
    }
    let first = start_of_moscow_day(moscow_date(now) - Duration::days(2));
    let end = start_of_moscow_day(moscow_date(now) - Duration::days(2) + Duration::days(days));
    for (index, (id, theme)) in channels.iter().enumerate() {
        let mut at = first;
        // Each channel starts its rotation elsewhere, so channels differ.
        let mut k = index * 7;
        while at < end {
            let (title, category, genres, people, minutes, age) =
                theme.shows[k % theme.shows.len()];
            let stop = at + Duration::minutes(minutes);
            let _ = write!(
                xml,
                "  <programme start=\"{}\" stop=\"{}\" channel=\"{id}\"><title lang=\"ru\">{}</title><desc lang=\"ru\">{}</desc><category lang=\"ru\">{}</category>",
                xmltv_time(at),
                xmltv_time(stop),
                escape(title),
                escape(&format!(
                    "{title}: {} в эфире канала.",
                    category.to_lowercase()
                )),
                escape(category)
            );
            for genre in genres.lines() {
                let _ = write!(xml, "<category lang=\"ru\">{}</category>", escape(genre));
            }
            if !people.is_empty() {
                xml.push_str("<credits>");
                for (role, name) in people.lines().filter_map(|l| l.split_once(':')) {
                    let _ = write!(xml, "<{role}>{}</{role}>", escape(name));
                }
                xml.push_str("</credits>");
            }
            if age > 0 {
                let _ = write!(xml, "<rating system=\"RU\"><value>{age}+</value></rating>");
            }
            // Premieres are new films and series, now and then.
            if k % 11 == 3 && matches!(category, "Фильм" | "Сериал") {
                xml.push_str("<premiere/>");
            }
            xml.push_str("</programme>\n");
            at = stop;
            k += 1;
        }
    }
    xml.push_str("</tv>\n");
    xml
}

/// Creates the packages, imports the demo week and puts channels in packages.
pub async fn seed(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<(), DbErr> {
    let report = tv::import::import(db, document(now).as_bytes())
        .await
        .map_err(|e| DbErr::Custom(e.to_string()))?;
    tracing::debug!(
        channels = report.channels,
        programmes = report.programmes,
        "demo TV guide imported"
    );
    for (order, (code, name, description, base)) in PACKAGES.iter().enumerate() {
        let id = tv::insert_package(
            db,
            code,
            name,
            description,
            *base,
            i32::try_from(order).unwrap_or(0),
            SOLD_AS
                .iter()
                .find(|(c, _)| c == code)
                .map(|(_, item)| *item),
        )
        .await?;
        let suffix = format!(".{code}.demo");
        let members: Vec<String> = (1..=CHANNELS)
            .flat_map(|n| {
                THEMES
                    .iter()
                    .map(move |t| format!("ch{n:03}.{}.demo", t.package))
            })
            .filter(|id| id.ends_with(&suffix))
            .collect();
        tv::assign_package(db, id, &members).await?;
    }
    Ok(())
}
