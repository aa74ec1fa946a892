"""rtv.reduce, rtv.solve, rtv.fit1d, rtv.train against independent NumPy computations and against the commands
rtv reduce / solve / fit1d / train on the same files (identical numbers: --json prints 17 digits; networks are
compared through the -o JSON file, which round-trips doubles exactly)."""
import os
import signal
import threading
import time

import numpy as np
import pytest

import numpy_ref as ref
import rtv

EPS = np.finfo(float).eps
FILE_KEYS = {"network", "data", "output", "file", "activation", "activation_assumed"}


def data_file(fixture_dir, name):
    return os.path.join(fixture_dir, "check", name + ".csv")


def random_net(rng, d, K, skip=True):
    return rtv.ShallowNet(rng.normal(size=(K, d)), rng.normal(size=K), rng.normal(size=K),
                          c=rng.normal(size=d) if skip else None, c0=0.3, skip=skip)


def cli_dict(cli_json, *args):
    return {k: v for k, v in cli_json(*args).items() if k not in FILE_KEYS}


# ---- reduce ----

@pytest.mark.parametrize("skip", [True, False])
def test_reduce_matches_the_cli_and_keeps_the_data_values(fixture_dir, cli_json, tmp_path, skip):
    # Guards against the binding reducing other points than the rows of X (a transposed or reordered X changes
    # every number), and against a reduction that changes the data values or raises the path norm.
    data = data_file(fixture_dir, "perturbed_d2")
    X, y = rtv.read_training_data(data)
    net = random_net(np.random.default_rng(7), 2, 40, skip)
    path = tmp_path / "net.json"
    rtv.write_network(net, path)
    out = tmp_path / "reduced.json"
    want = cli_dict(cli_json, "reduce", path, data, "-o", out)
    r = rtv.reduce(net, X)
    got = {k: v for k, v in r.to_dict().items() if k != "net"}
    assert got == want
    assert ref.same_network(r.net, rtv.read_network(out))
    # Independent: THEORY.md s.5's guarantees, by NumPy.
    N, d = X.shape
    assert r.net.width <= (N - (d + 1) if skip else N - 1)
    f_in, f_out = ref.evaluate(net, X), ref.evaluate(r.net, X)
    # reduce.hpp's measured data-value change is ~1e-15 of the evaluation scale; 1e-12 guards the guarantee.
    assert np.max(np.abs(f_out - f_in) / ref.scale(net, X)) <= 1e-12
    assert ref.path_norm(r.net) <= ref.path_norm(net) * (1 + 64 * EPS)
    assert ref.weight_decay(r.net) == pytest.approx(ref.path_norm(r.net), rel=64 * EPS)  # written balanced
    assert r.path_norm_in == pytest.approx(ref.path_norm(net), rel=64 * EPS)
    # Fortran order, a strided view, float32 exactly representable, a list: the same reduction.
    Xs = np.zeros((N, 3 * d))
    Xs[:, ::3] = X
    for Xa in (np.asfortranarray(X), Xs[:, ::3], X.tolist()):
        assert ref.same_network(rtv.reduce(net, Xa).net, r.net)
    assert "ReductionResult(" in repr(r)


def test_reduce_errors(fixture_dir, cli, tmp_path):
    net = random_net(np.random.default_rng(1), 2, 5)
    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])  # on a line: does not affinely span R^2
    path, data = tmp_path / "n.json", tmp_path / "d.csv"
    rtv.write_network(net, path)
    np.savetxt(data, np.column_stack([X, np.zeros(4)]), delimiter=",")
    rc, out, err = cli("reduce", path, data, "-o", tmp_path / "o.json")
    assert rc == 2
    with pytest.raises(ValueError) as e:
        rtv.reduce(net, X)
    # The command names its file where the library says "data": the same problem after the source.
    problem = str(e.value).split(": ", 1)[1]
    assert str(e.value).startswith("data: ")
    assert err.strip() == f"rtv: error: {data}: {problem}"
    with pytest.raises(ValueError, match="input dimension"):
        rtv.reduce(net, np.ones((5, 3)))
    with pytest.raises(TypeError):
        rtv.reduce("net", X)
    with pytest.raises(ValueError, match="rank_tol"):
        rtv.reduce(net, X, rank_tol=2.0)


