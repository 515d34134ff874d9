//! Writes ONNX exports with the engine's own predictions beside them, for every activation,
//! each loss family, batch norm (and dropout), the playground's features and scaler, and
//! uploaded tables (regression and classes, with text columns and missing cells): the cases
//! `tests/onnx/check.py` runs through onnx's checker and onnxruntime.
//!
//! `cargo run --example onnx_cases -- DIR` writes `DIR/<case>.onnx` and `DIR/<case>.json`
//! (`{"inputs": rows, "expected": rows}`; a missing cell is `null`). `cargo xtask test`
//! runs both in its `onnx` stage.

use std::path::Path;

use nn_playground::data::csv::encoding::MissingPolicy;
use nn_playground::data::csv::prepare::TaskKind;
use nn_playground::data::csv::CsvOptions;
use nn_playground::data::features::ALL_FEATURES;
use nn_playground::session::Session;
use nn_playground::{
    Activation, CompileSpec, DatasetKind, HiddenLayer, Init, LayerSpec, LossKind, Matrix,
    ModelSpec, OptimizerKind, OptimizerSpec, PlaygroundConfig, Result, Rng, Sequential,
};

/// Rows of random input per case.
const ROWS: usize = 96;

fn main() {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: cargo run --example onnx_cases -- DIR");
        std::process::exit(2);
    };
    if let Err(e) = run(Path::new(&dir)) {
        eprintln!("onnx_cases: {e}");
        std::process::exit(1);
    }
}

