//! `posko audit verify` on the real binary and a real SQLite file: an intact chain passes, and
//! altering, removing or reordering any entry in the database is found and named, with a
//! non-zero exit.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::Env;
use posko_store::{NewAuditEntry, Store};
use posko_store_sqlite::{Create, SqliteStore};

async fn chain_of(env: &Env, n: i64) -> SqliteStore {
    let store = SqliteStore::open(&env.dir.path().join("data/posko.sqlite3"), Create::No)
        .await
        .unwrap();
    for i in 1..=n {
        store
            .append_audit(&NewAuditEntry {
                at: jiff::Timestamp::now(),
                actor: Some(i),
                action: "identity_read".into(),
                subject: format!("report:{i}"),
                detail: format!("langkah {i}"),
            })
            .await
            .unwrap();
    }
    store
}

fn verify(env: &Env) -> (i32, String) {
    let out = env.run(&["audit", "verify"], None);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampering_with_the_audit_log_is_found() {
    // Each case on its own fresh chain of five entries; the SQL is what an insider would run.
    let cases: [(&str, &str); 5] = [
        ("UPDATE audit_log SET detail = 'tidak ada apa-apa' WHERE seq = 3", "entri 3 diubah"),
        ("DELETE FROM audit_log WHERE seq = 2", "entri 2 hilang"),
        ("UPDATE audit_log SET seq = -seq WHERE seq IN (2, 4); UPDATE audit_log SET seq = 6 WHERE seq = -2; UPDATE audit_log SET seq = 2 WHERE seq = -4; UPDATE audit_log SET seq = 4 WHERE seq = 6", "entri 2"),
        ("DELETE FROM audit_log WHERE seq = 5", "berakhir di entri 4"),
        ("DELETE FROM audit_log WHERE seq = 5; DELETE FROM audit_head", "kepala rantai"),
    ];
    for (sql, expected) in cases {
        let env = Env::sqlite();
        let store = chain_of(&env, 5).await;
        let (code, text) = verify(&env);
        assert_eq!(code, 0, "intact chain: {text}");
        assert!(text.contains("5 entri"));
        for stmt in sql.split("; ") {
            sqlx::query(stmt).execute(store.pool()).await.unwrap();
        }
        store.close().await;
        let (code, text) = verify(&env);
        assert_eq!(code, 3, "{sql}: {text}");
        assert!(
            text.contains("RANTAI AUDIT RUSAK") && text.contains(expected),
            "{sql}: {text}"
        );
    }
}

#[test]
fn an_empty_log_verifies() {
    let env = Env::sqlite();
    let (code, text) = verify(&env);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("0 entri"));
}
