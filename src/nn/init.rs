//! Weight initialisers: fill a dense layer's `W: fan_in×fan_out` and bias.

use crate::spec::Init;
use crate::Rng;

/// Fills `w` (fan_in×fan_out, row-major) and `b` according to `init`.
pub fn initialize(
    init: Init,
    fan_in: usize,
    fan_out: usize,
    w: &mut [f32],
    b: &mut [f32],
    rng: &mut Rng,
) {
    let fan_in_f = fan_in.max(1) as f32;
    match init {
        Init::GlorotUniform => {
            let limit = (6.0 / (fan_in + fan_out).max(1) as f32).sqrt();
            w.iter_mut().for_each(|v| *v = rng.uniform(-limit, limit));
            b.fill(0.0);
        }
        Init::HeNormal => {
            let std = (2.0 / fan_in_f).sqrt();
            w.iter_mut().for_each(|v| *v = rng.normal() * std);
            b.fill(0.0);
        }
        Init::HeUniform => {
            let limit = (6.0 / fan_in_f).sqrt();
            w.iter_mut().for_each(|v| *v = rng.uniform(-limit, limit));
            b.fill(0.0);
        }
        Init::Playground => {
            w.iter_mut().for_each(|v| *v = rng.uniform(-0.5, 0.5));
            b.fill(0.1);
        }
    }
}
