"""Checks the engine's ONNX exports with onnx and onnxruntime.

Usage: python check.py DIR, where DIR holds the `<case>.onnx` / `<case>.json` pairs that
`cargo run --example onnx_cases -- DIR` writes. For each case: `onnx.checker.check_model`
with full shape inference, the opset and IR version the docs state, a dynamic batch
dimension, then onnxruntime (CPU) on the case's inputs against the engine's predictions.

Tolerance: |ort - engine| <= ATOL + RTOL * |engine| elementwise. Both sides compute in f32
in the same order of operations, but matrix products sum in another order and
onnxruntime's tanh, exp, sin and cos are vectorised approximations where the engine
calls the platform's libm, so the looser bound applies to graphs with those functions.
"""

import json
import pathlib
import sys

import numpy as np
import onnx
import onnxruntime as ort

OPSET = 17
IR_VERSION = 8
# Graphs of products, sums, relu-like and batch-norm ops only.
RTOL, ATOL = 1e-5, 1e-6
# Graphs with transcendental functions (tanh, sigmoid, exp, log, sin, cos).
RTOL_TRANSCENDENTAL, ATOL_TRANSCENDENTAL = 1e-5, 1e-5
TRANSCENDENTAL = {"Tanh", "Sigmoid", "Exp", "Log", "Sin", "Cos", "Elu", "Softmax"}


def check(path: pathlib.Path) -> tuple[bool, str]:
    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)
    opsets = {o.domain: o.version for o in model.opset_import}
    assert opsets == {"": OPSET}, f"opset {opsets}"
    assert model.ir_version == IR_VERSION, f"ir_version {model.ir_version}"
    (inp,) = model.graph.input
    assert inp.name == "input"
    assert inp.type.tensor_type.shape.dim[0].dim_param == "N", "batch dimension not dynamic"

    case = json.loads(path.with_suffix(".json").read_text())
    x = np.array(case["inputs"], dtype=np.float64).astype(np.float32)  # null -> NaN
    want = np.array(case["expected"], dtype=np.float32)
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (got,) = sess.run(["output"], {"input": x})
    # A batch of one runs too (the batch dimension is dynamic).
    (one,) = sess.run(["output"], {"input": x[:1]})
    assert one.shape == (1, want.shape[1]), f"batch of one gave {one.shape}"

    ops = {n.op_type for n in model.graph.node}
    transcendental = bool(ops & TRANSCENDENTAL)
    rtol, atol = (RTOL_TRANSCENDENTAL, ATOL_TRANSCENDENTAL) if transcendental else (RTOL, ATOL)
    assert got.shape == want.shape, f"shape {got.shape}, engine {want.shape}"
    diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
    ok = bool(np.all(diff <= atol + rtol * np.abs(want)))
    worst = int(np.argmax(diff - rtol * np.abs(want)))
    # Relative error where it means something (|engine| >= 1e-3), absolute error elsewhere.
    big = np.abs(want) >= 1e-3
    rel = float((diff[big] / np.abs(want[big])).max()) if np.any(big) else 0.0
    small = float(diff[~big].max()) if np.any(~big) else 0.0
    line = (
        f"{path.stem:<38} {len(model.graph.node):>3} nodes  max abs {diff.max():.1e}  "
        f"max rel {rel:.1e}  max abs near 0 {small:.1e}  (rtol {rtol:g}, atol {atol:g})"
    )
    if not ok:
        line += f"  FAILED at flat index {worst}: ort {got.flat[worst]!r}, engine {want.flat[worst]!r}"
    return ok, line


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    cases = sorted(pathlib.Path(sys.argv[1]).glob("*.onnx"))
    if not cases:
        print(f"no .onnx files in {sys.argv[1]}")
        return 1
    passed = failed = 0
    print(f"onnx {onnx.__version__}, onnxruntime {ort.__version__}, numpy {np.__version__}")
    for path in cases:
        try:
            ok, line = check(path)
        except Exception as e:  # a checker or runtime error fails the case, with its message
            ok, line = False, f"{path.stem:<40} FAILED: {type(e).__name__}: {e}"
        print(line)
        passed += ok
        failed += not ok
    print(f"onnx: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
