//! Search terms: words reduced to what a Russian speaker considers the same
//! word. Lower case, `ё` as `е`, split on anything but letters and digits, and
//! each word cut to its Snowball stem (Russian for Cyrillic words, English for
//! Latin ones), so «Новости» and «новость» are both `новост`, «Футбола» and
//! «футбол» both `футбол`. Programmes store their terms; queries are turned
//! into terms the same way, so both databases match the same words.

use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};

static RUSSIAN: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::Russian));
static ENGLISH: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// The longest word kept (longer runs are not words a person searches for).
const MAX_WORD: usize = 40;

fn stem(word: &str) -> String {
    if word.chars().any(|c| c.is_ascii_digit()) {
        return word.to_owned();
    }
    let stemmer = if word.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c)) {
        &*RUSSIAN
    } else {
        &*ENGLISH
    };
    stemmer.stem(word).into_owned()
}

/// The words of a text, normalised but not stemmed, in order. Names are
/// matched this way: the stemmer cuts surnames unevenly (Рязанов → рязан, but
/// Рязановым → рязанов), so a person is found by the start of each name.
pub fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .replace('ё', "е")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && w.chars().count() <= MAX_WORD)
        .map(str::to_owned)
        .collect()
}

/// The terms of a text, in order (repeats kept).
pub fn of(text: &str) -> Vec<String> {
    words(text)
        .iter()
        .map(|w| stem(w))
        .filter(|t| !t.is_empty())
        .collect()
}

/// The words of a text as stored: distinct, space-separated.
pub fn joined_words(text: &str) -> String {
    distinct(words(text))
}

/// The terms of a text as stored: distinct, space-separated.
pub fn joined(text: &str) -> String {
    distinct(of(text))
}

fn distinct(terms: Vec<String>) -> String {
    let mut terms = terms;
    let mut seen = std::collections::HashSet::new();
    terms.retain(|t| seen.insert(t.clone()));
    terms.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_forms_meet() {
        assert_eq!(of("Новости"), of("новость"));
        assert_eq!(of("Футбола нет")[0], of("футбол")[0]);
        assert_eq!(of("Тёмный сезон"), of("темный СЕЗОН"));
        assert_eq!(of("ток-шоу «Вечер»"), vec!["ток", "шо", "вечер"]);
    }

    #[test]
    fn names_are_not_stemmed() {
        assert_eq!(words("Эльдар Рязанов"), vec!["эльдар", "рязанов"]);
        assert_eq!(joined_words("Сергей Брилёв Сергей"), "сергей брилев");
    }

    #[test]
    fn digits_and_latin_words() {
        assert_eq!(of("Матч 2026"), vec!["матч", "2026"]);
        assert_eq!(of("Top Gear"), of("top gears"));
    }
}
