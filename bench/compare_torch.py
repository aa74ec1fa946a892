#!/usr/bin/python3
"""Side-by-side benchmark of rtv's full-batch training against PyTorch (CPU).

The issue's bar: training a 2 -> 512 -> 1 ReLU network on N = 1000 points for 1000 full-batch gradient-descent
steps in double precision at least 5x faster than PyTorch (PyTorch at the best of its thread settings); the
ratios for both of PyTorch's precisions (float64, float32) are reported.

The task (the same as rtv_bench's; sizes, lambda, lr, steps and seed are read from rtv.json's "train_task"):
  * model  f(x) = sum_k v_k relu(w_k . x - b_k) + c . x + c0, K = 512 hidden units, input d = 2. In torch terms
    hidden = Linear(2, 512) whose bias is -b, out = Linear(512, 1, bias=False) holding v, skip = Linear(2, 1)
    holding c and c0 (its bias).
  * data   X (N x d) ~ standard normal from numpy.random.RandomState(seed) (drawn first), y = sin(3 x1) + 0.5 x2.
  * init   (drawn from the same RandomState after X) W (K x d) ~ N(0, 1) / sqrt(d), b ~ N(0, 1) / sqrt(d)
    (fan-in of the hidden layer), v ~ N(0, 1) / sqrt(K) (fan-in of the output layer), c = 0, c0 = 0 (rtv's
    init_network convention for the skip connection). Timing does not depend on the init.
  * objective  J = 1/2 sum_n (f(x_n) - y_n)^2 + lambda 1/2 sum_k (v_k^2 + |w_k|^2); b, c, c0 not regularised.
  * step   plain gradient descent theta <- theta - lr grad J, full batch, `steps` steps, the objective and its
    gradient computed every step. lambda = 1e-3, lr = 1e-5 (rtv_bench's values; the issue's first guess
    lr = 1e-3 diverges: the data term is a sum over 1000 points, so its curvature is ~1e5).

What it measures: for dtype in (float64, float32) and threads in (1, 2) (torch.set_num_threads), the wall time of
`steps` steps after a 10-step warm-up, best of --repeats (3), of the fastest PyTorch implementation found here.
PyTorch implementations tried (all compute the same J, checked against a numpy reference):
  autograd (loss + backward every step; the reference for the bar):
    * nn.Linear modules + torch.optim.SGD, weight_decay = lambda on the two weight matrices only (plain and
      foreach=True);
    * nn.Linear modules, the weight-decay term written into the loss, manual torch.no_grad updates;
    * raw parameter tensors (torch.addmm for X W^T - b, or d broadcast products, which avoids the slow
      GEMM layout of Debian's reference-BLAS build), weight decay folded into a manual update;
    * the same with the loss function compiled by torch.jit.script (works on 1.13 CPU; no fuser without LLVM).
  hand-written gradient (no autograd; a stricter, informational reference): the same formulas rtv uses, eager
  or the whole loop in torch.jit.script.
A short screening run (best of 3 x 40 steps per implementation and setting) picks the implementation; then
the full timing runs for the autograd winner at every (dtype, threads) and for the hand-gradient winner at its
best thread setting per dtype. rtv's time is rtv_bench's "train_gd_seconds" (double precision).

Consistency of the two sides: with --export-task DIR the script writes the data and the initial parameters as
.npy files (float64, 2-D as rtv's read_array requires):
    X.npy (N, d), y.npy (N, 1), W.npy (K, d), b.npy (K, 1), v.npy (K, 1), c.npy (d, 1), c0.npy (1, 1)
runs `rtv_bench --export TMP --train-task DIR`, trains torch from the same files, and, when rtv.json's
"train_task_dir" names DIR, compares rtv's "train_gd_final_objective" with torch's float64 final objective
(J after exactly `steps` steps; bar: relative difference <= 1e-6).

Keys read from rtv.json (written by `rtv_bench --export DIR`):
    "train_gd_seconds" (required), "train_gd_final_objective", "train_threads",
    "train_task": {"d", "K", "N", "steps", "lambda", "lr", "seed"}, "train_task_dir" (with --train-task).

How to run (after `make build`; needs Debian's python3-torch and numpy, hence /usr/bin/python3):
    /usr/bin/python3 bench/compare_torch.py --rtv-bench build/bin/rtv_bench [--export-task DIR] [--repeats 3]
    /usr/bin/python3 bench/compare_torch.py --rtv-json PATH/rtv.json      (use an existing rtv.json)
About 1.5 minutes on 2 cores. It prints the tables and PASS / FAIL for the bar and exits 0 either way (it is a
report); it exits 2 when torch / numpy are missing or rtv_bench is not built, and 1 when rtv.json lacks
"train_gd_seconds" or a self-check of this script fails.
"""
import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time

