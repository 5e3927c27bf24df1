//! The election vulnerability index (Indeks Kerawanan Pemilu, DOMAIN.md §7) as data: a model
//! file names the dimensions, sub-dimensions and indicators with their weights and the rule that
//! turns scores into categories; Posko computes each region's score from indicator values (0–100,
//! higher is more vulnerable), ranks and categorises a comparison set, and explains a score by the
//! indicators that drove it. Bawaslu publishes scores, not its weights: published figures are
//! kept apart, as given (`Published`), and never recomputed.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::region::RegionCode;

/// The model Posko ships: the IKP 2024 structure (see data/ikp/README.md for its weights).
pub const SHIPPED_MODEL: &str = include_str!("../../../data/ikp/ikp-2024.toml");
/// Scores and categories as Bawaslu published them.
pub const SHIPPED_PUBLISHED: &str = include_str!("../../../data/ikp/published-2024.csv");

/// Weights at one level must add up to 1 within this.
const WEIGHT_TOLERANCE: f64 = 1e-3;

/// A vulnerability category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Rendah,
    Sedang,
    Tinggi,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Rendah => "rendah",
            Category::Sedang => "sedang",
            Category::Tinggi => "tinggi",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        match s.trim().to_ascii_lowercase().as_str() {
            "rendah" | "low" => Some(Category::Rendah),
            "sedang" | "medium" => Some(Category::Sedang),
            "tinggi" | "high" => Some(Category::Tinggi),
            _ => None,
        }
    }

    /// Bahasa Indonesia first, English second.
    pub fn label(self) -> &'static str {
        match self {
            Category::Rendah => "Rawan rendah (low)",
            Category::Sedang => "Rawan sedang (medium)",
            Category::Tinggi => "Rawan tinggi (high)",
        }
    }
}

