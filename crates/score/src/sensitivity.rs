//! How stable a ranking is under other weights: each component's maximum is multiplied
//! by a random factor within ± `spread`, the index values recomputed from the points
//! each unit already has, and the units ranked again; over many draws, each unit's median
//! rank and its 5-95% interval. Seeded, so the same seed gives the same answer.

use model::UnitKey;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::method::{Compiled, Status, UnitScore};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stability {
    pub unit: UnitKey,
    pub median_rank: f64,
    /// The 5th and 95th percentiles of the rank over the draws.
    pub low: u32,
    pub high: u32,
}

/// Rank stability of `scores` (the units of one group) over `draws` random weightings.
pub fn sensitivity(compiled: &Compiled, scores: &[UnitScore], draws: usize, spread: f64, seed: u64) -> Vec<Stability> {
    let maxima: Vec<f64> = compiled.components().map(|(_, _, max)| max).collect();
    let n = scores.len();
    let m = maxima.len();
    // Each unit's share of each component's points, and whether the component counts.
    let mut share = vec![0.0; n * m];
    let mut counts = vec![0.0; n * m];
    for (i, s) in scores.iter().enumerate() {
        for (j, c) in s.components.iter().enumerate().take(m) {
            if maxima[j] > 0.0 {
                share[i * m + j] = c.points / maxima[j];
            }
            counts[i * m + j] = if c.status == Status::Excluded { 0.0 } else { 1.0 };
        }
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut ranks: Vec<Vec<u32>> = vec![Vec::with_capacity(draws); n];
    let mut weights = vec![0.0; m];
    let mut values: Vec<(usize, f64)> = vec![(0, 0.0); n];
    for _ in 0..draws {
        for (w, max) in weights.iter_mut().zip(&maxima) {
            let u: f64 = rng.random();
            *w = max * (1.0 + spread * (2.0 * u - 1.0));
        }
        for (i, v) in values.iter_mut().enumerate() {
            let (mut points, mut total) = (0.0, 0.0);
            for j in 0..m {
                let w = weights[j] * counts[i * m + j];
                points += share[i * m + j] * w;
                total += w;
            }
            *v = (i, if total > 0.0 { points / total } else { 0.0 });
        }
        values.sort_by(|a, b| b.1.total_cmp(&a.1));
        let mut rank = 0u32;
        for (pos, &(i, v)) in values.iter().enumerate() {
            if pos == 0 || values[pos - 1].1 != v {
                rank = pos as u32 + 1;
            }
            ranks[i].push(rank);
        }
    }
    scores
        .iter()
        .zip(ranks)
        .map(|(s, mut r)| {
            r.sort_unstable();
            let at = |q: f64| r.get(((r.len().saturating_sub(1)) as f64 * q).round() as usize).copied().unwrap_or(0);
            let median = if r.is_empty() {
                0.0
            } else if r.len() % 2 == 1 {
                f64::from(r[r.len() / 2])
            } else {
                (f64::from(r[r.len() / 2 - 1]) + f64::from(r[r.len() / 2])) / 2.0
            };
            Stability { unit: s.unit.clone(), median_rank: median, low: at(0.05), high: at(0.95) }
        })
        .collect()
}
