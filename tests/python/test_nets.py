"""ShallowNet / DeepNet norms and rtv.inspect against NumPy (THEORY.md s.1-s.3) and `rtv inspect --json`."""
import glob
import os

import numpy as np
import pytest

import numpy_ref as ref
import rtv

EPS = np.finfo(float).eps
FILE_KEYS = {"file", "activation", "activation_assumed"}


def shallow_files(fixture_dir):
    files = sorted(glob.glob(os.path.join(fixture_dir, "check", "*.npz")))
    files += [os.path.join(fixture_dir, n) for n in ("torch_mlp_f32.npz", "torch_skip_f64.npz",
                                                     "st_skip_bf16.safetensors", "st_mlp_f16.safetensors")]
    return files


def test_inspect_matches_the_cli(fixture_dir, cli_json, tmp_path):
    # Every field of `rtv inspect --json`, exactly (guards against another balance tolerance for float32 files, a
    # different carry threshold, or counts computed differently).
    files = shallow_files(fixture_dir)
    net = rtv.ShallowNet(np.random.default_rng(0).normal(size=(9, 3)), np.zeros(9), np.ones(9))
    rtv.write_network(net, tmp_path / "n.json")
    files.append(str(tmp_path / "n.json"))
    for path in files:
        for args, kw in (([], {}), (["--radius", "2.5", "--carry-tol", "0.01"], {"radius": 2.5, "carry_tol": 0.01})):
            want = {k: v for k, v in cli_json("inspect", path, *args).items() if k not in FILE_KEYS}
            got = rtv.inspect(path, **kw)
            assert got == want, path
            assert list(got) == list(want)
    # a ShallowNet in memory: the same numbers (unit roundoff of double)
    want = {k: v for k, v in cli_json("inspect", tmp_path / "n.json").items() if k not in FILE_KEYS}
    assert rtv.inspect(net) == want


def test_norms_against_numpy():
    # WD, PN and the exact R-TV (THEORY.md s.2-s.3) by NumPy: distinct hyperplanes add their coefficients
    # a_k = v_k |w_k| (duplicates built exactly: a neuron and its rescaled copy share the hyperplane).
    rng = np.random.default_rng(5)
    W = rng.normal(size=(5, 2))
    b = rng.normal(size=5)
    v = rng.normal(size=5)
    # neuron 5 = neuron 0 rescaled by 2 (same hyperplane, same orientation), coefficient of opposite sign
    W = np.vstack([W, 2 * W[0]])
    b = np.append(b, 2 * b[0])
    v = np.append(v, -0.25 * v[0])
    net = rtv.ShallowNet(W, b, v)
    a = v * np.linalg.norm(W, axis=1)
    assert net.weight_decay() == pytest.approx(0.5 * (v @ v + np.sum(W * W)), rel=16 * EPS)
    assert net.path_norm() == pytest.approx(np.abs(a).sum(), rel=16 * EPS)
    rtv_ref = np.abs(a[1:5]).sum() + abs(a[0] + a[5])
    assert net.rtv() == pytest.approx(rtv_ref, rel=64 * EPS)
    assert net.distinct_hyperplanes() == 5
    bal = net.balance()
    X = rng.normal(size=(50, 2))
    np.testing.assert_allclose(bal(X), ref.evaluate(net, X), rtol=0, atol=1e-13 * np.max(ref.scale(net, X)))
    assert bal.weight_decay() == pytest.approx(net.path_norm(), rel=64 * EPS)
    J = net.objective(X, np.zeros(50), 0.1)
    assert J["total"] == pytest.approx(ref.objective(net, X, np.zeros(50), 0.1), rel=1e-14)


@pytest.mark.parametrize("name", ["torch_deep_f64.npz", "torch_deep_f32.npz", "st_deep_bf16.safetensors",
                                  "torch_skip_f64.npz"])