/// How scores become categories.
#[derive(Debug, Clone, PartialEq)]
pub enum CategoryRule {
    /// IKP 2024: relative to the comparison set — tinggi above mean + k·SD, rendah below
    /// mean − k·SD, sedang between (bounds inclusive in sedang).
    Relative { k: f64, sample_sd: bool },
    /// IKP 2019: fixed bands; a score at or below `rendah_max` is rendah, at or below
    /// `sedang_max` sedang, above it tinggi.
    Fixed { rendah_max: f64, sedang_max: f64 },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub id: String,
    pub name: String,
    pub weight: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SubDimension {
    pub id: String,
    pub name: String,
    pub weight: f64,
    pub indicators: Vec<Indicator>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Dimension {
    pub id: String,
    pub name: String,
    pub weight: f64,
    pub subs: Vec<SubDimension>,
}

/// A validated model: every level's weights add up to 1 and every id is unique.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub id: String,
    pub name: String,
    pub dimensions: Vec<Dimension>,
    pub rule: CategoryRule,
}

/// Why a model file was refused: where in the model, and what is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("model IKP: {place}: {message}")]
pub struct ModelError {
    pub place: String,
    pub message: String,
}

fn model_err(place: impl Into<String>, message: impl Into<String>) -> ModelError {
    ModelError {
        place: place.into(),
        message: message.into(),
    }
}

// The file's shape; weights may be left out at a level, which then weighs its parts alike.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileModel {
    id: String,
    name: String,
    category: FileRule,
    dimension: Vec<FileDimension>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRule {
    rule: String,
    k: Option<f64>,
    sd: Option<String>,
    rendah_max: Option<f64>,
    sedang_max: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDimension {
    id: String,
    name: String,
    weight: Option<f64>,
    #[serde(default)]
    sub: Vec<FileSub>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSub {
    id: String,
    name: String,
    weight: Option<f64>,
    #[serde(default)]
    indicator: Vec<FileIndicator>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileIndicator {
    id: String,
    name: String,
    weight: Option<f64>,
}

/// Resolves one level's weights: all given and adding up to 1, or none given (equal).
fn weights(place: &str, given: &[Option<f64>]) -> Result<Vec<f64>, ModelError> {
    if given.is_empty() {
        return Err(model_err(place, "kosong, tidak ada bagian (empty level)"));
    }
    if given.iter().all(Option::is_none) {
        return Ok(vec![1.0 / given.len() as f64; given.len()]);
    }
    if given.iter().any(Option::is_none) {
        return Err(model_err(
            place,
            "bobot harus diisi untuk semua bagian atau tidak sama sekali \
             (give a weight to every part or to none)",
        ));
    }
    let w: Vec<f64> = given.iter().map(|w| w.unwrap_or(0.0)).collect();
    if let Some(bad) = w.iter().find(|x| !x.is_finite() || **x < 0.0) {
        return Err(model_err(
            place,
            format!("bobot {bad} tidak sah (invalid weight)"),
        ));
    }
    let sum: f64 = w.iter().sum();
    if (sum - 1.0).abs() > WEIGHT_TOLERANCE {
        return Err(model_err(
            place,
            format!("bobot berjumlah {sum:.4}, harus 1 (weights add up to {sum:.4}, not 1)"),
        ));
    }
    Ok(w)
}

impl Model {
    /// The model Posko ships.
    pub fn shipped() -> Model {
        match Model::parse(SHIPPED_MODEL) {
            Ok(m) => m,
            // A test checks the shipped file; it cannot be broken in a release.
            Err(e) => panic!("shipped IKP model: {e}"),
        }
    }

    /// Reads and validates a model file.
    pub fn parse(text: &str) -> Result<Model, ModelError> {
        let file: FileModel = toml::from_str(text).map_err(|e| {
            let place = e
                .span()
                .map(|s| format!("baris {}", text[..s.start].lines().count().max(1)))
                .unwrap_or_else(|| "berkas".into());
            model_err(place, e.message().to_string())
        })?;
        let rule = match file.category.rule.as_str() {
            "relative" => CategoryRule::Relative {
                k: file.category.k.unwrap_or(1.0),
                sample_sd: match file.category.sd.as_deref() {
                    None | Some("sample") => true,
                    Some("population") => false,
                    Some(other) => {
                        return Err(model_err(
                            "category.sd",
                            format!("'{other}': gunakan sample atau population"),
                        ))
                    }
                },
            },
            "fixed" => {
                let (Some(r), Some(s)) = (file.category.rendah_max, file.category.sedang_max)
                else {
                    return Err(model_err(
                        "category",
                        "aturan fixed perlu rendah_max dan sedang_max (fixed needs both bounds)",
                    ));
                };
                if r >= s {
                    return Err(model_err("category", "rendah_max harus < sedang_max"));
                }
                CategoryRule::Fixed {
                    rendah_max: r,
                    sedang_max: s,
                }
            }
            other => {
                return Err(model_err(
                    "category.rule",
                    format!("'{other}': gunakan relative atau fixed (use relative or fixed)"),
                ))
            }
        };
        let mut seen = HashSet::new();
        let mut check_id = |place: &str, id: &str| {
            let ok = !id.is_empty()
                && id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !ok {
                return Err(model_err(
                    place,
                    format!("id '{id}': huruf kecil, angka dan _ saja (lower case, digits, _)"),
                ));
            }
            if !seen.insert(id.to_string()) {
                return Err(model_err(
                    place,
                    format!("id '{id}' dipakai dua kali (duplicate id)"),
                ));
            }
            Ok(())
        };
        let dim_w = weights(
            "dimensi",
            &file.dimension.iter().map(|d| d.weight).collect::<Vec<_>>(),
        )?;
        let mut dimensions = Vec::new();
        for (d, dw) in file.dimension.into_iter().zip(dim_w) {
            let dplace = format!("dimensi '{}'", d.id);
            check_id(&dplace, &d.id)?;
            let sub_w = weights(
                &format!("{dplace}, subdimensi"),
                &d.sub.iter().map(|s| s.weight).collect::<Vec<_>>(),
            )?;
            let mut subs = Vec::new();
            for (s, sw) in d.sub.into_iter().zip(sub_w) {
                let splace = format!("{dplace}, subdimensi '{}'", s.id);
                check_id(&splace, &s.id)?;
                // A sub-dimension without indicators is its own indicator.
                let file_inds = if s.indicator.is_empty() {
                    vec![FileIndicator {
                        id: s.id.clone(),
                        name: s.name.clone(),
                        weight: None,
                    }]
                } else {
                    for i in &s.indicator {
                        check_id(&format!("{splace}, indikator '{}'", i.id), &i.id)?;
                    }
                    s.indicator
                };
                let ind_w = weights(
                    &format!("{splace}, indikator"),
                    &file_inds.iter().map(|i| i.weight).collect::<Vec<_>>(),
                )?;
                subs.push(SubDimension {
                    id: s.id,
                    name: s.name,
                    weight: sw,
                    indicators: file_inds
                        .into_iter()
                        .zip(ind_w)
                        .map(|(i, w)| Indicator {
                            id: i.id,
                            name: i.name,
                            weight: w,
                        })
                        .collect(),
                });
            }
            dimensions.push(Dimension {
                id: d.id,
                name: d.name,
                weight: dw,
                subs,
            });
        }
        Ok(Model {
            id: file.id,
            name: file.name,
            dimensions,
            rule,
        })
    }

    /// Every indicator with its effective weight in the index (the product down the tree).
    pub fn indicators(&self) -> impl Iterator<Item = (&Dimension, &SubDimension, &Indicator, f64)> {
        self.dimensions.iter().flat_map(|d| {
            d.subs.iter().flat_map(move |s| {
                s.indicators
                    .iter()
                    .map(move |i| (d, s, i, d.weight * s.weight * i.weight))
            })
        })
    }

    pub fn has_indicator(&self, id: &str) -> bool {
        self.indicators().any(|(_, _, i, _)| i.id == id)
    }

    /// A region's score from its indicator values (0–100 each). Every indicator needs a value:
    /// a missing one is an error naming it, not a silent zero.
    pub fn score(&self, values: &BTreeMap<String, f64>) -> Result<Score, ScoreError> {
        for id in values.keys() {
            if !self.has_indicator(id) {
                return Err(ScoreError::UnknownIndicator(id.clone()));
            }
        }
        let mut contributions = Vec::new();
        let mut dimensions = Vec::new();
        let mut index = 0.0;
        for d in &self.dimensions {
            let mut dim = 0.0;
            for s in &d.subs {
                for i in &s.indicators {
                    let v = *values
                        .get(&i.id)
                        .ok_or_else(|| ScoreError::Missing(i.id.clone()))?;
                    if !(0.0..=100.0).contains(&v) {
                        return Err(ScoreError::OutOfRange(i.id.clone(), v));
                    }
                    dim += s.weight * i.weight * v;
                    contributions.push(Contribution {
                        dimension: d.id.clone(),
                        indicator: i.id.clone(),
                        name: i.name.clone(),
                        value: v,
                        points: d.weight * s.weight * i.weight * v,
                    });
                }
            }
            index += d.weight * dim;
            dimensions.push((d.id.clone(), dim));
        }
        contributions.sort_by(|a, b| {
            b.points
                .total_cmp(&a.points)
                .then(a.indicator.cmp(&b.indicator))
        });
        Ok(Score {
            index,
            dimensions,
            contributions,
        })
    }
}

/// Why a score could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScoreError {
    #[error("indikator '{0}' tidak ada di model (unknown indicator)")]
    UnknownIndicator(String),
    #[error("nilai indikator '{0}' tidak ada (missing indicator value)")]
    Missing(String),
    #[error("nilai indikator '{0}' = {1}, harus 0–100 (value must be 0–100)")]
    OutOfRange(String, f64),
}

/// How much one indicator adds to the index.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    pub dimension: String,
    pub indicator: String,
    pub name: String,
    pub value: f64,
    /// Index points from this indicator; they add up to the index.
    pub points: f64,
}

/// A computed score with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    pub index: f64,
    /// Each dimension's score (0–100), in model order.
    pub dimensions: Vec<(String, f64)>,
    /// Every indicator's contribution, largest first.
    pub contributions: Vec<Contribution>,
}

impl Score {
    /// The indicators that drove the score: the largest contributions that together make up
    /// at least `share` of it (at most `max`).
    pub fn drivers(&self, share: f64, max: usize) -> &[Contribution] {
        let mut acc = 0.0;
        let mut n = 0;
        for c in &self.contributions {
            if n >= max || (self.index > 0.0 && acc >= share * self.index) || c.points <= 0.0 {
                break;
            }
            acc += c.points;
            n += 1;
        }
        &self.contributions[..n]
    }
}

/// The bands a rule draws over a comparison set: scores at or below `low` are rendah, above
/// `high` tinggi.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bands {
    pub low: f64,
    pub high: f64,
}

