//! A guard for reading spreadsheets. The XLSX library (calamine) panics on some damaged
//! workbooks (a shared-string index past the table, found by the DPT fuzz target), so every
//! reader runs its workbook reads through [`guarded`]: a broken file becomes a clear error that
//! the reader names with its file, never a crash of the run, the import or the server's request.

use std::panic::{catch_unwind, AssertUnwindSafe};

/// What a workbook the XLSX library gave up on is called.
pub const BROKEN_WORKBOOK: &str =
    "berkas XLSX rusak dan tidak dapat dibaca (the XLSX file is damaged and cannot be read)";

/// Runs a workbook read; a panic inside it is [`BROKEN_WORKBOOK`].
pub fn guarded<T>(read: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(read)).unwrap_or_else(|_| Err(BROKEN_WORKBOOK.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_the_broken_workbook_error_and_results_pass_through() {
        let v: Vec<u8> = Vec::new();
        assert_eq!(guarded::<u8>(|| Ok(v[0])), Err(BROKEN_WORKBOOK.to_string()));
        assert_eq!(guarded(|| Ok(7)), Ok(7));
        assert_eq!(guarded::<u8>(|| Err("x".into())), Err("x".to_string()));
    }
}
