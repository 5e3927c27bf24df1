//! The turnout page in a real browser: an operator uploads the TPS result forms of Jepara through
//! the page's file field, sees turnout per ballot type with its chart, and drills down from the
//! regency to a district. Skipped, with a message, where chromium or chromedriver is not
//! installed; `.ci/run` installs both so CI runs it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod browser_common;
mod common;

use std::time::{Duration, Instant};

use browser_common::{browser, save_screenshot, sign_in};
use common::Env;
use fantoccini::Locator;
use posko_core::{BallotType, Election, Level, RegionCode};
use posko_hasil::generate::{seeded, JEPARA_2019};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_uploads_forms_and_drills_down_turnout_in_chromium() {
    let Some((_driver, c)) = browser(1280, 900).await else {
        return;
    };
    let env = Env::sqlite();
    let jepara = RegionCode::parse("33.20").unwrap();
    let forms = seeded(
        &jepara,
        &Election::pemilu_2024(),
        &JEPARA_2019.map(|(b, bp)| (b, bp - 150)),
        300,
        2024,
    );
    let file = env.dir.path().join("hasil-jepara.csv");
    posko_hasil::output::write_forms(&forms, std::fs::File::create(&file).unwrap()).unwrap();
    env.add_user(
        "operator",
        "operator-wilayah",
        &["--agency", "kpu", "--region", "33.20"],
    );
    let server = env.start();
    sign_in(&c, &server, "operator").await;

    c.goto(&server.url("/partisipasi/33.20?pemilihan=pemilu-2024"))
        .await
        .unwrap();
    c.find(Locator::Id("belum-ada")).await.unwrap();
    // The file goes in through the page's own file field and button.
    c.find(Locator::Id("berkas"))
        .await
        .unwrap()
        .send_keys(file.to_str().unwrap())
        .await
        .unwrap();
    c.find(Locator::Id("kirim-impor"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Id("tabel-partisipasi"))
        .await
        .unwrap();
    let notice = c
        .find(Locator::Id("pesan-impor"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(notice.contains(&forms.len().to_string()), "{notice}");
    // One row per ballot type Jepara votes on, and the chart drawn at a visible size.
    let types: std::collections::BTreeSet<BallotType> = forms.iter().map(|f| f.ballot).collect();
    let rows = c
        .find_all(Locator::Css("#tabel-partisipasi tbody tr"))
        .await
        .unwrap();
    assert_eq!(rows.len(), types.len());
    let chart = c.find(Locator::Id("grafik-partisipasi")).await.unwrap();
    let (_, _, w, h) = chart.rectangle().await.unwrap();
    assert!(w > 100.0 && h > 50.0, "the chart is drawn: {w}×{h}");
    save_screenshot(&c, "partisipasi-jepara.png").await;

    // Every district with forms is a row; the first one drills down to its own page.
    let districts: std::collections::BTreeSet<RegionCode> = forms
        .iter()
        .filter_map(|f| f.tps.village.ancestor_at(Level::District))
        .collect();
    assert!(districts.len() > 5, "the forms spread over Jepara");
    let links = c
        .find_all(Locator::Css("#tabel-wilayah tbody tr a"))
        .await
        .unwrap();
    assert_eq!(links.len(), districts.len());
    let first = links[0].text().await.unwrap();
    links[0].clone().click().await.unwrap();
    let started = Instant::now();
    loop {
        let url = c.current_url().await.unwrap();
        if url.path().starts_with("/partisipasi/33.20.") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no district page"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let heading = c
        .find(Locator::Css("h1"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(heading.contains(&first), "{heading} names {first}");
    c.find(Locator::Id("tabel-partisipasi")).await.unwrap();
    save_screenshot(&c, "partisipasi-kecamatan.png").await;
}
