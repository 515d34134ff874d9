//! Layers, losses, optimisers and regularisers: the pieces a `Sequential` model is built from.

pub mod activation;