try:
    import numpy as np
    import torch
except ImportError as e:  # pragma: no cover - environment check
    sys.stderr.write(f"compare_torch.py: {e}\n  numpy and PyTorch are needed: apt-get install python3-torch\n"
                     "  and run this script with Debian's interpreter: /usr/bin/python3 bench/compare_torch.py\n")
    sys.exit(2)

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_RTV_BENCH = os.path.join(os.path.dirname(HERE), "build", "bin", "rtv_bench")
BAR_SPEEDUP = 5.0       # the bar: rtv (double) at least 5x faster than PyTorch's best
BAR_OBJECTIVE = 1e-6    # relative agreement of the final objectives on the shared (exported) task
WARMUP_STEPS = 10
SCREEN_STEPS, SCREEN_REPS = 40, 3
DEFAULT_TASK = {"d": 2, "K": 512, "N": 1000, "steps": 1000, "lambda": 1e-3, "lr": 1e-5, "seed": 2024}
TASK_FILES = ("X", "y", "W", "b", "v", "c", "c0")


def fail(msg):
    sys.stderr.write(f"compare_torch.py: {msg}\n")
    sys.exit(1)


def check(cond, msg):
    """Self-check of this script (not a project bar): stop, since the comparison would not be trustworthy."""
    if not cond:
        fail("self-check failed: " + msg)


def rel(a, b):
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


# ---- the task ----

class Task:
    """Data, initial parameters (numpy float64) and the hyper-parameters of the training run."""

    def __init__(self, spec, arrays):
        self.spec = spec
        self.lam, self.lr, self.steps = float(spec["lambda"]), float(spec["lr"]), int(spec["steps"])
        self.X, self.y = arrays["X"], arrays["y"]
        self.init = {k: arrays[k] for k in ("W", "b", "v", "c", "c0")}
        self.N, self.d = self.X.shape
        self.K = self.init["W"].shape[0]


def make_task(spec):
    rs = np.random.RandomState(int(spec["seed"]))
    N, d, K = int(spec["N"]), int(spec["d"]), int(spec["K"])
    X = rs.standard_normal((N, d))
    W = rs.standard_normal((K, d)) / math.sqrt(d)
    b = rs.standard_normal(K) / math.sqrt(d)
    v = rs.standard_normal(K) / math.sqrt(K)
    y = np.sin(3.0 * X[:, 0]) + (0.5 * X[:, 1] if d > 1 else 0.0)
    return Task(spec, dict(X=X, y=y, W=W, b=b, v=v, c=np.zeros(d), c0=np.float64(0.0)))


def export_task(task, directory):
    """The .npy files rtv_bench --train-task reads (all 2-D: rtv's read_array accepts 2-D arrays only)."""
    os.makedirs(directory, exist_ok=True)
    arrays = dict(X=task.X, y=task.y[:, None], W=task.init["W"], b=task.init["b"][:, None],
                  v=task.init["v"][:, None], c=task.init["c"][:, None], c0=np.full((1, 1), float(task.init["c0"])))
    for name in TASK_FILES:
        np.save(os.path.join(directory, name + ".npy"), np.ascontiguousarray(arrays[name], dtype=np.float64))
    back = {name: np.load(os.path.join(directory, name + ".npy")) for name in TASK_FILES}
    check(all(np.array_equal(back[n], arrays[n]) and back[n].dtype == np.float64 for n in TASK_FILES),
          f"the exported task in {directory} does not read back identically")


