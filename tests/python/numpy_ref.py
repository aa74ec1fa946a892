"""Independent NumPy values of THEORY.md s.1-s.2 for the Python tests (never computed by rtv).

f(x) = sum_k v_k relu(w_k . x - b_k) + c . x + c0 (bias with a MINUS sign), WD = 1/2 sum_k (v_k^2 + |w_k|^2),
PN = sum_k |v_k| |w_k|, J = 1/2 sum_n (f(x_n) - y_n)^2 + lambda WD.
"""
import numpy as np


def params(net):
    return net.W, net.b, net.v, net.c, net.c0


def evaluate(net, X):
    W, b, v, c, c0 = params(net)
    X = np.asarray(X, dtype=float).reshape(len(X), -1)
    return np.maximum(X @ W.T - b, 0.0) @ v + X @ c + c0


def weight_decay(net):
    return 0.5 * (np.sum(net.v ** 2) + np.sum(net.W ** 2))


def path_norm(net):
    return float(np.sum(np.abs(net.v) * np.linalg.norm(net.W, axis=1)))


def objective(net, X, y, lam):
    r = evaluate(net, X) - y
    return 0.5 * float(r @ r) + lam * weight_decay(net)


def gradient(net, X, y, lam, skip=True):
    """dJ/d(W, b, v, c, c0) with relu'(0) = 0 (the gradient train.cpp descends)."""
    W, b, v, c, c0 = params(net)
    Z = X @ W.T - b
    A = np.maximum(Z, 0.0)
    S = (Z > 0).astype(float)
    r = A @ v + X @ c + c0 - y
    gv = A.T @ r + lam * v
    gW = (S * r[:, None]).T @ X * v[:, None] + lam * W
    gb = -v * (S.T @ r)
    gc = X.T @ r if skip else np.zeros_like(c)
    gc0 = r.sum()
    return gW, gb, gv, gc, gc0


def scale(net, X):
    """The evaluation scale sum_k |v_k| (|w_k . x| + |b_k|) + |c . x| + |c0| at each point (rounding reference)."""
    W, b, v, c, c0 = params(net)
    return np.abs(v) @ (np.abs(X @ W.T) + np.abs(b)).T + np.abs(X @ c) + abs(c0)


def same_network(a, b):
    """Bit-identical parameters."""
    return (a.W.shape == b.W.shape and np.array_equal(a.W, b.W) and np.array_equal(a.b, b.b)
            and np.array_equal(a.v, b.v) and np.array_equal(a.c, b.c) and a.c0 == b.c0 and a.skip == b.skip)
