//! The public accountability page in a real browser: headless Chromium, signed out, opens
//! `/akuntabilitas` for Jepara after reports came in through the API; the table renders, the
//! small count shows as "<5" and no cell shows a count from 1 to 4; the language switch turns
//! the page English and back. Skipped, with a message, where chromium or chromedriver is not
//! installed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod browser_common;
mod common;

use browser_common::{browser, save_screenshot};
use common::{browser_like_client, Env};
use fantoccini::Locator;
use serde_json::json;

async fn file_report(server: &common::Server, token: &str, region: &str) {
    let today = jiff::Zoned::now().date().to_string();
    let r = browser_like_client()
        .post(server.url("/api/v1/reports"))
        .bearer_auth(token)
        .json(&json!({
            "subject_category": "asn", "subject_name": "Nama Terlapor", "subject_unit": "Dinas",
            "violation": "asn_media_sosial",
            "description": "Membagikan unggahan kampanye pasangan calon di grup kantor.",
            "region": region, "happened_on": today, "learned_on": today,
            "reporter_name": "Pelapor Rahasia", "reporter_phone": "081398765432",
            "reporter_address": "Jl. Kartini 9"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_page_renders_suppresses_and_switches_language_in_chromium() {
    let Some((_driver, c)) = browser(1280, 1000).await else {
        return;
    };
    let env = Env::sqlite();
    let token = env
        .ok(&["token", "add", "--name", "gw"], None)
        .trim()
        .to_string();
    let server = env.start();
    for _ in 0..7 {
        file_report(&server, &token, "33.20.01.2001").await;
    }
    for _ in 0..2 {
        file_report(&server, &token, "33.20.02.2001").await;
    }

    c.goto(&server.url("/akuntabilitas?wilayah=33.20"))
        .await
        .unwrap();
    let table = c.find(Locator::Id("tabel-wilayah")).await.unwrap();
    let cells = table.find_all(Locator::Css("td.num")).await.unwrap();
    let mut texts = Vec::new();
    for cell in &cells {
        texts.push(cell.text().await.unwrap());
    }
    assert!(texts.iter().any(|t| t == "<5"), "{texts:?}");
    assert!(texts.iter().any(|t| t == "9"), "the total shows: {texts:?}");
    for t in &texts {
        if let Ok(n) = t.parse::<u64>() {
            assert!(n == 0 || n >= 5, "count {n} visible: {texts:?}");
        }
    }
    let body = c
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for secret in [
        "Pelapor Rahasia",
        "081398765432",
        "Jl. Kartini 9",
        "Nama Terlapor",
        "grup kantor",
    ] {
        assert!(!body.contains(secret), "{secret} on the public page");
    }
    // No count from 1 to 4 in any table of the page, not only the first.
    for cell in c.find_all(Locator::Css("td.num")).await.unwrap() {
        let t = cell.text().await.unwrap();
        if let Ok(n) = t.parse::<u64>() {
            assert!(n == 0 || n >= 5, "count {n} visible");
        }
    }
    let h1 = c
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(h1.contains("Akuntabilitas"), "{h1}");
    save_screenshot(&c, "akuntabilitas-id").await;

    // English, then back to Bahasa Indonesia, on the same page.
    c.find(Locator::Css("a[hreflang='en']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("a[hreflang='id']"))
        .await
        .unwrap();
    let h1 = c
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(h1.contains("Accountability"), "{h1}");
    assert!(c
        .current_url()
        .await
        .unwrap()
        .as_str()
        .contains("/akuntabilitas"));
    let legend = c
        .find(Locator::Id("keterangan-samaran"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(legend.contains("fewer than five"), "{legend}");
    save_screenshot(&c, "akuntabilitas-en").await;
    c.find(Locator::Css("a[hreflang='id']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("a[hreflang='en']"))
        .await
        .unwrap();
    let h1 = c
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(h1.contains("Akuntabilitas"), "{h1}");
    c.close().await.unwrap();
}