# ---- solve ----

def test_solve_d2_matches_the_cli_and_its_certificate_holds(fixture_dir, cli_json, tmp_path):
    # Guards against a binding that returns another network or numbers than `rtv solve`, and (independently of
    # rtv) against a dual value that is not a lower bound: alpha must satisfy the dual's constraints, checked here by
    # brute force over hyperplanes.
    data = data_file(fixture_dir, "sgd_weights_only_d2")
    X, y = rtv.read_training_data(data)
    lam = 0.05
    out = tmp_path / "opt.json"
    want = cli_dict(cli_json, "solve", data, "--lambda", lam, "-o", out)
    r = rtv.solve(X, y, lam)
    got = r.to_dict()
    assert {k: got[k] for k in want} == want
    assert ref.same_network(r.net, rtv.read_network(out))
    assert r.certified and r.status == "certified"
    # J of the returned network by NumPy (balanced: WD = PN = RTV).
    res = ref.evaluate(r.net, X) - y
    J = 0.5 * res @ res + lam * ref.path_norm(r.net)
    assert r.objective == pytest.approx(J, rel=1e-12)
    # The dual point: D(alpha) = alpha . y - 1/2 |alpha|^2, [X, 1]^T alpha = 0, and
    # sup_{|gamma| = 1, t} |sum alpha_n relu(gamma . x_n - t)| <= lam. The sup over t is attained at t = gamma . x_m
    # (THEORY.md s.5); over gamma we sample 20000 directions (a lower bound of the sup, so this can only miss a
    # violation smaller than the sampling resolution).
    a = r.alpha
    assert r.dual_value == pytest.approx(a @ y - 0.5 * a @ a, rel=1e-12)
    assert np.max(np.abs(np.column_stack([X, np.ones(len(y))]).T @ a)) <= 1e-12 * np.abs(a).sum() * (1 + np.abs(X).max())
    th = np.linspace(0, 2 * np.pi, 20000, endpoint=False)
    G = np.stack([np.cos(th), np.sin(th)], axis=1)
    P = X @ G.T  # N x directions
    worst = 0.0
    for m in range(len(y)):
        worst = max(worst, np.max(np.abs(a @ np.maximum(P - P[m], 0.0))))
    assert worst <= lam * (1 + 1e-9)
    # Weak duality against other networks: the trained fixture network and random ones (J >= D always).
    for net in [rtv.read_network(data.replace(".csv", ".npz"))] + [random_net(np.random.default_rng(s), 2, 6)
                                                                   for s in range(3)]:
        assert ref.objective(net, X, y, lam) >= r.dual_value
    assert r.relative_gap <= 1e-9


def test_solve_d1_matches_the_cli(fixture_dir, cli_json, tmp_path):
    data = data_file(fixture_dir, "sgd_weights_only_d1")
    X, y = rtv.read_training_data(data)
    out = tmp_path / "opt.json"
    want = cli_dict(cli_json, "solve", data, "--lambda", 0.05, "-o", out)
    r = rtv.solve(X, y, 0.05)
    got = r.to_dict()
    assert {k: got[k] for k in want} == want
    assert ref.same_network(r.net, rtv.read_network(out))
    # a 1-D array is N points in R^1: the same solve
    assert rtv.solve(X[:, 0], y, 0.05).to_dict()["objective"] == r.objective
    res = ref.evaluate(r.net, X) - y
    assert r.objective == pytest.approx(0.5 * res @ res + 0.05 * ref.path_norm(r.net), rel=1e-12)


