#!/usr/bin/python3
"""Build the tiny ONNX models backend/onnxq's tests quantise (committed; Go tests never run Python).

    /usr/bin/python3 backend/onnxq/testdata/make.py

Needs python3-onnx and numpy (Debian 12). Deterministic: rerunning rewrites the same bytes.

mlp.onnx    x[batch,16] -> MatMul(W1, raw_data) + b1 -> Relu -> MatMul(W2, float_data) + b2 -> Relu
            -> MatMul(W2 again: one weight, two MatMuls) -> Gemm(W3[24,32], C[24], alpha=0.5,
            transB=1) -> Add(c) -> y[batch,24]. Every weight can be quantised and dropped.
shared.onnx x[batch,8]  -> MatMul(S) -> y; S is also a graph output, so its floats must stay.
            MatMul(x, V) -> z where V is an initializer also listed as a graph input (the
            IR < 4 style). Gemm(x, G, transA=1) is left alone (transA unsupported).
"""

import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))


def f32(rng, *shape, scale=0.3):
    return (rng.standard_normal(shape) * scale).astype(np.float32)


def float_data_tensor(name, arr):
    # numpy_helper.from_array writes raw_data; this one uses the float_data encoding.
    return helper.make_tensor(name, TensorProto.FLOAT, arr.shape, arr.flatten().tolist(), raw=False)


def save(model, name):
    onnx.checker.check_model(model)
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(model.SerializeToString())


def mlp():
    rng = np.random.default_rng(1)
    inits = [
        numpy_helper.from_array(f32(rng, 16, 32), "W1"),
        numpy_helper.from_array(f32(rng, 32), "b1"),
        float_data_tensor("W2", f32(rng, 32, 32)),
        numpy_helper.from_array(f32(rng, 32), "b2"),
        numpy_helper.from_array(f32(rng, 24, 32), "W3"),
        numpy_helper.from_array(f32(rng, 24), "C3"),
        numpy_helper.from_array(f32(rng, 24), "c"),
    ]
    nodes = [
        helper.make_node("MatMul", ["x", "W1"], ["h1"], name="fc1"),
        helper.make_node("Add", ["h1", "b1"], ["a1"]),
        helper.make_node("Relu", ["a1"], ["r1"]),
        helper.make_node("MatMul", ["r1", "W2"], ["h2"], name="fc2"),
        helper.make_node("Add", ["h2", "b2"], ["a2"]),
        helper.make_node("Relu", ["a2"], ["r2"]),
        helper.make_node("MatMul", ["r2", "W2"], ["h3"], name="fc2_again"),
        helper.make_node("Gemm", ["h3", "W3", "C3"], ["g"], name="head", alpha=0.5, transB=1),
        helper.make_node("Add", ["g", "c"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes, "mlp",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 24])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="onnxq-testdata")
    model.ir_version = 7
    save(model, "mlp.onnx")


def shared():
    rng = np.random.default_rng(2)
    inits = [
        numpy_helper.from_array(f32(rng, 8, 8), "S"),
        numpy_helper.from_array(f32(rng, 8, 4), "V"),
        numpy_helper.from_array(f32(rng, 8, 6), "G"),
    ]
    nodes = [
        helper.make_node("MatMul", ["x", "S"], ["y"], name="mm_shared"),
        helper.make_node("MatMul", ["x", "V"], ["z"], name="mm_input"),
        helper.make_node("Gemm", ["x", "G"], ["w"], name="gemm_transA", transA=1),
    ]
    graph = helper.make_graph(
        nodes, "shared",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [8, 8]),
         helper.make_tensor_value_info("V", TensorProto.FLOAT, [8, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [8, 8]),
         helper.make_tensor_value_info("z", TensorProto.FLOAT, [8, 4]),
         helper.make_tensor_value_info("w", TensorProto.FLOAT, [8, 6]),
         helper.make_tensor_value_info("S", TensorProto.FLOAT, [8, 8])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)],
                              producer_name="onnxq-testdata")
    model.ir_version = 7
    save(model, "shared.onnx")


if __name__ == "__main__":
    mlp()
    shared()
