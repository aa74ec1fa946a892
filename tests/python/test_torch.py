"""ShallowNet.from_torch / DeepNet.from_torch: PyTorch modules, state_dicts and tensors, against PyTorch's own forward
pass in float64 (the reference: torch computes W x + b, rtv flips the bias, THEORY.md s.1) and against the file
importer on the fixtures (data/fixtures/make_torch_fixtures.py)."""
import os
import subprocess
import sys

import numpy as np
import pytest

import numpy_ref as ref
import rtv

torch = pytest.importorskip("torch")
nn = torch.nn
EPS = np.finfo(float).eps


class SkipNet(nn.Module):
    """The layout of make_torch_fixtures.py / make_check_fixtures.py: .net = Sequential, .skip = Linear(d, 1)."""

    def __init__(self, d, k):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d, k), nn.ReLU(), nn.Linear(k, 1))
        self.skip = nn.Linear(d, 1)

    def forward(self, x):
        return self.net(x) + self.skip(x)


def forward(model, X):
    with torch.no_grad():
        return model(torch.from_numpy(np.ascontiguousarray(X, dtype=np.float64))).numpy().reshape(len(X), -1)


def train_tiny(model, X, y, steps=300, wd=1e-3):
    opt = torch.optim.SGD(model.parameters(), lr=0.05, weight_decay=wd)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y).reshape(-1, 1)
    for _ in range(steps):
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(Xt), yt)
        loss.backward()
        opt.step()
    return model


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(4)
    X = rng.uniform(-1, 1, size=(40, 2))
    y = np.sin(3 * X[:, 0]) + X[:, 1] ** 2
    return X, y


def test_trained_module_evaluates_as_torch(data):
    # Guards against a wrong bias sign, a transposed weight, a lost output bias or a lost skip connection: each
    # changes f by O(1) at the data. Tolerance: both evaluate the same float64 weights with different summation
    # orders, ~K eps of the evaluation scale.
    torch.manual_seed(0)
    X, y = data
    for model in (SkipNet(2, 16).double(), nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 1)).double()):
        train_tiny(model, X, y)
        net = rtv.ShallowNet.from_torch(model)
        assert net.skip == isinstance(model, SkipNet)
        Z = np.random.default_rng(1).uniform(-2, 2, size=(500, 2))
        want = forward(model, Z)[:, 0]
        np.testing.assert_allclose(net(Z), want, rtol=0, atol=1e-12 * (1 + np.max(ref.scale(net, Z))))
        # state_dict and a plain dict of tensors: the same network
        for obj in (model.state_dict(), dict(model.state_dict()),
                    {k: t.detach().numpy() for k, t in model.state_dict().items()}):
            assert ref.same_network(rtv.ShallowNet.from_torch(obj), net)
        # the parameters with rtv's sign convention
        sd = model.state_dict()
        pre = "net." if isinstance(model, SkipNet) else ""
        assert np.array_equal(net.W, sd[pre + "0.weight"].numpy())
        assert np.array_equal(net.b, -sd[pre + "0.bias"].numpy())
        assert np.array_equal(net.v, sd[pre + "2.weight"].numpy()[0])


def test_float32_and_bfloat16_modules(data):
    # float32 weights are widened exactly: rtv in float64 against torch in float64 on the widened weights.
    torch.manual_seed(1)
    X, y = data
    m32 = SkipNet(2, 8)
    net = rtv.ShallowNet.from_torch(m32)
    m64 = SkipNet(2, 8).double()
    m64.load_state_dict({k: t.double() for k, t in m32.state_dict().items()})
    np.testing.assert_allclose(net(X), forward(m64, X)[:, 0], rtol=0, atol=1e-12 * np.max(ref.scale(net, X)))
    # bfloat16 (NumPy has no such dtype): converted exactly through float64
    mb = SkipNet(2, 8).to(torch.bfloat16)
    nb = rtv.ShallowNet.from_torch(mb)
    assert np.array_equal(nb.W, mb.net[0].weight.detach().double().numpy())