def test_solve_errors(fixture_dir, cli, tmp_path):
    X3 = np.random.default_rng(0).normal(size=(8, 3))
    p3 = tmp_path / "d3.csv"
    np.savetxt(p3, np.column_stack([X3, np.ones(8)]), delimiter=",")
    rc, out, err = cli("solve", p3, "--lambda", 1, "-o", tmp_path / "o.json")
    assert rc == 2 and "points in R^3: solve handles d = 1, 2" in err
    with pytest.raises(ValueError, match=r"^X: points in R\^3: solve handles d = 1, 2$"):
        rtv.solve(X3, np.ones(8), 1.0)
    # duplicate points: the library's message, named "data" here and by the file in the command
    X = np.array([[0.0, 0], [1, 0], [0, 1], [1, 1], [1, 1], [0.5, 0.2]])
    pd = tmp_path / "dup.csv"
    np.savetxt(pd, np.column_stack([X, np.arange(6.0)]), delimiter=",")
    rc, out, err = cli("solve", pd, "--lambda", 1, "-o", tmp_path / "o.json")
    assert rc == 2
    with pytest.raises(ValueError) as e:
        rtv.solve(X, np.arange(6.0), 1.0)
    assert err.strip() == f"rtv: error: {pd}: {str(e.value).split(': ', 1)[1]}"
    for lam in (0.0, -1.0, np.inf, np.nan):
        with pytest.raises(ValueError, match="lam: must be a finite number > 0"):
            rtv.solve(X[:4], np.arange(4.0), lam)
    with pytest.raises(ValueError, match="4 points but 3 targets"):
        rtv.solve(X[:4], np.arange(3.0), 1.0)
    with pytest.raises(TypeError):
        rtv.solve(X, {"a": 1}, 1.0)


# ---- fit1d ----

@pytest.mark.parametrize("lam", [None, 0.0, 0.05, 3.0])
@pytest.mark.parametrize("skip", [True, False])
def test_fit1d_matches_the_cli(fixture_dir, cli_json, tmp_path, lam, skip):
    # Guards against the binding solving another problem than `rtv fit1d` (e.g. reporting the trend filter's
    # objective 0 for interpolation, or the network built around another centre).
    data = data_file(fixture_dir, "sgd_weights_only_d1")
    X, y = rtv.read_training_data(data)
    out = tmp_path / "f.json"
    args = ["fit1d", data, "-o", out] + ([] if lam is None else ["--lambda", lam]) + ([] if skip else ["--no-skip"])
    if skip:
        args += ["--sparsest-output", tmp_path / "s.json"]
    want = cli_dict(cli_json, *args)
    r = rtv.fit1d(X[:, 0], y, lam=lam, skip=skip)
    got = r.to_dict()
    assert {k: got[k] for k in want} == want
    assert ref.same_network(r.net, rtv.read_network(out))
    if skip:
        assert ref.same_network(r.sparsest_net, rtv.read_network(tmp_path / "s.json"))


def test_fit1d_against_numpy(fixture_dir):
    # Independent: the interpolation optimum with skip connection is connect-the-dots, Reg = TV(f') = sum of the
    # absolute secant-slope changes (THEORY.md s.4); the trend filter's objective from its fitted values.
    X, y = rtv.read_training_data(data_file(fixture_dir, "sgd_weights_only_d1"))
    x = X[:, 0]
    o = np.argsort(x)
    s = np.diff(y[o]) / np.diff(x[o])
    tv = np.abs(np.diff(s)).sum()
    r = rtv.fit1d(x, y)
    assert r.objective == pytest.approx(tv, rel=1e-12)
    np.testing.assert_allclose(ref.evaluate(r.net, x), y, rtol=0, atol=1e-12 * np.abs(y).max())
    np.testing.assert_allclose(ref.evaluate(r.sparsest_net, x), y, rtol=0, atol=1e-12 * np.abs(y).max())
    assert ref.path_norm(r.net) == pytest.approx(tv, rel=1e-12)
    t = rtv.fit1d(x, y, lam=0.05)
    f = t.fitted
    sf = np.diff(f[o]) / np.diff(x[o])
    J = 0.5 * np.sum((f - y) ** 2) + 0.05 * np.abs(np.diff(sf)).sum()
    assert t.objective == pytest.approx(J, rel=1e-10)
    np.testing.assert_allclose(ref.evaluate(t.net, x), f, rtol=0, atol=1e-12 * np.abs(y).max())
    # the trend filter never does worse than connect-the-dots or the least-squares line
    line = np.polyval(np.polyfit(x, y, 1), x)
    assert t.objective <= min(0.05 * tv, 0.5 * np.sum((line - y) ** 2)) * (1 + 1e-12)
    # float32 and N x 1 input
    assert rtv.fit1d(X.astype(np.float32), y.astype(np.float32)).objective == pytest.approx(
        rtv.fit1d(x.astype(np.float32).astype(float), y.astype(np.float32).astype(float)).objective, rel=0)


