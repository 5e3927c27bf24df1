//! Who may do what: the officer roles and the agencies of the command post, and the rules for
//! account names and passwords. Later issues give each role its scopes; the names are fixed here.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The roles of Posko accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Manages accounts and configuration.
    Admin,
    /// Pj Bupati / Wali Kota, Kesbangpol, Forkopimda: watches the whole region.
    Koordinator,
    /// Duty officer (piket harian): triages and routes reports.
    PetugasPiket,
    /// A handler at the competent agency (Propam, POM, BKN, …): sees only cases routed to it.
    Penindak,
    /// Camat or PPS: keeps the voter list and TPS data of their area.
    OperatorWilayah,
    /// Read-only observer.
    Pemantau,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Koordinator,
        Role::PetugasPiket,
        Role::Penindak,
        Role::OperatorWilayah,
        Role::Pemantau,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Koordinator => "koordinator",
            Role::PetugasPiket => "petugas_piket",
            Role::Penindak => "penindak",
            Role::OperatorWilayah => "operator_wilayah",
            Role::Pemantau => "pemantau",
        }
    }

    /// A penindak acts for one agency, so an account with this role must name it.
    pub fn needs_agency(self) -> bool {
        matches!(self, Role::Penindak | Role::PetugasPiket)
    }

    /// Every role but admin works within a region.
    pub fn needs_region(self) -> bool {
        !matches!(self, Role::Admin)
    }
}

/// The agencies that staff the post or receive its cases (GLOSSARY.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Agency {
    Bawaslu,
    Kpu,
    Polri,
    Propam,
    Tni,
    /// Provos / POM: military police.
    Pom,
    Kesbangpol,
    Bkn,
    /// The regional government (Pj Bupati / Wali Kota, the staffing authority).
    Pemda,
    Dkpp,
    Gakkumdu,
    Kejaksaan,
}

impl Agency {
    pub const ALL: [Agency; 12] = [
        Agency::Bawaslu,
        Agency::Kpu,
        Agency::Polri,
        Agency::Propam,
        Agency::Tni,
        Agency::Pom,
        Agency::Kesbangpol,
        Agency::Bkn,
        Agency::Pemda,
        Agency::Dkpp,
        Agency::Gakkumdu,
        Agency::Kejaksaan,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Agency::Bawaslu => "bawaslu",
            Agency::Kpu => "kpu",
            Agency::Polri => "polri",
            Agency::Propam => "propam",
            Agency::Tni => "tni",
            Agency::Pom => "pom",
            Agency::Kesbangpol => "kesbangpol",
            Agency::Bkn => "bkn",
            Agency::Pemda => "pemda",
            Agency::Dkpp => "dkpp",
            Agency::Gakkumdu => "gakkumdu",
            Agency::Kejaksaan => "kejaksaan",
        }
    }

    /// The name as users write it.
    pub fn label(self) -> &'static str {
        match self {
            Agency::Bawaslu => "Bawaslu",
            Agency::Kpu => "KPU",
            Agency::Polri => "Polri",
            Agency::Propam => "Propam Polri",
            Agency::Tni => "TNI",
            Agency::Pom => "POM TNI / Provos",
            Agency::Kesbangpol => "Kesbangpol",
            Agency::Bkn => "BKN",
            Agency::Pemda => "Pemerintah Daerah",
            Agency::Dkpp => "DKPP",
            Agency::Gakkumdu => "Sentra Gakkumdu",
            Agency::Kejaksaan => "Kejaksaan",
        }
    }
}

/// An unknown role or agency name, with the accepted ones listed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{what} '{given}' tidak dikenal; pilihan: {allowed} (unknown {what_en}; choose one of these)"
)]
pub struct UnknownName {
    pub what: &'static str,
    pub what_en: &'static str,
    pub given: String,
    pub allowed: String,
}

fn parse_named<T: Copy>(
    text: &str,
    all: &[T],
    name: fn(T) -> &'static str,
    what: &'static str,
    what_en: &'static str,
) -> Result<T, UnknownName> {
    let t = text.trim().to_ascii_lowercase().replace('-', "_");
    all.iter()
        .copied()
        .find(|x| name(*x) == t)
        .ok_or_else(|| UnknownName {
            what,
            what_en,
            given: text.to_string(),
            allowed: all
                .iter()
                .map(|x| name(*x).replace('_', "-"))
                .collect::<Vec<_>>()
                .join(", "),
        })
}

impl FromStr for Role {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Role, UnknownName> {
        parse_named(s, &Role::ALL, Role::as_str, "peran", "role")
    }
}

impl FromStr for Agency {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Agency, UnknownName> {
        parse_named(s, &Agency::ALL, Agency::as_str, "instansi", "agency")
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Agency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an account cannot be created as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("nama pengguna harus 3–32 huruf kecil, angka, '.', '_' atau '-' (username: 3–32 of a-z, 0-9, . _ -)")]
    Username,
    #[error("kata sandi minimal 10 karakter (password: at least 10 characters)")]
    PasswordTooShort,
    #[error("kata sandi maksimal 256 karakter (password: at most 256 characters)")]
    PasswordTooLong,
    #[error("peran {0} harus punya instansi: tambahkan --agency (role {0} needs an agency)")]
    AgencyRequired(Role),
    #[error("peran {0} harus punya wilayah: tambahkan --region (role {0} needs a region scope)")]
    RegionRequired(Role),
    #[error("nama tampilan 1–100 karakter (display name: 1–100 characters)")]
    DisplayName,
}

pub fn check_username(name: &str) -> Result<(), AccountError> {
    let ok = (3..=32).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(AccountError::Username)
    }
}

pub fn check_password(pw: &str) -> Result<(), AccountError> {
    let n = pw.chars().count();
    if n < 10 {
        Err(AccountError::PasswordTooShort)
    } else if n > 256 {
        Err(AccountError::PasswordTooLong)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_in_both_spellings() {
        assert_eq!("petugas-piket".parse::<Role>().unwrap(), Role::PetugasPiket);
        assert_eq!(
            "Operator_Wilayah".parse::<Role>().unwrap(),
            Role::OperatorWilayah
        );
        assert_eq!("PROPAM".parse::<Agency>().unwrap(), Agency::Propam);
        let e = "polisi".parse::<Agency>().unwrap_err();
        assert!(e.to_string().contains("propam"), "{e}");
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        for a in Agency::ALL {
            assert_eq!(a.as_str().parse::<Agency>().unwrap(), a);
        }
    }

    #[test]
    fn account_rules() {
        assert!(check_username("piket.bawaslu-1").is_ok());
        assert_eq!(check_username("Ab"), Err(AccountError::Username));
        assert_eq!(check_username("a b c"), Err(AccountError::Username));
        assert_eq!(check_password("short"), Err(AccountError::PasswordTooShort));
        assert!(check_password("cukup-panjang-sekali").is_ok());
        assert!(Role::Penindak.needs_agency());
        assert!(!Role::Admin.needs_region());
    }
}