impl fmt::Display for Bands {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "rendah < {:.2} ≤ sedang ≤ {:.2} < tinggi",
            self.low, self.high
        )
    }
}

impl CategoryRule {
    /// The bands for this comparison set (for a relative rule: mean ± k·SD of `scores`).
    pub fn bands(&self, scores: &[f64]) -> Option<Bands> {
        match *self {
            CategoryRule::Fixed {
                rendah_max,
                sedang_max,
            } => Some(Bands {
                low: rendah_max,
                high: sedang_max,
            }),
            CategoryRule::Relative { k, sample_sd } => {
                let n = scores.len();
                if n < 2 {
                    return None;
                }
                let mean = scores.iter().sum::<f64>() / n as f64;
                let ss: f64 = scores.iter().map(|x| (x - mean).powi(2)).sum();
                let sd = (ss / if sample_sd { (n - 1) as f64 } else { n as f64 }).sqrt();
                Some(Bands {
                    low: mean - k * sd,
                    high: mean + k * sd,
                })
            }
        }
    }

    /// The category of a score within bands.
    pub fn categorise(&self, bands: Bands, score: f64) -> Category {
        match self {
            // Relative: strictly below mean − SD is rendah, strictly above mean + SD tinggi.
            CategoryRule::Relative { .. } => {
                if score < bands.low {
                    Category::Rendah
                } else if score > bands.high {
                    Category::Tinggi
                } else {
                    Category::Sedang
                }
            }
            // Fixed (2019): 0–33 rendah, 33.01–66 sedang, 66.01–100 tinggi.
            CategoryRule::Fixed { .. } => {
                if score <= bands.low {
                    Category::Rendah
                } else if score <= bands.high {
                    Category::Sedang
                } else {
                    Category::Tinggi
                }
            }
        }
    }
}