def test_fit1d_errors(cli, tmp_path):
    x = np.array([0.0, 1.0, 1.0, 2.0])
    p = tmp_path / "dup.csv"
    np.savetxt(p, np.column_stack([x, [0.0, 1, 2, 3]]), delimiter=",")
    rc, out, err = cli("fit1d", p)
    assert rc == 2
    with pytest.raises(ValueError) as e:
        rtv.fit1d(x, [0.0, 1, 2, 3])
    assert err.strip() == f"rtv: error: {p}: {str(e.value).split(': ', 1)[1]}"
    with pytest.raises(ValueError, match="lam: must be a finite number >= 0, got -1"):
        rtv.fit1d([0.0, 1, 2], [0.0, 1, 0], lam=-1.0)
    with pytest.raises(ValueError, match="fit1d needs 1-D data"):
        rtv.fit1d(np.ones((3, 2)), [0.0, 1, 0])
    with pytest.raises(ValueError, match="3 points but 2 targets"):
        rtv.fit1d([0.0, 1, 2], [0.0, 1])


# ---- train ----

@pytest.mark.parametrize("optimizer", ["gd", "adam", "prox"])
def test_train_is_bit_identical_to_the_cli(fixture_dir, cli, tmp_path, optimizer):
    # Guards against another initialisation (seed, scale, skip) or options than `rtv train`: any difference changes
    # the bits of the trained network.
    data = data_file(fixture_dir, "perturbed_d2")
    X, y = rtv.read_training_data(data)
    out = tmp_path / "t.json"
    lr = 1e-3 if optimizer != "adam" else 1e-2
    rc, _, err = cli("train", data, "--width", 8, "--lambda", 0.01, "--optimizer", optimizer, "--lr", lr,
                     "--steps", 300, "--seed", 3, "--init-scale", 0.5, "-o", out)
    assert rc == 0, err
    r = rtv.train(X, y, 8, 0.01, optimizer=optimizer, lr=lr, steps=300, seed=3, init_scale=0.5)
    assert ref.same_network(r.net, rtv.read_network(out))
    assert r.steps == 300 and r.status == "max_steps"
    # no skip connection, another seed: still the command's network
    rc, _, err = cli("train", data, "--width", 5, "--lambda", 0.01, "--optimizer", optimizer, "--lr", lr, "--steps",
                     50, "--seed", 11, "--no-skip", "-o", out)
    assert rc == 0, err
    assert ref.same_network(rtv.train(X, y, 5, 0.01, optimizer=optimizer, lr=lr, steps=50, seed=11,
                                      skip=False).net, rtv.read_network(out))


