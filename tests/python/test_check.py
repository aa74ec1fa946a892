"""rtv.check (rtv/check/check.hpp) against `rtv check --json` on the same files (identical numbers and texts) and
against the fixtures' independent NumPy/torch values (data/fixtures/check/README.md)."""
import glob
import json
import math
import os

import numpy as np
import pytest

import rtv

EPS = np.finfo(float).eps
# The keys of `rtv check --json` that name files or the file's activation: not part of CheckReport.to_dict().
FILE_KEYS = {"network", "data", "output", "activation", "activation_assumed"}


def fixtures(fixture_dir):
    return sorted(os.path.splitext(os.path.basename(p))[0]
                  for p in glob.glob(os.path.join(fixture_dir, "check", "*.npz")))


FIXTURES = ["adamw_d2", "float32_d2", "kink_exact_d2", "noskip_d1", "perturbed_d2", "sgd_all_params_d2",
            "sgd_weights_only_d1", "sgd_weights_only_d2", "stationary_exact_d2"]


def test_fixture_list_is_complete(fixture_dir):
    # Guards against a fixture added to data/fixtures/check but never compared here.
    assert fixtures(fixture_dir) == FIXTURES


def load(fixture_dir, name):
    base = os.path.join(fixture_dir, "check", name)
    ref = json.load(open(base + ".json"))
    return base + ".npz", base + ".csv", ref


@pytest.mark.parametrize("name", FIXTURES)
@pytest.mark.parametrize("given", [True, False], ids=["lambda_given", "lambda_estimated"])
def test_check_matches_the_cli_exactly(fixture_dir, cli, name, given):
    # Guards against the binding passing other options, data or unit roundoff than the command (any difference in a
    # number, a verdict or a summary text), and against a to_dict() whose keys differ from the command's JSON.
    npz, csv, ref = load(fixture_dir, name)
    lam = ref["lambda_used_for_J"] if given else None
    args = [npz, csv, "--json"] + (["--lambda", repr(lam)] if given else [])
    rc, out, err = cli("check", *args)
    assert rc in (0, 1), err
    want = {k: v for k, v in json.loads(out).items() if k not in FILE_KEYS}
    X, y = rtv.read_training_data(csv)
    net = rtv.read_network(npz)
    rep = rtv.check(net, X, y, lam=lam, unit_roundoff=rtv.network_file_unit_roundoff(npz))
    got = rep.to_dict()
    assert list(got) == list(want)
    assert got == want  # floats exactly: the CLI prints 17 significant digits
    assert rep.passed == (rc == 0)
    assert [d.id for d in rep.diagnostics] == [d["id"] for d in want["diagnostics"]]
    # The state_dict path (the arrays in memory) gives the same report as the file.
    sd = dict(np.load(npz))
    rep2 = rtv.check(rtv.ShallowNet.from_torch(sd), X, y, lam=lam,
                     unit_roundoff=rtv.network_file_unit_roundoff(npz))
    assert rep2.to_dict() == want


@pytest.mark.parametrize("name", FIXTURES)
def test_check_numbers_against_the_fixtures_numpy_values(fixture_dir, name):
    # Independent values: NumPy/torch in float64 from the stored weights (make_check_fixtures.py), never rtv.
    # Guards against a wrong objective, weight decay, path norm or gradient (e.g. the bias sign, the 1/2 of WD,
    # a gradient missing the lambda theta term) reaching Python.
    npz, csv, ref = load(fixture_dir, name)
    X, y = rtv.read_training_data(csv)
    rep = rtv.check(rtv.read_network(npz), X, y, lam=ref["lambda_used_for_J"], optimum=False,
                    unit_roundoff=rtv.network_file_unit_roundoff(npz))
    # Sums of K (or N) terms of one sign: a few eps x terms; 64 eps covers the different summation orders.
    assert rep.weight_decay == pytest.approx(ref["WD"], rel=64 * EPS)
    assert rep.path_norm == pytest.approx(ref["PN"], rel=64 * EPS)
    assert rep.data_fit == pytest.approx(ref["data_fit"], rel=1e-12, abs=1e-12 * ref["J"])  # residuals cancel
    assert rep.objective == pytest.approx(ref["J"], rel=1e-12)
    assert rep.N == ref["N"] and rep.d == ref["d"] and rep.K == ref["K"] and rep.skip_connection == ref["skip"]
    # |grad J| with sigma'(0) = 0 (PyTorch's gradient): the gradient is a cancellation of terms of size
    # lambda |theta| (grad_scale_lambda_theta), so its rounding is ~N eps of that scale.
    scale = ref["grad_scale_lambda_theta"]
    assert rep.stationarity["gradient_norm_naive"] == pytest.approx(ref["grad_naive"]["total"],
                                                                    abs=64 * ref["N"] * EPS * max(scale, 1.0))


