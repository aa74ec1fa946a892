"""Network files, state_dicts and arrays (bind_io.cpp) against NumPy's reading of the same files and PyTorch's stored
outputs (data/fixtures/make_torch_fixtures.py, make_safetensors_fixtures.py), and the commands' error messages."""
import glob
import json
import os

import numpy as np
import pytest

import numpy_ref as ref
import rtv

EPS = np.finfo(float).eps


def fx(fixture_dir, name):
    return os.path.join(fixture_dir, name)


@pytest.mark.parametrize("name", ["torch_mlp_f32", "torch_skip_f64", "st_mlp_f32", "st_mlp_f16", "st_skip_f64",
                                  "st_skip_bf16"])
def test_shallow_files_evaluate_as_pytorch(fixture_dir, name):
    # PyTorch's own outputs (y64: float64 forward of the stored weights): guards against a wrong bias sign, a lost
    # output bias or skip connection, a transposed weight, or half-precision tensors decoded wrongly.
    ext = ".npz" if name.startswith("torch") else ".safetensors"
    path = fx(fixture_dir, name + ext)
    assert rtv.network_file_kind(path) == "shallow"
    assert rtv.activation_is_assumed(path)
    net = rtv.read_network(path)
    io = np.load(fx(fixture_dir, name + "_io.npz"))
    y = io["y64"].reshape(-1)
    # same float64 weights, different summation order: ~K eps of the evaluation scale
    np.testing.assert_allclose(net(io["X"]), y, rtol=0, atol=1e-12 * np.max(ref.scale(net, io["X"])))


def test_npz_reads_as_numpy_reads_it(fixture_dir):
    # The sign convention of torch_import.hpp, by NumPy on the raw archive: b = -bias, c0 = 2.bias + skip.bias.
    path = fx(fixture_dir, "torch_skip_f64.npz")
    z = np.load(path)
    net = rtv.read_network(path)
    assert np.array_equal(net.W, z["net.0.weight"]) and np.array_equal(net.b, -z["net.0.bias"])
    assert np.array_equal(net.v, z["net.2.weight"][0]) and np.array_equal(net.c, z["skip.weight"][0])
    assert net.c0 == z["net.2.bias"][0] + z["skip.bias"][0]
    # in memory: the same importer, bit for bit
    assert ref.same_network(rtv.network_from_state_dict(dict(z)), net)
    assert rtv.is_shallow_state_dict(dict(z))
    members = rtv.read_npz(path)
    assert sorted(members) == sorted(z.files)
    for k in z.files:
        assert members[k].dtype == np.float64 and np.array_equal(members[k], z[k])


@pytest.mark.parametrize("name", ["torch_deep_f64", "torch_deep_f32", "st_deep_f32", "st_deep_bf16"])
def test_deep_files_evaluate_as_pytorch(fixture_dir, name):
    ext = ".npz" if name.startswith("torch") else ".safetensors"
    path = fx(fixture_dir, name + ext)
    assert rtv.network_file_kind(path) == "deep"
    net = rtv.read_deep_network(path)
    io = np.load(fx(fixture_dir, name + "_io.npz"))
    # biases of the middle linear layers are folded on import (one rounding): 1e-12 of the outputs' size
    np.testing.assert_allclose(net(io["X"]), io["y64"].reshape(len(io["X"]), -1), rtol=1e-12,
                               atol=1e-12 * np.max(np.abs(io["y64"])))
    if ext == ".npz":
        d2 = rtv.deep_network_from_state_dict(dict(np.load(path)))
        np.testing.assert_array_equal(d2(io["X"]), net(io["X"]))
    with pytest.raises(ValueError):
        rtv.read_network(path)  # a deep file is not a shallow network


def test_unit_roundoff_by_file(fixture_dir):
    assert rtv.network_file_unit_roundoff(fx(fixture_dir, "torch_mlp_f32.npz")) == 2.0 ** -24
    assert rtv.network_file_unit_roundoff(fx(fixture_dir, "torch_skip_f64.npz")) == 2.0 ** -53
    assert rtv.network_file_unit_roundoff(fx(fixture_dir, "st_skip_bf16.safetensors")) == 2.0 ** -8