fn run(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(io)?;
    let mut rng = Rng::new(14);
    let mut count = 0;
    let mut save = |name: &str, onnx: Vec<u8>, x: &Matrix, y: &Matrix| -> Result<()> {
        std::fs::write(dir.join(format!("{name}.onnx")), onnx).map_err(io)?;
        let json = serde_json::json!({ "inputs": rows(x), "expected": rows(y) });
        std::fs::write(dir.join(format!("{name}.json")), json.to_string()).map_err(io)?;
        count += 1;
        Ok(())
    };

    // Every activation, with random weights and biases, on inputs wide enough to reach the
    // tails (softplus and elu far out, sigmoid and tanh saturated).
    for act in Activation::ALL {
        let hidden = if act == Activation::Softmax {
            Activation::Tanh
        } else {
            act
        };
        let mut m = model(3, &[(8, hidden, true), (4, act, true)])?;
        randomise(&mut m, &mut rng)?;
        let x = inputs(&mut rng, 3, 4.0);
        let y = m.predict(&x)?;
        save(&format!("activation_{}", act.name()), m.to_onnx()?, &x, &y)?;
    }
    let mut m = model(
        3,
        &[(5, Activation::Relu, false), (2, Activation::Linear, false)],
    )?;
    randomise(&mut m, &mut rng)?;
    let x = inputs(&mut rng, 3, 4.0);
    let y = m.predict(&x)?;
    save("dense_without_bias", m.to_onnx()?, &x, &y)?;

    // The loss families, trained a little so the weights are a real run's.
    let families = [
        (
            "loss_binary_sigmoid_bce",
            Activation::Sigmoid,
            1,
            LossKind::BinaryCrossentropy,
        ),
        (
            "loss_multiclass_softmax_cce",
            Activation::Softmax,
            4,
            LossKind::CategoricalCrossentropy,
        ),
        (
            "loss_regression_linear_mse",
            Activation::Linear,
            1,
            LossKind::Mse,
        ),
    ];
    for (name, out, k, loss) in families {
        let mut m = model(3, &[(8, Activation::Tanh, true), (k, out, true)])?;
        train(&mut m, loss, k, &mut rng)?;
        let x = inputs(&mut rng, 3, 3.0);
        let y = m.predict(&x)?;
        save(name, m.to_onnx()?, &x, &y)?;
    }

    // Batch norm (inference form, running statistics moved by training) and dropout.
    let bn = ModelSpec {
        input_dim: 3,
        layers: vec![
            LayerSpec::BatchNorm {
                momentum: 0.8,
                epsilon: 1e-3,
            },
            dense(8, Activation::Relu, true),
            LayerSpec::BatchNorm {
                momentum: 0.8,
                epsilon: 1e-3,
            },
            LayerSpec::Dropout { rate: 0.3 },
            dense(2, Activation::Linear, true),
        ],
    };
    let mut m = Sequential::new(bn, 5)?;
    train(&mut m, LossKind::Mse, 2, &mut rng)?;
    let x = inputs(&mut rng, 3, 3.0);
    let y = m.predict(&x)?;
    save("batch_norm_and_dropout", m.to_onnx()?, &x, &y)?;

    // The page's sessions: features and standardisation in the graph.
    let plane = [
        ("playground_default", PlaygroundConfig::default()),
        (
            "playground_all_features_standardised",
            PlaygroundConfig {
                dataset: DatasetKind::Spiral,
                features: ALL_FEATURES.to_vec(),
                standardize: true,
                hidden: vec![
                    HiddenLayer {
                        units: 6,
                        activation: None,
                        dropout: 0.1,
                        batch_norm: true,
                    },
                    HiddenLayer {
                        units: 4,
                        activation: Some(Activation::Gelu),
                        ..HiddenLayer::default()
                    },
                ],
                ..PlaygroundConfig::default()
            },
        ),
        (
            "playground_kspiral_softmax",
            PlaygroundConfig {
                dataset: DatasetKind::KSpiral,
                classes: 4,
                features: ALL_FEATURES.to_vec(),
                standardize: true,
                ..PlaygroundConfig::default()
            },
        ),
        (
            "playground_sine_regression",
            PlaygroundConfig {
                dataset: DatasetKind::Sine,
                ..PlaygroundConfig::default()
            },
        ),
    ];
    for (name, cfg) in plane {
        let mut s = Session::new(cfg)?;
        s.train_epochs(5)?;
        let x = inputs(&mut rng, 2, 6.0);
        let y = s.predict_columns(&x)?;
        save(name, s.export_onnx()?, &x, &y)?;
    }

    // Uploaded tables: numeric and text columns, missing cells filled, a scaled target; the
    // last also with missing text cells (NaN in each of a column's one-hot inputs), which
    // the graph fills with the column's most frequent value as the page does.
    for (name, kind, missing_text) in [
        ("table_regression", TaskKind::Regression, false),
        ("table_classes", TaskKind::Classification, false),
        ("table_missing_text", TaskKind::Regression, true),
    ] {
        let mut s = Session::new(PlaygroundConfig {
            dataset: DatasetKind::Custom,
            ..PlaygroundConfig::default()
        })?;
        let label = if kind == TaskKind::Regression {
            "price"
        } else {
            "animal"
        };
        let opts = CsvOptions {
            label_column: Some(label.into()),
            kind: Some(kind),
            missing: MissingPolicy::Fill,
            ..CsvOptions::default()
        };
        s.load_csv(&table(240, &mut rng), &opts)?;
        s.train_epochs(5)?;
        let x = table_inputs(&s, &mut rng, missing_text);
        let y = s.predict_columns(&x)?;
        save(name, s.export_onnx()?, &x, &y)?;
    }
    eprintln!("onnx_cases: wrote {count} cases to {}", dir.display());
    Ok(())
}

fn io(e: std::io::Error) -> nn_playground::Error {
    nn_playground::Error::InvalidData(e.to_string())
}

fn dense(units: usize, activation: Activation, use_bias: bool) -> LayerSpec {
    LayerSpec::Dense {
        units,
        activation,
        init: Init::GlorotUniform,
        use_bias,
    }
}

fn model(input_dim: usize, layers: &[(usize, Activation, bool)]) -> Result<Sequential> {
    let layers = layers.iter().map(|&(u, a, b)| dense(u, a, b)).collect();
    Sequential::new(ModelSpec { input_dim, layers }, 3)
}

/// Every weight and bias drawn from U(-1.5, 1.5): initial biases are 0, which would leave
/// their export untested.
fn randomise(m: &mut Sequential, rng: &mut Rng) -> Result<()> {
    let params: Vec<Vec<f32>> = m
        .params()
        .iter()
        .map(|p| p.iter().map(|_| rng.uniform(-1.5, 1.5)).collect())
        .collect();
    m.set_params(&params)
}

