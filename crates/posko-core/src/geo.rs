//! Region boundaries for the coordinator's map (issue 6, item 5): operators import GeoJSON
//! (a FeatureCollection of Polygon/MultiPolygon features whose properties carry the Kemendagri
//! code), Posko keeps each region's outline simplified, and draws the map as SVG on the server —
//! no map tiles, no JavaScript, light enough for a slow link.

use serde_json::Value;

use crate::region::RegionCode;

/// A closed ring of (longitude, latitude) points.
pub type Ring = Vec<(f64, f64)>;

/// One region's outline: its rings (outer boundaries and holes alike; SVG's even-odd rule
/// draws holes as holes).
#[derive(Debug, Clone, PartialEq)]
pub struct Boundary {
    pub region: RegionCode,
    pub rings: Vec<Ring>,
}

/// Why a GeoJSON file was refused, naming the feature.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("GeoJSON: {place}: {message}")]
pub struct GeoError {
    pub place: String,
    pub message: String,
}

fn err(place: impl Into<String>, message: impl Into<String>) -> GeoError {
    GeoError {
        place: place.into(),
        message: message.into(),
    }
}

/// Property names that commonly hold the Kemendagri code in published boundary files.
const CODE_KEYS: &[&str] = &[
    "kode",
    "kode_wilayah",
    "code",
    "KODE",
    "kd_wilayah",
    "KDPKAB",
    "ADM_CODE",
];

/// Reads a FeatureCollection. Points are simplified to `tolerance` degrees (≈ 0.001° is about
/// 100 m, plenty for a regency map on a phone).
pub fn parse_geojson(text: &str, tolerance: f64) -> Result<Vec<Boundary>, GeoError> {
    let doc: Value = serde_json::from_str(text)
        .map_err(|e| err(format!("baris {}", e.line()), e.to_string()))?;
    let features = doc
        .get("features")
        .and_then(Value::as_array)
        .ok_or_else(|| err("berkas", "bukan FeatureCollection (no 'features' array)"))?;
    let mut out = Vec::with_capacity(features.len());
    for (i, f) in features.iter().enumerate() {
        let place = format!("fitur ke-{}", i + 1);
        let props = f.get("properties").cloned().unwrap_or(Value::Null);
        let code_text = CODE_KEYS
            .iter()
            .find_map(|k| props.get(*k))
            .and_then(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .ok_or_else(|| {
                err(
                    &place,
                    format!(
                        "tidak ada kode wilayah; isi salah satu properti {}",
                        CODE_KEYS.join(", ")
                    ),
                )
            })?;
        let region = RegionCode::parse(code_text.trim())
            .map_err(|e| err(&place, format!("kode '{code_text}': {e}")))?;
        let geom = f
            .get("geometry")
            .ok_or_else(|| err(&place, "tidak ada geometry"))?;
        let coords = geom.get("coordinates").unwrap_or(&Value::Null);
        let polygons: Vec<&Value> = match geom.get("type").and_then(Value::as_str) {
            Some("Polygon") => vec![coords],
            Some("MultiPolygon") => coords
                .as_array()
                .map(|a| a.iter().collect())
                .unwrap_or_default(),
            other => {
                return Err(err(
                    &place,
                    format!("geometri {other:?} tidak didukung; gunakan Polygon atau MultiPolygon"),
                ))
            }
        };
        let mut rings = Vec::new();
        for poly in polygons {
            for ring in poly.as_array().into_iter().flatten() {
                let mut pts = Vec::new();
                for p in ring.as_array().into_iter().flatten() {
                    let lon = p.get(0).and_then(Value::as_f64);
                    let lat = p.get(1).and_then(Value::as_f64);
                    match (lon, lat) {
                        (Some(lon), Some(lat))
                            if (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat) =>
                        {
                            pts.push((lon, lat))
                        }
                        _ => return Err(err(&place, "koordinat tidak sah (invalid coordinate)")),
                    }
                }
                let simple = simplify(&pts, tolerance);
                if simple.len() >= 3 {
                    rings.push(simple);
                }
            }
        }
        if rings.is_empty() {
            return Err(err(&place, "tidak ada cincin poligon (no polygon rings)"));
        }
        out.push(Boundary { region, rings });
    }
    Ok(out)
}

/// Douglas–Peucker simplification of an open or closed line.
pub fn simplify(points: &[(f64, f64)], tolerance: f64) -> Vec<(f64, f64)> {
    if points.len() <= 3 || tolerance <= 0.0 {
        return points.to_vec();
    }
    let mut keep = vec![false; points.len()];
    keep[0] = true;
    keep[points.len() - 1] = true;
    let mut stack = vec![(0usize, points.len() - 1)];
    while let Some((a, b)) = stack.pop() {
        let (mut far, mut dist) = (a, 0.0);
        for i in a + 1..b {
            let d = segment_distance(points[i], points[a], points[b]);
            if d > dist {
                far = i;
                dist = d;
            }
        }
        if dist > tolerance {
            keep[far] = true;
            stack.push((a, far));
            stack.push((far, b));
        }
    }
    points
        .iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(p, _)| *p)
        .collect()
}

fn segment_distance(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    if len2 == 0.0 {
        return ((p.0 - a.0).powi(2) + (p.1 - a.1).powi(2)).sqrt();
    }
    let t = (((p.0 - a.0) * dx + (p.1 - a.1) * dy) / len2).clamp(0.0, 1.0);
    let (x, y) = (a.0 + t * dx, a.1 + t * dy);
    ((p.0 - x).powi(2) + (p.1 - y).powi(2)).sqrt()
}

