//! Folding Vietnamese names into a form in which the spellings that real data uses
//! compare equal: "TP. Đà Nẵng", "Da Nang", "Thừa Thiên - Huế" and "Thừa Thiên Huế".

use unicode_normalization::UnicodeNormalization;

/// Characters that show nothing, or turn the direction of the text around them: a
/// reader of the text does not see what it holds.
pub fn is_hidden(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
    )
}

/// Lowercase, without tone marks or diacritics, punctuation replaced by single spaces.
/// "Bà Rịa – Vũng Tàu" -> "ba ria vung tau"; "Bộ TT&TT" -> "bo tt tt".
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfd() {
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        let c = match c {
            'đ' | 'Đ' => 'd',
            _ => c,
        };
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(c.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

/// Administrative prefixes that data sometimes carries and sometimes omits, folded,
/// longest first so that "uy ban nhan dan tinh" wins over "tinh".
const PREFIXES: &[&str] = &[
    "uy ban nhan dan thanh pho",
    "uy ban nhan dan tinh",
    "ubnd thanh pho",
    "ubnd tinh",
    "ubnd tp",
    "ubnd",
    "thanh pho",
    "tp",
    "tinh",
    "bo",
];

/// The folded name without an administrative prefix ("tp da nang" -> "da nang").
pub fn strip_prefix(folded: &str) -> &str {
    for p in PREFIXES {
        if let Some(rest) = folded.strip_prefix(p)
            && let Some(rest) = rest.strip_prefix(' ')
        {
            return rest;
        }
    }
    folded
}

/// The folded forms under which a name should be found: the name itself, without its
/// prefix, and without a trailing "viet nam" ("Bảo hiểm xã hội Việt Nam").
pub fn variants(name: &str) -> Vec<String> {
    let folded = fold(name);
    let mut out = vec![folded.clone()];
    let stripped = strip_prefix(&folded).to_owned();
    for v in [stripped.clone(), stripped.strip_suffix(" viet nam").unwrap_or("").to_owned()] {
        if !v.is_empty() && !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// ASCII slug of a name, for keys: "Thừa Thiên - Huế" -> "thua-thien-hue".
pub fn slug(name: &str) -> String {
    fold(name).replace(' ', "-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_the_spellings_found_in_real_data() {
        let same = ["TP. Đà Nẵng", "Thành phố Đà Nẵng", "Đà Nẵng", "Da Nang", "da  nang"];
        for s in same {
            assert_eq!(strip_prefix(&fold(s)), "da nang", "{s}");
        }
        let hue = ["Thừa Thiên - Huế", "Thừa Thiên Huế", "Thừa Thiên-Huế", "THỪA THIÊN–HUẾ"];
        for s in hue {
            assert_eq!(fold(s), "thua thien hue", "{s}");
        }
        assert_eq!(fold("Hoà Bình"), fold("Hòa Bình"));
        assert_eq!(fold("Bộ TT&TT"), "bo tt tt");
        assert_eq!(slug("Bà Rịa – Vũng Tàu"), "ba-ria-vung-tau");
    }

    #[test]
    fn variants_drop_prefix_and_country() {
        assert_eq!(variants("Bảo hiểm xã hội Việt Nam"), ["bao hiem xa hoi viet nam", "bao hiem xa hoi"]);
        assert_eq!(variants("Bộ Tài chính"), ["bo tai chinh", "tai chinh"]);
        assert_eq!(variants("Hà Nội"), ["ha noi"]);
    }
}