def objective_np(task, p):
    """J in float64 numpy, straight from the formula (the reference every implementation is checked against)."""
    W, b, v, c, c0 = (np.asarray(p[k], dtype=np.float64) for k in ("W", "b", "v", "c", "c0"))
    H = np.maximum(task.X @ W.T - b, 0.0)
    r = H @ v + task.X @ c + float(c0) - task.y
    return 0.5 * r @ r + task.lam * 0.5 * (v @ v + (W * W).sum())


def gd_np(task, steps):
    """Reference gradient descent in numpy float64 (for the self-check after the screening steps)."""
    X, y, lam, lr = task.X, task.y, task.lam, task.lr
    W, b, v, c, c0 = (np.array(task.init[k], dtype=np.float64) for k in ("W", "b", "v", "c", "c0"))
    for _ in range(steps):
        Z = X @ W.T - b
        H = np.maximum(Z, 0.0)
        r = H @ v + X @ c + c0 - y
        D = np.outer(r, v) * (Z > 0)
        gW, gb, gv, gc, g0 = D.T @ X + lam * W, -D.sum(0), H.T @ r + lam * v, X.T @ r, r.sum()
        W, b, v, c, c0 = W - lr * gW, b - lr * gb, v - lr * gv, c - lr * gc, c0 - lr * g0
    return dict(W=W, b=b, v=v, c=c, c0=c0)


# ---- PyTorch implementations ----
# Each class: __init__(task, dtype) sets up parameters at the initial values (untimed), run(steps) trains,
# params() returns the current parameters as numpy arrays in rtv's layout (W, b, v, c, c0).

class _Tensors:
    """Raw leaf tensors W (K x d), b (K), v (K), c (d), c0 (scalar) and the data in `dtype`."""

    def __init__(self, task, dtype, requires_grad):
        self.task, self.lr, self.lam = task, task.lr, task.lam
        self.X = torch.tensor(task.X, dtype=dtype)
        self.y = torch.tensor(task.y, dtype=dtype)
        self.W, self.b, self.v, self.c = (torch.tensor(task.init[k], dtype=dtype, requires_grad=requires_grad)
                                          for k in ("W", "b", "v", "c"))
        self.c0 = torch.tensor(float(task.init["c0"]), dtype=dtype, requires_grad=requires_grad)
        self.ps = [self.W, self.b, self.v, self.c, self.c0]

    def params(self):
        return {k: getattr(self, k).detach().double().numpy().copy() for k in ("W", "b", "v", "c", "c0")}


def _loss(X, y, W, b, v, c, c0, bcast: bool):
    """Data term 1/2 |f(X) - y|^2 (weight decay goes into the update)."""
    if bcast:  # X W^T - b as d broadcast products (d = 2): no GEMM with inner dimension 2
        Z = -b
        for i in range(X.size(1)):
            Z = torch.addcmul(Z, X[:, i:i + 1], W[:, i])
    else:
        Z = torch.addmm(-b, X, W.t())
    r = torch.addmv(torch.addmv(c0 - y, X, c), torch.relu(Z), v)
    return 0.5 * torch.dot(r, r)


def _hand_steps(X, y, W, b, v, c, c0, lr: float, lam: float, steps: int, bcast: bool):
    """`steps` GD steps with the gradient written out (rtv's formulas), parameters updated in place."""
    for _ in range(steps):
        if bcast:
            Z = -b
            for i in range(X.size(1)):
                Z = torch.addcmul(Z, X[:, i:i + 1], W[:, i])
        else:
            Z = torch.addmm(-b, X, W.t())
        H = torch.relu(Z)
        r = torch.addmv(torch.addmv(c0 - y, X, c), H, v)  # f(X) - y
        gv = torch.mv(H.t(), r)
        D = torch.outer(r, v).mul_(Z > 0)                  # dJ/dZ (relu'(0) = 0)
        if bcast:
            gW = torch.stack([(D * X[:, i:i + 1]).sum(0) for i in range(X.size(1))], 1)
        else:
            gW = X.t().mm(D).t()
        gb = -D.sum(0)
        gc = torch.mv(X.t(), r)
        g0 = r.sum()
        W.mul_(1.0 - lr * lam).sub_(gW, alpha=lr)
        v.mul_(1.0 - lr * lam).sub_(gv, alpha=lr)
        b.sub_(gb, alpha=lr)
        c.sub_(gc, alpha=lr)
        c0.sub_(g0, alpha=lr)


