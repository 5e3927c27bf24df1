//! The authorisation matrix, generated: every role × agency against every officer route, for a
//! case routed to Propam and one routed nowhere. A handler (penindak) reads, lists or changes only
//! cases routed to its own agency and never sees a reporter's identity; observers and regional
//! operators see no case; the post's own officers see every case of their region; handling at
//! the post (assignment, extension, merge, the roster, the register) is theirs alone; an agency's
//! own system reads by API only what was routed to it. Each cell is a real request.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{browser_like_client, csrf_of, Env};
use posko_core::{Agency, Role};
use serde_json::json;

fn report(description: &str) -> serde_json::Value {
    let today = jiff::Zoned::now().date().to_string();
    json!({
        "subject_category": "polri", "violation": "aparat_politik_praktis", "description": description,
        "region": "33.20.01.2001", "happened_on": today, "learned_on": today,
        "reporter_name": "Rahasia Pelapor", "reporter_address": "Alamat Rahasia 9", "reporter_phone": "081234567890"
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_and_agency_sees_only_what_it_may() {
    let env = Env::sqlite();
    let token = env
        .ok(&["token", "add", "--name", "gw"], None)
        .trim()
        .to_string();
    env.add_user(
        "piket",
        "petugas-piket",
        &["--agency", "bawaslu", "--region", "33.20"],
    );
    let mut accounts = Vec::new();
    for role in Role::ALL {
        for agency in Agency::ALL {
            let name = format!("{}.{}", role.as_str().replace('_', "-"), agency.as_str());
            env.add_user(
                &name,
                role.as_str(),
                &["--agency", agency.as_str(), "--region", "33.20"],
            );
            accounts.push((role, agency, name, true));
        }
    }
    // A post officer of another region sees none of these cases.
    env.add_user(
        "piket.jambi",
        "petugas-piket",
        &["--agency", "bawaslu", "--region", "15.71"],
    );
    accounts.push((
        Role::PetugasPiket,
        Agency::Bawaslu,
        "piket.jambi".into(),
        false,
    ));
    // Each agency's own system, by API token.
    let mut agency_tokens = Vec::new();
    for agency in Agency::ALL {
        let t = env
            .ok(
                &[
                    "token",
                    "add",
                    "--name",
                    &format!("sys-{}", agency.as_str()),
                    "--instansi",
                    agency.as_str(),
                ],
                None,
            )
            .trim()
            .to_string();
        agency_tokens.push((agency, t));
    }
    let server = env.start_with(&[("POSKO_RATE_LIMIT_PER_MINUTE", "100000")]);
    let anon = browser_like_client();
    let mut ids = Vec::new();
    for d in [
        "Kasus yang diteruskan ke Propam.",
        "Kasus yang belum diteruskan ke mana pun.",
    ] {
        let r: serde_json::Value = anon
            .post(server.url("/api/v1/reports"))
            .bearer_auth(&token)
            .json(&report(d))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let code = r["tracking_code"].as_str().unwrap().to_string();
        ids.push(code);
    }
    // Route the first case to Propam through the real pages.
    let piket = common::login(&server, "piket").await;
    let list = piket
        .get(server.url("/petugas/laporan"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let id_of = |code: &str| -> String {
        let at = list.find(code).unwrap();
        let before = &list[..at];
        before
            .rsplit("/petugas/laporan/")
            .next()
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string()
    };
    let (routed, unrouted) = (id_of(&ids[0]), id_of(&ids[1]));
    for fields in [
        vec![("aksi", "start_review")],
        vec![("aksi", "register")],
        vec![("aksi", "examine")],
        vec![("aksi", "decide"), ("putusan", "hukum_lainnya")],
        vec![("aksi", "refer")],
    ] {
        let page = piket
            .get(server.url(&format!("/petugas/laporan/{routed}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = csrf_of(&page);
        let mut form = vec![("csrf", csrf.as_str())];
        form.extend(fields);
        piket
            .post(server.url(&format!("/petugas/laporan/{routed}/langkah")))
            .form(&form)
            .send()
            .await
            .unwrap();
    }

    let mut cells = 0;
    let today = jiff::Zoned::now().date().to_string();
    for (role, agency, name, in_region) in &accounts {
        let http = common::login(&server, name).await;
        let post_role = matches!(role, Role::Admin | Role::Koordinator | Role::PetugasPiket);
        let post_officer = post_role && *in_region;
        let handler_of_propam = *role == Role::Penindak && *agency == Agency::Propam;
        let planner = matches!(role, Role::Admin | Role::Koordinator);
        let list = http
            .get(server.url("/petugas/laporan"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        // Every signed-in page carries the account's CSRF token (the logout form).
        let account = http
            .get(server.url("/akun"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let csrf = csrf_of(&account);
        for (case, code, may_see) in [
            (&routed, &ids[0], post_officer || handler_of_propam),
            (&unrouted, &ids[1], post_officer),
        ] {
            // Listing.
            assert_eq!(list.contains(code.as_str()), may_see, "{name} lists {code}");
            // Reading.
            let page = http
                .get(server.url(&format!("/petugas/laporan/{case}")))
                .send()
                .await
                .unwrap();
            let status = page.status().as_u16();
            let body = page.text().await.unwrap();
            assert_eq!(status == 200, may_see, "{name} reads case {case}: {status}");
            // Never the identity, sealed or not, for anyone in this matrix.
            assert!(
                !body.contains("Rahasia Pelapor") && !body.contains("Alamat Rahasia"),
                "{name} saw an identity"
            );
            // Changing: a follow-up only by Propam's handler, on the routed case.
            let r = http
                .post(server.url(&format!("/petugas/laporan/{case}/langkah")))
                .form(&[("csrf", csrf.as_str()), ("aksi", "start_follow_up")])
                .send()
                .await
                .unwrap();
            let changed =
                r.status().as_u16() == 200 && r.text().await.unwrap().contains("Langkah dicatat");
            let may_change = handler_of_propam && case == &routed;
            assert_eq!(changed, may_change, "{name} moves case {case}");
            if changed {
                // Put it back in reach of the next Propam-handler account: nothing else moves it.
                break;
            }
            // Handling at the post (assign, extend, merge): the post's officers of the region
            // only; for everyone else it is refused before anything happens.
            for (route, field, value) in [
                ("tugaskan", "petugas", "saya"),
                ("perpanjang", "alasan", "keterangan tambahan"),
                // Merging a case into itself: refused with a reason for the post, and
                // forbidden for everyone else; no case moves.
                ("gabung", "duplikat", case.as_str()),
            ] {
                let r = http
                    .post(server.url(&format!("/petugas/laporan/{case}/{route}")))
                    .form(&[("csrf", csrf.as_str()), (field, value)])
                    .send()
                    .await
                    .unwrap();
                let status = r.status().as_u16();
                assert_eq!(
                    status == 200,
                    post_officer,
                    "{name} {route} on {case}: {status}"
                );
            }
            // Unsealing: never for handlers, observers or operators.
            if !post_officer {
                let r = http
                    .post(server.url(&format!("/petugas/laporan/{case}/buka-segel")))
                    .form(&[
                        ("csrf", csrf.as_str()),
                        ("reason", "Ingin tahu identitas pelapor"),
                    ])
                    .send()
                    .await
                    .unwrap();
                assert!(
                    r.status().as_u16() >= 400,
                    "{name} asked to unseal: {}",
                    r.status()
                );
            }
            cells += 1;
        }
        // The roster, its printable week and the register: the post's officers; planning the
        // roster: admin and coordinator only.
        for path in [
            "/petugas/piket",
            "/petugas/piket/cetak",
            "/petugas/terlapor",
        ] {
            let status = http
                .get(server.url(path))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16();
            assert_eq!(status == 200, post_role, "{name} GET {path}: {status}");
        }
        let r = http
            .post(server.url("/petugas/piket"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("instansi", "bawaslu"),
                ("petugas", "1"),
                ("tanggal", today.as_str()),
                ("mulai", "08:00"),
                ("selesai", "09:00"),
            ])
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        assert_eq!(status == 200, planner, "{name} plans the roster: {status}");
        // The evidence route obeys the same rule (no evidence here: 404 for everyone is fine,
        // but never 200 for a case one may not see).
        let r = http
            .get(server.url(&format!(
                "/petugas/laporan/{unrouted}/bukti/{}",
                "0".repeat(64)
            )))
            .send()
            .await
            .unwrap();
        assert_ne!(r.status().as_u16(), 200);
    }
    assert!(
        cells >= Role::ALL.len() * Agency::ALL.len(),
        "{cells} cells checked"
    );
    // The API: an agency's system lists and reads only what was routed to its agency; report
    // gateways and strangers get nothing.
    for (agency, t) in &agency_tokens {
        let mine = *agency == Agency::Propam;
        let list: serde_json::Value = anon
            .get(server.url("/api/v1/cases"))
            .bearer_auth(t)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let listed = list["cases"].as_array().unwrap().len();
        assert_eq!(listed, usize::from(mine), "{agency:?} lists {listed}");
        for (case, may) in [(&routed, mine), (&unrouted, false)] {
            let r = anon
                .get(server.url(&format!("/api/v1/cases/{case}")))
                .bearer_auth(t)
                .send()
                .await
                .unwrap();
            let body = r.text().await.unwrap();
            assert_eq!(
                body.contains("\"tracking_code\""),
                may,
                "{agency:?} reads {case}"
            );
            assert!(
                !body.contains("Rahasia Pelapor"),
                "{agency:?} saw an identity"
            );
        }
    }
    for t in [token.as_str(), "psk_salah"] {
        let status = anon
            .get(server.url("/api/v1/cases"))
            .bearer_auth(t)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        assert!(
            status == 401 || status == 403,
            "a non-agency token: {status}"
        );
    }
}
