//! Layers for token sequences: embeddings, self-attention, layer norm, transformer blocks and
//! the poolings that turn a sequence into one vector.
//!
//! Shapes: tokens `T: B×L` (ids stored as `f32`), activations `X: (B·L)×d` with the `L`
//! positions of sequence `b` in rows `b·L .. (b+1)·L`, so that position-wise layers (dense,
//! dropout, layer norm) are the plain matrix layers; after pooling `Y: B×d`.

pub mod attention;
pub mod block;
pub mod embedding;
pub mod layer_norm;
pub mod pooling;

pub use attention::MultiHeadSelfAttention;
pub use block::TransformerBlock;
pub use embedding::{Embedding, PositionalEmbedding};
pub use layer_norm::LayerNorm;
pub use pooling::{Pooling, PoolingKind};
