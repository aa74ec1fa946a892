"""rtv: weight decay is sparse regularisation in the Radon domain, checked numerically.

The Python face of the C++ library rtv (README "Python"): a thin pybind11 binding (rtv._rtv) plus the PyTorch
conversion and the result types here. Conventions are THEORY.md's (s.1): f(x) = sum_k v_k relu(w_k . x - b_k) +
c . x + c0, points are the rows of an N x d array, J = 1/2 sum (f(x_n) - y_n)^2 + lambda WD with
WD = 1/2 sum_k (v_k^2 + |w_k|^2). Bad input raises ValueError (or TypeError) with the message the command-line tool
prints; a broken internal invariant raises RuntimeError.

Functions (each gives the numbers of the rtv command of the same name on the same data):
  read_network, read_deep_network, write_network, network_file_kind, network_from_state_dict,
  deep_network_from_state_dict, read_array, write_array, read_npz, read_training_data     (files, state_dicts)
  ShallowNet.from_torch, DeepNet.from_torch                                                 (PyTorch, optional)
  reduce, solve, fit1d, train, check                                                        (solvers, diagnostics)
"""
import math
import sys
from collections.abc import Mapping

import numpy as _np

from ._rtv import *  # noqa: F401,F403
from ._rtv import __version__  # noqa: F401
from ._rtv import DeepNet, ShallowNet
from . import _rtv

__all__ = [n for n in dir(_rtv) if not n.startswith("_")] + [
    "inspect", "reduce", "solve", "fit1d", "train", "check", "Result", "ReductionResult", "SolveResult", "Fit1dResult",
    "TrainResult", "CheckReport", "Diagnostic"]


# ---- result types -------------------------------------------------------------------------------------------------

def _plain(v):
    """A value as plain Python (JSON-ready): arrays as lists, networks as their parameters."""
    if isinstance(v, _np.ndarray):
        return v.tolist()
    if isinstance(v, ShallowNet):
        return {k: _plain(x) for k, x in v.to_dict().items()}
    if isinstance(v, DeepNet):
        import json
        return json.loads(_rtv.network_to_json(v))
    if isinstance(v, Mapping):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if isinstance(v, Result):
        return v.to_dict()
    return v


