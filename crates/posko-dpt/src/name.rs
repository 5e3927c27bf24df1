//! Indonesian name normalisation for duplicate search: the same person is written many ways.
//! Titles and degrees go (H., Hj., Drs., S.Pd., …); the forms of Muhammad become one; the old
//! spelling becomes the new one (oe→u, dj→j, tj→c, sj→sy, ch→kh); doubled letters collapse.
//! Pure and allocation-light; the rules are the project's own reading of common practice.

/// Titles and degrees, written without dots, that say nothing about who a person is.
const TITLES: &[&str] = &[
    "H", "HJ", "HAJI", "HAJAH", "HAJJAH", "KH", "DR", "DRS", "DRA", "IR", "PROF", "ALM", "ALMH",
    "SPD", "SPDI", "SPDSD", "MPD", "SH", "MH", "SE", "ME", "MM", "SAG", "SSOS", "SKOM", "SKM",
    "SKEP", "SFARM", "SST", "SSI", "MSI", "ST", "MT", "SIP", "SAB", "SSTP", "AMD", "AMDKEB",
    "AMDKEP", "SHI", "SPT", "SPSI", "SKED", "DRG", "BSC", "BA", "MBA", "LC", "MA", "SS", "STP",
    "APT", "NS", "SP", "SHUT", "SPI", "SIKOM", "SDS",
];

/// Spellings of Muhammad and their abbreviations.
const MUHAMMAD: &[&str] = &[
    "MUHAMMAD",
    "MUHAMAD",
    "MUHAMMED",
    "MUHAMED",
    "MOHAMMAD",
    "MOHAMAD",
    "MOHAMMED",
    "MOHAMED",
    "MOCHAMMAD",
    "MOCHAMAD",
    "MOKHAMAD",
    "MOKHAMMAD",
    "MUCHAMMAD",
    "MUCHAMAD",
    "MUHAMMAT",
    "MUHAMAT",
    "MOH",
    "MOCH",
    "MOHD",
    "MUH",
    "MUHD",
    "MHD",
    "MHMD",
    "MUHAM",
    "MOHAM",
];

/// Folds to upper-case ASCII letters and spaces, strips titles and degrees, unifies the forms
/// of Muhammad and the old spelling. The result compares equal for the usual variants:
/// `Drs. H. Moch. Soedjono, S.Pd.` and `MUHAMMAD SUJONO` both give `MUHAMAD SUJONO`.
pub fn normalize(name: &str) -> String {
    let folded = if name.is_ascii() {
        name.to_ascii_uppercase()
    } else {
        deunicode::deunicode(name).to_ascii_uppercase()
    };
    let mut out = String::with_capacity(folded.len());
    let mut first = true;
    // Degrees follow a comma in Indonesian usage ("BUDI, S.PD"); a comma otherwise separates.
    for raw in folded.split([' ', ',', '\t', '/', '(', ')', '"', '\'']) {
        if raw.is_empty() {
            continue;
        }
        let undotted: String = raw.chars().filter(|c| *c != '.' && *c != '-').collect();
        if TITLES.contains(&undotted.as_str()) {
            continue;
        }
        // "M.RIZKI" is two words; "S.PD" (a title) was handled above.
        for part in raw.split(['.', '-']) {
            let letters: String = part.chars().filter(|c| c.is_ascii_alphabetic()).collect();
            if letters.is_empty() || TITLES.contains(&letters.as_str()) {
                continue;
            }
            let word = if MUHAMMAD.contains(&letters.as_str()) || (first && letters == "M") {
                "MUHAMMAD".to_string()
            } else {
                letters
            };
            let word = respell(&word);
            if TITLES.contains(&word.as_str()) {
                continue;
            }
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&word);
            first = false;
        }
    }
    // A lone "M" as the first word of a one-word name stays as is: nothing to expand against.
    out
}

/// `word` in the new spelling with doubled letters collapsed, repeated until stable (`DDJ`
/// becomes `DJ` and then `J`).
fn respell(word: &str) -> String {
    let mut cur = word.to_string();
    for _ in 0..4 {
        let next = respell_once(&cur);
        if next == cur {
            break;
        }
        cur = next;
    }
    cur
}

