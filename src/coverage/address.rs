//! Moscow addresses as people type them, made comparable: «ул. Тверская»,
//! «Тверская улица» and «тверская ул» are one street; «Ленинский пр-т» and
//! «проспект Ленинский» another; ё is е; «д. 12, корп. 2» is house «12к2».

/// Street types: every spelling people use, and the one word they all mean.
const STREET_TYPES: &[(&[&str], &str)] = &[
    (&["ул", "улица"], "улица"),
    (&["пр-т", "пр-кт", "просп", "пр", "проспект"], "проспект"),
    (&["пер", "переулок"], "переулок"),
    (&["ш", "шоссе"], "шоссе"),
    (&["б-р", "бул", "бульвар"], "бульвар"),
    (&["пл", "площадь"], "площадь"),
    (&["наб", "набережная"], "набережная"),
    (&["пр-д", "проезд"], "проезд"),
    (&["туп", "тупик"], "тупик"),
    (&["аллея"], "аллея"),
];

/// Lower case, ё as е, and the punctuation between words as spaces (a hyphen
/// inside a word stays: «пр-т», «Нижняя Красносельская»).
fn words(text: &str) -> Vec<String> {
    let lowered: String = text
        .chars()
        .map(|c| match c {
            'ё' | 'Ё' => 'е',
            '.' | ',' | ';' | '«' | '»' | '"' | '(' | ')' | '/' => ' ',
            c => c.to_lowercase().next().unwrap_or(c),
        })
        .collect();
    lowered
        .split_whitespace()
        .map(|w| w.trim_matches('-').to_owned())
        .filter(|w| !w.is_empty())
        .collect()
}

/// A street made comparable: its name words in order and its type, if given.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StreetKey {
    /// The name without the type word, e.g. `ленинский`, `1-я тверская-ямская`.
    pub name: String,
    /// The type, spelled out (`проспект`); empty when none was given.
    pub kind: String,
}

impl StreetKey {
    /// The street as people type it; `None` when nothing is left of it.
    pub fn parse(text: &str) -> Option<StreetKey> {
        let mut kind = String::new();
        let mut name = Vec::new();
        for word in words(text) {
            let canonical = STREET_TYPES
                .iter()
                .find(|(spellings, _)| spellings.contains(&word.as_str()))
                .map(|(_, canonical)| *canonical);
            match canonical {
                Some(canonical) if kind.is_empty() => kind = canonical.to_owned(),
                _ => name.push(word),
            }
        }
        if name.is_empty() {
            return None;
        }
        Some(StreetKey {
            name: name.join(" "),
            kind,
        })
    }
}

/// House designations: «12», «12к2», «12 корп. 2», «д. 12, стр. 1» →
/// `12`, `12к2`, `12к2`, `12с1`. `None` when there is no number.
pub fn house_key(text: &str) -> Option<String> {
    let mut out = String::new();
    for word in words(text) {
        let word = word.as_str();
        let marker = match word {
            "д" | "дом" => Some(""),
            "к" | "корп" | "корпус" => Some("к"),
            "с" | "стр" | "строение" => Some("с"),
            "в" | "вл" | "владение" => Some("вл"),
            _ => None,
        };
        match marker {
            Some(marker) => out.push_str(marker),
            None => out.push_str(word),
        }
    }
    let out: String = out.chars().filter(|c| !c.is_whitespace()).collect();
    if out.chars().next().is_some_and(|c| c.is_ascii_digit()) && out.chars().count() <= 20 {
        Some(out)
    } else {
        None
    }
}

/// The Levenshtein distance between two names, for suggestions.
pub fn distance(a: &str, b: &str) -> usize {
    strsim::levenshtein(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> StreetKey {
        StreetKey::parse(text).unwrap()
    }

    #[test]
    fn street_types_and_word_order_do_not_matter() {
        assert_eq!(key("Ленинский пр-т"), key("проспект Ленинский"));
        assert_eq!(key("Ленинский просп."), key("Ленинский проспект"));
        assert_eq!(key("ул. Тверская"), key("Тверская улица"));
        assert_eq!(key("ТВЕРСКАЯ УЛ"), key("улица тверская"));
        assert_eq!(key("Б-р Яна Райниса"), key("бульвар Яна Райниса"));
        assert_eq!(key("Фрунзенская наб."), key("набережная Фрунзенская"));
        assert_ne!(key("Тверская улица"), key("Тверская площадь"));
        assert_eq!(key("Тверская").kind, "");
        assert_eq!(key("1-я Тверская-Ямская ул.").name, "1-я тверская-ямская");
    }

    #[test]
    fn yo_is_ye_and_case_is_ignored() {
        assert_eq!(key("Солнечная улица"), key("солнечная УЛИЦА"));
        assert_eq!(key("улица Планёрная"), key("улица Планерная"));
    }

    #[test]
    fn nothing_but_a_type_is_no_street() {
        assert_eq!(StreetKey::parse("улица"), None);
        assert_eq!(StreetKey::parse(" , . "), None);
    }

    #[test]
    fn houses_are_written_one_way() {
        assert_eq!(house_key("12").as_deref(), Some("12"));
        assert_eq!(house_key("д. 12").as_deref(), Some("12"));
        assert_eq!(house_key("12к2").as_deref(), Some("12к2"));
        assert_eq!(house_key("12 корп. 2").as_deref(), Some("12к2"));
        assert_eq!(house_key("дом 12, корпус 2").as_deref(), Some("12к2"));
        assert_eq!(house_key("12 стр 1").as_deref(), Some("12с1"));
        assert_eq!(house_key("12А").as_deref(), Some("12а"));
        assert_eq!(house_key("корпус"), None);
        assert_eq!(house_key(""), None);
    }
}
