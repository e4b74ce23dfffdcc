//! Methodology files: TOML read into a `model::methodology::Methodology`, with the line
//! and column of what does not parse. What the tree means (points that add up, bands
//! without gaps, indicators that exist) is checked by `score::method::compile`.

use model::methodology::Methodology;

use crate::error::{ImportError, ImportErrors};
use crate::fields::{decode, position};

pub fn read(file: &str, bytes: &[u8]) -> Result<Methodology, ImportErrors> {
    let text = decode(file, bytes).map_err(|e| ImportErrors(vec![e]))?;
    toml::from_str::<Methodology>(text).map_err(|e| {
        let pos = e.span().map(|s| position(text, s.start));
        ImportErrors(vec![ImportError { file: file.to_owned(), pos, field: None, message: e.message().to_owned() }])
    })
}

/// A methodology written back as TOML, for storing and exporting.
pub fn write(m: &Methodology) -> String {
    toml::to_string(m).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINI: &str = testkit::METHODOLOGY;

    #[test]
    fn reads_the_tree() {
        let m = read("m.toml", MINI.as_bytes()).unwrap();
        assert_eq!(m.components().count(), 7);
        assert_eq!(m.grade(80.0).map(|g| g.label.as_str()), Some("A"));
        assert_eq!(m.grade(100.0).map(|g| g.label.as_str()), Some("A"));
        assert_eq!(m.grade(79.99).map(|g| g.label.as_str()), Some("B"));
        let again = read("m.toml", write(&m).as_bytes()).unwrap();
        assert_eq!(again, m);
    }

    #[test]
    fn says_where_a_file_is_wrong() {
        let typo = MINI.replace("kind = \"target\", target = 50", "kind = \"targte\", target = 50");
        let e = read("m.toml", typo.as_bytes()).unwrap_err().to_string();
        assert!(e.starts_with("m.toml:44:17: unknown variant `targte`"), "{e}");
        assert!(e.contains("targte"), "{e}");
        let unknown = MINI.replace("max = 60", "max = 60\nweight = 2");
        let e = read("m.toml", unknown.as_bytes()).unwrap_err().to_string();
        assert!(e.contains("weight"), "{e}");
        let e = read("m.toml", MINI.replace("applies_from = \"2022\"", "applies_from = \"2022-H3\"").as_bytes())
            .unwrap_err();
        assert!(e.to_string().contains("not a period"), "{e}");
    }
}
