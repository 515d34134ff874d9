//! What the Sequences mode draws: one example with its prediction and attention maps, the
//! same for typed input, and the token embeddings on their first two principal axes.

use serde::Serialize;

use super::SequenceSession;
use crate::data::pca::Pca;
use crate::metrics::argmax_rows;
use crate::model::AttentionMap;
use crate::{Error, Matrix, Result};

/// One input with the model's answer and its attention, for drawing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SequenceExample {
    pub input: Vec<usize>,
    /// The task's answer (per position, or one class); `None` for typed input.
    pub target: Option<Vec<usize>>,
    /// The model's answer: a token per position, or one class.
    pub predicted: Vec<usize>,
    /// Per answer position: right or not; `None` at padding targets or without a target.
    pub correct: Vec<Option<bool>>,
    /// One map per transformer block, for this one sequence (`batch` = 1).
    pub attention: Vec<AttentionMap>,
}

/// Token embeddings projected on their first two principal axes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmbeddingMap {
    pub names: Vec<String>,
    pub x: Vec<f32>,
    /// All zeros when the model width is 1.
    pub y: Vec<f32>,
    /// Share of the embeddings' variance along each axis.
    pub explained: Vec<f32>,
}

impl SequenceSession {
    /// Test sequence `index` with its target, the prediction and the attention maps.
    pub fn example(&mut self, index: usize) -> Result<SequenceExample> {
        let test = &self.split.test;
        if index >= test.inputs.rows() {
            return Err(Error::InvalidConfig(format!(
                "no test example {index}; there are {}",
                test.inputs.rows()
            )));
        }
        let input: Vec<usize> = test.inputs.row(index).iter().map(|&t| t as usize).collect();
        let target: Vec<usize> = test
            .targets
            .row(index)
            .iter()
            .map(|&t| t as usize)
            .collect();
        self.run(input, Some(target))
    }

    /// The model's answer and attention for `tokens` (ids), which may be shorter than the
    /// task's length. Ids out of range or too many tokens are errors; the model is kept.
    pub fn predict_tokens(&mut self, tokens: &[usize]) -> Result<SequenceExample> {
        let info = self.task_info();
        if tokens.is_empty() {
            return Err(Error::InvalidData("type at least one token".into()));
        }
        if tokens.len() > info.length {
            return Err(Error::InvalidData(format!(
                "{} tokens is too long: this model reads up to {}",
                tokens.len(),
                info.length
            )));
        }
        if let Some((i, &t)) = tokens.iter().enumerate().find(|(_, &t)| t >= info.vocab) {
            return Err(Error::InvalidData(format!(
                "token {t} at position {} is out of range: the tokens are 0 to {}",
                i + 1,
                info.vocab - 1
            )));
        }
        self.run(tokens.to_vec(), None)
    }

    /// [`parse_tokens`](Self::parse_tokens), then [`predict_tokens`](Self::predict_tokens).
    pub fn predict_text(&mut self, text: &str) -> Result<SequenceExample> {
        let tokens = self.parse_tokens(text)?;
        self.predict_tokens(&tokens)
    }

    /// Reads typed text as tokens by their names: separated by spaces or commas
    /// (`"3 1 4"`, `"3,1,4"`), or run together (`"(()"`, `"12+3="`), read longest name
    /// first. An unknown token is an error that lists the known ones.
    pub fn parse_tokens(&self, text: &str) -> Result<Vec<usize>> {
        let names = &self.split.token_names;
        let unknown = |piece: &str| {
            Error::InvalidData(format!(
                "\"{}\" is not a token of this task; its tokens are {}",
                crate::input::excerpt(piece),
                names.join(" ")
            ))
        };
        let mut out = Vec::new();
        for word in text
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
        {
            let mut rest = word;
            while !rest.is_empty() {
                let best = names
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| !n.is_empty() && rest.starts_with(n.as_str()))
                    .max_by_key(|(_, n)| n.len())
                    .ok_or_else(|| unknown(rest))?;
                out.push(best.0);
                rest = &rest[best.1.len()..];
            }
        }
        Ok(out)
    }

    fn run(&mut self, input: Vec<usize>, target: Option<Vec<usize>>) -> Result<SequenceExample> {
        let x = Matrix::from_vec(1, input.len(), input.iter().map(|&t| t as f32).collect())?;
        let outputs = self.model.predict(&x)?;
        let attention = self.model.last_attention();
        let predicted = argmax_rows(&outputs);
        let padding = self.split.padding;
        let correct = match &target {
            Some(t) => t
                .iter()
                .zip(&predicted)
                .map(|(&t, &p)| (Some(t) != padding).then_some(t == p))
                .collect(),
            None => vec![None; predicted.len()],
        };
        Ok(SequenceExample {
            input,
            target,
            predicted,
            correct,
            attention,
        })
    }

    /// Each token's embedding on the first two principal axes of the embedding table.
    pub fn embedding_map(&self) -> Result<EmbeddingMap> {
        let table = self
            .model
            .embedding_table()
            .expect("the Sequences model starts with an embedding");
        let k = table.cols().min(2);
        let pca = Pca::fit(table, k)?;
        let points = pca.project(table)?;
        let column = |j: usize| -> Vec<f32> {
            (0..points.rows())
                .map(|r| if j < k { points.get(r, j) } else { 0.0 })
                .collect()
        };
        let mut explained = pca.explained_variance_ratio();
        explained.resize(2, 0.0);
        Ok(EmbeddingMap {
            names: self.split.token_names.clone(),
            x: column(0),
            y: column(1),
            explained,
        })
    }
}
