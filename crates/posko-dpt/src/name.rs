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

fn is_title(w: &[u8]) -> bool {
    w.len() <= 6 && TITLES.iter().any(|t| t.as_bytes() == w)
}

fn is_muhammad(w: &[u8]) -> bool {
    w.len() <= 9 && MUHAMMAD.iter().any(|t| t.as_bytes() == w)
}

/// The longest word the allocation-free path of `normalize_into` handles; longer ones take
/// the plain path (`normalize_word_slow`).
const WORD_MAX: usize = 64;

/// Folds to upper-case ASCII letters and spaces, strips titles and degrees, unifies the forms
/// of Muhammad and the old spelling. The result compares equal for the usual variants:
/// `Drs. H. Moch. Soedjono, S.Pd.` and `MUHAMMAD SUJONO` both give `MUHAMAD SUJONO`.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    normalize_into(name, &mut out);
    out
}

/// Texts remembered per thread by `normalize_remembered`; the cache is emptied when full, so
/// its memory stays bounded whatever the list.
const REMEMBERED_MAX: usize = 1 << 16;

/// `normalize`, remembered per thread, for birthplaces: a few thousand places repeat all
/// through a list of millions of rows, and a look-up costs a fraction of a normalisation (which
/// was 14 % of a full run's CPU). Whole names repeat too seldom for it to pay.
pub fn normalize_remembered(text: &str) -> String {
    use std::cell::RefCell;
    thread_local! {
        static SEEN: RefCell<foldhash::HashMap<Box<str>, Box<str>>> =
            RefCell::new(foldhash::HashMap::default());
    }
    SEEN.with_borrow_mut(|seen| {
        if let Some(n) = seen.get(text) {
            return n.to_string();
        }
        let n = normalize(text);
        if seen.len() >= REMEMBERED_MAX {
            seen.clear();
        }
        seen.insert(text.into(), n.as_str().into());
        n
    })
}

/// `normalize` into `out` (cleared first). It runs on every row of a list, so it works on
/// bytes in stack buffers, and each token's words are remembered per thread (`TOKENS`): a
/// run of a million rows spent a fifth of its CPU in the first, allocating version, and the
/// rules per token were still 13 % of a full run before they were remembered (perf).
pub fn normalize_into(name: &str, out: &mut String) {
    out.clear();
    let decoded;
    let folded: &[u8] = if name.is_ascii() {
        name.as_bytes()
    } else {
        decoded = deunicode::deunicode(name);
        decoded.as_bytes()
    };
    let mut first = true;
    // Degrees follow a comma in Indonesian usage ("BUDI, S.PD"); a comma otherwise separates.
    let separator = |b: &u8| matches!(b, b' ' | b',' | b'\t' | b'/' | b'(' | b')' | b'"' | b'\'');
    TOKENS.with_borrow_mut(|seen| {
        for raw in folded.split(separator) {
            if raw.is_empty() {
                continue;
            }
            if raw.len() > TOKEN_REMEMBERED_LEN {
                normalize_token(raw, &mut first, out);
                continue;
            }
            // A token's words depend only on its bytes and on whether a word came before it.
            let seen = &mut seen[usize::from(first)];
            if let Some(words) = seen.get(raw) {
                push_words(out, words, &mut first);
                continue;
            }
            let mut words = String::new();
            normalize_token(raw, &mut first.clone(), &mut words);
            push_words(out, &words, &mut first);
            if seen.len() >= REMEMBERED_MAX {
                seen.clear();
            }
            seen.insert(raw.into(), words.into());
        }
    });
    // A lone "M" as the first word of a one-word name stays as is: nothing to expand against.
}

/// Appends a token's words to a name being normalised.
fn push_words(out: &mut String, words: &str, first: &mut bool) {
    if !words.is_empty() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(words);
        *first = false;
    }
}

/// Tokens longer than this are normalised each time rather than remembered.
const TOKEN_REMEMBERED_LEN: usize = 32;

/// A token's bytes and its words.
type TokenWords = foldhash::HashMap<Box<[u8]>, Box<str>>;