/// Ranks and categorises one comparison set (provinces apart from regencies and cities): the
/// highest score first, each with its rank (ties share the better rank) and category.
pub fn rank(rule: &CategoryRule, scores: &[(RegionCode, f64)]) -> Vec<Ranked> {
    let values: Vec<f64> = scores.iter().map(|(_, s)| *s).collect();
    let Some(bands) = rule.bands(&values) else {
        return Vec::new();
    };
    let mut sorted: Vec<&(RegionCode, f64)> = scores.iter().collect();
    sorted.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut out: Vec<Ranked> = Vec::with_capacity(sorted.len());
    for (i, (code, score)) in sorted.into_iter().enumerate() {
        let rank = match out.last() {
            Some(prev) if prev.score == *score => prev.rank,
            _ => i + 1,
        };
        out.push(Ranked {
            region: *code,
            score: *score,
            rank,
            category: rule.categorise(bands, *score),
        });
    }
    out
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    pub region: RegionCode,
    pub score: f64,
    pub rank: usize,
    pub category: Category,
}

/// A score and category as Bawaslu published them, kept as given.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Published {
    /// Which index: `ikp-2024`, `pilkada-2024-pemetaan`, …
    pub index: String,
    pub region: RegionCode,
    pub name: String,
    pub score: f64,
    pub category: Category,
    pub note: String,
}

