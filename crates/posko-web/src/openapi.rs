//! The OpenAPI 3 document of Posko's JSON API, served at `/api/v1/openapi.json`. It is written
//! by hand, next to the routes; the end-to-end tests read it and call every documented operation
//! with its example, so a route and its description cannot drift apart unnoticed.

use axum::Json;
use serde_json::{json, Value};

fn string(description: &str) -> Value {
    json!({ "type": "string", "description": description })
}

/// The request body of `POST /api/v1/reports`, with its example.
fn report_request() -> Value {
    json!({
        "type": "object",
        "required": ["subject_category", "violation", "description", "region", "happened_on", "learned_on"],
        "properties": {
            "subject_category": { "type": "string", "enum": ["asn", "polri", "tni", "camat_lurah", "kepala_desa", "penyelenggara_ad_hoc", "peserta_kampanye", "lainnya"] },
            "subject_name": string("Nama terlapor / reported person's name"),
            "subject_position": string("Jabatan / position"),
            "subject_unit": string("Satuan atau instansi / unit"),
            "subject_id_number": string("NIP/NRP, digits; stored only as a keyed hash"),
            "violation": string("Kode jenis pelanggaran (data/pelanggaran/jenis.toml), e.g. asn_media_sosial"),
            "description": string("Uraian kejadian, 10–5000 characters"),
            "region": string("Kemendagri code of a regency, district or village, e.g. 33.20.01.2001"),
            "tps": string("TPS number 1–999 (with a village region)"),
            "place": string("Place, free text"),
            "lat": string("Latitude, decimal degrees (with lon)"),
            "lon": string("Longitude, decimal degrees (with lat)"),
            "happened_on": { "type": "string", "format": "date" },
            "happened_time": string("HH:MM, local time of the region"),
            "learned_on": { "type": "string", "format": "date", "description": "The legal window runs from this date" },
            "reporter_name": string("Optional; with address and phone or e-mail the report is a laporan"),
            "reporter_address": string("Optional"),
            "reporter_nik": string("Optional, 16 digits; sealed"),
            "reporter_phone": string("Optional Indonesian number (08…, 628…, +62…); sealed"),
            "reporter_email": string("Optional; sealed"),
            "evidence": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["filename", "content_base64"],
                    "properties": { "filename": { "type": "string" }, "content_base64": { "type": "string", "format": "byte" } }
                }
            }
        },
        "example": {
            "subject_category": "asn",
            "subject_name": "Budi Santoso",
            "subject_position": "Kepala Seksi",
            "subject_unit": "Dinas Pendidikan",
            "violation": "asn_media_sosial",
            "description": "Membagikan unggahan kampanye pasangan calon di grup WhatsApp kantor.",
            "region": "33.20.01.2001",
            "tps": "3",
            "happened_on": "2024-11-18",
            "happened_time": "09:30",
            "learned_on": "2024-11-19",
            "reporter_name": "Siti Aminah",
            "reporter_address": "Jl. Kartini 1, Jepara",
            "reporter_phone": "0812-3456-7890",
            "evidence": [{ "filename": "tangkapan-layar.pdf", "content_base64": "JVBERi0xLjQKJSVFT0YK" }]
        }
    })
}

fn receipt() -> Value {
    json!({
        "type": "object",
        "required": ["tracking_code", "kind", "late", "filing_deadline", "received_at", "status_url", "evidence"],
        "properties": {
            "tracking_code": { "type": "string", "example": "PSK-7K3M-9QXD-2HNB" },
            "kind": { "type": "string", "enum": ["laporan", "informasi_awal"] },
            "late": { "type": "boolean", "description": "Filed after the legal window (daluwarsa)" },
            "filing_deadline": { "type": "string", "format": "date" },
            "received_at": { "type": "string", "format": "date-time" },
            "status_url": { "type": "string" },
            "evidence": { "type": "array", "items": { "type": "object", "properties": {
                "filename": { "type": "string" }, "sha256": { "type": "string" } } } }
        }
    })
}

fn status() -> Value {
    json!({
        "type": "object",
        "required": ["tracking_code", "status", "status_label", "kind", "subject_category", "violation", "region", "region_name", "received_at", "late", "evidence_files"],
        "properties": {
            "tracking_code": { "type": "string" }, "status": { "type": "string" },
            "status_label": { "type": "string" }, "kind": { "type": "string" },
            "subject_category": { "type": "string" }, "violation": { "type": "string" },
            "region": { "type": "string" }, "region_name": { "type": "string" },
            "received_at": { "type": "string" }, "late": { "type": "boolean" },
            "evidence_files": { "type": "integer" }
        }
    })
}