_SCRIPTED = {}


def scripted(fn):
    """torch.jit.script(fn), compiled once; None when TorchScript is unavailable."""
    if fn not in _SCRIPTED:
        try:
            _SCRIPTED[fn] = torch.jit.script(fn)
        except Exception as e:  # pragma: no cover - depends on the torch build
            sys.stderr.write(f"compare_torch.py: torch.jit.script({fn.__name__}) failed ({e}); skipping\n")
            _SCRIPTED[fn] = None
    return _SCRIPTED[fn]


class TensorsAutograd(_Tensors):
    def __init__(self, task, dtype, bcast, script):
        super().__init__(task, dtype, True)
        self.bcast, self.loss = bcast, scripted(_loss) if script else _loss

    def run(self, steps):
        W, b, v, c, c0, lr = self.W, self.b, self.v, self.c, self.c0, self.lr
        shrink = 1.0 - lr * self.lam
        for _ in range(steps):
            J = self.loss(self.X, self.y, W, b, v, c, c0, self.bcast)
            for p in self.ps:
                p.grad = None
            J.backward()
            with torch.no_grad():
                W.mul_(shrink).sub_(W.grad, alpha=lr)
                v.mul_(shrink).sub_(v.grad, alpha=lr)
                b.sub_(b.grad, alpha=lr)
                c.sub_(c.grad, alpha=lr)
                c0.sub_(c0.grad, alpha=lr)


class HandGradient(_Tensors):
    def __init__(self, task, dtype, bcast, script):
        super().__init__(task, dtype, False)
        self.bcast, self.fn = bcast, scripted(_hand_steps) if script else _hand_steps

    def run(self, steps):
        self.fn(self.X, self.y, self.W, self.b, self.v, self.c, self.c0, self.lr, self.lam, steps, self.bcast)


class Modules:
    """nn.Linear layers as in the issue: hidden (bias = -b), out (v, no bias), skip (c, bias c0)."""

    def __init__(self, task, dtype, mode):
        self.task, self.lr, self.lam, self.mode = task, task.lr, task.lam, mode
        self.X = torch.tensor(task.X, dtype=dtype)
        self.y = torch.tensor(task.y, dtype=dtype)
        d, K = task.d, task.K
        self.hidden = torch.nn.Linear(d, K).to(dtype)
        self.out = torch.nn.Linear(K, 1, bias=False).to(dtype)
        self.skip = torch.nn.Linear(d, 1).to(dtype)
        with torch.no_grad():
            self.hidden.weight.copy_(torch.from_numpy(task.init["W"]))
            self.hidden.bias.copy_(torch.from_numpy(-task.init["b"]))
            self.out.weight.copy_(torch.from_numpy(task.init["v"])[None, :])
            self.skip.weight.copy_(torch.from_numpy(task.init["c"])[None, :])
            self.skip.bias.fill_(float(task.init["c0"]))
        self.decayed = [self.hidden.weight, self.out.weight]
        self.free = [self.hidden.bias, self.skip.weight, self.skip.bias]
        self.ps = self.decayed + self.free
        if mode.startswith("sgd"):
            self.opt = torch.optim.SGD([{"params": self.decayed, "weight_decay": self.lam},
                                        {"params": self.free, "weight_decay": 0.0}],
                                       lr=self.lr, foreach=(mode == "sgd-foreach"))

    def forward(self):
        return (self.out(torch.relu(self.hidden(self.X))) + self.skip(self.X)).squeeze(1)

    def run(self, steps):
        if self.mode.startswith("sgd"):
            for _ in range(steps):
                r = self.forward() - self.y
                J = 0.5 * (r * r).sum()
                self.opt.zero_grad(set_to_none=True)
                J.backward()
                self.opt.step()
        else:  # weight decay in the loss, manual update
            hw, ow, lam, lr = self.hidden.weight, self.out.weight, self.lam, self.lr
            for _ in range(steps):
                r = self.forward() - self.y
                J = 0.5 * (r * r).sum() + lam * 0.5 * (ow.pow(2).sum() + hw.pow(2).sum())
                for p in self.ps:
                    p.grad = None
                J.backward()
                with torch.no_grad():
                    for p in self.ps:
                        p.sub_(p.grad, alpha=lr)

    def params(self):
        g = lambda t: t.detach().double().numpy().copy()  # noqa: E731
        return dict(W=g(self.hidden.weight), b=-g(self.hidden.bias), v=g(self.out.weight)[0],
                    c=g(self.skip.weight)[0], c0=g(self.skip.bias)[0])