fn respell_once(word: &str) -> String {
    let b = word.as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    let mut last: u8 = 0;
    while i < b.len() {
        let pair = (b[i], b.get(i + 1).copied().unwrap_or(0));
        let (emit, step): (&[u8], usize) = match pair {
            (b'O', b'E') => (b"U", 2),
            (b'D', b'J') => (b"J", 2),
            (b'T', b'J') => (b"C", 2),
            (b'S', b'J') => (b"SY", 2),
            (b'C', b'H') => (b"KH", 2),
            _ => (&b[i..i + 1], 1),
        };
        for &c in emit {
            if c != last {
                out.push(c as char);
            }
            last = c;
        }
        i += step;
    }
    out
}

/// The words of a normalised name in sorted order, for names written surname-first.
pub fn sorted_tokens(norm: &str) -> String {
    let mut t: Vec<&str> = norm.split(' ').filter(|w| !w.is_empty()).collect();
    t.sort_unstable();
    t.join(" ")
}

/// A 64-bit FNV-1a hash: stable across runs and platforms, for blocking keys and partitions.
pub fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn muhammad_in_all_forms() {
        let want = normalize("Muhammad Rizki");
        assert_eq!(want, "MUHAMAD RIZKI");
        for v in [
            "MUHAMAD RIZKI",
            "Moh. Rizki",
            "MOCH RIZKI",
            "M. Rizki",
            "M.RIZKI",
            "Mochammad Rizky",
            "Mohammad Rizqi",
        ] {
            let n = normalize(v);
            if v.contains("Rizki") || v.contains("RIZKI") {
                assert_eq!(n, want, "{v}");
            } else {
                assert!(n.starts_with("MUHAMAD RIZ"), "{v} -> {n}");
            }
        }
        assert_eq!(
            normalize("ABDUL M"),
            "ABDUL M",
            "M is Muhammad only in front"
        );
    }

    #[test]
    fn old_spelling() {
        assert_eq!(normalize("Soekarno"), normalize("Sukarno"));
        assert_eq!(normalize("Djoko Soesilo"), normalize("Joko Susilo"));
        assert_eq!(normalize("Tjahjo"), normalize("Cahjo"));
        assert_eq!(normalize("Sjamsoel"), normalize("Syamsul"));
        assert_eq!(normalize("Chairul"), normalize("Khairul"));
        assert_eq!(normalize("ABDULLAH"), normalize("Abdulah"));
    }

    #[test]
    fn titles_stripped() {
        let want = normalize("Siti Aminah");
        for v in [
            "Hj. Siti Aminah",
            "HJ SITI AMINAH",
            "Dra. Hj. Siti Aminah, S.Pd.",
            "SITI AMINAH, S.PD, M.PD",
            "Siti Aminah S.E.",
            "Prof. Dr. Ir. Siti Aminah",
            "  siti   aminah ",
        ] {
            assert_eq!(normalize(v), want, "{v}");
        }
        assert_eq!(normalize("Drs. H. Moch. Soedjono, S.Pd."), "MUHAMAD SUJONO");
    }

    #[test]
    fn unicode_and_junk() {
        assert_eq!(normalize("JOSÉ"), "JOSE");
        assert_eq!(normalize(""), "");
        assert_eq!(normalize("...,,"), "");
        assert_eq!(normalize("I Wayan Sudarsana"), "I WAYAN SUDARSANA");
        assert_eq!(sorted_tokens("SIREGAR BUDI"), "BUDI SIREGAR");
    }

    proptest! {
        #[test]
        fn idempotent_and_clean(s in "\\PC{0,40}") {
            let n = normalize(&s);
            prop_assert_eq!(normalize(&n), n.clone());
            prop_assert!(n.bytes().all(|b| b.is_ascii_uppercase() || b == b' '));
            prop_assert!(!n.contains("  ") && !n.starts_with(' ') && !n.ends_with(' '));
        }

        #[test]
        fn case_and_titles_do_not_matter(w in "[a-z]{3,10}( [a-z]{3,10}){0,2}",
                                          t in prop::sample::select(vec!["H.", "Hj.", "Drs.", "Dr."])) {
            prop_assert_eq!(normalize(&format!("{t} {w}, S.Pd.")), normalize(&w.to_uppercase()));
        }
    }
}