def test_json_round_trip_is_exact(tmp_path, cli_json):
    # 17 significant digits: every double round-trips (guards against a writer with fewer digits).
    rng = np.random.default_rng(3)
    for skip in (True, False):
        net = rtv.ShallowNet(rng.normal(size=(6, 3)) / 3, rng.normal(size=6) * 1e-7, rng.normal(size=6) * 1e5,
                             c=rng.normal(size=3) if skip else None, c0=np.pi, skip=skip)
        p = tmp_path / f"n{skip}.json"
        rtv.write_network(net, p)
        back = rtv.read_network(p)
        assert ref.same_network(back, net)
        assert ref.same_network(rtv.parse_network_json(rtv.network_to_json(net)), net)
        assert json.load(open(p))["format"] == "rtv.shallow-relu"
        assert rtv.network_file_kind(p) == "shallow" and not rtv.activation_is_assumed(p)
        j = cli_json("inspect", p)
        assert j["path_norm"] == net.path_norm() and j["weight_decay"] == net.weight_decay()
    deep = rtv.read_deep_network(os.path.join(os.path.dirname(__file__), "..", "..", "data", "fixtures",
                                              "torch_deep_f64.npz"))
    p = tmp_path / "deep.json"
    rtv.write_network(deep, p)
    X = rng.normal(size=(30, 4))
    np.testing.assert_array_equal(rtv.read_deep_network(p)(X), deep(X))
    with pytest.raises(ValueError, match=r"rtv writes networks as \.json files"):
        rtv.write_network(net, tmp_path / "n.npz")


def test_file_errors_are_the_commands(tmp_path, cli, fixture_dir):
    # The same reader as every command: ValueError with the line the command prints, minus "rtv: error: ".
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{"format": "rtv.shallow-relu", "version": 1, "W": [[1, 2]], "b": [0], "v": [1, 2]}')
    missing_key = tmp_path / "missing.npz"
    np.savez(missing_key, **{"0.weight": np.ones((3, 2)), "0.bias": np.zeros(3), "2.bias": np.zeros(1)})
    nan_npz = tmp_path / "nan.npz"
    np.savez(nan_npz, **{"0.weight": np.full((3, 2), np.nan), "0.bias": np.zeros(3), "2.weight": np.ones((1, 3)),
                         "2.bias": np.zeros(1)})
    not_zip = tmp_path / "junk.npz"
    not_zip.write_bytes(b"not a zip archive")
    cases = [bad_json, missing_key, nan_npz, not_zip, tmp_path / "absent.json", tmp_path / "net.txt"]
    (tmp_path / "net.txt").write_text("x")
    for p in cases:
        rc, out, err = cli("balance", p, "-o", tmp_path / "o.json")
        assert rc == 2, p
        with pytest.raises(ValueError) as e:
            rtv.read_network(p)
        assert err.strip() == "rtv: error: " + str(e.value), p
    # state_dict in memory: the same problem named by `source`
    z = dict(np.load(missing_key))
    with pytest.raises(ValueError) as e:
        rtv.network_from_state_dict(z, source=str(missing_key))
    with pytest.raises(ValueError) as e2:
        rtv.read_network(missing_key)
    assert str(e.value) == str(e2.value)
    with pytest.raises(TypeError, match="expected a mapping"):
        rtv.network_from_state_dict([1, 2])
    with pytest.raises(TypeError, match="keys must be strings"):
        rtv.network_from_state_dict({1: np.ones(2)})
    with pytest.raises(TypeError, match="not an array of numbers"):
        rtv.network_from_state_dict({"0.weight": object()})
    with pytest.raises(TypeError):
        rtv.read_network(3.5)


def test_arrays_and_training_data(tmp_path, cli):
    rng = np.random.default_rng(0)
    A = rng.normal(size=(7, 3))
    for name in ("a.npy", "a.csv"):
        rtv.write_array(tmp_path / name, A)
        B = rtv.read_array(tmp_path / name)
        assert B.dtype == np.float64 and np.array_equal(B, A)  # .csv: 17 digits, exact
    np.testing.assert_array_equal(np.load(tmp_path / "a.npy"), A)  # NumPy reads rtv's .npy
    np.save(tmp_path / "f.npy", A.astype(np.float32))
    assert np.array_equal(rtv.read_array(tmp_path / "f.npy"), A.astype(np.float32).astype(float))
    # Fortran order and strided input are written as the array NumPy sees (points are rows)
    rtv.write_array(tmp_path / "F.npy", np.asfortranarray(A)[::2])
    assert np.array_equal(np.load(tmp_path / "F.npy"), A[::2])
    p = tmp_path / "d.csv"
    p.write_text("x1,x2,y\n" + "\n".join(",".join(repr(v) for v in row) for row in A) + "\n")
    X, y = rtv.read_training_data(p)
    assert np.array_equal(X, A[:, :2]) and np.array_equal(y, A[:, 2])
    # the commands' messages for bad data files
    few = tmp_path / "few.csv"
    np.savetxt(few, A[:3], delimiter=",")
    one = tmp_path / "one.csv"
    np.savetxt(one, A[:, :1], delimiter=",")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("1,2,3\n4,5\n")
    net = tmp_path / "n.json"
    rtv.write_network(rtv.ShallowNet(np.ones((2, 2)), [0.0, 1.0], [1.0, -1.0]), net)
    for bad in (few, one, ragged, tmp_path / "missing.csv"):
        rc, out, err = cli("reduce", net, bad, "-o", tmp_path / "o.json")
        assert rc == 2
        with pytest.raises(ValueError) as e:
            rtv.read_training_data(bad)
        assert err.strip() == "rtv: error: " + str(e.value), bad
