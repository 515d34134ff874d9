//! Layers, losses, optimisers and regularisers: the pieces a `Sequential` model is built from.

pub mod activation;
pub mod batch_norm;
pub mod dense;
pub mod dropout;
pub mod init;
pub mod layer;
pub mod loss;
pub mod optim;
pub mod sequence;
pub mod token_loss;
