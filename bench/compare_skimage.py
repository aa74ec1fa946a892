#!/usr/bin/python3
"""Side-by-side benchmark of rtv's 2D Radon transform / FBP against scikit-image's radon / iradon.

What it measures (one run, same machine, same inputs):
  * speed: rtv's Joseph radon and ram-lak FBP of the 512 x 512 modified Shepp-Logan phantom with 512 angles
    (726 offsets, best of 5, 2 threads; timed by `rtv_bench --export`) against skimage.transform.radon
    (theta = 512 angles in [0, 180) degrees, circle=False) and iradon (filter_name='ramp', circle=False,
    output_size=512), best of --repeats (3) each, single-threaded. The project's bar: rtv >= 30x faster.
  * rtv's ray samples per second, and a rough roofline for this machine (memory bandwidth measured with numpy
    copies, peak flops from the clock): is the kernel bandwidth- or compute-bound?
  * accuracy, Shepp-Logan 200 x 200 (pixel averages), 180 angles:
      - FBP mean absolute error against the phantom inside x^2 + y^2 < 1 (bar: < 0.025, scikit-image's own test
        bar; rtv should also beat scikit-image);
      - the sinogram's relative L2 error against the exact analytic sinogram, each on its own detector grid.

How to run (after `make build`; needs Debian's numpy / scipy / scikit-image: apt-get install python3-skimage):
    /usr/bin/python3 bench/compare_skimage.py [--rtv-bench build/bin/rtv_bench] [--repeats 3]
It prints one table and PASS / FAIL per bar, and exits 0 either way (it is a report); it exits 2 when numpy or
scikit-image is missing or rtv_bench is not built, and 1 when its own convention checks fail.

rtv's conventions (see rtv.json): img[i, j] = f(x_j, y_i), x_j = -1 + (j + 1/2) h, y_i likewise (row index = y,
increasing), h = 2/n; sinogram [a, m] = integral of f over {x : gamma . x = t_m}, gamma = (cos theta_a,
sin theta_a), theta_a = pi a / A, t_m = -T + (m + 1/2) h, M offsets (the smallest integer >= sqrt(2) n with the parity of n), T = M h / 2.

scikit-image 0.19's conventions, determined from its source and checked empirically in this script with an
off-centre narrow Gaussian (projection centroids fitted per angle, then the full sinogram against the exact one):
  * radon(image, theta_deg, circle=False) pads the n x n image to P x P, P = n + ceil(sqrt(2) n - n)
    (= ceil(sqrt(2) n): 283 for n = 200, 725 for n = 512, the same count as rtv's offsets), keeping image pixel
    (n//2, n//2) at padded pixel (P//2, P//2); the rotation axis is that pixel's centre, i.e. the physical point
    c_axis = (x_{n/2}, y_{n/2}) = (h/2, h/2) for even n, not the image centre (0, 0).
  * Output sinogram[k, a] (detector index first!) = (1/h) * integral of f over {x : gamma_a . x = t_k} with
        gamma_a = (cos theta_a, -sin theta_a)      (theta_a = np.deg2rad(theta_deg[a]): direction angle -theta_a,
                                                    clockwise in rtv's y-up coordinates)
        t_k     = h (k - P//2) + gamma_a . (h/2, h/2) = h (k - P//2) + (h/2)(cos theta_a - sin theta_a).
    Sums are over pixels, so multiply by h to get line integrals. Without the half-pixel axis shift the error
    against the exact sinogram of a 5-pixel-wide Gaussian is ~7e-2 instead of ~3e-3; with +sin it is > 1.
  * iradon(..., circle=False, output_size=n) uses the same axis pixel (n//2, n//2) and the same orientation
    (t = (col - n//2) cos - (row - n//2) sin), so iradon(radon(img)) reproduces img with no flip or transpose;
    its output is on rtv's pixel-centre grid, and the same |x| < 1 mask applies.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

try:
    import numpy as np
    from skimage import __version__ as skimage_version
    from skimage.transform import iradon, radon
except ImportError as e:  # pragma: no cover - environment check
    sys.stderr.write(f"compare_skimage.py: {e}\n  numpy and scikit-image are needed: apt-get install python3-skimage\n"
                     "  and run this script with Debian's interpreter: /usr/bin/python3 bench/compare_skimage.py\n")
    sys.exit(2)

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_RTV_BENCH = os.path.join(os.path.dirname(HERE), "build", "bin", "rtv_bench")
BAR_SPEEDUP = 30.0   # the project's bar: rtv at least 30x faster than scikit-image
BAR_MAE = 0.025      # scikit-image's own test bar for FBP of Shepp-Logan

# Modified Shepp-Logan (Toft): value, semi-axis a (along x), semi-axis b (along y), centre x, centre y, rotation (deg, ccw)
SHEPP_LOGAN = [
    (1.0, 0.69, 0.92, 0.0, 0.0, 0.0),
    (-0.8, 0.6624, 0.874, 0.0, -0.0184, 0.0),
    (-0.2, 0.11, 0.31, 0.22, 0.0, -18.0),
    (-0.2, 0.16, 0.41, -0.22, 0.0, 18.0),
    (0.1, 0.21, 0.25, 0.0, 0.35, 0.0),
    (0.1, 0.046, 0.046, 0.0, 0.1, 0.0),
    (0.1, 0.046, 0.046, 0.0, -0.1, 0.0),
    (0.1, 0.046, 0.023, -0.08, -0.605, 0.0),
    (0.1, 0.023, 0.023, 0.0, -0.606, 0.0),
    (0.1, 0.023, 0.046, 0.06, -0.605, 0.0),
]


def fail(msg):
    sys.stderr.write(f"compare_skimage.py: {msg}\n")
    sys.exit(1)


def check(cond, msg):
    """Self-check of this script (not a project bar): stop, since the comparison would not be trustworthy."""
    if not cond:
        fail("self-check failed: " + msg)


def best_of(reps, fn):
    best, out = math.inf, None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def centres(n):
    h = 2.0 / n
    return h, -1.0 + (np.arange(n) + 0.5) * h


def inscribed_mask(n):
    _, c = centres(n)
    X, Y = np.meshgrid(c, c)  # X[i, j] = x_j, Y[i, j] = y_i
    return X ** 2 + Y ** 2 < 1.0


# ---- scikit-image's geometry, in rtv's physical coordinates ----

def sk_geometry(n, theta_deg, P):
    """(gx, gy, t) of skimage's sinogram[k, a] for an n x n image with pixel size h = 2/n: shapes (A,), (A,), (P, A)."""
    h = 2.0 / n
    th = np.deg2rad(theta_deg)
    gx, gy = np.cos(th), -np.sin(th)
    axis = -1.0 + (n // 2 + 0.5) * h  # physical x (and y) of the rotation-axis pixel centre: h/2 for even n
    t = h * (np.arange(P) - P // 2)[:, None] + (axis * (gx + gy))[None, :]
    return gx, gy, t


def exact_ellipse_sinogram(table, gx, gy, t):
    """Exact line integrals of a sum of ellipses along {x : (gx, gy) . x = t}; gx, gy of shape (A,), t (P, A)."""
    psi = np.arctan2(gy, gx)  # direction angle
    out = np.zeros_like(t)
    for A, a, b, cx, cy, rot in table:
        phi = np.deg2rad(rot)
        s2 = a ** 2 * np.cos(psi - phi) ** 2 + b ** 2 * np.sin(psi - phi) ** 2
        tau = t - (cx * gx + cy * gy)[None, :]
        inside = tau ** 2 < s2[None, :]
        out += np.where(inside, 2.0 * A * a * b * np.sqrt(np.maximum(s2[None, :] - tau ** 2, 0.0)) / s2[None, :], 0.0)
    return out


def check_skimage_convention():
    """Verify sk_geometry empirically with an off-centre narrow Gaussian; returns a dict of findings."""
    n = 200
    h, c = centres(n)
    X, Y = np.meshgrid(c, c)
    sigma, c0 = 0.05, np.array([0.3, -0.45])  # 5 pixels wide, off-centre and not on a diagonal: flips show up
    g = np.exp(-((X - c0[0]) ** 2 + (Y - c0[1]) ** 2) / (2 * sigma ** 2))
    theta = np.linspace(0.0, 180.0, 180, endpoint=False)
    S = radon(g, theta=theta, circle=False)
    P = S.shape[0]
    check(S.shape == (math.ceil(math.sqrt(2) * n), theta.size),
          f"skimage radon returned shape {S.shape}, expected (ceil(sqrt(2) n), angles) = ({math.ceil(math.sqrt(2) * n)}, {theta.size})")

    # 1. Empirical fit: the projection's centroid (detector index k - P//2) against the Gaussian's offset gamma . c0,
    #    for either sign of the direction's y component; offset model t = h (k - P//2) + alpha cos + beta sin + kappa.
    th = np.deg2rad(theta)
    u = np.arange(P) - P // 2
    centroid = (u[:, None] * S).sum(0) / S.sum(0)
    fits = {}
    for sgn in (+1, -1):
        delta = (np.cos(th) * c0[0] + sgn * np.sin(th) * c0[1]) - h * centroid
        B = np.stack([np.cos(th), np.sin(th), np.ones_like(th)], axis=1)
        coef, *_ = np.linalg.lstsq(B, delta, rcond=None)
        fits[sgn] = (coef / h, np.sqrt(np.mean((B @ coef - delta) ** 2)) / h)
    sgn = min(fits, key=lambda s: fits[s][1])
    (alpha, beta, kappa), resid = fits[sgn]
    check(sgn == -1 and resid < 0.05,
          f"projection centroids fit gamma = (cos, {sgn:+d} sin) best (rms {resid:.3f} px); expected (cos, -sin)")
    check(abs(alpha - 0.5) < 0.05 and abs(beta + 0.5) < 0.05 and abs(kappa) < 0.05,
          f"fitted axis shift (alpha, beta, kappa)/h = ({alpha:.3f}, {beta:.3f}, {kappa:.3f}); expected (0.5, -0.5, 0)")

    # 2. The whole sinogram (times h) against the exact line integrals on the mapped grid.
    def rel_err(gx, gy, t):
        E = math.sqrt(2 * math.pi) * sigma * np.exp(-(t - (gx * c0[0] + gy * c0[1])[None, :]) ** 2 / (2 * sigma ** 2))
        return np.linalg.norm(h * S - E) / np.linalg.norm(E)

    gx, gy, t = sk_geometry(n, theta, P)
    err = rel_err(gx, gy, t)
    err_no_shift = rel_err(gx, gy, h * (np.arange(P) - P // 2)[:, None] + 0 * t)
    err_plus_sin = rel_err(gx, -gy, sk_geometry(n, -theta, P)[2])
    check(err < 1e-2, f"Gaussian: |h radon_sk - R_exact| / |R_exact| = {err:.2e} with the mapping (expected < 1e-2)")
    check(err < err_no_shift / 5 and err < err_plus_sin / 5,
          f"Gaussian: the mapping ({err:.2e}) is not clearly better than no axis shift ({err_no_shift:.2e}) or +sin ({err_plus_sin:.2e})")

    # 3. Orientation of iradon(radon(.)): the identity must beat flips and the transpose.
    rec = iradon(S, theta=theta, filter_name="ramp", circle=False, output_size=n)
    variants = {"identity": rec, "flipud": rec[::-1], "fliplr": rec[:, ::-1], "transpose": rec.T}
    maes = {k: np.abs(v - g).mean() for k, v in variants.items()}
    check(min(maes, key=maes.get) == "identity" and maes["identity"] < 0.1 * min(v for k, v in maes.items() if k != "identity"),
          f"iradon(radon(gaussian)) orientation: mean |error| per variant {maes}")
    return dict(err=err, err_no_shift=err_no_shift, err_plus_sin=err_plus_sin, alpha=alpha, beta=beta, kappa=kappa,
                resid=resid, roundtrip_mae=maes["identity"], roundtrip_flip_mae=min(v for k, v in maes.items() if k != "identity"))


# ---- machine: a rough roofline ----

def machine_roofline(cores):
    """Measured numpy copy bandwidths and a nominal peak flop rate.

    Model (rough, as the brief of this benchmark asks): one interpolated ray sample reads two neighbouring values
    (~2 loads of 8 bytes = 16 bytes if nothing were reused) and does ~4 flops (fraction, 2 products, 1 sum;
    rtv's kernel also scales and accumulates). So
        bandwidth-bound rate = bandwidth / 16 bytes,   compute-bound rate = peak flops / 4.
    Bandwidths are measured with single-threaded np.copyto (bytes read + written): from DRAM with 256 MiB arrays,
    and from cache with 256 KiB arrays (src + dst fit one core's L2); the cache figure is scaled by the core count
    (private L2s). Peak flops = cores x clock (from /proc/cpuinfo) x 16 double flops/cycle (two 256-bit FMA pipes,
    typical of current x86; AVX-512 on AMD Zen 4 does not double it). Working sets: rtv's backprojector keeps one
    angle's sinogram row (725 doubles = 5.8 KB, L1) and a 16-row block of the image (64 KB, L2) hot; Joseph's
    projector streams the 2 MB image per angle (L2/L3) into one sinogram row (L1). So the data come from cache,
    and the DRAM figure is only the bound a kernel without that locality would hit.
    """
    big = np.ones(32 * 2 ** 20)  # 256 MiB
    dst = np.empty_like(big)
    t_dram, _ = best_of(3, lambda: np.copyto(dst, big))
    big = dst = None  # free the 512 MiB before the cache test
    small = np.ones(32 * 1024)  # 256 KiB
    sdst = np.empty_like(small)
    inner = 2000

    def loop():
        for _ in range(inner):
            np.copyto(sdst, small)
    t_cache, _ = best_of(3, loop)
    bw_dram = 2 * 32 * 2 ** 20 * 8 / t_dram
    bw_cache = 2 * small.nbytes * inner / t_cache * cores
    ghz = None
    try:
        with open("/proc/cpuinfo") as f:
            mhz = [float(line.split(":")[1]) for line in f if line.startswith("cpu MHz")]
        ghz = max(mhz) / 1e3 if mhz else None
    except (OSError, ValueError):
        pass
    assumed_clock = ghz is None
    ghz = ghz or 3.0
    peak = cores * ghz * 1e9 * 16
    return dict(bw_dram=bw_dram, bw_cache=bw_cache, ghz=ghz, assumed_clock=assumed_clock, peak=peak,
                dram_rate=bw_dram / 16, cache_rate=bw_cache / 16, compute_rate=peak / 4)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rtv-bench", default=DEFAULT_RTV_BENCH, help="path of rtv_bench (default: %(default)s)")
    ap.add_argument("--repeats", type=int, default=3, help="scikit-image timings: best of this many (default 3)")
    args = ap.parse_args()
    if not (os.path.isfile(args.rtv_bench) and os.access(args.rtv_bench, os.X_OK)):
        sys.stderr.write(f"compare_skimage.py: {args.rtv_bench} not found or not executable: run `make build` first "
                         "(or pass --rtv-bench PATH)\n")
        sys.exit(2)

    # 1. rtv's own run: its table, the inputs and its figures.
    with tempfile.TemporaryDirectory(prefix="rtv_cmpsk_") as tmp:
        proc = subprocess.run([args.rtv_bench, "--export", tmp], capture_output=True, text=True)
        sys.stdout.write(proc.stdout)
        if proc.returncode != 0:
            sys.stderr.write(proc.stderr)
            fail(f"{args.rtv_bench} --export failed (exit {proc.returncode})")
        with open(os.path.join(tmp, "rtv.json")) as f:
            rj = json.load(f)
        sl200 = np.load(os.path.join(tmp, "sl200.npy"))
        sl512 = np.load(os.path.join(tmp, "sl512.npy"))
    check(sl200.shape == (200, 200) and sl512.shape == (512, 512), f"unexpected phantom shapes {sl200.shape}, {sl512.shape}")

    # 2. The convention mapping (stops the script if it does not hold).
    conv = check_skimage_convention()

    # 3. Speed, 512 x 512, 512 angles.
    theta512 = np.linspace(0.0, 180.0, 512, endpoint=False)
    t_sk_radon, sino512 = best_of(args.repeats, lambda: radon(sl512, theta=theta512, circle=False))
    t_sk_fbp, rec512 = best_of(args.repeats, lambda: iradon(sino512, theta=theta512, filter_name="ramp",
                                                            circle=False, output_size=512))
    check(np.abs(rec512 - sl512)[inscribed_mask(512)].mean() < 0.05, "skimage's 512 reconstruction is off")
    P512 = sino512.shape[0]
    sk_radon_samples = P512 * P512 * theta512.size   # bilinear samples of the rotated, padded image
    sk_fbp_samples = 512 * 512 * theta512.size       # one linear interpolation per pixel and angle
    t_rtv_radon, t_rtv_fbp = rj["radon_512_seconds"], rj["fbp_512_seconds"]
    speed_radon, speed_fbp = t_sk_radon / t_rtv_radon, t_sk_fbp / t_rtv_fbp

    # 4. Accuracy, Shepp-Logan 200 x 200, 180 angles.
    n = 200
    h = 2.0 / n
    theta180 = np.linspace(0.0, 180.0, 180, endpoint=False)
    mask = inscribed_mask(n)
    sk_sino200 = radon(sl200, theta=theta180, circle=False)
    sk_rec200 = iradon(sk_sino200, theta=theta180, filter_name="ramp", circle=False, output_size=n)
    sk_mae = np.abs(sk_rec200 - sl200)[mask].mean()
    flipped = min(np.abs(v - sl200)[mask].mean() for v in (sk_rec200[::-1], sk_rec200[:, ::-1], sk_rec200.T))
    check(sk_mae < flipped, f"Shepp-Logan: skimage's FBP fits the phantom better flipped ({flipped:.4f} vs {sk_mae:.4f})")
    gx, gy, t = sk_geometry(n, theta180, sk_sino200.shape[0])
    exact200 = exact_ellipse_sinogram(SHEPP_LOGAN, gx, gy, t)
    sk_sino_err = np.linalg.norm(h * sk_sino200 - exact200) / np.linalg.norm(exact200)
    sk_rec_exact = iradon(exact200 / h, theta=theta180, filter_name="ramp", circle=False, output_size=n)
    sk_mae_exact = np.abs(sk_rec_exact - sl200)[mask].mean()
    rtv_mae, rtv_mae_exact, rtv_sino_err = (rj["sl200_fbp_mae"], rj["sl200_fbp_mae_from_exact_sinogram"],
                                            rj["sl200_sinogram_rel_l2_error"])

    # 5. Roofline.
    cores = int(rj.get("threads", 2))
    roof = machine_roofline(cores)
    rate_radon, rate_fbp = rj["radon_512_samples_per_second"], rj["fbp_512_samples_per_second"]

    # ---- the table ----
    def lower(a, b):
        return "rtv lower" if a < b else "scikit-image lower"

    rows = [
        ("radon 512^2, 512 angles: time", f"{t_rtv_radon * 1e3:.1f} ms", f"{t_sk_radon * 1e3:.0f} ms",
         f"{speed_radon:.1f}x faster"),
        ("FBP (ramp) 512^2 from 512 angles: time", f"{t_rtv_fbp * 1e3:.1f} ms", f"{t_sk_fbp * 1e3:.0f} ms",
         f"{speed_fbp:.1f}x faster"),
        ("radon: ray samples / s (own work count)", f"{rate_radon / 1e6:.0f} M", f"{sk_radon_samples / t_sk_radon / 1e6:.0f} M",
         f"rtv {rj['threads']} threads, skimage 1"),
        ("FBP: interpolations / s (own work count)", f"{rate_fbp / 1e6:.0f} M", f"{sk_fbp_samples / t_sk_fbp / 1e6:.0f} M",
         "per pixel and angle"),
        ("SL 200, 180 angles: FBP MAE (|x| < 1)", f"{rtv_mae:.6f}", f"{sk_mae:.6f}", lower(rtv_mae, sk_mae)),
        ("  the same, FBP of the exact sinogram", f"{rtv_mae_exact:.6f}", f"{sk_mae_exact:.6f}", lower(rtv_mae_exact, sk_mae_exact)),
        ("SL 200: |R_h f - R f|_2 / |R f|_2", f"{rtv_sino_err:.3e}", f"{sk_sino_err:.3e}", lower(rtv_sino_err, sk_sino_err)),
        ("Gaussian check of skimage's mapping", "-", f"{conv['err']:.1e}",
         f"(no axis shift {conv['err_no_shift']:.1e})"),
    ]
    head = ("quantity", "rtv", f"scikit-image {skimage_version}", "ratio / verdict")
    w = [max(len(r[i]) for r in rows + [head]) for i in range(4)]
    fmt = f"{{:<{w[0]}}} | {{:>{w[1]}}} | {{:>{w[2]}}} | {{}}"
    print()
    print(fmt.format(*head))
    print("-+-".join("-" * x for x in w))
    for r in rows:
        print(fmt.format(*r))

    print("\nmachine (rough roofline; model: ~16 bytes and ~4 flops per interpolated sample):")
    clock = f"{roof['ghz']:.2f} GHz" + (" (assumed)" if roof["assumed_clock"] else "")
    print(f"  {cores} cores at {clock}; numpy copy bandwidth: DRAM {roof['bw_dram'] / 1e9:.1f} GB/s (1 thread), "
          f"cache {roof['bw_cache'] / 1e9:.0f} GB/s ({cores} x L2)")
    print(f"  bounds: DRAM {roof['dram_rate'] / 1e9:.2f} Gsample/s, cache {roof['cache_rate'] / 1e9:.1f} Gsample/s, "
          f"compute {roof['compute_rate'] / 1e9:.1f} Gsample/s (peak {roof['peak'] / 1e9:.0f} GF/s / 4)")
    # The kernels' working sets are in cache by design (see machine_roofline), so the DRAM bound does not apply
    # to them; what matters is the lower of the two in-cache ceilings. rtv's FBP time includes the FFT ramp
    # filter while its sample count is the backprojector's alone, so its rate understates the backprojector's.
    ceiling = min(roof["cache_rate"], roof["compute_rate"])
    for name, rate in (("radon", rate_radon), ("FBP", rate_fbp)):
        cyc = cores * roof["ghz"] * 1e9 / rate
        kind = ("bandwidth-bound (near the cache-bandwidth ceiling)" if rate > 0.7 * roof["cache_rate"] else
                "compute-bound (near the flop ceiling)" if rate > 0.7 * roof["compute_rate"] else
                "neither ceiling reached: core-bound (instruction throughput / latency of the interpolation loop, "
                "i.e. the compute side), not bandwidth-bound")
        print(f"  rtv {name}: {rate / 1e9:.2f} Gsample/s = {cyc:.1f} cycles/sample/core = "
              f"{rate / roof['dram_rate']:.1f}x the DRAM bound, {rate / ceiling:.0%} of the lower in-cache ceiling: {kind}")

    bars = [
        (f"radon >= {BAR_SPEEDUP:.0f}x faster than scikit-image", speed_radon >= BAR_SPEEDUP, f"{speed_radon:.1f}x"),
        (f"FBP >= {BAR_SPEEDUP:.0f}x faster than scikit-image", speed_fbp >= BAR_SPEEDUP, f"{speed_fbp:.1f}x"),
        (f"rtv's FBP MAE < {BAR_MAE} and lower than scikit-image's", rtv_mae < BAR_MAE and rtv_mae < sk_mae,
         f"{rtv_mae:.6f} vs {sk_mae:.6f}"),
        ("rtv's sinogram error lower than scikit-image's", rtv_sino_err < sk_sino_err,
         f"{rtv_sino_err:.3e} vs {sk_sino_err:.3e}"),
    ]
    print("\nbars of the project:")
    for text, ok, detail in bars:
        print(f"  {'PASS' if ok else 'FAIL'}  {text} ({detail})")
    note = "both below" if max(rtv_mae, sk_mae) < BAR_MAE else "NOT both below"
    print(f"  (info: FBP MAE {note} scikit-image's test bar {BAR_MAE}: rtv {rtv_mae:.4f}, scikit-image {sk_mae:.4f})")
    failed = [t for t, ok, _ in bars if not ok]
    print(f"\n{len(bars) - len(failed)} of {len(bars)} bars hold" + (f"; FAIL: {'; '.join(failed)}" if failed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