def test_train_gradient_step_and_objective_against_numpy(fixture_dir):
    # One gradient-descent step is theta - lr grad J(theta): the gradient by NumPy (relu'(0) = 0). Guards against a
    # wrong gradient (a missing lambda theta, the bias sign) or a learning rate / lambda passed under another name.
    X, y = rtv.read_training_data(data_file(fixture_dir, "perturbed_d2"))
    lam, lr = 0.03, 1e-3
    r = rtv.train(X, y, 6, lam, lr=lr, steps=1, seed=5, history_stride=1)
    init = r.init
    g = ref.gradient(init, X, y, lam)
    for got, p0, gp in zip(ref.params(r.net), ref.params(init), g):
        np.testing.assert_allclose(got, p0 - lr * gp, rtol=1e-13, atol=1e-13 * (1 + np.max(np.abs(p0))))
    # the history's objectives are J of the networks at those steps (NumPy)
    assert r.history["step"].tolist() == [0, 1]
    assert r.history["objective"][0] == pytest.approx(ref.objective(init, X, y, lam), rel=1e-13)
    assert r.history["objective"][1] == pytest.approx(ref.objective(r.net, X, y, lam), rel=1e-13)
    assert r.objective == pytest.approx(ref.objective(r.net, X, y, lam), rel=1e-13)
    # the history's active count: |v_k| |w_k| > active_tol max_j |v_j| |w_j| (NumPy), here with active_tol 0.5
    h = rtv.train(X, y, 6, lam, lr=lr, steps=30, seed=5, active_tol=0.5)
    p = np.abs(h.net.v) * np.linalg.norm(h.net.W, axis=1)
    assert h.history["active"][-1] == np.sum(p > 0.5 * p.max())
    assert h.history["path_norm"][-1] == pytest.approx(ref.path_norm(h.net), rel=1e-14)
    # Fortran order, float32 data exactly widened, lists: the same training
    Xf = X.astype(np.float32)
    a = rtv.train(Xf, y, 6, lam, lr=lr, steps=20, seed=5).net
    b = rtv.train(np.asfortranarray(Xf.astype(float)).tolist(), y.tolist(), 6, lam, lr=lr, steps=20, seed=5).net
    assert ref.same_network(a, b)
    # init=: continue from a given network (the same as training in one go for GD)
    whole = rtv.train(X, y, 6, lam, lr=lr, steps=40, seed=5).net
    half = rtv.train(X, y, 6, lam, lr=lr, steps=20, seed=5).net
    assert ref.same_network(rtv.train(X, y, lam=lam, lr=lr, steps=20, init=half).net, whole)


def test_train_progress_callback(fixture_dir):
    X, y = rtv.read_training_data(data_file(fixture_dir, "perturbed_d2"))
    seen = []
    r = rtv.train(X, y, 4, 0.01, steps=500, seed=2, progress=lambda s, J: seen.append((s, J)), progress_stride=100,
                  history_stride=100)
    assert [s for s, _ in seen] == [0, 100, 200, 300, 400]
    # the callback's objective at step k is J before step k: the history's record of step k
    for s, J in seen:
        assert J == r.history["objective"][r.history["step"].tolist().index(s)]

    class Stop(Exception):
        pass

    def stop(step, J):
        if step >= 200:
            raise Stop(step)

    # Guards against a hook that swallows the exception (training would run on) or aborts the interpreter.
    with pytest.raises(Stop) as e:
        rtv.train(X, y, 4, 0.01, steps=10 ** 6, seed=2, progress=stop, progress_stride=100)
    assert e.value.args == (200,)
    with pytest.raises(TypeError, match="progress"):
        rtv.train(X, y, 4, 0.01, steps=10, progress=5)


def test_train_is_interrupted_by_sigint(fixture_dir):
    # Ctrl-C while the C++ loop runs without the GIL: the hook's PyErr_CheckSignals raises KeyboardInterrupt within
    # ~1000 steps. Without it the 10^8 steps would run to the end (minutes) and the assertion on the time fails.
    X, y = rtv.read_training_data(data_file(fixture_dir, "perturbed_d2"))
    timer = threading.Timer(0.2, lambda: os.kill(os.getpid(), signal.SIGINT))
    t0 = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            rtv.train(X, y, 8, 0.01, steps=10 ** 8, seed=1)
    finally:
        timer.cancel()
    assert time.monotonic() - t0 < 5.0
    # a callback that sends the signal itself
    with pytest.raises(KeyboardInterrupt):
        rtv.train(X, y, 4, 0.01, steps=10 ** 6, progress=lambda s, J: s >= 300 and os.kill(os.getpid(),
                                                                                              signal.SIGINT),
                  progress_stride=100)
    # the module still works afterwards
    assert rtv.train(X, y, 4, 0.01, steps=10).steps == 10


