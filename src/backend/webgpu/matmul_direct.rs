//! The direct matmul kernel's source: `matmul_direct.wgsl` filled in per shape (NN, TN, NT)
//! and per operand element type (vec4 or guarded scalar runs of four).

use super::matmul::MatmulShape;

const DIRECT: &str = include_str!("matmul_direct.wgsl");

/// WGSL of `fn {name}(off, major, minor, major_len, minor_len) -> vec4<f32>`: elements
/// `minor .. minor + 4` of row `major` of a row-major `major_len × minor_len` operand in
/// `buf` at `off`, each 0 where out of range. A `vec4` operand needs `minor_len`, `minor`
/// and `off` to be multiples of 4, so a run is wholly inside or wholly outside.
fn loader(name: &str, buf: &str, vec4: bool) -> String {
    let head = format!(
        "fn {name}(off: u32, major: u32, minor: u32, major_len: u32, minor_len: u32) -> vec4<f32> {{"
    );
    if vec4 {
        format!(
            "{head}\n    if (major >= major_len || minor >= minor_len) {{ return vec4<f32>(0.0); }}\n    \
             return {buf}[(off + major * minor_len + minor) / 4u];\n}}"
        )
    } else {
        // Written out, for the same reason as `inner`.
        let lanes: String = "xyzw"
            .chars()
            .enumerate()
            .map(|(e, lane)| {
                format!(
                    "        if (minor + {e}u < minor_len) {{ v.{lane} = {buf}[base + {e}u]; }}\n"
                )
            })
            .collect();
        format!(
            "{head}\n    var v = vec4<f32>(0.0);\n    if (major < major_len) {{\n        \
             let base = off + major * minor_len + minor;\n{lanes}    }}\n    return v;\n}}"
        )
    }
}

/// Rows of C per invocation (`R` in the template).
const ROWS: usize = 8;

/// The shape's loop over k, accumulating into `acc` (`ROWS` rows × 4 columns from `row0`,
/// `col0`). Written out with constant indices: where `acc` is indexed by a loop variable, a
/// shader compiler may keep it in memory instead of registers (measured on SwiftShader: a
/// third of the speed).
fn inner(shape: MatmulShape) -> String {
    let mut body = String::new();
    let mut line = |s: String| {
        body.push_str("        ");
        body.push_str(&s);
        body.push('\n');
    };
    match shape {
        // A's rows run along k, B's along n: four k-steps per pass, B's four rows reused by
        // every row of the block.
        MatmulShape::Nn => {
            for q in 0..4 {
                line(format!("let b{q} = load_b(b_off, p + {q}u, col0, K, N);"));
            }
            for r in 0..ROWS {
                line(format!("let a{r} = load_a(a_off, row0 + {r}u, p, M, K);"));
                for (q, lane) in "xyzw".chars().enumerate() {
                    line(format!(
                        "acc[{r}] = fma(b{q}, vec4<f32>(a{r}.{lane}), acc[{r}]);"
                    ));
                }
            }
        }
        // Both run along their output dimension: one outer product per k.
        MatmulShape::Tn => {
            line("let b = load_b(b_off, p, col0, K, N);".into());
            for q in 0..ROWS / 4 {
                line(format!(
                    "let a{q} = load_a(a_off, p, row0 + {}u, K, M);",
                    4 * q
                ));
                for (l, lane) in "xyzw".chars().enumerate() {
                    let r = 4 * q + l;
                    line(format!(
                        "acc[{r}] = fma(vec4<f32>(a{q}.{lane}), b, acc[{r}]);"
                    ));
                }
            }
        }
        // Both run along k: dot products of four-element runs.
        MatmulShape::Nt => {
            for c in 0..4 {
                line(format!("let b{c} = load_b(b_off, col0 + {c}u, p, N, K);"));
            }
            for r in 0..ROWS {
                line(format!("let a{r} = load_a(a_off, row0 + {r}u, p, M, K);"));
                line(format!(
                    "acc[{r}] += vec4<f32>(dot(a{r}, b0), dot(a{r}, b1), dot(a{r}, b2), dot(a{r}, b3));"
                ));
            }
        }
    }
    let step = if shape == MatmulShape::Tn { "1u" } else { "4u" };
    let mut store = String::new();
    for r in 0..ROWS {
        store.push_str(&format!(
            "    store_row(row0 + {r}u, col0, M, N, acc[{r}]);\n"
        ));
    }
    format!("for (var p = 0u; p < K; p += {step}) {{\n{body}    }}\n{store}")
}

/// The direct matmul for one shape and operand element types.
pub(crate) fn direct_source(shape: MatmulShape, vec_a: bool, vec_b: bool) -> String {
    let elem = |v: bool| if v { "vec4<f32>" } else { "f32" };
    DIRECT
        .replace("ELEM_A", elem(vec_a))
        .replace("ELEM_B", elem(vec_b))
        .replace("LOAD_A", &loader("load_a", "in0", vec_a))
        .replace("LOAD_B", &loader("load_b", "in1", vec_b))
        .replace("ROWS_U", &format!("{ROWS}u"))
        .replace("INNER", &inner(shape))
}
