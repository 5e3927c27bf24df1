//! Early warning from live reports (issue 6, item 3): is a region's count of reports in a
//! category, over the latest window, more than its own history explains?
//!
//! Method — a one-sided Poisson test against the region's baseline: the baseline rate λ is the
//! mean count per day over the `baseline_days` before the window (never below `floor_per_day`,
//! so a region with no history still needs several reports to alert); the window's expected count
//! is λ·`window_days`; an alert fires when the observed count is at least `min_count` and the
//! probability of seeing at least that many under Poisson(λ·window) is below `alpha`. The
//! parameters live in configuration; with the defaults a region with no history alerts on
//! four or more reports of one kind in a day (p < 0.001 at 0.2/day), and a busy one only on a real jump.

use serde::{Deserialize, Serialize};

/// The test's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Method {
    pub window_days: u32,
    pub baseline_days: u32,
    pub floor_per_day: f64,
    pub min_count: u32,
    pub alpha: f64,
}

impl Default for Method {
    fn default() -> Method {
        Method {
            window_days: 1,
            baseline_days: 28,
            floor_per_day: 0.2,
            min_count: 3,
            alpha: 0.001,
        }
    }
}

/// An alert, with the figures that explain it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Signal {
    pub observed: u32,
    /// The baseline, reports per day.
    pub baseline_per_day: f64,
    pub expected: f64,
    /// P(X ≥ observed) under the baseline.
    pub p_value: f64,
}

impl Signal {
    /// "7 laporan dalam 24 jam; baseline 0,8/hari (7 reports in 24 h; baseline 0.8/day)".
    pub fn explain(&self, what: &str, place: &str, window_days: u32) -> String {
        let hours = window_days * 24;
        let id = format!("{:.1}", self.baseline_per_day).replace('.', ",");
        format!(
            "{} laporan {what} di {place} dalam {hours} jam; baseline {id}/hari \
             ({} reports of {what} in {place} in {hours} h; baseline {:.1}/day)",
            self.observed, self.observed, self.baseline_per_day
        )
    }
}

/// P(X ≥ k) for X ~ Poisson(mean), summed in a numerically safe way.
pub fn poisson_tail(k: u32, mean: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if mean <= 0.0 {
        return 0.0;
    }
    // P(X ≤ k−1) by the recurrence p(i) = p(i−1)·mean/i, starting from e^−mean.
    let mut p = (-mean).exp();
    let mut cdf = p;
    for i in 1..k {
        p *= mean / f64::from(i);
        cdf += p;
    }
    (1.0 - cdf).max(0.0)
}

/// Tests the last `window_days` of `daily` (oldest first, one count per day, today last)
/// against the `baseline_days` before them. `None` when there is no alert.
pub fn test(method: &Method, daily: &[u32]) -> Option<Signal> {
    let w = method.window_days.max(1) as usize;
    if daily.len() < w {
        return None;
    }
    let (history, window) = daily.split_at(daily.len() - w);
    let observed: u32 = window.iter().sum();
    if observed < method.min_count {
        return None;
    }
    let take = (method.baseline_days as usize).min(history.len());
    let base = &history[history.len() - take..];
    let per_day = if base.is_empty() {
        method.floor_per_day
    } else {
        (base.iter().map(|&x| f64::from(x)).sum::<f64>() / base.len() as f64)
            .max(method.floor_per_day)
    };
    let expected = per_day * w as f64;
    let p = poisson_tail(observed, expected);
    (p < method.alpha).then_some(Signal {
        observed,
        baseline_per_day: per_day,
        expected,
        p_value: p,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn poisson_tails_by_hand() {
        // P(X ≥ 1 | 1) = 1 − e^−1.
        assert!((poisson_tail(1, 1.0) - (1.0 - (-1.0f64).exp())).abs() < 1e-12);
        // P(X ≥ 2 | 1) = 1 − 2e^−1.
        assert!((poisson_tail(2, 1.0) - (1.0 - 2.0 * (-1.0f64).exp())).abs() < 1e-12);
        assert_eq!(poisson_tail(0, 3.0), 1.0);
    }

    #[test]
    fn a_flat_series_never_alerts() {
        let m = Method::default();
        let flat = vec![1u32; 60];
        for end in 1..=flat.len() {
            assert_eq!(test(&m, &flat[..end]), None, "day {end}");
        }
    }

    #[test]
    fn a_planted_surge_alerts_and_it_is_quiet_again_after() {
        let m = Method::default();
        // Four weeks with about 0.8 reports a day, then 7 in one day, then back to normal.
        let mut series: Vec<u32> = (0..28).map(|i| u32::from(i % 5 != 0)).collect();
        let baseline: f64 = series.iter().map(|&x| f64::from(x)).sum::<f64>() / 28.0;
        series.push(7);
        let s = test(&m, &series).expect("the surge alerts");
        assert_eq!(s.observed, 7);
        assert!((s.baseline_per_day - baseline).abs() < 1e-9);
        assert!(s.p_value < m.alpha);
        let text = s.explain("netralitas ASN", "Kecamatan Tahunan", 1);
        assert!(
            text.starts_with(
                "7 laporan netralitas ASN di Kecamatan Tahunan dalam 24 jam; baseline 0,8/hari"
            ),
            "{text}"
        );
        // Quiet again: the next days are ordinary.
        for _ in 0..3 {
            series.push(1);
            assert_eq!(test(&m, &series), None);
        }
    }

    #[test]
    fn a_region_without_history_needs_several_reports() {
        let m = Method::default();
        assert_eq!(test(&m, &[0, 0, 0, 2]), None);
        assert!(test(&m, &[0, 0, 0, 5]).is_some());
    }

    proptest! {
        /// More reports in the window never turn an alert off.
        #[test]
        fn alerts_are_monotone_in_the_window(history in prop::collection::vec(0u32..4, 0..40), k in 0u32..15) {
            let m = Method::default();
            let mut a = history.clone();
            a.push(k);
            let mut b = history;
            b.push(k + 1);
            if test(&m, &a).is_some() {
                prop_assert!(test(&m, &b).is_some());
            }
        }
    }
}