/// Reads published figures (`index,code,name,score,category,note`); errors name the line.
pub fn parse_published(text: &str) -> Result<Vec<Published>, ModelError> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        let place = || format!("baris {}", n + 1);
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.splitn(6, ',').collect();
        if f.len() < 5 {
            return Err(model_err(
                place(),
                "perlu index,code,name,score,category,note",
            ));
        }
        out.push(Published {
            index: f[0].trim().to_string(),
            region: RegionCode::parse(f[1].trim())
                .map_err(|e| model_err(place(), format!("kode wilayah: {e}")))?,
            name: f[2].trim().to_string(),
            score: f[3]
                .trim()
                .parse()
                .map_err(|_| model_err(place(), format!("skor '{}'", f[3])))?,
            category: Category::parse(f[4])
                .ok_or_else(|| model_err(place(), format!("kategori '{}'", f[4])))?,
            note: f.get(5).map(|s| s.trim().to_string()).unwrap_or_default(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    /// Every indicator of a dimension set to that dimension's score.
    fn values_by_dimension(m: &Model, dims: [f64; 4]) -> BTreeMap<String, f64> {
        let mut v = BTreeMap::new();
        for (d, score) in m.dimensions.iter().zip(dims) {
            for s in &d.subs {
                for i in &s.indicators {
                    v.insert(i.id.clone(), score);
                }
            }
        }
        v
    }

    #[test]
    fn the_shipped_model_has_the_2024_structure() {
        let m = Model::shipped();
        assert_eq!(m.dimensions.len(), 4);
        assert_eq!(m.dimensions.iter().map(|d| d.subs.len()).sum::<usize>(), 12);
        let total: f64 = m.indicators().map(|(_, _, _, w)| w).sum();
        assert!(
            (total - 1.0).abs() < 1e-9,
            "effective weights add up to 1: {total}"
        );
    }

    #[test]
    fn the_shipped_weights_reproduce_the_published_decompositions() {
        let m = Model::shipped();
        // Jepara: 10.4 / 47.2 / 0 / 0 → 20.8 (DOMAIN.md §7).
        let jepara = m
            .score(&values_by_dimension(&m, [10.4, 47.2, 0.0, 0.0]))
            .unwrap();
        assert!((jepara.index - 20.8).abs() < 0.005, "{}", jepara.index);
        // DKI Jakarta: 78.27 / 92.36 / 96.08 / 87.01 → 88.95.
        let dki = m
            .score(&values_by_dimension(&m, [78.27, 92.36, 96.08, 87.01]))
            .unwrap();
        assert!((dki.index - 88.95).abs() < 0.005, "{}", dki.index);
        assert_eq!(dki.dimensions[1].0, "penyelenggaraan");
        assert!((dki.dimensions[1].1 - 92.36).abs() < 1e-9);
    }

    #[test]
    fn a_hand_worked_score_and_its_explanation() {
        let m = Model::parse(
            r#"
id = "uji"
name = "Uji"
[category]
rule = "fixed"
rendah_max = 33.0
sedang_max = 66.0
[[dimension]]
id = "a"
name = "A"
weight = 0.75
  [[dimension.sub]]
  id = "a1"
  name = "A1"
    [[dimension.sub.indicator]]
    id = "x"
    name = "X"
    weight = 0.5
    [[dimension.sub.indicator]]
    id = "y"
    name = "Y"
    weight = 0.5
[[dimension]]
id = "b"
name = "B"
weight = 0.25
  [[dimension.sub]]
  id = "b1"
  name = "B1"
"#,
        )
        .unwrap();
        let v: BTreeMap<String, f64> =
            [("x".into(), 80.0), ("y".into(), 20.0), ("b1".into(), 40.0)].into();
        let s = m.score(&v).unwrap();
        // A = (80 + 20) / 2 = 50; index = 0.75·50 + 0.25·40 = 47.5.
        assert!((s.index - 47.5).abs() < 1e-9);
        // x gives 0.75·0.5·80 = 30 points, b1 10, y 7.5: x drives it.
        assert_eq!(s.contributions[0].indicator, "x");
        assert!((s.contributions[0].points - 30.0).abs() < 1e-9);
        let total: f64 = s.contributions.iter().map(|c| c.points).sum();
        assert!((total - s.index).abs() < 1e-9, "contributions add up");
        assert_eq!(s.drivers(0.6, 5).len(), 1, "x alone is 63% of the score");
        assert_eq!(s.drivers(0.8, 5).len(), 2);
        // Fixed 2019 bands.
        let b = m.rule.bands(&[]).unwrap();
        assert_eq!(m.rule.categorise(b, 33.0), Category::Rendah);
        assert_eq!(m.rule.categorise(b, 47.5), Category::Sedang);
        assert_eq!(m.rule.categorise(b, 66.01), Category::Tinggi);
        // Missing, unknown and out-of-range values are errors, not zeros.
        let mut missing = v.clone();
        missing.remove("y");
        assert_eq!(m.score(&missing), Err(ScoreError::Missing("y".into())));
        let mut unknown = v.clone();
        unknown.insert("z".into(), 1.0);
        assert_eq!(
            m.score(&unknown),
            Err(ScoreError::UnknownIndicator("z".into()))
        );
        let mut high = v;
        high.insert("x".into(), 101.0);
        assert!(matches!(m.score(&high), Err(ScoreError::OutOfRange(..))));
    }

    #[test]
    fn broken_model_files_say_where_and_what() {
        let base = |dims: &str| {
            format!("id = \"m\"\nname = \"M\"\n[category]\nrule = \"relative\"\n{dims}")
        };
        let e = Model::parse(&base(
            "[[dimension]]\nid = \"a\"\nname = \"A\"\nweight = 0.5\n  [[dimension.sub]]\n  id = \"s\"\n  name = \"S\"\n[[dimension]]\nid = \"b\"\nname = \"B\"\nweight = 0.4\n  [[dimension.sub]]\n  id = \"t\"\n  name = \"T\"\n",
        ))
        .unwrap_err();
        assert_eq!(e.place, "dimensi");
        assert!(e.message.contains("0.9000"), "{e}");
        let e = Model::parse(&base(
            "[[dimension]]\nid = \"a\"\nname = \"A\"\n  [[dimension.sub]]\n  id = \"s\"\n  name = \"S\"\n  [[dimension.sub]]\n  id = \"s\"\n  name = \"S2\"\n",
        ))
        .unwrap_err();
        assert!(e.message.contains("dipakai dua kali"), "{e}");
        let e = Model::parse(&base(
            "[[dimension]]\nid = \"a\"\nname = \"A\"\nbobot = 1\n",
        ))
        .unwrap_err();
        assert!(
            e.place.starts_with("baris"),
            "a TOML error names its line: {e}"
        );
        let e = Model::parse(&base(
            "[[dimension]]\nid = \"a\"\nname = \"A\"\n  [[dimension.sub]]\n  id = \"s\"\n  name = \"S\"\n    [[dimension.sub.indicator]]\n    id = \"i\"\n    name = \"I\"\n    weight = 0.5\n    [[dimension.sub.indicator]]\n    id = \"j\"\n    name = \"J\"\n",
        ))
        .unwrap_err();
        assert!(e.message.contains("semua bagian"), "{e}");
        let e = Model::parse(&base("[[dimension]]\nid = \"a\"\nname = \"A\"\n")).unwrap_err();
        assert!(e.message.contains("kosong"), "{e}");
    }

    #[test]
    fn the_published_provincial_table_reproduces_its_categories() {
        let published = parse_published(SHIPPED_PUBLISHED).unwrap();
        let provinces: Vec<(RegionCode, f64)> = published
            .iter()
            .filter(|p| p.index == "ikp-2024" && p.region.level() == crate::Level::Province)
            .map(|p| (p.region, p.score))
            .collect();
        assert_eq!(provinces.len(), 34, "IKP 2024 covered 34 provinces");
        let rule = Model::shipped().rule;
        let bands = rule
            .bands(&provinces.iter().map(|p| p.1).collect::<Vec<_>>())
            .unwrap();
        // The bands reports quote: about 21.7 and 68.5 (sample SD gives 21.67 and 68.71).
        assert!((bands.low - 21.67).abs() < 0.01, "{bands}");
        assert!((bands.high - 68.71).abs() < 0.01, "{bands}");
        let ranked = rank(&rule, &provinces);
        let count = |c| ranked.iter().filter(|r| r.category == c).count();
        assert_eq!(
            (
                count(Category::Tinggi),
                count(Category::Sedang),
                count(Category::Rendah)
            ),
            (5, 21, 8),
            "as published"
        );
        // Every computed category equals the published one.
        for r in &ranked {
            let p = published.iter().find(|p| p.region == r.region).unwrap();
            assert_eq!(r.category, p.category, "{}", p.name);
        }
        assert_eq!(ranked[0].region, code("31"), "DKI Jakarta first");
        // Jawa Barat and Kalimantan Timur tie at 77.04: one rank.
        assert_eq!(ranked[3].rank, ranked[4].rank);
        assert_eq!(ranked[5].rank, 6);
        let jepara = published
            .iter()
            .find(|p| p.region == code("33.20"))
            .unwrap();
        assert_eq!((jepara.score, jepara.category), (20.8, Category::Sedang));
    }
}
