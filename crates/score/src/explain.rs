//! What would raise a unit most: the components where reaching the best points in its
//! group would add the most, in order.

use model::UnitKey;
use serde::Serialize;

use crate::method::{Compiled, UnitScore};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gain {
    pub component: String,
    pub name: String,
    pub points: f64,
    /// The best points any unit of the group has on this component.
    pub best: f64,
    /// Points the unit would gain by reaching the best.
    pub gain: f64,
    /// The same gain in index value (points ÷ the methodology's maximum).
    pub value_gain: f64,
}

/// The components where `unit` is behind the best of `scores` (its group), the largest
/// gain first.
pub fn explain(compiled: &Compiled, scores: &[UnitScore], unit: &UnitKey) -> Vec<Gain> {
    let Some(own) = scores.iter().find(|s| &s.unit == unit) else { return Vec::new() };
    let total_max = own.total.max.max(f64::MIN_POSITIVE);
    let mut gains: Vec<Gain> = compiled
        .components()
        .enumerate()
        .filter_map(|(j, (key, name, _))| {
            let best = scores.iter().filter_map(|s| s.components.get(j)).map(|c| c.points).fold(0.0, f64::max);
            let points = own.components.get(j)?.points;
            let gain = best - points;
            (gain > 1e-9).then(|| Gain {
                component: key.to_owned(),
                name: name.to_owned(),
                points,
                best,
                gain,
                value_gain: gain / total_max,
            })
        })
        .collect();
    gains.sort_by(|a, b| b.gain.total_cmp(&a.gain).then_with(|| a.component.cmp(&b.component)));
    gains
}
