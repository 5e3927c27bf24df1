//! A real browser on the officer's path: headless Chromium driven through chromedriver
//! (WebDriver) logs in, walks the region browser down to a village's TPS, switches language and
//! logs out. Skipped, with a message, where chromium or chromedriver is not installed;
//! `.ci/run` installs both so CI runs it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod browser_common;
mod common;

use std::time::{Duration, Instant};

use browser_common::{browser, save_screenshot, sign_in};
use common::{Env, PASSWORD};
use fantoccini::{Client, Locator};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officer_logs_in_browses_to_a_village_and_logs_out_in_chromium() {
    let Some((_driver, c)) = browser(1280, 900).await else {
        return;
    };
    let env = Env::sqlite();
    env.add_user(
        "piket.jepara",
        "petugas-piket",
        &["--agency", "kpu", "--region", "33.20"],
    );
    env.ok(&["demo", "tps", "--regency", "33.20"], None);
    let server = env.start();

    c.goto(&server.url("/")).await.unwrap();
    c.find(Locator::Id("nav-masuk"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys("piket.jepara")
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Id("tombol-masuk"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("akun-username"))
        .await
        .unwrap();
    assert!(c.current_url().await.unwrap().path().ends_with("/akun"));
    let who = c
        .find(Locator::Id("akun-username"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(who, "piket.jepara");

    // Indonesia → JAWA TENGAH → KABUPATEN JEPARA → first district → first village.
    c.goto(&server.url("/wilayah")).await.unwrap();
    c.find(Locator::LinkText("JAWA TENGAH"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::LinkText("KABUPATEN JEPARA"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let heading = c
        .find(Locator::Id("judul-wilayah"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(heading, "KABUPATEN JEPARA");
    save_screenshot(&c, "wilayah-jepara.png").await;
    c.find(Locator::Css("#anak-wilayah tbody tr:first-child a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("#anak-wilayah tbody tr:first-child a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let rows = c
        .find_all(Locator::Css("#daftar-tps tbody tr"))
        .await
        .unwrap();
    assert!(!rows.is_empty(), "the village lists its TPS");
    let shown = c
        .find(Locator::Id("jumlah-tps"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(shown, rows.len().to_string());

    // English, then back to Bahasa Indonesia, on the same page.
    let here = c.current_url().await.unwrap();
    c.find(Locator::LinkText("English"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    assert_eq!(c.current_url().await.unwrap().path(), here.path());
    assert!(c.source().await.unwrap().contains("Polling stations"));
    c.find(Locator::LinkText("Bahasa Indonesia"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    c.find(Locator::Id("keluar"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Id("nav-masuk"))
        .await
        .unwrap();
    c.goto(&server.url("/akun")).await.unwrap();
    assert!(
        c.current_url().await.unwrap().path().ends_with("/masuk"),
        "logged out"
    );
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn region_pages_fit_a_phone_screen() {
    let Some((_driver, c)) = browser(412, 915).await else {
        return;
    };
    let env = Env::sqlite();
    env.ok(&["demo", "tps", "--regency", "15.71"], None);
    let server = env.start();
    c.goto(&server.url("/wilayah/15.71")).await.unwrap();
    // No sideways scrolling on a 412-pixel-wide phone.
    let overflow = c
        .execute(
            "return document.documentElement.scrollWidth - window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        overflow.as_i64().unwrap() <= 0,
        "page is wider than the phone by {overflow}"
    );
    save_screenshot(&c, "wilayah-jambi-ponsel.png").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_citizen_reports_from_a_phone_without_logging_in() {
    let Some((_driver, c)) = browser(412, 915).await else {
        return;
    };
    let env = Env::sqlite();
    let server = env.start_with(&[("POSKO_WILAYAH_POSKO", "33.20")]);
    c.goto(&server.url("/")).await.unwrap();
    c.find(Locator::Id("tombol-lapor"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // The picker starts at the post's regency; walk down to a village without any script.
    chosen_region(&c, |t| t.contains("KABUPATEN JEPARA")).await;
    for level in 2..4 {
        let select = c.find(Locator::Id("region_child")).await.unwrap();
        select.select_by_index(1).await.unwrap();
        c.find(Locator::Id("pilih-wilayah"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        // The form posts and the page comes back one level deeper.
        chosen_region(&c, |t| t.matches('›').count() == level).await;
    }
    let overflow = c
        .execute(
            "return document.documentElement.scrollWidth - window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        overflow.as_i64().unwrap() <= 0,
        "the form is wider than the phone by {overflow}"
    );

    c.find(Locator::Css(
        "#subject_category option[value='kepala_desa']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    c.find(Locator::Css(
        "#violation option[value='desa_ikut_kampanye']",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    c.find(Locator::Id("description"))
        .await
        .unwrap()
        .send_keys("Kepala desa ikut berkampanye di lapangan desa.")
        .await
        .unwrap();
    let today = jiff::Zoned::now().date();
    // Chromium's date inputs take the keys of the local format (mm/dd/yyyy under en-US).
    let typed = format!("{:02}{:02}{:04}", today.month(), today.day(), today.year());
    for id in ["happened_on", "learned_on"] {
        c.find(Locator::Id(id))
            .await
            .unwrap()
            .send_keys(&typed)
            .await
            .unwrap();
    }
    save_screenshot(&c, "lapor-ponsel.png").await;
    c.find(Locator::Id("kirim-laporan"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The receipt replaces the form: wait for it rather than race the navigation.
    let code = c
        .wait()
        .for_element(Locator::Id("kode-pelacakan"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        code.starts_with("PSK-"),
        "receipt shows a tracking code: {code}"
    );
    save_screenshot(&c, "tanda-terima-ponsel.png").await;
    c.close().await.unwrap();
}

/// The chosen-region text once it satisfies `ready`: waits out the page load after a submit
/// (an element of the page being replaced goes stale), for at most ten seconds.
async fn chosen_region(c: &Client, ready: impl Fn(&str) -> bool) -> String {
    let started = Instant::now();
    loop {
        if let Ok(el) = c.find(Locator::Id("wilayah-terpilih")).await {
            if let Ok(text) = el.text().await {
                if ready(&text) {
                    return text;
                }
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the region picker did not move"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coordinator_reads_vulnerability_and_plans_security_in_chromium() {
    let Some((_driver, c)) = browser(1280, 900).await else {
        return;
    };
    let env = Env::sqlite();
    env.ok(&["demo", "tps", "--regency", "33.20"], None);
    let ids = "keamanan,otoritas_penyelenggara_pemilu,otoritas_penyelenggara_negara,hak_memilih,pelaksanaan_kampanye,pelaksanaan_pemungutan_suara,ajudikasi_keberatan,pengawasan_pemilu,hak_dipilih,kampanye_calon,partisipasi_pemilih,partisipasi_kelompok_masyarakat";
    let row = |code: &str, v: &str| format!("{code},{}\n", [v; 12].join(","));
    let csv = format!(
        "kode_wilayah,{ids}\n{}{}{}",
        row("33.20", "20.8"),
        row("33.21", "50"),
        row("33.74", "90.5")
    );
    let path = env.dir.path().join("ikp.csv");
    std::fs::write(&path, csv).unwrap();
    env.ok(&["ikp", "import", path.to_str().unwrap()], None);
    env.add_user(
        "koord.jateng",
        "koordinator",
        &["--agency", "kesbangpol", "--region", "33"],
    );
    let server = env.start();
    sign_in(&c, &server, "koord.jateng").await;

    // From the menu to the province's grid, then one regency's explanation.
    c.find(Locator::Id("nav-kerawanan"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("grid-ikp")).await.unwrap();
    let tiles = c.find_all(Locator::Css("#grid-ikp a.tile")).await.unwrap();
    assert_eq!(tiles.len(), 35, "every regency and city of Central Java");
    let high = c
        .find_all(Locator::Css("#grid-ikp a.kat-tinggi"))
        .await
        .unwrap();
    assert_eq!(high.len(), 1);
    save_screenshot(&c, "kerawanan-jateng.png").await;
    high[0].clone().click().await.unwrap();
    c.wait()
        .for_element(Locator::Css("#grafik-dimensi svg"))
        .await
        .unwrap();
    let chart = c.find(Locator::Css("#grafik-dimensi svg")).await.unwrap();
    let (_, _, w, h) = chart.rectangle().await.unwrap();
    assert!(w > 100.0 && h > 50.0, "the chart is drawn: {w}×{h}");
    assert!(c
        .find(Locator::Id("skor"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .contains("90.50"));

    // The security plan of Jepara, and a what-if that changes its total.
    c.goto(&server.url("/pengamanan/33.20")).await.unwrap();
    let before = c
        .find(Locator::Id("jumlah"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    c.find(Locator::Id("andaikan"))
        .await
        .unwrap()
        .send_keys("33.20.01.2001/001=sangat_rawan")
        .await
        .unwrap();
    c.find(Locator::Id("hitung-andaikan"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // Wait for the recomputed page (the textarea keeps the line), not the old one.
    let started = Instant::now();
    let after = loop {
        let url = c.current_url().await.unwrap();
        if url.query().is_some_and(|q| q.contains("andaikan")) {
            if let Ok(t) = c.find(Locator::Id("jumlah")).await {
                break t.text().await.unwrap();
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no recomputed page"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_ne!(before, after, "the what-if changes the need");
    save_screenshot(&c, "pengamanan-jepara.png").await;
}