def test_check_deep_matches_the_cli(fixture_dir, cli):
    # Guards against the deep path of rtv.check using other options than `rtv check NET.npz`.
    path = os.path.join(fixture_dir, "torch_deep_f32.npz")
    rc, out, err = cli("check", path, "--json")
    assert rc in (0, 1), err
    want = {k: v for k, v in json.loads(out).items() if k not in FILE_KEYS}
    rep = rtv.check(rtv.read_deep_network(path), unit_roundoff=rtv.network_file_unit_roundoff(path))
    assert rep.to_dict() == want
    assert rep.kind == "deep"
    assert "deep" in repr(rep)


def test_report_type_fields_repr_and_lookup(fixture_dir):
    npz, csv, ref = load(fixture_dir, "stationary_exact_d2")
    X, y = rtv.read_training_data(csv)
    rep = rtv.check(rtv.read_network(npz), X, y, lam=ref["lambda_true"])
    assert rep.lam == ref["lambda_true"] and rep.lambda_estimated is False
    assert rep["balance"].verdict in ("holds", "FAILS")
    with pytest.raises(KeyError):
        rep["no such diagnostic"]
    text = repr(rep)
    # one line per diagnostic, each naming its id and verdict
    assert len(text.splitlines()) == 1 + len(rep.diagnostics)
    for d in rep.diagnostics:
        assert d.id in text
    assert isinstance(rep.reduced, rtv.ShallowNet)
    assert rep.reduced.width == rep.reduced_neurons
    json.dumps(rep.to_dict())  # JSON-ready


def test_check_arrays_of_any_layout_give_the_same_report(fixture_dir):
    # Guards against a conversion that transposes Fortran-ordered or strided input (points are the rows).
    npz, csv, ref = load(fixture_dir, "perturbed_d2")
    X, y = rtv.read_training_data(csv)
    net = rtv.read_network(npz)
    want = rtv.check(net, X, y, lam=0.05, optimum=False).to_dict()
    Xs = np.zeros((X.shape[0], 2 * X.shape[1]))
    Xs[:, ::2] = X
    for Xa, ya in ((np.asfortranarray(X), y), (Xs[:, ::2], y[::-1].copy()[::-1]), (X.tolist(), y.tolist())):
        assert rtv.check(net, Xa, ya, lam=0.05, optimum=False).to_dict() == want


def test_check_errors(fixture_dir, cli):
    npz, csv, ref = load(fixture_dir, "perturbed_d2")
    X, y = rtv.read_training_data(csv)
    net = rtv.read_network(npz)
    # The command's usage errors read "check: --lambda must be ...": the same problem, named by the argument.
    rc, out, err = cli("check", npz, csv, "--lambda", "-1")
    assert rc == 2 and "--lambda must be a finite number > 0, got -1" in err
    with pytest.raises(ValueError, match=r"^lam: must be a finite number > 0 \(None: estimated\), got -1$"):
        rtv.check(net, X, y, lam=-1.0)
    for kw, msg in (({"tol": 2.0}, "tol: must be in (0, 1)"), ({"kink_tol": -1.0}, "kink_tol: must be in [0, 1)"),
                    ({"carry_tol": 1.0}, "carry_tol: must be in [0, 1)"),
                    ({"max_gap": math.inf}, "max_gap: must be a finite number >= 0"),
                    ({"unit_roundoff": 0.7}, "unit_roundoff: must be in [0, 0.5)")):
        with pytest.raises(ValueError) as e:
            rtv.check(net, X, y, **kw)
        assert str(e.value) == msg
    # Data of another dimension: the library's message (the command names the file instead of "data"/"network").
    with pytest.raises(ValueError, match="dimension"):
        rtv.check(net, np.ones((5, 3)), np.ones(5), lam=0.05)
    with pytest.raises(TypeError, match="expected an rtv.ShallowNet or rtv.DeepNet"):
        rtv.check("net.npz", X, y)
    with pytest.raises(TypeError, match="X: cannot convert str"):
        rtv.check(net, "abc", y)
    with pytest.raises(ValueError, match="missing"):
        rtv.check(net)
    with pytest.raises(TypeError, match="progress"):
        rtv.check(net, X, y, progress=3)


def test_check_progress_callback_and_its_exception(fixture_dir):
    # The callback runs before the slow steps (the optimum); an exception from it stops the check and reaches the
    # caller unchanged (guards against a hook that swallows it or aborts the interpreter).
    npz, csv, _ = load(fixture_dir, "sgd_weights_only_d1")
    X, y = rtv.read_training_data(csv)
    net = rtv.read_network(npz)
    seen = []
    rtv.check(net, X, y, progress=seen.append)
    assert seen and "optimum" in seen[0]

    class Stop(Exception):
        pass

    def stop(msg):
        raise Stop(msg)

    with pytest.raises(Stop):
        rtv.check(net, X, y, progress=stop)