def test_fixtures_through_a_rebuilt_module(fixture_dir):
    # The fixture's state_dict loaded into the module it came from, then from_torch: the same network as the file
    # importer (bit for bit) and PyTorch's stored outputs.
    skip = SkipNet(2, 5).double()
    z = np.load(os.path.join(fixture_dir, "torch_skip_f64.npz"))
    skip.load_state_dict({k: torch.from_numpy(z[k]) for k in z})
    net = rtv.ShallowNet.from_torch(skip)
    assert ref.same_network(net, rtv.read_network(os.path.join(fixture_dir, "torch_skip_f64.npz")))
    io = np.load(os.path.join(fixture_dir, "torch_skip_f64_io.npz"))
    np.testing.assert_allclose(net(io["X"]), io["y64"], rtol=0, atol=1e-12 * np.max(ref.scale(net, io["X"])))

    mlp = nn.Sequential(nn.Linear(3, 7), nn.ReLU(), nn.Linear(7, 1))
    z = np.load(os.path.join(fixture_dir, "torch_mlp_f32.npz"))
    mlp.load_state_dict({k: torch.from_numpy(z[k]) for k in z})
    net = rtv.ShallowNet.from_torch(mlp)
    assert ref.same_network(net, rtv.read_network(os.path.join(fixture_dir, "torch_mlp_f32.npz")))
    io = np.load(os.path.join(fixture_dir, "torch_mlp_f32_io.npz"))
    np.testing.assert_allclose(net(io["X"]), io["y64"], rtol=0, atol=1e-12 * np.max(ref.scale(net, io["X"])))

    # every check fixture: module rebuilt from its npz, from_torch == the file
    for name in ("perturbed_d2", "noskip_d1", "float32_d2"):
        path = os.path.join(fixture_dir, "check", name + ".npz")
        z = np.load(path)
        K, d = z["0.weight"].shape
        m = SkipNet(d, K) if "skip.weight" in z else nn.Sequential(nn.Linear(d, K), nn.ReLU(), nn.Linear(K, 1))
        m = m.to(torch.float32 if z["0.weight"].dtype == np.float32 else torch.float64)
        m.load_state_dict({(("net." + k) if isinstance(m, SkipNet) and not k.startswith("skip") else k):
                           torch.from_numpy(z[k]) for k in z})
        assert ref.same_network(rtv.ShallowNet.from_torch(m), rtv.read_network(path))


def test_deep_sequential(fixture_dir):
    deep = nn.Sequential(nn.Linear(4, 3, bias=False), nn.Linear(3, 6), nn.ReLU(), nn.Linear(6, 5), nn.ReLU(),
                         nn.Linear(5, 2), nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1)).double()
    z = np.load(os.path.join(fixture_dir, "torch_deep_f64.npz"))
    deep.load_state_dict({k: torch.from_numpy(z[k]) for k in z})
    net = rtv.DeepNet.from_torch(deep)
    io = np.load(os.path.join(fixture_dir, "torch_deep_f64_io.npz"))
    # the folded middle biases round once: a few eps of the output scale
    np.testing.assert_allclose(net(io["X"]), io["y64"], rtol=1e-12, atol=1e-12 * np.max(np.abs(io["y64"])))
    np.testing.assert_array_equal(net(io["X"]),
                                  rtv.read_deep_network(os.path.join(fixture_dir, "torch_deep_f64.npz"))(io["X"]))
    torch.manual_seed(3)
    m = nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2)).double()
    X = np.random.default_rng(2).normal(size=(100, 3))
    np.testing.assert_allclose(rtv.DeepNet.from_torch(m)(X), forward(m, X), rtol=1e-12, atol=1e-13)


def test_errors_are_the_file_importers(tmp_path, cli):
    # The same importer as the .npz files: the same message for the same keys (the command's reads "<file>: ...").
    m = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 1))
    sd = {k: t.detach().numpy() for k, t in m.state_dict().items()}
    bad = dict(sd)
    bad["extra.weight"] = np.ones((1, 2))
    p = tmp_path / "bad.npz"
    np.savez(p, **bad)
    rc, out, err = cli("balance", p, "-o", tmp_path / "o.json")  # read_network: the shallow importer
    assert rc == 2
    with pytest.raises(ValueError) as e:
        rtv.ShallowNet.from_torch(bad, source=str(p))
    assert err.strip() == "rtv: error: " + str(e.value)
    rc, out, err = cli("inspect", p)  # not the shallow pattern: inspect reads it as a deep network
    assert rc == 2
    with pytest.raises(ValueError) as e:
        rtv.DeepNet.from_torch(bad, source=str(p))
    assert err.strip() == "rtv: error: " + str(e.value)
    with pytest.raises(ValueError) as e:
        rtv.ShallowNet.from_torch(bad)
    assert str(e.value).startswith("state_dict: ")
    # a module with another activation: refused by name (a state_dict cannot tell)
    with pytest.raises(ValueError, match="module '1' is Tanh"):
        rtv.ShallowNet.from_torch(nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1)))
    with pytest.raises(ValueError, match="module '1' is LeakyReLU"):
        rtv.DeepNet.from_torch(nn.Sequential(nn.Linear(2, 4), nn.LeakyReLU(), nn.Linear(4, 1)))
    with pytest.raises(TypeError, match="expected a torch.nn.Module, a state_dict or a mapping"):
        rtv.ShallowNet.from_torch(3)
    with pytest.raises(TypeError, match="expected a torch.nn.Module"):
        rtv.DeepNet.from_torch([1, 2])
    with pytest.raises(TypeError, match="'0.weight' is str"):
        rtv.ShallowNet.from_torch({"0.weight": "abc"})
    with pytest.raises(ValueError, match="state_dict: .*(NaN|finite)"):
        rtv.ShallowNet.from_torch({**sd, "0.weight": np.full((4, 2), np.nan)})


def test_torch_is_not_imported_by_rtv():
    # torch is optional: `import rtv` and from_torch on a dict of NumPy arrays must not import it.
    code = ("import sys, numpy as np, rtv; "
            "n = rtv.ShallowNet.from_torch({'0.weight': np.ones((2, 1)), '0.bias': np.zeros(2), "
            "'2.weight': np.ones((1, 2)), '2.bias': np.zeros(1)}); "
            "assert 'torch' not in sys.modules; print(n.width)")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=os.environ)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "2"
