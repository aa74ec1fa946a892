#!/usr/bin/python3
"""Train a small ReLU network in PyTorch with weight decay, ask rtv whether it is what the theory says a solution is,
and plot it next to the certified global optimum and the harness's data of figure F1 (README "Python").

    PYTHONPATH=build/python /usr/bin/python3 examples/python/check_torch_network.py [--out DIR] [--steps S] [--seed N]

PyTorch's SGD with weight_decay=wd on the weights and MSELoss() (the mean over N points) minimises 2/N times
rtv's J = 1/2 sum (f - y)^2 + lambda WD with lambda = N wd / 2 (THEORY.md s.1, s.2). Writes DIR/check.json (the
verdicts), DIR/network.json and DIR/data.csv (for `rtv check` on the command line), DIR/verify/ (claim W2's
report and data, run through rtv.verify) and DIR/network.png (the trained function, its hyperplanes and the optimum's). Exit status 0 when the
run completes (the verdicts are printed; they are not the exit status: training for few steps may leave the
network short of stationarity, which rtv check then says).
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

import rtv


class SkipNet(torch.nn.Module):
    """f(x) = V relu(W x + b) + c . x + c0: the shallow network with skip connection of THEORY.md s.1."""

    def __init__(self, d, width):
        super().__init__()
        self.net = torch.nn.Sequential(torch.nn.Linear(d, width), torch.nn.ReLU(), torch.nn.Linear(width, 1))
        self.skip = torch.nn.Linear(d, 1)

    def forward(self, x):
        return self.net(x) + self.skip(x)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="out-python-example")
    ap.add_argument("--steps", type=int, default=30000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    print(f"seed {args.seed} (override with --seed)", file=sys.stderr)
    os.makedirs(args.out, exist_ok=True)
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    rng = np.random.default_rng(args.seed)
    N, d, width, wd = 16, 2, 24, 1e-2
    X = rng.uniform(-1, 1, size=(N, d))
    y = np.sin(2 * X[:, 0]) + X[:, 1] ** 2 + 0.05 * rng.normal(size=N)

    model = SkipNet(d, width).double()
    decayed = [model.net[0].weight, model.net[2].weight]           # weights only: rtv's WD (THEORY.md s.1)
    others = [p for p in model.parameters() if all(p is not q for q in decayed)]
    opt = torch.optim.SGD([{"params": decayed, "weight_decay": wd}, {"params": others, "weight_decay": 0.0}],
                          lr=0.02, momentum=0.9)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    decay_from = args.steps * 3 // 5          # constant step, then geometric decay by 100x: the step must go to 0
    for step in range(args.steps):             # for gradient descent to settle on the kinks (THEORY.md s.5)
        if step >= decay_from:
            for g in opt.param_groups:
                g["lr"] = 0.02 * 0.01 ** ((step - decay_from) / (args.steps - decay_from))
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(Xt).squeeze(1), yt)
        loss.backward()
        opt.step()
        if (step + 1) % 5000 == 0:
            print(f"  torch step {step + 1}/{args.steps}: mse {loss.item():.6g}", file=sys.stderr)

    net = rtv.ShallowNet.from_torch(model)
    with torch.no_grad():
        assert np.allclose(net(X), model(Xt).squeeze(1).numpy(), rtol=1e-12, atol=1e-12)
    lam_true = N * wd / 2
    report = rtv.check(net, X, y)             # lambda estimated from the stationarity equations
    print(report)
    print(f"lambda: estimated {report.lam:.7g}, PyTorch's N wd / 2 = {lam_true:.7g}")
    with open(os.path.join(args.out, "check.json"), "w") as f:
        json.dump(report.to_dict(), f, indent=2)
    # The same check from the command line: rtv check DIR/network.json DIR/data.csv
    rtv.write_network(net, os.path.join(args.out, "network.json"))
    np.savetxt(os.path.join(args.out, "data.csv"), np.c_[X, y], delimiter=",", header="x1,x2,y", comments="",
               fmt="%.17g")

    opt_sol = rtv.solve(X, y, lam_true)       # the certified global optimum at the true lambda (THEORY.md s.5)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    g = np.linspace(-1.2, 1.2, 161)
    G = np.stack(np.meshgrid(g, g), axis=-1).reshape(-1, 2)
    # The claim harness from Python: claim W2 (quick) writes the data of figure F1 (a neuron is a linear spline,
    # THEORY.md s.4) into DIR/verify/data/W2/; the third panel plots that file.
    run = rtv.verify(claims=["W2"], quick=True, out=os.path.join(args.out, "verify"), progress=False)
    print(f"claim W2: {'passed' if run.all_passed else 'FAILED'} ({run['W2'].reason})")
    f1 = np.loadtxt(os.path.join(args.out, "verify", "data", "W2", "F1-neuron.csv"), delimiter=",", skiprows=1)
    fig, axes = plt.subplots(1, 3, figsize=(13, 4), constrained_layout=True)
    axes[2].plot(f1[:, 0], f1[:, 1], "k-")
    axes[2].set_title("harness data (W2, F1): one neuron")
    for ax, (title, f) in zip(axes[:2], [("trained in PyTorch", net), ("certified optimum", opt_sol.net)]):
        im = ax.imshow(f(G).reshape(len(g), len(g)), origin="lower", extent=[g[0], g[-1], g[0], g[-1]], cmap="viridis")
        for w, b in zip(f.W, f.b):            # hyperplanes w . x = b
            if abs(w[1]) > 1e-12:
                ax.plot(g, (b - w[0] * g) / w[1], "w-", lw=0.6, alpha=0.7)
        ax.scatter(X[:, 0], X[:, 1], c="r", s=12)
        ax.set_xlim(g[0], g[-1]), ax.set_ylim(g[0], g[-1])
        ax.set_title(f"{title}: {f.width} neurons")
        fig.colorbar(im, ax=ax, shrink=0.8)
    fig.savefig(os.path.join(args.out, "network.png"), dpi=100)
    print(f"wrote {args.out}/check.json and {args.out}/network.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
