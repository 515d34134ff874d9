//! Bindings for uploaded tables: the preview from the engine's own reader, the load
//! report, the map's slice, the insight panel, feature importance and prediction files.
//! The core build (`pkg-core/`, without the feature `full`) keeps only what a session of
//! toy data answers: its row count, the insight panel and an importance result's absence.

use wasm_bindgen::prelude::*;

#[cfg(feature = "full")]
use super::{from_js, string_arg};
use super::{js_err, to_js, WebSession};
#[cfg(feature = "full")]
use crate::data::csv::table::read_table;
#[cfg(feature = "full")]
use crate::session::Axis;

/// The table as the engine reads it: `{rows, delimiter, has_header, columns: [{name, kind,
/// missing, min, max, distinct, overflow}], head}`. `hasHeader`: `undefined` detects it.
#[cfg(feature = "full")]
#[wasm_bindgen(js_name = csvPreview)]
pub fn csv_preview(text: JsValue, has_header: Option<bool>) -> Result<JsValue, JsValue> {
    let text = string_arg(&text, "csvPreview's text")?;
    let table = read_table(&text, has_header).map_err(js_err)?;
    Ok(to_js(&table.preview())?)
}

/// A file's bytes as text: UTF-8 (with or without a byte-order mark) or UTF-16 with a mark,
/// decoded here so every browser reads a file the same; other bytes are refused in words.
#[cfg(feature = "full")]
#[wasm_bindgen(js_name = decodeCsv)]
pub fn decode_csv(bytes: &[u8]) -> Result<String, JsValue> {
    Ok(crate::data::csv::decode::decode_text(bytes).map_err(js_err)?)
}

/// `text` deflated (fast) as base64url, for the page's snapshot over a reload.
#[cfg(feature = "full")]
#[wasm_bindgen(js_name = packText)]
pub fn pack_text(text: &str) -> String {
    crate::url_state::pack_text(text, 1)
}

/// Reverses `packText`, up to the largest CSV the engine reads.
#[cfg(feature = "full")]
#[wasm_bindgen(js_name = unpackText)]
pub fn unpack_text(blob: &str) -> Result<String, JsError> {
    crate::url_state::unpack_text(blob, crate::data::csv::MAX_CSV_BYTES).map_err(js_err)
}

#[wasm_bindgen(js_class = Session)]
impl WebSession {
    /// Rows of the data, both splits (cheaper than `points().length / 4` for a table, whose
    /// points are projected onto the map's axes).
    #[wasm_bindgen(js_name = rowCount)]
    pub fn row_count(&self) -> u32 {
        self.inner.row_count() as u32
    }

    /// True when the data is an uploaded table of many columns (not 2-D points).
    #[wasm_bindgen(js_name = isTable)]
    pub fn is_table(&self) -> bool {
        self.inner.is_table()
    }

    /// `{rows_read, rows_used, dropped_missing_label, dropped_missing_features,
    /// missing_cells, filled_cells, skipped}` of the last upload, or `null`.
    #[wasm_bindgen(js_name = loadReport)]
    pub fn load_report(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.load_report())
    }

    /// One name per model input.
    #[cfg(feature = "full")]
    #[wasm_bindgen(js_name = inputNames)]
    pub fn input_names(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.input_names())
    }

    /// Class names (empty when the indices are the names).
    #[cfg(feature = "full")]
    #[wasm_bindgen(js_name = classNames)]
    pub fn class_names(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.class_names())
    }

    /// `{x, y, choices, held, x_range, y_range, explained}` or `null` for 2-D data.
    #[cfg(feature = "full")]
    #[wasm_bindgen(js_name = sliceInfo)]
    pub fn slice_info(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.slice_info())
    }

    /// Axes as `{kind: 'column' | 'component', index}`; `held` one value per input column.
    #[cfg(feature = "full")]
    #[wasm_bindgen(js_name = setSlice)]
    pub fn set_slice(&mut self, x: JsValue, y: JsValue, held: &[f32]) -> Result<(), JsError> {
        let x: Axis = from_js(x, "the map's horizontal axis")?;
        let y: Axis = from_js(y, "the map's vertical axis")?;
        self.inner.set_slice(x, y, held).map_err(js_err)
    }

    /// The per-class table and ROC, or the regression scatter (see `InsightReport`).
    pub fn insight(&mut self) -> Result<JsValue, JsError> {
        to_js(&self.inner.insight().map_err(js_err)?)
    }

    #[cfg(feature = "full")]
    #[wasm_bindgen(js_name = startImportance)]
    pub fn start_importance(&mut self, repeats: u32) -> Result<(), JsError> {
        self.inner
            .start_importance(repeats as usize)
            .map_err(js_err)
    }

    /// Measures one more column; true when all are done.
    #[cfg(feature = "full")]
    #[wasm_bindgen(js_name = importanceStep)]
    pub fn importance_step(&mut self) -> Result<bool, JsError> {
        self.inner.importance_step().map_err(js_err)
    }

    #[cfg(feature = "full")]
    #[wasm_bindgen(js_name = cancelImportance)]
    pub fn cancel_importance(&mut self) {
        self.inner.cancel_importance()
    }

    /// `{score, baseline, done, total, columns: [[name, mean, std], …]}` or `null`.
    pub fn importance(&self) -> Result<JsValue, JsError> {
        to_js(&self.inner.importance())
    }

    /// Predictions of the test rows (or all) as CSV.
    #[cfg(feature = "full")]
    #[wasm_bindgen(js_name = predictionsCsv)]
    pub fn predictions_csv(&mut self, all: bool) -> Result<String, JsError> {
        self.inner.predictions_csv(all).map_err(js_err)
    }

    /// Predictions for every row of a new CSV with the trained columns.
    #[cfg(feature = "full")]
    #[wasm_bindgen(js_name = predictCsv)]
    pub fn predict_csv(&mut self, text: JsValue) -> Result<String, JsValue> {
        let text = string_arg(&text, "predictCsv's text")?;
        Ok(self.inner.predict_csv(&text).map_err(js_err)?)
    }
}
