#!/usr/bin/python3
"""make bench: the Python module's call overhead against the C++ library, side by side (issue 17's speed bar).

Two calls the issue names, on the same inputs and the same thread count:
  * evaluating a 2 -> 512 -> 1 network at 10^6 points: net(X) in Python (rtv.ShallowNet.__call__) against
    rtv::evaluate(net, X) in C++ (bench/bench_python.cpp);
  * one Radon transform of a 512 x 512 image at 512 angles: rtv.radon(image, 512, threads=T) against
    rtv::radon(image, grid, sinogram grid, T).
Each time is the minimum over --eval-reps / --reps repetitions of the call alone (C++: over two runs, before and
after the Python timings) (the C++ side loads its inputs
first; the Python side times the call from a NumPy array to a NumPy array, i.e. including the module's conversions
in and out).
The script also checks that both sides computed the same numbers (exactly equal arrays), so the comparison is
between the same work. Inputs are seeded (--seed) and written to --work. Prints a table: C++ s, Python s, ratio,
and exits 1 if a ratio exceeds --bar (1.2).

  /usr/bin/python3 bench/compare_python.py --bench-exe build/bin/rtv_bench_python --pythonpath build/python
"""
import argparse
import json
import os
import subprocess
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench-exe", default="build/bin/rtv_bench_python")
    ap.add_argument("--pythonpath", default="build/python", help="folder holding the module rtv")
    ap.add_argument("--work", default="build/bench-python", help="folder for the inputs and the C++ outputs")
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--neurons", type=int, default=512)
    ap.add_argument("--size", type=int, default=512, help="n of the n x n image")
    ap.add_argument("--angles", type=int, default=512)
    ap.add_argument("--threads", type=int, default=2, help="threads of the Radon transform, both sides")
    ap.add_argument("--reps", type=int, default=10, help="repetitions of the Radon transform")
    ap.add_argument("--eval-reps", type=int, default=3,
                    help="repetitions of the evaluation (~4 s each: the library allocates the N x K pre-activations)")
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--bar", type=float, default=1.2)
    a = ap.parse_args()

    sys.path.insert(0, a.pythonpath)
    import numpy as np
    import rtv

    print(f"compare_python: rtv {rtv.__version__} from {os.path.dirname(rtv.__file__)}, seed {a.seed}, "
          f"min of {a.eval_reps} (evaluate) / {a.reps} (radon) repetitions, radon threads {a.threads}")
    os.makedirs(a.work, exist_ok=True)
    rng = np.random.default_rng(a.seed)
    d, K = 2, a.neurons
    W = rng.normal(size=(K, d))
    b = rng.normal(size=K)
    v = rng.normal(size=K) / K
    c = rng.normal(size=d)
    c0 = 0.25
    X = rng.normal(size=(a.points, d))  # C-ordered float64: what a user has
    image = rtv.phantom("shepp-logan", a.size, supersample=2)
    for name, arr in (("W", W), ("b", b[:, None]), ("v", v[:, None]), ("c", c[:, None]), ("X", X),
                      ("image", image)):
        np.save(os.path.join(a.work, name + ".npy"), arr)

    def run_cpp():
        p = subprocess.run([a.bench_exe, "--dir", a.work, "--angles", str(a.angles), "--threads", str(a.threads),
                            "--reps", str(a.reps), "--eval-reps", str(a.eval_reps), "--c0", repr(c0)],
                           capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"compare_python: {a.bench_exe} failed: {p.stderr}")
        return json.loads(p.stdout)

    # The machine may be shared: the C++ program runs before and after the Python timings and each call keeps its
    # best time of the two runs, so a load burst during one side does not decide the ratio.
    cpp_runs = [run_cpp()]

    def best(fn, reps):
        t = float("inf")
        out = None
        for _ in range(reps):
            t0 = time.perf_counter()
            out = fn()
            t = min(t, time.perf_counter() - t0)
        return t, out

    net = rtv.ShallowNet(W, b, v, c=c, c0=c0)
    t_eval, f = best(lambda: net(X), a.eval_reps)
    t_radon, sino = best(lambda: rtv.radon(image, a.angles, threads=a.threads), a.reps)

    cpp_runs.append(run_cpp())
    cpp = {k: min(r[k] for r in cpp_runs) for k in ("evaluate_s", "radon_s")}

    same_f = np.array_equal(f, np.load(os.path.join(a.work, "f.npy"))[:, 0])
    same_s = np.array_equal(sino, np.load(os.path.join(a.work, "sino.npy")))
    rows = [(f"evaluate {d} -> {K} -> 1 at {a.points:.0e} points (1 thread)", cpp["evaluate_s"], t_eval, same_f),
            (f"radon {a.size} x {a.size}, {a.angles} angles ({a.threads} threads)", cpp["radon_s"], t_radon, same_s)]
    print(f"\n  {'call':<48} {'C++ s':>9} {'Python s':>9} {'ratio':>6}  same numbers")
    ok = True
    for name, tc, tp, same in rows:
        r = tp / tc
        ok = ok and r <= a.bar and same
        print(f"  {name:<48} {tc:9.4f} {tp:9.4f} {r:6.3f}  {'yes' if same else 'NO'}")
    print(f"\n  bar: Python within {a.bar}x of C++ and identical results: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
