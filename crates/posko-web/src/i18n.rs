//! Message catalogues: every text a user sees comes from `i18n/id.toml` (Bahasa Indonesia, the
//! default) or `i18n/en.toml` (English), compiled in. Handlers and templates name messages by key
//! (`nav.home`); a missing key shows as the key itself, and the tests make sure none is missing.

use std::collections::HashMap;
use std::sync::OnceLock;

const ID: &str = include_str!("../i18n/id.toml");
const EN: &str = include_str!("../i18n/en.toml");

/// The two languages of Posko.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Id,
    En,
}

impl Lang {
    /// The part of a bilingual message, "Indonesian (English)" as errors in posko-app are
    /// written, in this language; a message without an English part is shown whole.
    pub fn pick(self, text: &str) -> String {
        match self {
            Lang::Id => text.split(" (").next().unwrap_or_default().to_string(),
            Lang::En => text
                .rsplit_once(" (")
                .map(|(_, en)| en.trim_end_matches(')').to_string())
                .unwrap_or_else(|| text.to_string()),
        }
    }
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "id" => Some(Lang::Id),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Id => Lang::En,
            Lang::En => Lang::Id,
        }
    }

    /// The catalogue of this language.
    pub fn messages(self) -> &'static Messages {
        static CATALOGUES: OnceLock<(Messages, Messages)> = OnceLock::new();
        let (id, en) = CATALOGUES.get_or_init(|| (Messages::parse(ID), Messages::parse(EN)));
        match self {
            Lang::Id => id,
            Lang::En => en,
        }
    }

    /// Formats a count the way the language writes it: 919.276 in Indonesian, 919,276 in English.
    pub fn number(self, n: u64) -> String {
        let sep = match self {
            Lang::Id => '.',
            Lang::En => ',',
        };
        let digits = n.to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(sep);
            }
            out.push(ch);
        }
        out
    }
}

/// One language's messages, by dotted key.
#[derive(Debug, Default)]
pub struct Messages {
    map: HashMap<String, String>,
}

impl Messages {
    fn parse(text: &str) -> Messages {
        let mut map = HashMap::new();
        // The catalogues are compiled in and checked by the tests below.
        if let Ok(table) = text.parse::<toml::Table>() {
            flatten("", &table, &mut map);
        }
        Messages { map }
    }

    /// The message for `key`, or the key itself when it is missing.
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.map.get(key).map(String::as_str).unwrap_or(key)
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.map.keys()
    }
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut HashMap<String, String>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => flatten(&key, t, out),
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            other => {
                out.insert(key, other.to_string());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn catalogues_parse_and_have_the_same_keys() {
        assert!(ID.parse::<toml::Table>().is_ok());
        assert!(EN.parse::<toml::Table>().is_ok());
        let id: BTreeSet<_> = Lang::Id.messages().keys().collect();
        let en: BTreeSet<_> = Lang::En.messages().keys().collect();
        assert!(id.len() > 50);
        assert_eq!(id, en, "id.toml and en.toml must have the same keys");
    }

    #[test]
    fn every_key_used_in_code_and_templates_exists() {
        // Scan the templates and sources for t("…") / msg("…") calls and check each key.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut used = BTreeSet::new();
        for sub in ["templates", "src"] {
            for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
                let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
                for marker in ["t(\"", "msg(\""] {
                    for part in text.split(marker).skip(1) {
                        if let Some(end) = part.find('"') {
                            let key = &part[..end];
                            if key.contains('.') && !key.contains(' ') {
                                used.insert(key.to_string());
                            }
                        }
                    }
                }
            }
        }
        assert!(used.len() > 30, "found {} keys", used.len());
        for key in used {
            assert_ne!(
                Lang::Id.messages().get(&key),
                key,
                "missing in id.toml: {key}"
            );
            assert_ne!(
                Lang::En.messages().get(&key),
                key,
                "missing in en.toml: {key}"
            );
        }
    }

    #[test]
    fn numbers_are_grouped_per_language() {
        assert_eq!(Lang::Id.number(919_276), "919.276");
        assert_eq!(Lang::En.number(204_807_222), "204,807,222");
        assert_eq!(Lang::Id.number(999), "999");
        assert_eq!(Lang::Id.number(0), "0");
    }
}
