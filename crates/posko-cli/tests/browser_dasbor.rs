//! The coordinator's dashboard in a real browser: headless Chromium signs a coordinator in,
//! opens the dashboard from the menu, sees the tiles with their server-made SVG charts (no
//! script on the page), and drills down to a district's dashboard and to the vulnerability
//! page. Skipped, with a message, where chromium or chromedriver is not installed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod browser_common;
mod common;

use browser_common::{browser, save_screenshot, sign_in};
use common::{browser_like_client, Env};
use fantoccini::Locator;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coordinator_opens_the_dashboard_and_drills_down_in_chromium() {
    let Some((_driver, c)) = browser(1280, 1000).await else {
        return;
    };
    let env = Env::sqlite();
    env.add_user(
        "koor",
        "koordinator",
        &["--agency", "kesbangpol", "--region", "33.20"],
    );
    env.ok(&["demo", "tps", "--regency", "33.20"], None);
    let token = env
        .ok(&["token", "add", "--name", "gw"], None)
        .trim()
        .to_string();
    let server = env.start();
    let today = jiff::Zoned::now().date().to_string();
    for village in ["33.20.01.2001", "33.20.02.2001"] {
        let r = browser_like_client()
            .post(server.url("/api/v1/reports"))
            .bearer_auth(&token)
            .json(&json!({
                "subject_category": "asn", "subject_name": "Pegawai", "violation": "asn_media_sosial",
                "description": "Membagikan unggahan kampanye di media sosial.", "region": village,
                "happened_on": today, "learned_on": today,
                "reporter_name": "Warga", "reporter_address": "Jl. Desa 1", "reporter_phone": "081234567890"
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::CREATED);
    }
    env.ok(&["dasbor", "hitung"], None);

    sign_in(&c, &server, "koor").await;
    c.find(Locator::Id("nav-dasbor"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("tile-kasus"))
        .await
        .unwrap();
    assert_eq!(c.current_url().await.unwrap().path(), "/dasbor/33.20");
    // Every subject has its tile; the charts are SVG drawn by the server, and they show.
    for id in [
        "tile-kasus",
        "tile-tenggat",
        "tile-instansi",
        "tile-kategori",
        "tile-peringatan",
        "tile-kerawanan",
        "tile-dpt",
        "tile-logistik",
        "tile-pengamanan",
        "tile-partisipasi",
        "tile-netralitas",
    ] {
        let t = c.find(Locator::Id(id)).await.unwrap();
        assert!(t.is_displayed().await.unwrap(), "{id} visible");
    }
    let chart = c.find(Locator::Css("#tile-kasus svg rect")).await.unwrap();
    assert!(chart.is_displayed().await.unwrap(), "bar visible");
    let svgs = c.find_all(Locator::Css(".dash-tile svg")).await.unwrap();
    assert!(svgs.len() >= 3, "charts on several tiles");
    let scripts = c.find_all(Locator::Css("script")).await.unwrap();
    assert!(scripts.is_empty(), "no script needed");
    let text = c
        .find(Locator::Id("tile-kasus"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("Jumlah: 2"), "{text}");
    save_screenshot(&c, "dasbor.png").await;

    // Drill down to a district's dashboard from the table of regions below.
    c.find(Locator::Css("#anak-33\\.20\\.01 a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("ke-induk")).await.unwrap();
    assert_eq!(c.current_url().await.unwrap().path(), "/dasbor/33.20.01");
    let text = c
        .find(Locator::Id("tile-kasus"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("Jumlah: 1"), "{text}");
    // Back up, then into the vulnerability page from its tile.
    c.find(Locator::Id("ke-induk"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("wilayah-bawahan"))
        .await
        .unwrap();
    c.find(Locator::Css("#tile-kerawanan a.drill"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let url = c.current_url().await.unwrap();
    assert_eq!(url.path(), "/kerawanan");
    assert_eq!(url.query(), Some("wilayah=33.20"));
    c.close().await.unwrap();
}