thread_local! {
    /// The words of each token seen by this thread, `[after a word, first]`: names rarely
    /// repeat whole, but their words do (a token costs a hash look-up instead of the title,
    /// Muhammad and spelling rules). Emptied when full, like `normalize_remembered`'s cache.
    static TOKENS: std::cell::RefCell<[TokenWords; 2]> = Default::default();
}

/// One token of a name (text between separators), its words appended to `out`; `first` says
/// whether no word came before it, and is cleared once a word is written.
fn normalize_token(raw: &[u8], first: &mut bool, out: &mut String) {
    // The token without dots and dashes may be a title ("S.PD"): titles are short.
    let mut undotted = [0u8; 7];
    let mut n = 0;
    for &b in raw.iter().filter(|b| **b != b'.' && **b != b'-') {
        if n == undotted.len() {
            break;
        }
        undotted[n] = b.to_ascii_uppercase();
        n += 1;
    }
    if n < undotted.len() && is_title(&undotted[..n]) {
        return;
    }
    // "M.RIZKI" is two words; "S.PD" (a title) was handled above.
    for part in raw.split(|b| *b == b'.' || *b == b'-') {
        let mut letters = [0u8; WORD_MAX];
        let mut n = 0;
        for &b in part.iter().filter(|b| b.is_ascii_alphabetic()) {
            if n == WORD_MAX {
                n += 1;
                break;
            }
            letters[n] = b.to_ascii_uppercase();
            n += 1;
        }
        if n > WORD_MAX {
            if let Some(w) = normalize_word_slow(part, *first) {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&w);
                *first = false;
            }
            continue;
        }
        let letters = &letters[..n];
        if letters.is_empty() || is_title(letters) {
            continue;
        }
        let word: &[u8] = if is_muhammad(letters) || (*first && letters == b"M") {
            b"MUHAMMAD"
        } else {
            letters
        };
        // The new spelling, repeated until stable (`DDJ` becomes `DJ` and then `J`); a
        // pass never makes a word longer.
        let (mut cur, mut next) = ([0u8; WORD_MAX], [0u8; WORD_MAX]);
        cur[..word.len()].copy_from_slice(word);
        let mut len = word.len();
        for _ in 0..4 {
            let m = respell_once_into(&cur[..len], &mut next);
            if next[..m] == cur[..len] {
                break;
            }
            cur[..m].copy_from_slice(&next[..m]);
            len = m;
        }
        let word = &cur[..len];
        if is_title(word) {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.iter().map(|b| *b as char));
        *first = false;
    }
}

/// One word of more than `WORD_MAX` letters, the plain way; `None` when it is dropped.
fn normalize_word_slow(part: &[u8], first: bool) -> Option<String> {
    let letters: String = part
        .iter()
        .filter(|b| b.is_ascii_alphabetic())
        .map(|b| b.to_ascii_uppercase() as char)
        .collect();
    if letters.is_empty() || is_title(letters.as_bytes()) {
        return None;
    }
    let word = if is_muhammad(letters.as_bytes()) || (first && letters == "M") {
        "MUHAMMAD".to_string()
    } else {
        letters
    };
    let word = respell(&word);
    (!is_title(word.as_bytes())).then_some(word)
}

/// `word` in the new spelling with doubled letters collapsed, repeated until stable (`DDJ`
/// becomes `DJ` and then `J`).
fn respell(word: &str) -> String {
    let mut cur = word.as_bytes().to_vec();
    for _ in 0..4 {
        let mut next = vec![0u8; cur.len()];
        let m = respell_once_into(&cur, &mut next);
        next.truncate(m);
        if next == cur {
            break;
        }
        cur = next;
    }
    cur.iter().map(|b| *b as char).collect()
}