# (name, family, constructor(task, dtype))
IMPLEMENTATIONS = [
    ("nn.Linear + optim.SGD (wd groups)", "autograd", lambda t, dt: Modules(t, dt, "sgd")),
    ("nn.Linear + optim.SGD foreach", "autograd", lambda t, dt: Modules(t, dt, "sgd-foreach")),
    ("nn.Linear, wd in loss, no_grad update", "autograd", lambda t, dt: Modules(t, dt, "manual")),
    ("tensors, addmm, no_grad update", "autograd", lambda t, dt: TensorsAutograd(t, dt, False, False)),
    ("tensors, broadcast, no_grad update", "autograd", lambda t, dt: TensorsAutograd(t, dt, True, False)),
    ("tensors, addmm, jit.script loss", "autograd", lambda t, dt: TensorsAutograd(t, dt, False, True)),
    ("tensors, broadcast, jit.script loss", "autograd", lambda t, dt: TensorsAutograd(t, dt, True, True)),
    ("hand gradient, addmm, eager", "hand", lambda t, dt: HandGradient(t, dt, False, False)),
    ("hand gradient, broadcast, eager", "hand", lambda t, dt: HandGradient(t, dt, True, False)),
    ("hand gradient, addmm, jit.script loop", "hand", lambda t, dt: HandGradient(t, dt, False, True)),
    ("hand gradient, broadcast, jit.script loop", "hand", lambda t, dt: HandGradient(t, dt, True, True)),
]
DTYPES = {"float64": torch.float64, "float32": torch.float32}