class Result:
    """A small read-only record of a computation's fields (attribute access, ``to_dict()``, ``__repr__``).

    ``to_dict()`` returns the fields as plain Python values (arrays as lists, networks as their parameters) under
    the keys of the corresponding command's ``--json`` output where one exists.
    """

    _repr_skip = ("net", "init", "history", "alpha", "fitted", "sparsest_net", "gap_history", "knot_positions",
                  "knot_jumps", "sparsest_knot_positions")

    def __init__(self, fields):
        object.__setattr__(self, "_fields", dict(fields))

    def __getattr__(self, name):
        try:
            return self._fields[name]
        except KeyError:
            raise AttributeError(f"{type(self).__name__} has no field '{name}'") from None

    def __setattr__(self, name, value):
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __dir__(self):
        return list(self._fields) + ["to_dict"]

    def keys(self):
        return list(self._fields)

    def to_dict(self):
        return {k: _plain(v) for k, v in self._fields.items()}

    def __repr__(self):
        parts = []
        for k, v in self._fields.items():
            if k in self._repr_skip or isinstance(v, (Mapping, list, _np.ndarray)):
                continue
            parts.append(f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


class ReductionResult(Result):
    """rtv.reduce's result (rtv/solvers/reduce.hpp ReductionResult; the numbers of `rtv reduce --json`):
    net (the reduced ShallowNet, balanced), N, d, skip, neurons_in, neurons_merged, neurons_out, bound
    (N - (d + 1), N - 1 without skip connection; THEORY.md s.5), path_norm_in, path_norm_out, max_value_change (max
    over the data of |f_out - f_in| / evaluation scale), steps (null-space moves)."""


class SolveResult(Result):
    """rtv.solve's result (the keys of `rtv solve --json` without the file names): net, N, d, lambda, objective,
    data_fit, path_norm, dual_value (a lower bound on J of every network; d = 1: J minus the duality gap),
    relative_gap, neurons, bound, rounds, status (in words); and certified (d = 2: relative gap <= 1e-9; d = 1:
    the KKT check), status_code, duality_gap, and for d = 2 oracle_ratio, atoms, alpha (the dual point),
    gap_history."""


class Fit1dResult(Result):
    """rtv.fit1d's result (the keys of `rtv fit1d --json` without "file"): problem, N, lambda, skip, objective,
    data_fit, regulariser, tv, knots, knot_positions, knot_jumps, slope_left, intercept, sparsest_knots,
    sparsest_knot_positions, duality_gap, kkt_ok, status; and net (the optimum as a network, as `-o` writes it),
    sparsest_net (skip only, as `--sparsest-output`), fitted (f(x_n)), converged, status_code, iterations,
    knot_tolerance."""


class TrainResult(Result):
    """rtv.train's result (rtv/solvers/train.hpp TrainResult): net, init (the initial network), steps, converged,
    status ("max_steps", "gradient_tolerance", "objective_stalled", "diverged"), message, objective (final J;
    PathProx: data + lambda PN), grad_norm, optimizer, lambda, seed, history (dict of arrays: step, objective,
    data, weight_decay, path_norm, max_imbalance, active, conserved_drift)."""


class Diagnostic(Result):
    """One verdict of rtv.check: id, title, theorem (what THEORY.md states, with its section), verdict ("holds",
    "FAILS", "note", "n/a"), measured, op ("<=", ">=" or ""), bar, summary, details (list of lines)."""

    def __repr__(self):
        bar = f" {self.op} {self.bar:.3g}" if self.op else ""
        m = "" if self.measured is None else f" measured {self.measured:.3g}"
        return f"Diagnostic({self.id}: {self.verdict}{m}{bar})"


class CheckReport:
    """rtv.check's report (rtv/check/check.hpp CheckReport; `rtv check`).

    Fields: kind ("shallow"/"deep"), d, N, K, skip_connection, lam (the lambda the verdicts use; key "lambda" in
    to_dict), lambda_estimated, lambda_estimate (dict: value, min, max, relative_spread, neurons), objective,
    data_fit, weight_decay, path_norm, rtv, rtv_ball, data_radius, optimum (J*: d = 1 exact, d = 2 the certified
    dual value; None where there is none), optimum_gap ((J - J*) / J*), optimum_neurons, reduced_neurons, passed
    (no diagnostic fails), diagnostics (list of Diagnostic); and reduced (the reduced ShallowNet), balance,
    stationarity (dicts), hidden_bias_imbalance. ``to_dict()`` has exactly the keys of `rtv check --json` without
    the file names (network, data, output) and the activation fields.
    """

    def __init__(self, fields):
        self._report = fields["report"]
        self._extra = fields["extra"]
        self.diagnostics = [Diagnostic(d) for d in self._report["diagnostics"]]

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        key = "lambda" if name in ("lam", "lambda_") else name
        if key in self._report:
            return self._report[key]
        if key in self._extra:
            return self._extra[key]
        raise AttributeError(f"CheckReport has no field '{name}'")

    def __getitem__(self, diagnostic_id):
        """The diagnostic with this id (e.g. report["balance"]); KeyError if there is none."""
        for d in self.diagnostics:
            if d.id == diagnostic_id:
                return d
        raise KeyError(diagnostic_id)

    def to_dict(self):
        return _plain(self._report)

    def __repr__(self):
        r = self._report
        if r["kind"] == "deep":
            head = f"CheckReport(deep, d={r['d']}, passed={r['passed']})"
        else:
            lam = "None" if r["lambda"] is None else f"{r['lambda']:.6g}"
            head = (f"CheckReport(shallow, N={r['N']}, d={r['d']}, K={r['K']}, lambda={lam} "
                    f"({'estimated' if r['lambda_estimated'] else 'given'}), J={r['objective']:.10g}, "
                    f"passed={r['passed']})")
        lines = [head]
        for d in self.diagnostics:
            m = "" if d.measured is None else f"{d.measured:.3g}"
            bar = f"{d.op} {d.bar:.3g}" if d.op else ""
            lines.append(f"  {d.id:<14} {d.verdict:<6} {m:>10} {bar:<12} {d.title}")
        return "\n".join(lines)


# ---- inspect ------------------------------------------------------------------------------------------------------

def inspect(net, radius=None, carry_tol=None, unit_roundoff=None, rank_tol=1e-3):
    """What `rtv inspect --json` reports for a shallow network (a ShallowNet or a network file), as a dict with the
    command's keys (without "file" and the activation fields): input_dimension, neurons, active_neurons (v != 0
    and w != 0), distinct_hyperplanes, skip_connection, path_norm, weight_decay, rtv (THEORY.md s.3), radius and
    rtv_ball (with radius), max_imbalance, balanced, balance_tolerance (1e-9, or 4 u for weights stored with unit
    roundoff u: 4 * 2**-24 for float32 files), carry_tolerance, judged_neurons, excluded_neurons,
    excluded_wd_share, max_imbalance_all, wd_pn_relative_difference (|WD - PN| / PN, None when PN = 0 < WD),
    merge_tolerance. unit_roundoff: default that of the file (network_file_unit_roundoff), 2**-53 for a ShallowNet.
    A deep network (a DeepNet or a deep file; THEORY.md s.6): network ("deep"), input_dimension, outputs,
    num_stages, weight_decay, rank_rel_tol, stages (per stage: widths, weight_decay, path_norm, singular_values of
    the input map, numerical_rank with s_j > rank_tol s_1, entropy_rank), as `rtv inspect --json --rank-tol`."""
    import os
    if carry_tol is None:
        carry_tol = CARRY_REL_TOL
    if isinstance(net, (str, os.PathLike)):
        path = os.fspath(net)
        if network_file_kind(path) == "deep":
            if radius is not None:
                raise ValueError(f"radius: applies to shallow networks only ({path} is a deep network)")
            return inspect(read_deep_network(path), rank_tol=rank_tol)
        if unit_roundoff is None:
            unit_roundoff = network_file_unit_roundoff(path)
        net = read_network(path)
    elif isinstance(net, DeepNet):
        if not (0 < rank_tol < 1):
            raise ValueError(f"rank_tol: must be in (0, 1), got {rank_tol!r}")
        return {"network": "deep", "input_dimension": net.dim, "outputs": net.outputs, "num_stages": net.num_stages,
                "weight_decay": net.weight_decay(), "rank_rel_tol": rank_tol,
                "stages": net.stage_summaries(rank_tol)}
    elif not isinstance(net, ShallowNet):
        raise TypeError(f"net: expected an rtv.ShallowNet, rtv.DeepNet or a network file, got {type(net).__name__}")
    if unit_roundoff is None:
        unit_roundoff = 2.0 ** -53
    if radius is not None and not (math.isfinite(radius) and radius > 0):
        raise ValueError(f"radius: must be a positive finite number, got {radius!r}")
    if not (0 <= carry_tol < 1):
        raise ValueError(f"carry_tol: must be in [0, 1), got {carry_tol!r}")
    W, v = net.W, net.v
    bc = net.check_balance(carry_tol)
    balance_tol = max(TOL_BALANCED, 4.0 * unit_roundoff)
    j = {"input_dimension": net.dim, "neurons": net.width,
         "active_neurons": int(sum(1 for k in range(net.width) if v[k] != 0.0 and _np.linalg.norm(W[k]) > 0.0)),
         "distinct_hyperplanes": net.distinct_hyperplanes(), "skip_connection": net.skip,
         "path_norm": net.path_norm(), "weight_decay": net.weight_decay(), "rtv": net.rtv()}
    if radius is not None:
        j["radius"] = float(radius)
        j["rtv_ball"] = net.rtv_ball(radius)
    j.update({"max_imbalance": bc["max_imbalance"], "balanced": bc["max_imbalance"] <= balance_tol,
              "balance_tolerance": balance_tol, "carry_tolerance": carry_tol, "judged_neurons": bc["judged"],
              "excluded_neurons": bc["excluded"], "excluded_wd_share": bc["excluded_wd_share"],
              "max_imbalance_all": bc["max_imbalance_all"],
              "wd_pn_relative_difference": bc["relative_excess"] if math.isfinite(bc["relative_excess"]) else None,
              "merge_tolerance": TOL_HYPERPLANE_MERGE})
    return j


# ---- solvers ------------------------------------------------------------------------------------------------------

def reduce(net, X, merge_tol=None, rank_tol=None):
    """The Caratheodory reduction of THEORY.md s.5 (`rtv reduce`, rtv/solvers/reduce.hpp): a balanced network with
    at most N - (d + 1) neurons (N - 1 without skip connection) taking the same values at the data points X (N x d,
    distinct, affinely spanning R^d) and a path norm not larger. merge_tol / rank_tol: ReduceOptions (defaults
    tol::kHyperplaneMerge, tol::kReduceRank). Returns a ReductionResult. ValueError for bad input."""
    kw = {}
    if merge_tol is not None:
        kw["merge_tol"] = merge_tol
    if rank_tol is not None:
        kw["rank_tol"] = rank_tol
    return ReductionResult(_rtv._reduce(net, X, **kw))


def solve(X, y, lam):
    """The global optimum over networks of any width (skip connection) of 1/2 sum (f(x_n) - y_n)^2 + lam RTV(f)
    (`rtv solve`, THEORY.md s.5): d = 2 by column generation with an exact dual oracle and a dual certificate
    (rtv/solvers/certified.hpp: no network does better than dual_value), d = 1 by exact trend filtering
    (univariate.hpp). X: N x d (d = 1 or 2; a 1-D array is N points in R^1), y: N, lam > 0. Returns a SolveResult
    (warning if not certified, as the command prints)."""
    r = SolveResult(_rtv._solve(X, y, lam))
    if not r.certified:
        import warnings
        warnings.warn(f"rtv.solve: not certified ({r.status})", RuntimeWarning, stacklevel=2)
    return r


def fit1d(x, y, lam=None, skip=True):
    """The exact univariate optimum (`rtv fit1d`, THEORY.md s.4, rtv/solvers/univariate.hpp): lam None is
    min Reg(f) s.t. f(x_n) = y_n (connect-the-dots; objective = Reg), lam >= 0 linear trend filtering
    min 1/2 sum (f(x_n) - y_n)^2 + lam Reg(f). Reg = TV(f') with skip connection, Savarese et al.'s
    max(TV(f'), |f'(-inf) + f'(+inf)|) without. x: N distinct points (1-D, or N x 1), y: N. Returns a Fit1dResult."""
    r = Fit1dResult(_rtv._fit1d(x, y, lam, skip))
    if not r.converged or not r.kkt_ok:
        import warnings
        warnings.warn(f"rtv.fit1d: {r.status}: the result may not be optimal", RuntimeWarning, stacklevel=2)
    return r


def train(X, y, width=None, lam=None, optimizer="gd", lr=1e-3, steps=10000, seed=1, skip=True, init_scale=1.0,
          grad_tol=0.0, rel_tol=0.0, history_stride=0, adam_beta1=0.9, adam_beta2=0.999, adam_eps=1e-8, active_tol=1e-3, init=None,
          progress=None, progress_stride=1000):
    """Full-batch training (`rtv train`, rtv/solvers/train.hpp, THEORY.md s.2) of
    f(x) = sum_k v_k relu(w_k . x - b_k) + c . x + c0 on J = 1/2 sum (f(x_n) - y_n)^2 + lam WD (optimizer "gd",
    "adam") or + lam PN ("prox": PathProx, balanced at the end); biases and the skip connection are not regularised.
    The initialisation is the command's (Rng(seed), init_network with init_scale), so the same arguments as
    `rtv train DATA --width K --lambda L --optimizer O --lr LR --steps S --seed SEED` give a bit-identical network.
    history_stride: record the history every this many steps (0: start and end); active_tol: a neuron is active in
    the history when |v_k| |w_k| > active_tol max_j |v_j| |w_j|. init: start from this ShallowNet instead (width, seed, init_scale, skip unused).
    progress(step, objective) is called every progress_stride steps (default 1000; step 0 included); Ctrl-C and
    an exception raised by the callback stop training and propagate. The GIL is released while training.
    Returns a TrainResult."""
    if lam is None:
        raise ValueError("lam: missing: the regularisation weight lambda >= 0")
    return TrainResult(_rtv._train(X, y, width, lam, optimizer, lr, steps, seed, skip, init_scale, grad_tol, rel_tol,
                                   history_stride, adam_beta1, adam_beta2, adam_eps, active_tol, init, progress,
                                   progress_stride))


def check(net, X=None, y=None, lam=None, tol=1e-3, kink_tol=1e-4, carry_tol=1e-6, max_gap=0.01,
          require_sparse=False, optimum=True, radon=False, unit_roundoff=0.0, threads=0, progress=None):
    """The theory's diagnostics for a trained network (`rtv check`, rtv/check/check.hpp): balance (THEORY.md s.2),
    lambda, stationarity (subdifferential at points on a hyperplane), R-TV vs path norm (s.3), sparsity
    (N - (d + 1), s.5), global optimality (d = 1 exact, d = 2 certified, s.5), optionally the Radon domain
    (radon=True, d = 2, 3). J = 1/2 sum (f(x_n) - y_n)^2 + lam WD; lam None: estimated from the stationarity
    equations. PyTorch SGD weight_decay wd with MSELoss (mean over N points) is lam = N wd / 2
    (rtv.lambda_from_pytorch). unit_roundoff: of the stored weights (0: double; float32 weights 2**-24, what
    `rtv check` derives from the file: rtv.network_file_unit_roundoff). A DeepNet needs no data (per-stage balance,
    linear chains vs their Schatten value, ranks; s.6). progress(message) is called before each slow step.
    Returns a CheckReport (passed: no diagnostic fails)."""
    if isinstance(net, DeepNet):
        return CheckReport(_rtv._check_deep(net, tol, carry_tol, unit_roundoff, progress))
    if not isinstance(net, ShallowNet):
        raise TypeError(f"net: expected an rtv.ShallowNet or rtv.DeepNet, got {type(net).__name__}")
    if X is None or y is None:
        raise ValueError("X, y: missing: the training data (a shallow network is checked against its data)")
    return CheckReport(_rtv._check(net, X, y, lam, tol, kink_tol, carry_tol, max_gap, require_sparse, optimum, radon,
                                   unit_roundoff, threads, progress))


# ---- PyTorch ------------------------------------------------------------------------------------------------------

# Modules allowed inside a module given to from_torch: a state_dict records parameters, not activations, so a module
# is checked for them (a Tanh between the Linear layers would be read as a ReLU network, a different function).
_TORCH_ALLOWED = ("Linear", "ReLU", "Sequential", "Identity")


def _torch_arrays(obj, what):
    """A torch module, a state_dict or a mapping of tensors/arrays -> dict name -> NumPy array (float64 for
    half-precision tensors, which NumPy cannot hold as bfloat16; the widening is exact)."""
    torch = sys.modules.get("torch")  # never imported here: a torch object means torch is loaded already
    if torch is not None and isinstance(obj, torch.nn.Module):
        for name, mod in obj.named_modules():
            if name and type(mod).__name__ not in _TORCH_ALLOWED:
                raise ValueError(f"{what}: module '{name}' is {type(mod).__name__}: rtv reads ReLU networks "
                                 f"(Linear and ReLU modules only)")
        sd = obj.state_dict()
    elif isinstance(obj, Mapping):
        sd = obj
    else:
        raise TypeError(f"{what}: expected a torch.nn.Module, a state_dict or a mapping of names to arrays, "
                        f"got {type(obj).__name__}")
    out = {}
    for k, t in sd.items():
        if torch is not None and isinstance(t, torch.Tensor):
            t = t.detach().cpu()
            if t.dtype in (torch.float16, torch.bfloat16):
                t = t.double()
            out[k] = t.numpy()
        else:
            out[k] = t
    return out


def _shallow_from_torch(obj, source="state_dict"):
    """A ShallowNet from PyTorch (torch optional: never imported by rtv): an nn.Sequential(Linear(d, K), ReLU(),
    Linear(K, 1)); a module holding such a Sequential (any attribute name: a key prefix such as "net.") and
    optionally a skip Linear(d, 1) named `skip` (forward = Sequential + skip); its state_dict; or a mapping of
    tensors or arrays with those keys (0.weight, 0.bias, 2.weight, 2.bias, skip.weight, skip.bias). The importer of
    the .npz files (torch_import.hpp), same keys and errors: PyTorch's Linear computes W x + b, so b = -"0.bias" and
    c0 = "2.bias" + "skip.bias" (THEORY.md s.1). A module is also checked for its activations (Linear and ReLU only).
    ValueError "<source>: <problem>"; TypeError for other objects."""
    return _rtv.network_from_state_dict(_torch_arrays(obj, source), source)


def _deep_from_torch(obj, source="state_dict"):
    """A DeepNet from an nn.Sequential of Linear and ReLU modules (or its state_dict / a mapping of tensors): the
    rules of torch_import.hpp (THEORY.md s.6), the same as for a deep .npz file."""
    return _rtv.deep_network_from_state_dict(_torch_arrays(obj, source), source)


ShallowNet.from_torch = staticmethod(_shallow_from_torch)
DeepNet.from_torch = staticmethod(_deep_from_torch)