/// One pass of the new spelling over upper-case ASCII letters: oe→u, dj→j, tj→c, sj→sy,
/// ch→kh, and a letter written twice once. Writes into `out` (at least as long as `word`)
/// and returns the length.
fn respell_once_into(word: &[u8], out: &mut [u8]) -> usize {
    let mut n = 0;
    let mut i = 0;
    let mut last: u8 = 0;
    while i < word.len() {
        let pair = (word[i], word.get(i + 1).copied().unwrap_or(0));
        let (emit, step): (&[u8], usize) = match pair {
            (b'O', b'E') => (b"U", 2),
            (b'D', b'J') => (b"J", 2),
            (b'T', b'J') => (b"C", 2),
            (b'S', b'J') => (b"SY", 2),
            (b'C', b'H') => (b"KH", 2),
            _ => (&word[i..i + 1], 1),
        };
        for &c in emit {
            if c != last {
                out[n] = c;
                n += 1;
            }
            last = c;
        }
        i += step;
    }
    n
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

    #[test]
    fn remembered_normalisation_is_the_same_after_the_cache_empties() {
        // More distinct texts than the cache holds, twice over: every answer, first seen,
        // remembered, or seen again after the cache was emptied, is `normalize`'s.
        for round in 0..2 {
            for i in 0..(REMEMBERED_MAX + 10) {
                let text = format!(
                    "Kab. Tj{i}ilacap, {}",
                    if i % 2 == 0 { "S.Pd" } else { "Moh" }
                );
                assert_eq!(
                    normalize_remembered(&text),
                    normalize(&text),
                    "{round} {text}"
                );
            }
        }
        assert_eq!(normalize_remembered("Djogjakarta"), "JOGJAKARTA");
    }
    #[test]
    fn remembered_tokens_answer_as_the_rules_do() {
        // The same tokens first and after a word ("M" is Muhammad only first), a title that
        // leaves nothing, and more distinct tokens than the cache holds, twice over: the
        // remembered answer is the one the rules give, also after the cache was emptied.
        let uncached = |name: &str| {
            let (mut out, mut first) = (String::new(), true);
            for raw in name
                .as_bytes()
                .split(|b| *b == b' ')
                .filter(|t| !t.is_empty())
            {
                normalize_token(raw, &mut first, &mut out);
            }
            out
        };
        let letters = |mut i: usize| {
            let mut w = String::new();
            loop {
                w.push((b'A' + (i % 26) as u8) as char);
                i /= 26;
                if i == 0 {
                    return w;
                }
            }
        };
        for round in 0..2 {
            for i in 0..(REMEMBERED_MAX + 10) {
                let name = format!("M Drs. M.Soedjono {} Tj{} M", letters(i), letters(i / 3));
                let want = uncached(&name);
                assert_eq!(normalize(&name), want, "{round} {name}");
                assert_eq!(want, normalize_reference(&name), "{name}");
            }
        }
        assert_eq!(normalize("M M"), "MUHAMAD M");
    }

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

    /// The first, plain implementation of `normalize` (allocating per word), kept as the
    /// reference the fast one must agree with.
    fn normalize_reference(name: &str) -> String {
        let folded = if name.is_ascii() {
            name.to_ascii_uppercase()
        } else {
            deunicode::deunicode(name).to_ascii_uppercase()
        };
        let mut out = String::new();
        let mut first = true;
        for raw in folded.split([' ', ',', '\t', '/', '(', ')', '"', '\'']) {
            if raw.is_empty() {
                continue;
            }
            let undotted: String = raw.chars().filter(|c| *c != '.' && *c != '-').collect();
            if TITLES.contains(&undotted.as_str()) {
                continue;
            }
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
        out
    }

    #[test]
    fn fast_path_agrees_on_hard_cases() {
        let long = "A".repeat(70) + "DJOE";
        for n in [
            "Drs. H. Moch. Soedjono, S.Pd.",
            "M",
            "m. rizki",
            "ABDUL M",
            "S.PD.I",
            "Hj.Siti-Aminah",
            "DDJOKO TTJAHJO SSJAMSOEL CHAIRUL",
            long.as_str(),
            "José Ñúñez, S.E., M.M.",
            "ＭＵＨＡＭＭＡＤ",
            "ALM. H. AHMAD",
            "'SITI' (AMINAH) / BUDI",
        ] {
            assert_eq!(normalize(n), normalize_reference(n), "{n}");
        }
    }

    proptest! {
        #[test]
        fn fast_path_agrees(s in "[ A-Za-z.,'()/\\-]{0,30}|\\PC{0,30}|(H\\. |Drs\\. |M\\.|MOCH |S\\.PD|[a-z]{1,80}|DJ|OE|TJ|SJ|CH){1,6}") {
            prop_assert_eq!(normalize(&s), normalize_reference(&s));
        }

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
