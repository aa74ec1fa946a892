"""The module imports, converts arrays of any dtype and layout, and maps errors (README "Python")."""
import numpy as np
import pytest

import rtv


def test_version_and_evaluation_against_numpy():
    rng = np.random.default_rng(1)
    W, b, v, c = rng.normal(size=(7, 3)), rng.normal(size=7), rng.normal(size=7), rng.normal(size=3)
    net = rtv.ShallowNet(W, b, v, c=c, c0=0.25)
    X = rng.normal(size=(50, 3))
    # NumPy's value of THEORY.md s.1 (bias with a minus sign).
    ref = np.maximum(X @ W.T - b, 0) @ v + X @ c + 0.25
    for arr in (X, np.asfortranarray(X), X[:, ::-1][:, ::-1], X.tolist()):
        np.testing.assert_allclose(net(arr), ref, rtol=1e-13, atol=1e-13)
    # float32 in: converted to float64 exactly.
    X32 = X.astype(np.float32)
    np.testing.assert_allclose(net(X32), np.maximum(X32.astype(np.float64) @ W.T - b, 0) @ v + X32 @ c + 0.25,
                               rtol=1e-13, atol=1e-13)
    # Strided views (every other row).
    np.testing.assert_allclose(net(X[::2]), ref[::2], rtol=1e-13, atol=1e-13)
    assert net.weight_decay() == pytest.approx(0.5 * (np.sum(v**2) + np.sum(W**2)), rel=1e-14)
    assert net.path_norm() == pytest.approx(np.sum(np.abs(v) * np.linalg.norm(W, axis=1)), rel=1e-14)


def test_errors_are_value_and_type_errors_with_the_library_message():
    with pytest.raises(ValueError, match="network: b has 2 entries"):
        rtv.ShallowNet([[1.0, 2.0]], [1.0, 2.0], [1.0])
    net = rtv.ShallowNet([[1.0, 2.0]], [0.0], [1.0])
    with pytest.raises(TypeError, match="X: cannot convert str"):
        net("abc")
    with pytest.raises(ValueError, match="input dimension is 2"):
        net(np.ones((4, 3)))
    with pytest.raises(ValueError, match="network: .*(NaN|finite)"):
        rtv.ShallowNet([[np.nan, 2.0]], [0.0], [1.0])