fn error() -> Value {
    json!({
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": { "type": "object", "required": ["code", "message"], "properties": {
                "code": { "type": "string" }, "message": { "type": "string" } } },
            "fields": { "type": "array", "items": { "type": "object", "properties": {
                "field": { "type": "string" }, "code": { "type": "string" },
                "message_id": { "type": "string" }, "message_en": { "type": "string" } } } }
        }
    })
}

fn err_response(description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

fn rate_limited() -> Value {
    json!({
        "description": "Terlalu banyak permintaan / too many requests",
        "headers": { "Retry-After": { "description": "Seconds to wait", "schema": { "type": "integer" } } },
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
    })
}

fn case_schema() -> Value {
    json!({
        "type": "object",
        "required": ["id", "state", "subject_category", "region", "election", "state_since", "overdue", "allowed_actions"],
        "properties": {
            "id": { "type": "integer" },
            "tracking_code": { "type": "string" },
            "state": { "type": "string", "enum": ["diterima", "kajian_awal", "menunggu_kelengkapan", "teregistrasi", "pemeriksaan", "diputus", "diteruskan", "ditindaklanjuti", "selesai", "ditutup"] },
            "decision": { "type": "string", "nullable": true },
            "referred_to": { "type": "string", "nullable": true },
            "subject_category": { "type": "string" },
            "region": { "type": "string" },
            "election": { "type": "string" },
            "state_since": { "type": "string", "format": "date-time" },
            "deadline": { "type": "string", "format": "date-time", "nullable": true, "description": "End of the current step's last day in the region's zone" },
            "overdue": { "type": "boolean" },
            "allowed_actions": { "type": "array", "items": { "type": "string" } }
        }
    })
}

fn case_detail_schema() -> Value {
    let mut v = case_schema();
    if let Some(req) = v["required"].as_array_mut() {
        for k in ["subject", "incident", "evidence", "timeline"] {
            req.push(json!(k));
        }
    }
    v["properties"]["subject"] =
        json!({ "type": "object", "description": "The reported official (never the reporter)" });
    v["properties"]["incident"] = json!({ "type": "object" });
    v["properties"]["evidence"] = json!({ "type": "array", "items": { "type": "object" } });
    v["properties"]["timeline"] = json!({ "type": "array", "items": { "type": "object" } });
    v
}

fn results_example() -> Value {
    json!({
        "pemilihan": "pemilu-2024",
        "formulir": [{
            "kode_tps": "33.20.01.2001/001", "jenis": "ppwp",
            "dpt": 250, "dptb": 4, "dpk": 2,
            "pengguna_dpt": 200, "pengguna_dptb": 4, "pengguna_dpk": 2,
            "surat_diterima": 259, "surat_digunakan": 206, "surat_tidak_digunakan": 52, "surat_rusak": 1,
            "suara_sah": 200, "suara_tidak_sah": 6, "suara": [60, 120, 20]
        }]
    })
}

fn results_request() -> Value {
    let count = json!({ "type": "integer", "minimum": 0 });
    json!({
        "type": "object",
        "required": ["pemilihan", "formulir"],
        "properties": {
            "pemilihan": { "type": "string", "example": "pemilu-2024" },
            "formulir": { "type": "array", "items": {
                "type": "object",
                "required": ["kode_tps", "jenis", "dpt", "dptb", "dpk", "pengguna_dpt", "pengguna_dptb",
                    "pengguna_dpk", "surat_diterima", "surat_digunakan", "surat_tidak_digunakan",
                    "surat_rusak", "suara_sah", "suara_tidak_sah", "suara"],
                "properties": {
                    "kode_tps": { "type": "string", "example": "33.20.01.2001/001" },
                    "jenis": { "type": "string", "enum": ["ppwp", "dpr", "dpd", "dprd_provinsi", "dprd_kab_kota", "gubernur", "bupati_walikota"] },
                    "dpt": count, "dptb": count, "dpk": count,
                    "pengguna_dpt": count, "pengguna_dptb": count, "pengguna_dpk": count,
                    "surat_diterima": count, "surat_digunakan": count, "surat_tidak_digunakan": count, "surat_rusak": count,
                    "suara_sah": count, "suara_tidak_sah": count,
                    "suara": { "type": "array", "items": count, "description": "Valid votes per candidate or party, in ballot order" }
                }
            } }
        }
    })
}

fn results_receipt() -> Value {
    json!({
        "type": "object",
        "required": ["stored", "findings"],
        "properties": {
            "stored": { "type": "integer" },
            "findings": { "type": "array", "items": { "type": "object", "properties": {
                "code": { "type": "string", "example": "H01" },
                "severity": { "type": "string", "enum": ["error", "warning", "info"] },
                "kode_tps": { "type": "string" }, "jenis": { "type": "string" },
                "pesan": { "type": "string" }, "message": { "type": "string" }
            } } }
        }
    })
}

/// The whole document.
pub fn document() -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Posko API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Intake of citizens' reports for election command posts (posko pemilu), report status by tracking code, and the administrative areas. Messages are in Bahasa Indonesia unless the posko_bahasa=en cookie is sent."
        },
        "paths": {
            "/api/v1/reports": { "post": {
                "operationId": "submitReport",
                "summary": "Kirim laporan / submit a report",
                "security": [{ "bearerAuth": [] }],
                "parameters": [{ "name": "Idempotency-Key", "in": "header", "required": false,
                    "description": "A retry with the same key returns the same report (200) instead of a new one",
                    "schema": { "type": "string", "maxLength": 128 } }],
                "requestBody": { "required": true, "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/ReportRequest" },
                    "example": report_request()["example"] } } },
                "responses": {
                    "201": { "description": "Stored durably", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Receipt" } } } },
                    "200": { "description": "A resubmission with a known Idempotency-Key: the report stored before", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Receipt" } } } },
                    "401": err_response("Token API tidak ada atau salah / missing or wrong API token"),
                    "422": err_response("Isian tidak sah, per field / invalid fields"),
                    "429": rate_limited()
                }
            } },
            "/api/v1/reports/{tracking_code}/status": { "get": {
                "operationId": "reportStatus",
                "summary": "Status laporan / a report's status (no personal data)",
                "parameters": [{ "name": "tracking_code", "in": "path", "required": true, "schema": { "type": "string" }, "example": "PSK-7K3M-9QXD-2HNB" }],
                "responses": {
                    "200": { "description": "Status", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Status" } } } },
                    "404": err_response("Kode tidak ditemukan / unknown code"),
                    "429": rate_limited()
                }
            } },
            "/api/v1/results": { "post": {
                "operationId": "submitResultForms",
                "summary": "Kirim formulir hasil TPS / submit TPS result forms (C.Hasil)",
                "description": "Stores the forms (a form of the same TPS and ballot type replaces the earlier one), all or none, and answers with the plausibility findings on them (codes H01–H15). Turnout is computed as DPT + DPTb + DPK users over DPT + DPTb + DPK.",
                "security": [{ "bearerAuth": [] }],
                "requestBody": { "required": true, "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/ResultsRequest" },
                    "example": results_example() } } },
                "responses": {
                    "201": { "description": "Stored", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ResultsReceipt" } } } },
                    "401": err_response("Token API tidak ada atau salah / missing or wrong API token"),
                    "422": err_response("Formulir tidak sah: indeks dan kolom / invalid forms, by index and field"),
                    "429": rate_limited()
                }
            } },
            "/api/v1/cases": { "get": {
                "operationId": "listCases",
                "summary": "Kasus yang diteruskan ke instansi token / cases routed to the token's agency",
                "x-posko-agency-token": true,
                "security": [{ "bearerAuth": [] }],
                "parameters": [
                    { "name": "status", "in": "query", "required": false, "schema": { "type": "string" }, "example": "diteruskan" },
                    { "name": "limit", "in": "query", "required": false, "schema": { "type": "integer", "minimum": 1, "maximum": 500 } }
                ],
                "responses": {
                    "200": { "description": "Newest first", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CaseList" } } } },
                    "400": err_response("Status tidak dikenal / unknown status"),
                    "401": err_response("Token API tidak ada atau salah / missing or wrong API token"),
                    "403": err_response("Token bukan milik instansi / not an agency's token"),
                    "429": rate_limited()
                }
            } },
            "/api/v1/cases/{id}": { "get": {
                "operationId": "getCase",
                "summary": "Satu kasus dengan lini masa, tanpa identitas pelapor / one case with its timeline, without the reporter",
                "x-posko-agency-token": true,
                "security": [{ "bearerAuth": [] }],
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" }, "example": "1" }],
                "responses": {
                    "200": { "description": "The case", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CaseDetail" } } } },
                    "401": err_response("Token API tidak ada atau salah / missing or wrong API token"),
                    "403": err_response("Token bukan milik instansi / not an agency's token"),
                    "404": err_response("Tidak ada, atau tidak diteruskan ke instansi ini / none, or not routed to this agency"),
                    "429": rate_limited()
                }
            } },
            "/api/v1/cases/{id}/actions": { "post": {
                "operationId": "actOnCase",
                "summary": "Catat tindak lanjut atau hasil dan sanksi / record the follow-up, or the outcome and sanction",
                "x-posko-agency-token": true,
                "security": [{ "bearerAuth": [] }],
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" }, "example": "1" }],
                "requestBody": { "required": true, "content": { "application/json": {
                    "schema": { "$ref": "#/components/schemas/CaseAction" },
                    "example": { "action": "start_follow_up" } } } },
                "responses": {
                    "200": { "description": "The case after the step", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Case" } } } },
                    "400": err_response("Badan permintaan bukan JSON yang sah / not valid JSON"),
                    "401": err_response("Token API tidak ada atau salah / missing or wrong API token"),
                    "403": err_response("Token bukan milik instansi / not an agency's token"),
                    "404": err_response("Tidak ada, atau tidak diteruskan ke instansi ini / none, or not routed to this agency"),
                    "409": err_response("Langkah tidak boleh dari status ini; pesan menyebut yang boleh / not allowed now; the message names the allowed steps"),
                    "429": rate_limited()
                }
            } },
            "/api/v1/wilayah": { "get": {
                "operationId": "regionRoot",
                "summary": "Provinsi dengan jumlah TPS / provinces with TPS counts",
                "parameters": [{ "name": "pemilihan", "in": "query", "required": false, "schema": { "type": "string" }, "example": "pemilu-2024" }],
                "responses": { "200": { "description": "The region view", "content": { "application/json": { "schema": { "type": "object" } } } } }
            } },
            "/api/v1/wilayah/{code}": { "get": {
                "operationId": "region",
                "summary": "Satu wilayah dengan anak dan TPS / one region with children and TPS",
                "parameters": [{ "name": "code", "in": "path", "required": true, "schema": { "type": "string" }, "example": "33.20" }],
                "responses": {
                    "200": { "description": "The region view", "content": { "application/json": { "schema": { "type": "object" } } } },
                    "404": err_response("Wilayah tidak ada / no such region")
                }
            } },
            // neutrality and public accountability (issue 9, part 5)
            "/api/v1/akuntabilitas": { "get": {
                "operationId": "publicAccountability",
                "summary": "Angka akuntabilitas publik (anonim, <5 disamarkan) / public accountability figures (anonymised, counts under 5 withheld)",
                "description": "Counts of reports by district (or province) and category, referred cases by agency and stage, decisions by category, and median hours to resolution. A count is a number, or \"<5\" (fewer than five) or \"•\" (withheld so that a \"<5\" cannot be worked out from a total). No personal field. Refreshed at most every 30 seconds. Without `wilayah`: the post's region, or the whole country by province. Published for the country, provinces and regencies only: a district or village code gives its regency's figures. Figures computed afresh (not from the cache) count against the client address's allowance.",
                "parameters": [{ "name": "wilayah", "in": "query", "required": false, "schema": { "type": "string" }, "example": "33.20" }],
                "responses": {
                    "200": { "description": "The figures", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/PublicFigures" } } } },
                    "404": err_response("Wilayah tidak ada / no such region"),
                    "429": rate_limited()
                }
            } }
        },
        "components": {
            "securitySchemes": { "bearerAuth": { "type": "http", "scheme": "bearer", "description": "A token made with `posko token add`" } },
            "schemas": {
                "PublicFigures": {
                    "type": "object",
                    "required": ["region", "computed_at", "by_district", "by_agency", "outcomes", "median_hours_to_resolution", "median_hours_overall"],
                    "properties": {
                        "region": { "type": "string", "nullable": true },
                        "computed_at": { "type": "string", "format": "date-time" },
                        "by_district": { "$ref": "#/components/schemas/SuppressedTable" },
                        "by_agency": { "$ref": "#/components/schemas/SuppressedTable" },
                        "outcomes": { "$ref": "#/components/schemas/SuppressedTable" },
                        "median_hours_to_resolution": { "type": "object", "additionalProperties": {} },
                        "median_hours_overall": {}
                    }
                },
                "SuppressedTable": {
                    "type": "object",
                    "required": ["rows", "columns", "cells", "row_totals", "column_totals", "total"],
                    "properties": {
                        "rows": { "type": "array", "items": { "type": "string" } },
                        "columns": { "type": "array", "items": { "type": "string" } },
                        "cells": { "type": "array", "items": { "type": "array", "items": {} } },
                        "row_totals": { "type": "array", "items": {} },
                        "column_totals": { "type": "array", "items": {} },
                        "total": {}
                    }
                },
                "ReportRequest": report_request(),
                "ResultsRequest": results_request(),
                "ResultsReceipt": results_receipt(),
                "Receipt": receipt(),
                "Status": status(),
                "Error": error(),
                "Case": case_schema(),
                "CaseList": { "type": "object", "required": ["cases"], "properties": {
                    "cases": { "type": "array", "items": { "$ref": "#/components/schemas/Case" } } } },
                "CaseDetail": case_detail_schema(),
                "CaseAction": { "type": "object", "required": ["action"], "properties": {
                    "action": { "type": "string", "enum": ["start_follow_up", "record_outcome"] },
                    "sanction": string("Tindak lanjut dan sanksi, wajib untuk record_outcome / follow-up and sanction, required for record_outcome") } }
            }
        }
    })
}

pub async fn serve() -> Json<Value> {
    Json(document())
}