def warm(impl):
    impl.run(WARMUP_STEPS // 2)  # two calls: TorchScript's profiling executor optimises on the second
    impl.run(WARMUP_STEPS - WARMUP_STEPS // 2)


def screen(task, threads_list):
    """Best ms/step of every implementation at every (dtype, threads) over SCREEN_REPS x SCREEN_STEPS steps; checks
    that every implementation reaches the numpy reference's J after the same number of steps."""
    total = WARMUP_STEPS + SCREEN_REPS * SCREEN_STEPS
    J_ref = objective_np(task, gd_np(task, total))
    check(math.isfinite(J_ref), f"numpy reference GD diverged within {total} steps at lr = {task.lr}")
    res = {}
    for dname, dt in DTYPES.items():
        for th in threads_list:
            torch.set_num_threads(th)
            impls = []
            for name, family, make in IMPLEMENTATIONS:
                try:
                    impl = make(task, dt)
                except Exception as e:  # e.g. TorchScript unavailable
                    sys.stderr.write(f"compare_torch.py: {name} unavailable ({e})\n")
                    continue
                if getattr(impl, "fn", True) is None or getattr(impl, "loss", True) is None:
                    continue
                warm(impl)
                impls.append((name, impl))
            # round robin, so that a transient slowdown of the machine does not single out one implementation
            best = {name: math.inf for name, _ in impls}
            for _ in range(SCREEN_REPS):
                for name, impl in impls:
                    t0 = time.perf_counter()
                    impl.run(SCREEN_STEPS)
                    best[name] = min(best[name], time.perf_counter() - t0)
            tol = 1e-9 if dt == torch.float64 else 1e-3
            for name, impl in impls:
                J = objective_np(task, impl.params())
                check(rel(J, J_ref) <= tol, f"{name} ({dname}, {th} threads): J after {total} steps = {J!r}, "
                                            f"numpy reference {J_ref!r} (relative difference {rel(J, J_ref):.1e} > {tol})")
                res[(dname, th, name)] = best[name] / SCREEN_STEPS
    return res


def full_timing(task, make, dt, threads, repeats):
    """Warm-up, then best of `repeats` runs of task.steps steps, each from the initial parameters; the final J."""
    torch.set_num_threads(threads)
    warm(make(task, dt))
    best, impl = math.inf, None
    for _ in range(repeats):
        impl = make(task, dt)
        t0 = time.perf_counter()
        impl.run(task.steps)
        best = min(best, time.perf_counter() - t0)
    J = objective_np(task, impl.params())
    check(math.isfinite(J), f"torch training diverged (J = {J}) at lr = {task.lr}: the timing would be meaningless")
    return best, J


def blas_library():
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if re.search(r"blas|mkl|blis", line.split()[-1] if line.split() else "")}
        return ", ".join(sorted(os.path.basename(x) for x in libs)) or "none loaded"
    except OSError:
        return "unknown"


def table(head, rows):
    w = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    fmt = " | ".join(f"{{:<{x}}}" if i == 0 else f"{{:>{x}}}" for i, x in enumerate(w[:-1])) + " | {}"
    print(fmt.format(*head))
    print("-+-".join("-" * x for x in w))
    for r in rows:
        print(fmt.format(*r))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rtv-bench", default=DEFAULT_RTV_BENCH, help="path of rtv_bench (default: %(default)s)")
    ap.add_argument("--rtv-json", help="read this rtv.json instead of running rtv_bench --export")
    ap.add_argument("--export-task", metavar="DIR",
                    help="write the data and initial parameters as .npy files to DIR, run rtv_bench with "
                         "--train-task DIR, train torch from them too and compare the final objectives")
    ap.add_argument("--repeats", type=int, default=3, help="PyTorch full timings: best of this many (default 3)")
    ap.add_argument("--threads", default="1,2", help="PyTorch thread settings, comma-separated (default 1,2)")
    ap.add_argument("--no-hand-gradient", action="store_true",
                    help="skip the full timing of the hand-written-gradient implementations (informational)")
    args = ap.parse_args()
    threads_list = [int(t) for t in args.threads.split(",") if t.strip()]
    task_dir = os.path.abspath(args.export_task) if args.export_task else None

    # 1. rtv's figures (and, with --export-task, the shared task first).
    if task_dir and not args.rtv_json:
        # the task's sizes and hyper-parameters are rtv_bench's (DEFAULT_TASK); export before it runs
        export_task(make_task(DEFAULT_TASK), task_dir)
    if args.rtv_json:
        with open(args.rtv_json) as f:
            rj = json.load(f)
    else:
        if not (os.path.isfile(args.rtv_bench) and os.access(args.rtv_bench, os.X_OK)):
            sys.stderr.write(f"compare_torch.py: {args.rtv_bench} not found or not executable: run `make build` "
                             "first (or pass --rtv-bench PATH)\n")
            sys.exit(2)
        with tempfile.TemporaryDirectory(prefix="rtv_cmptorch_") as tmp:
            cmd = [args.rtv_bench, "--export", tmp] + (["--train-task", task_dir] if task_dir else [])
            proc = subprocess.run(cmd, capture_output=True, text=True)
            sys.stdout.write(proc.stdout)
            if proc.returncode != 0:
                sys.stderr.write(proc.stderr)
                fail(f"{' '.join(cmd)} failed (exit {proc.returncode})")
            with open(os.path.join(tmp, "rtv.json")) as f:
                rj = json.load(f)
    if "train_gd_seconds" not in rj:
        fail("rtv.json has no \"train_gd_seconds\": this rtv_bench does not time training yet (the C++ side of "
             "the training benchmark is missing); rebuild with it, or pass --rtv-json of a run that has it")
    t_rtv = float(rj["train_gd_seconds"])
    spec = dict(DEFAULT_TASK)
    if "train_task" in rj:
        spec.update(rj["train_task"])
    else:
        print(f"note: rtv.json has no \"train_task\"; assuming {DEFAULT_TASK}")
    if task_dir and args.rtv_json:
        export_task(make_task(spec), task_dir)  # rtv.json given: nothing ran, export for a later rtv_bench run
    if task_dir:
        arrays = {n: np.load(os.path.join(task_dir, n + ".npy")) for n in TASK_FILES}
        arrays = dict(X=arrays["X"], y=arrays["y"].ravel(), W=arrays["W"], b=arrays["b"].ravel(),
                      v=arrays["v"].ravel(), c=arrays["c"].ravel(), c0=np.float64(arrays["c0"].ravel()[0]))
        task = Task(spec, arrays)
    else:
        task = make_task(spec)
    check((task.N, task.d, task.K) == (int(spec["N"]), int(spec["d"]), int(spec["K"])),
          f"task sizes (N, d, K) = {(task.N, task.d, task.K)} differ from rtv.json's train_task {spec}")
    rtv_dir = rj.get("train_task_dir")
    shared = bool(task_dir and rtv_dir and os.path.realpath(rtv_dir) == os.path.realpath(task_dir))

    print(f"\ntask: d = {task.d}, K = {task.K}, N = {task.N}, {task.steps} GD steps, lambda = {task.lam:g}, "
          f"lr = {task.lr:g}; data and init " + (f"from {task_dir}" if task_dir else
                                                   f"numpy RandomState({spec['seed']}) (rtv uses its own RNG)"))
    print(f"torch {torch.__version__}, {os.cpu_count()} cores, BLAS: {blas_library()}, "
          f"threads tried: {threads_list}")

    # 2. Screening: which implementation is fastest at each setting (and that all compute the same J).
    t0 = time.perf_counter()
    scr = screen(task, threads_list)
    configs = [(dn, th) for dn in DTYPES for th in threads_list]
    print(f"\nscreening, ms per step (best of {SCREEN_REPS} x {SCREEN_STEPS} steps; all reach the numpy "
          f"reference's J after {WARMUP_STEPS + SCREEN_REPS * SCREEN_STEPS} steps):")
    rows = []
    for name, family, _ in IMPLEMENTATIONS:
        if any((dn, th, name) in scr for dn, th in configs):
            rows.append([name + ("" if family == "autograd" else " *")] +
                        [f"{scr[(dn, th, name)] * 1e3:.2f}" if (dn, th, name) in scr else "-" for dn, th in configs])
    table(["implementation (* no autograd)"] + [f"{dn} {th}t" for dn, th in configs], rows)

    # 3. Full timings.
    makes = {name: (family, make) for name, family, make in IMPLEMENTATIONS}

    def winner(family, dn, th):
        cands = [(scr[k], k[2]) for k in scr if k[0] == dn and k[1] == th and makes[k[2]][0] == family]
        return min(cands)[1] if cands else None

    full = {}  # (dtype, threads) -> (seconds, J, name)
    for dn, th in configs:
        name = winner("autograd", dn, th)
        s, J = full_timing(task, makes[name][1], DTYPES[dn], th, args.repeats)
        full[(dn, th)] = (s, J, name)
    hand = {}  # dtype -> (seconds, J, name, threads)
    if not args.no_hand_gradient:
        for dn in DTYPES:
            cands = [(scr[k], k[2], k[1]) for k in scr if k[0] == dn and makes[k[2]][0] == "hand"]
            if cands:
                _, name, th = min(cands)
                s, J = full_timing(task, makes[name][1], DTYPES[dn], th, args.repeats)
                hand[dn] = (s, J, name, th)
    elapsed = time.perf_counter() - t0

    print(f"\nPyTorch, {task.steps} steps after a {WARMUP_STEPS}-step warm-up, best of {args.repeats} "
          f"(autograd: loss + backward every step):")
    rows = [[dn, str(th), name, f"{s:.3f}", f"{s / task.steps * 1e3:.3f}", f"{J:.10g}"]
            for (dn, th), (s, J, name) in full.items()]
    for dn, (s, J, name, th) in hand.items():
        rows.append([dn, str(th), name + " *", f"{s:.3f}", f"{s / task.steps * 1e3:.3f}", f"{J:.10g}"])
    table(["dtype", "threads", "implementation (* no autograd)", "seconds", "ms/step", "final J"], rows)
    J64 = [J for (dn, _), (_, J, _) in full.items() if dn == "float64"] + \
          [h[1] for dn, h in hand.items() if dn == "float64"]
    check(max(J64) - min(J64) <= 1e-9 * abs(J64[0]),
          f"the float64 implementations disagree on the final J: {J64}")

    # 4. The comparison.
    best = {dn: min((s, th) for (d2, th), (s, _, _) in full.items() if d2 == dn) for dn in DTYPES}
    ratio = {dn: best[dn][0] / t_rtv for dn in DTYPES}
    rtv_threads = rj.get("train_threads", "?")
    print()
    rows = [
        (f"rtv, double, {task.steps} GD steps", f"{t_rtv:.3f} s", f"{rtv_threads} thread(s)"),
        ("PyTorch float64, best autograd", f"{best['float64'][0]:.3f} s", f"{best['float64'][1]} thread(s)"),
        ("PyTorch float32, best autograd", f"{best['float32'][0]:.3f} s", f"{best['float32'][1]} thread(s)"),
        ("ratio PyTorch float64 / rtv", f"{ratio['float64']:.2f}x", f"bar >= {BAR_SPEEDUP:g}x"),
        ("ratio PyTorch float32 / rtv", f"{ratio['float32']:.2f}x", "reported (rtv stays in double)"),
    ]
    for dn, (s, _, name, th) in hand.items():
        rows.append((f"ratio PyTorch {dn} hand gradient / rtv", f"{s / t_rtv:.2f}x", f"{name}, {th} thread(s)"))
    table(["quantity", "value", "note"], [list(r) for r in rows])

    J_rtv = rj.get("train_gd_final_objective")
    J_torch = full[("float64", best["float64"][1])][1]
    print()
    if J_rtv is None:
        print("final objective: rtv.json has no \"train_gd_final_objective\"; not compared")
        obj_ok = None
    elif shared:
        d = rel(float(J_rtv), J_torch)
        obj_ok = d <= BAR_OBJECTIVE
        print(f"final objective on the shared task ({task_dir}): rtv {float(J_rtv):.12g}, PyTorch float64 "
              f"{J_torch:.12g}, relative difference {d:.2e} (bar {BAR_OBJECTIVE:g})")
    else:
        obj_ok = None
        why = ("rtv.json's train_task_dir is " + repr(rtv_dir) + ", not " + repr(task_dir)) if task_dir else \
            "different data and init: run with --export-task DIR to share them"
        print(f"final objective: rtv {float(J_rtv):.10g}, PyTorch float64 {J_torch:.10g}; not compared ({why})")

    print("\nbars of the issue:")
    ok = ratio["float64"] >= BAR_SPEEDUP
    print(f"  {'PASS' if ok else 'FAIL'}  rtv (double) >= {BAR_SPEEDUP:g}x faster than PyTorch float64 "
          f"(autograd, best of threads {threads_list}): {ratio['float64']:.2f}x")
    print(f"  info  against PyTorch float32: "
          f"{ratio['float32']:.2f}x ({'>=' if ratio['float32'] >= BAR_SPEEDUP else '<'} {BAR_SPEEDUP:g}x)")
    idiom = IMPLEMENTATIONS[0][0]
    est = [min(scr[(dn, th, idiom)] for th in threads_list if (dn, th, idiom) in scr) * task.steps / t_rtv
           for dn in DTYPES if any((dn, th, idiom) in scr for th in threads_list)]
    if len(est) == 2:
        print(f"  info  against the idiomatic version ({idiom}), screening estimate: "
              f"float64 ~{est[0]:.1f}x, float32 ~{est[1]:.1f}x")
    if hand:
        hs = {dn: h[0] / t_rtv for dn, h in hand.items()}
        print("  info  stricter reference, PyTorch with a hand-written gradient (no autograd): " +
              ", ".join(f"{dn} {r:.2f}x" for dn, r in hs.items()))
    if obj_ok is not None:
        print(f"  {'PASS' if obj_ok else 'FAIL'}  same final objective on the shared task "
              f"(relative difference <= {BAR_OBJECTIVE:g})")
    print(f"\n(PyTorch part took {elapsed:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