def test_train_errors(fixture_dir, cli, tmp_path):
    data = data_file(fixture_dir, "perturbed_d2")
    X, y = rtv.read_training_data(data)
    # The library's option errors name the Python argument where the command names its flag: the same problem.
    rc, _, err = cli("train", data, "--width", 3, "--lambda", 0.1, "--lr", 0, "-o", tmp_path / "o.json")
    assert rc == 2 and "--lr: must be a number > 0" in err
    with pytest.raises(ValueError, match=r"^lr: must be a number > 0$"):
        rtv.train(X, y, 3, 0.1, lr=0.0)
    rc, _, err = cli("train", data, "--width", 3, "--lambda", 0.1, "--optimizer", "sgd", "-o", tmp_path / "o.json")
    assert rc == 2
    with pytest.raises(ValueError) as e:
        rtv.train(X, y, 3, 0.1, optimizer="sgd")
    assert str(e.value) == "optimizer: unknown optimizer 'sgd' (gd, adam, prox)"
    assert "unknown optimizer 'sgd' (gd, adam, prox)" in err
    with pytest.raises(ValueError, match=r"^lam: must be a number >= 0$"):
        rtv.train(X, y, 3, -0.1)
    with pytest.raises(ValueError, match=r"^steps: must be >= 0$"):
        rtv.train(X, y, 3, 0.1, steps=-1)
    with pytest.raises(ValueError, match="width: must be at least 1, got 0"):
        rtv.train(X, y, 0, 0.1)
    with pytest.raises(ValueError, match="seed: must be >= 0"):
        rtv.train(X, y, 3, 0.1, seed=-1)
    with pytest.raises(ValueError, match="lam: missing"):
        rtv.train(X, y, 3)
    with pytest.raises(ValueError, match="20 points but 19 targets"):
        rtv.train(X, y[:-1], 3, 0.1)
    with pytest.raises(TypeError):
        rtv.train(X, "y", 3, 0.1)


def test_train_releases_the_gil(fixture_dir):
    # While the C++ loop runs, another Python thread must run too. Guards against a binding that holds the GIL: the
    # counter thread then advances only in the switch interval before the call enters C++ (1 ms here), not during
    # the ~0.2 s of training. Measured against the thread's free rate (the main thread asleep), so the bar does not
    # depend on the machine's load: at least 20% of the free rate during the call (measured ~100%; held: < 1%).
    import sys
    X, y = rtv.read_training_data(data_file(fixture_dir, "perturbed_d2"))
    count = [0]
    done = threading.Event()

    def spin():
        while not done.is_set():
            count[0] += 1

    old = sys.getswitchinterval()
    sys.setswitchinterval(0.001)
    t = threading.Thread(target=spin)
    t.start()
    try:
        c0, t0 = count[0], time.monotonic()
        time.sleep(0.05)
        free_rate = (count[0] - c0) / (time.monotonic() - t0)
        c0, t0 = count[0], time.monotonic()
        rtv.train(X, y, 8, 0.01, steps=400000, seed=1, progress_stride=10 ** 6)
        c1, elapsed = count[0], time.monotonic() - t0
    finally:
        done.set()
        t.join()
        sys.setswitchinterval(old)
    assert elapsed > 0.02  # long enough for the comparison to mean something
    assert c1 - c0 >= 0.2 * free_rate * elapsed, (c1 - c0, free_rate, elapsed)