/// `ROWS × d` from U(-scale, scale); the last rows ten times wider.
fn inputs(rng: &mut Rng, d: usize, scale: f32) -> Matrix {
    let data = (0..ROWS * d)
        .map(|i| {
            let wide = if i >= (ROWS - 4) * d { 10.0 } else { 1.0 };
            rng.uniform(-scale, scale) * wide
        })
        .collect();
    Matrix::from_vec(ROWS, d, data).expect("ROWS × d values")
}

/// Ten epochs of Adam on random inputs with targets of the loss's kind.
fn train(m: &mut Sequential, loss: LossKind, k: usize, rng: &mut Rng) -> Result<()> {
    let n = 256;
    let x = Matrix::from_vec(n, 3, (0..n * 3).map(|_| rng.uniform(-2.0, 2.0)).collect())?;
    let y: Vec<f32> = (0..n)
        .flat_map(|r| {
            let (a, b) = (x.get(r, 0), x.get(r, 1));
            match loss {
                LossKind::BinaryCrossentropy => vec![f32::from(a * b > 0.0)],
                LossKind::CategoricalCrossentropy => {
                    vec![(usize::from(a > 0.0) * 2 + usize::from(b > 0.0)) as f32]
                }
                _ => (0..k).map(|j| a.sin() + b * j as f32).collect(),
            }
        })
        .collect();
    let cols = if loss.is_cross_entropy() { 1 } else { k };
    let y = Matrix::from_vec(n, cols, y)?;
    m.compile(CompileSpec {
        optimizer: OptimizerSpec {
            kind: OptimizerKind::Adam,
            learning_rate: 0.01,
            ..OptimizerSpec::default()
        },
        loss,
        ..CompileSpec::default()
    })?;
    for _ in 0..10 {
        m.train_epoch(&x, &y, 32, true)?;
    }
    Ok(())
}

/// A CSV of three numeric columns, a text column and two labels (`price`, `animal`), with
/// a missing cell every 13 rows.
fn table(rows: usize, rng: &mut Rng) -> String {
    let kinds = ["red", "green", "blue"];
    let mut out = String::from("a,b,c,colour,price,animal\n");
    for r in 0..rows {
        let (a, b, c) = (
            rng.normal() * 2.0 + 1.0,
            rng.uniform(0.0, 50.0),
            rng.normal(),
        );
        let k = r % 3;
        let price = 100.0 + 20.0 * a - 0.5 * b + 5.0 * c * c + 15.0 * k as f32 + rng.normal();
        let animal = ["cat", "dog", "bird"][(usize::from(a > 1.0) + k) % 3];
        let mut cells = vec![
            format!("{a}"),
            format!("{b}"),
            format!("{c}"),
            kinds[k].to_string(),
        ];
        if r % 13 == 5 {
            cells[r % 4] = String::new();
        }
        cells.extend([format!("{price}"), animal.to_string()]);
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// Rows of the raw columns a table's export takes: numbers (some missing), one-hot text
/// (with `missing_text`, every seventh row's text cell missing: NaN in each of its inputs).
fn table_inputs(s: &Session, rng: &mut Rng, missing_text: bool) -> Matrix {
    let prep = s.preprocessing().expect("a table was loaded");
    let mut data = Vec::new();
    for r in 0..ROWS {
        for c in &prep.columns {
            match &c.encoding {
                nn_playground::data::csv::encoding::ColumnEncoding::Numeric { .. } => {
                    let v = if r % 11 == 3 {
                        f32::NAN
                    } else {
                        rng.uniform(-3.0, 60.0)
                    };
                    data.push(v);
                }
                nn_playground::data::csv::encoding::ColumnEncoding::OneHot {
                    categories, ..
                } => {
                    let hot = (r + data.len()) % categories.len();
                    if missing_text && r % 7 == 2 {
                        data.extend(vec![f32::NAN; categories.len()]);
                    } else {
                        data.extend((0..categories.len()).map(|j| f32::from(j == hot)));
                    }
                }
            }
        }
    }
    Matrix::from_vec(ROWS, prep.input_dim(), data).expect("one value per input")
}

fn rows(m: &Matrix) -> Vec<Vec<f32>> {
    (0..m.rows()).map(|r| m.row(r).to_vec()).collect()
}