def test_inspect_deep_matches_the_cli(fixture_dir, cli_json, tmp_path, name):
    # Deep networks (and a shallow one read as deep through the deep JSON): every field of `rtv inspect --json`.
    path = os.path.join(fixture_dir, name)
    if name == "torch_skip_f64.npz":
        net = rtv.read_deep_network(path)
        path = str(tmp_path / "deep.json")
        rtv.write_network(net, path)
    for args, kw in (([], {}), (["--rank-tol", "0.3"], {"rank_tol": 0.3})):
        want = {k: v for k, v in cli_json("inspect", path, *args).items() if k not in FILE_KEYS}
        got = rtv.inspect(path, **kw)
        assert got == want
        assert rtv.inspect(rtv.read_deep_network(path), **kw) == want


def test_deep_stages_against_numpy(fixture_dir):
    # The stages' parameters give the network's function by NumPy (THEORY.md s.6: h -> V relu(W U h - b) + c + C h),
    # and the stage path norms / singular values follow from them.
    net = rtv.read_deep_network(os.path.join(fixture_dir, "torch_deep_f64.npz"))
    X = np.random.default_rng(1).normal(size=(40, net.dim))
    H = X
    for s in net.stages:
        U = H
        for L in s["linear"]:
            U = U @ L.T
        A = np.maximum(U @ s["W"].T - s["b"], 0.0)
        out = (A if s["V"] is None else A @ s["V"].T) + s["c"]
        if s["skip"]:
            out = out + H @ s["C"].T
        H = out
    np.testing.assert_allclose(net(X), H, rtol=1e-13, atol=1e-13 * np.max(np.abs(H)))
    summ = net.stage_summaries()
    for s, m in zip(net.stages, summ):
        M = s["W"]
        for L in reversed(s["linear"]):
            M = M @ L
        np.testing.assert_allclose(m["singular_values"], np.linalg.svd(M, compute_uv=False), rtol=1e-12,
                                   atol=1e-14 * np.linalg.norm(M))


def test_inspect_errors(fixture_dir, cli):
    path = os.path.join(fixture_dir, "torch_deep_f64.npz")
    with pytest.raises(ValueError, match="radius: applies to shallow networks only"):
        rtv.inspect(path, radius=1.0)
    with pytest.raises(ValueError, match=r"rank_tol: must be in \(0, 1\)"):
        rtv.inspect(path, rank_tol=0.0)
    p = os.path.join(fixture_dir, "torch_skip_f64.npz")
    rc, out, err = cli("inspect", p, "--radius", "-1")
    assert rc == 2 and "--radius must be a positive finite number, got -1" in err
    with pytest.raises(ValueError, match="radius: must be a positive finite number"):
        rtv.inspect(p, radius=-1.0)
    with pytest.raises(ValueError, match=r"carry_tol: must be in \[0, 1\)"):
        rtv.inspect(p, carry_tol=1.0)
    with pytest.raises(TypeError):
        rtv.inspect(3)


def test_balance_matches_the_cli(fixture_dir, tmp_path, cli):
    # net.balance() is `rtv balance` (bit for bit through the JSON), the same function (NumPy), WD = PN.
    for name in ("torch_skip_f64.npz", "check/adamw_d2.npz", "check/noskip_d1.npz"):
        path = os.path.join(fixture_dir, name)
        out = tmp_path / "b.json"
        rc, _, err = cli("balance", path, "-o", out)
        assert rc == 0, err
        net = rtv.read_network(path)
        b = net.balance()
        assert ref.same_network(b, rtv.read_network(out))
        X = np.random.default_rng(0).normal(size=(30, net.dim))
        np.testing.assert_allclose(ref.evaluate(b, X), ref.evaluate(net, X), rtol=0,
                                   atol=1e-13 * np.max(ref.scale(net, X)))
        assert ref.weight_decay(b) == pytest.approx(ref.path_norm(net), rel=64 * EPS)
