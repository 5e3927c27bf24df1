//! Who a reported official is, for the register of reported officials (issue 4, item 6). The
//! same person must be linked across cases without their NIP/NRP being stored in clear: the
//! store keeps a keyed hash of the text this module builds. With a NIP (ASN, 18 digits) or NRP
//! (Polri 8 digits, TNI) the number alone identifies them; without one, the name and unit do, read
//! the way people write them (titles, spelling of spaces and punctuation do not matter).

use deunicode::deunicode;

/// The text whose keyed hash identifies an official; `None` when the report names neither a
/// number nor both a name and a unit (too little to link anyone safely).
pub fn identity_key(id_number: Option<&str>, name: &str, unit: &str) -> Option<OfficialKey> {
    if let Some(n) = id_number {
        let digits: String = n.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        if !digits.is_empty() {
            return Some(OfficialKey::Number(digits.to_ascii_uppercase()));
        }
    }
    let name = normalise_name(name);
    let unit = normalise_words(unit);
    if name.is_empty() || unit.is_empty() {
        return None;
    }
    Some(OfficialKey::NameAndUnit(format!("{name}|{unit}")))
}

/// What identifies an official; each kind is hashed under its own key so they never collide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfficialKey {
    /// NIP or NRP, digits (and letters of some NRP) only.
    Number(String),
    /// Normalised name and unit, `NAME|UNIT`.
    NameAndUnit(String),
}

/// Academic, religious and honorific titles that people add or leave out at will.
const TITLES: &[&str] = &[
    "H", "HJ", "HAJI", "HAJJAH", "DR", "DRS", "DRA", "IR", "PROF", "SH", "SE", "SPD", "SSOS",
    "SIP", "SAG", "SKOM", "SKM", "ST", "SSI", "SPDI", "SHI", "MM", "MSI", "MH", "MPD", "MAP",
    "MKES", "MT", "MAG", "AMD", "BA", "BAPAK", "BPK", "IBU", "SDR", "SDRI", "KH", "UST", "USTADZ",
];

/// Upper-case ASCII words: accents folded, punctuation dropped, spaces collapsed.
pub fn normalise_words(text: &str) -> String {
    let folded = deunicode(text).to_ascii_uppercase();
    folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A person's name without titles: "Drs. H. Budi Santoso, M.Si." → "BUDI SANTOSO".
pub fn normalise_name(name: &str) -> String {
    // Titles are written with dots ("S.Pd."): join the letters of dotted groups first, so "S.Pd"
    // becomes "SPD" rather than "S" and "PD".
    let undotted: String = name
        .split_whitespace()
        .map(|w| w.replace('.', ""))
        .collect::<Vec<_>>()
        .join(" ");
    normalise_words(&undotted.replace(',', " "))
        .split(' ')
        .filter(|w| !w.is_empty() && !TITLES.contains(w))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_identifies_alone() {
        let a = identity_key(Some("19800101 200501 1 001"), "Budi", "Dinas A");
        let b = identity_key(Some("198001012005011001"), "Budi S.", "Dinas B");
        assert_eq!(a, b);
        assert_eq!(a, Some(OfficialKey::Number("198001012005011001".into())));
    }

    #[test]
    fn name_and_unit_ignore_titles_case_and_punctuation() {
        let a = identity_key(None, "Drs. H. Budi Santoso, M.Si.", "Dinas Pendidikan");
        let b = identity_key(None, "budi  santoso", "DINAS PENDIDIKAN.");
        assert_eq!(a, b);
        assert_eq!(
            a,
            Some(OfficialKey::NameAndUnit(
                "BUDI SANTOSO|DINAS PENDIDIKAN".into()
            ))
        );
    }

    #[test]
    fn another_unit_is_another_official() {
        assert_ne!(
            identity_key(None, "Budi Santoso", "Dinas Pendidikan"),
            identity_key(None, "Budi Santoso", "Dinas Kesehatan")
        );
    }

    #[test]
    fn too_little_links_nobody() {
        assert_eq!(identity_key(None, "Budi", ""), None);
        assert_eq!(identity_key(None, "Dr.", "Dinas Pendidikan"), None);
        assert_eq!(identity_key(Some(" - "), "", "Dinas"), None);
    }

    #[test]
    fn accents_fold() {
        assert_eq!(normalise_name("Andrés Ñoño, S.Pd."), "ANDRES NONO");
    }
}