/// Rings as compact text for storage: `lon,lat lon,lat …|lon,lat …`.
pub fn encode_rings(rings: &[Ring]) -> String {
    rings
        .iter()
        .map(|r| {
            r.iter()
                .map(|(x, y)| format!("{x:.5},{y:.5}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("|")
}

pub fn decode_rings(text: &str) -> Option<Vec<Ring>> {
    text.split('|')
        .map(|r| {
            r.split(' ')
                .map(|p| {
                    let (x, y) = p.split_once(',')?;
                    Some((x.parse().ok()?, y.parse().ok()?))
                })
                .collect::<Option<Ring>>()
        })
        .collect()
}

/// One region on a drawn map: its rings, a CSS class (its category) and a link and title.
pub struct MapRegion<'a> {
    pub rings: &'a [Ring],
    pub class: &'a str,
    pub href: String,
    pub title: String,
}

/// Draws regions as an SVG map `width` pixels wide, north up, longitudes scaled by the cosine of
/// the mean latitude so shapes are not stretched. Titles and links are escaped here.
pub fn svg_map(regions: &[MapRegion<'_>], width: f64) -> String {
    let all = regions.iter().flat_map(|r| r.rings.iter().flatten());
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (x, y) in all {
        x0 = x0.min(*x);
        x1 = x1.max(*x);
        y0 = y0.min(*y);
        y1 = y1.max(*y);
    }
    if x0 > x1 {
        return String::new();
    }
    let k = ((y0 + y1) / 2.0).to_radians().cos().max(0.1);
    let span_x = ((x1 - x0) * k).max(1e-9);
    let scale = width / span_x;
    let height = ((y1 - y0) * scale).max(1.0);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width:.0} {height:.0}\" width=\"100%\" role=\"img\" class=\"peta\">"
    );
    for r in regions {
        let mut d = String::new();
        for ring in r.rings {
            for (i, (x, y)) in ring.iter().enumerate() {
                let px = (x - x0) * k * scale;
                let py = (y1 - y) * scale;
                d.push_str(&format!(
                    "{}{px:.1} {py:.1}",
                    if i == 0 { "M" } else { "L" }
                ));
            }
            d.push('Z');
        }
        out.push_str(&format!(
            "<a href=\"{}\"><path class=\"{}\" d=\"{d}\" fill-rule=\"evenodd\" stroke=\"#555\" stroke-width=\"0.6\"><title>{}</title></path></a>",
            escape(&r.href),
            escape(r.class),
            escape(&r.title)
        ));
    }
    out.push_str("</svg>");
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"{"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"kode":"33.20.01","nama":"Kedung"},
       "geometry":{"type":"Polygon","coordinates":[[[110.60,-6.70],[110.70,-6.70],[110.70,-6.60],[110.65,-6.6001],[110.60,-6.60],[110.60,-6.70]]]}},
      {"type":"Feature","properties":{"code":"33.20.02"},
       "geometry":{"type":"MultiPolygon","coordinates":[[[[110.70,-6.70],[110.80,-6.70],[110.80,-6.60],[110.70,-6.70]]],[[[111.0,-6.0],[111.1,-6.0],[111.1,-5.9],[111.0,-6.0]]]]}}
    ]}"#;

    #[test]
    fn polygons_and_multipolygons_with_their_codes() {
        let b = parse_geojson(SAMPLE, 0.001).unwrap();
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].region.to_string(), "33.20.01");
        // The point 0.0001° off the straight edge is simplified away.
        assert_eq!(b[0].rings[0].len(), 5);
        assert_eq!(b[1].rings.len(), 2, "both parts of the multipolygon");
    }

    #[test]
    fn broken_features_are_named() {
        let no_code = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[]}}]}"#;
        let e = parse_geojson(no_code, 0.0).unwrap_err();
        assert_eq!(e.place, "fitur ke-1");
        let line = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"kode":"33.20.01"},"geometry":{"type":"LineString","coordinates":[]}}]}"#;
        assert!(parse_geojson(line, 0.0)
            .unwrap_err()
            .message
            .contains("LineString"));
        assert!(parse_geojson("{", 0.0)
            .unwrap_err()
            .place
            .starts_with("baris"));
    }

    #[test]
    fn rings_round_trip_through_storage_text() {
        let b = parse_geojson(SAMPLE, 0.0).unwrap();
        let text = encode_rings(&b[1].rings);
        assert_eq!(decode_rings(&text).unwrap(), b[1].rings);
    }

    #[test]
    fn the_map_is_svg_with_one_linked_path_per_region() {
        let b = parse_geojson(SAMPLE, 0.001).unwrap();
        let regions: Vec<MapRegion> = b
            .iter()
            .map(|x| MapRegion {
                rings: &x.rings,
                class: "kat-tinggi",
                href: format!("/kerawanan/penjelasan/{}", x.region),
                title: "Kedung <1>".into(),
            })
            .collect();
        let svg = svg_map(&regions, 600.0);
        assert!(svg.starts_with("<svg"));
        assert_eq!(svg.matches("<path").count(), 2);
        assert!(svg.contains("Kedung &lt;1&gt;"), "titles are escaped");
        assert!(
            svg.contains("M0.0 "),
            "the westmost point is at the left edge"
        );
    }
}
