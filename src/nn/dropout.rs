//! `Dropout`: inverted dropout with seeded masks; the identity at inference.

use crate::{Matrix, Rng};

/// Zeroes each input with probability `rate` in training and scales survivors by `1/(1−rate)`,
/// so inference needs no rescaling.
#[derive(Debug, Clone)]
pub struct Dropout {
    pub rate: f32,
    mask: Vec<f32>,
}

impl Dropout {
    pub fn new(rate: f32) -> Self {
        Self {
            rate,
            mask: Vec::new(),
        }
    }

    pub fn forward(&mut self, x: &Matrix, y: &mut Matrix, training: bool, rng: &mut Rng) {
        y.resize(x.rows(), x.cols());
        if !training || self.rate <= 0.0 {
            y.as_mut_slice().copy_from_slice(x.as_slice());
            self.mask.clear();
            return;
        }
        let keep = 1.0 - self.rate;
        let scale = 1.0 / keep;
        self.mask.resize(x.as_slice().len(), 0.0);
        for ((m, o), &v) in self.mask.iter_mut().zip(y.as_mut_slice()).zip(x.as_slice()) {
            *m = if rng.next_f32() < keep { scale } else { 0.0 };
            *o = v * *m;
        }
    }

    /// `dX = dY ⊙ mask` (the identity when the last forward was in inference mode).
    pub fn backward(&self, dy: &Matrix, dx: &mut Matrix) {
        dx.resize(dy.rows(), dy.cols());
        if self.mask.is_empty() {
            dx.as_mut_slice().copy_from_slice(dy.as_slice());
        } else {
            for ((d, &g), &m) in dx
                .as_mut_slice()
                .iter_mut()
                .zip(dy.as_slice())
                .zip(&self.mask)
            {
                *d = g * m;
            }
        }
    }
}
