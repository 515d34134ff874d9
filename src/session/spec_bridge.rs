//! Interim: the `PlaygroundConfig` → model helpers the engine is adding to `spec`; removed
//! once those land (the inherent methods then take precedence over this trait).

use crate::data::Task;
use crate::spec::{CompileSpec, LayerSpec, LossKind, ModelSpec};
use crate::{config_err, Activation, Matrix, PlaygroundConfig, Result};

pub(crate) trait PlaygroundSpecExt {
    fn validate(&self) -> Result<()>;
    fn model_spec(&self, input_dim: usize, task: Task) -> ModelSpec;
    fn compile_spec(&self, task: Task) -> CompileSpec;
    fn encode_targets(&self, labels: &Matrix, task: Task) -> Matrix;
}

fn output_activation(cfg: &PlaygroundConfig, task: Task) -> Activation {
    cfg.output_activation.unwrap_or(match task {
        Task::Regression => Activation::Linear,
        Task::Binary => Activation::Tanh,
        Task::MultiClass(_) => Activation::Softmax,
    })
}

fn loss(cfg: &PlaygroundConfig, task: Task) -> LossKind {
    cfg.loss
        .unwrap_or(match (task, output_activation(cfg, task)) {
            (Task::MultiClass(_), _) => LossKind::CategoricalCrossentropy,
            (Task::Binary, Activation::Sigmoid) => LossKind::BinaryCrossentropy,
            _ => LossKind::Mse,
        })
}

impl PlaygroundSpecExt for PlaygroundConfig {
    fn validate(&self) -> Result<()> {
        if self.features.is_empty() {
            return Err(config_err!("switch on at least one input feature"));
        }
        if self.hidden.len() > 16 || self.hidden.iter().any(|h| h.units == 0 || h.units > 256) {
            return Err(config_err!(
                "hidden layers need 1–256 units each, at most 16 layers"
            ));
        }
        if self.batch_size == 0 {
            return Err(config_err!("batch size must be at least 1"));
        }
        let lr = self.optimizer.learning_rate;
        if !(lr.is_finite() && lr > 0.0) {
            return Err(config_err!(
                "learning rate must be a positive number, got {lr}"
            ));
        }
        if !(0.0..=50.0).contains(&self.noise) {
            return Err(config_err!("noise must be 0–50 %, got {}", self.noise));
        }
        if !(1.0..=99.0).contains(&self.train_ratio) {
            return Err(config_err!(
                "train ratio must be 1–99 %, got {}",
                self.train_ratio
            ));
        }
        if self.hidden.iter().any(|h| !(0.0..1.0).contains(&h.dropout)) {
            return Err(config_err!("dropout rates must be in [0, 1)"));
        }
        Ok(())
    }

    fn model_spec(&self, input_dim: usize, task: Task) -> ModelSpec {
        let mut layers = Vec::new();
        for h in &self.hidden {
            layers.push(LayerSpec::Dense {
                units: h.units,
                activation: h.activation.unwrap_or(self.activation),
                init: self.init,
                use_bias: true,
            });
            if h.batch_norm {
                layers.push(LayerSpec::BatchNorm {
                    momentum: 0.99,
                    epsilon: 1e-3,
                });
            }
            if h.dropout > 0.0 {
                layers.push(LayerSpec::Dropout { rate: h.dropout });
            }
        }
        let units = match task {
            Task::MultiClass(k) => k,
            _ => 1,
        };
        layers.push(LayerSpec::Dense {
            units,
            activation: output_activation(self, task),
            init: self.init,
            use_bias: true,
        });
        ModelSpec { input_dim, layers }
    }

    fn compile_spec(&self, task: Task) -> CompileSpec {
        CompileSpec {
            optimizer: self.optimizer.clone(),
            loss: loss(self, task),
            metrics: Vec::new(),
            regularization: self.regularization,
            huber_delta: 1.0,
        }
    }

    fn encode_targets(&self, labels: &Matrix, task: Task) -> Matrix {
        let mut y = labels.clone();
        if task == Task::Binary && loss(self, task) != LossKind::BinaryCrossentropy {
            y.as_mut_slice()
                .iter_mut()
                .for_each(|v| *v = 2.0 * *v - 1.0);
        }
        y
    }
}
