"""The claim harness from Python (python/src/bind_verify.cpp, verify/harness.hpp): rtv.verify() against rtv-verify
on the same claim (W1, quick: a few milliseconds), byte for byte in report.json, and the result objects against
report.json's numbers."""
import json
import os
import subprocess

import pytest

import rtv


@pytest.fixture(scope="module")
def rtv_verify():
    exe = os.path.join(os.path.dirname(os.environ.get("RTV_CLI", os.path.join("build", "bin", "rtv"))), "rtv-verify")
    assert os.path.exists(exe), f"{exe} not built (cmake --build build --target rtv-verify)"

    def run(*args):
        p = subprocess.run([exe, *map(str, args)], capture_output=True, text=True)
        return p.returncode, p.stdout, p.stderr

    return run


def test_verify_w1_equals_rtv_verify_byte_for_byte(rtv_verify, tmp_path):
    # Guards: other options than rtv-verify's (size, seed, claim selection, the per-claim random stream) and a
    # report written differently: report.json is a deterministic function of (version, seed, size, claims), so
    # the two files must be identical. A different seed changes W1's random networks, hence its measurements.
    rc, _, err = rtv_verify("--quick", "--claim", "W1", "--out", tmp_path / "cli")
    assert rc == 0, err
    run = rtv.verify(claims=["W1"], quick=True, out=str(tmp_path / "py"), progress=False)
    cli_report = (tmp_path / "cli" / "report.json").read_bytes()
    assert (tmp_path / "py" / "report.json").read_bytes() == cli_report
    assert (tmp_path / "py" / "report.md").read_bytes() == (tmp_path / "cli" / "report.md").read_bytes()
    # The objects carry report.json's numbers.
    rep = json.loads(cli_report)
    assert run.passed == rep["passed"] == 1 and run.failed == rep["failed"] == 0 and run.all_passed
    assert len(run) == 1 and run.out == str(tmp_path / "py")
    (res,) = list(run)
    (jc,) = rep["claims"]
    assert res is not None and res.id == "W1" == jc["id"] and res.name == jc["name"] and res.passed == jc["passed"]
    assert res.reason == jc["reason"] and res.kind == jc["kind"] and res.section == jc["section"]
    assert len(res.measurements) == len(jc["measurements"]) > 0
    for m, jm in zip(res.measurements, jc["measurements"]):
        assert m.quantity == jm["quantity"] and m.op == jm["op"] and m.rule == jm["rule"]
        assert m.measured == jm["measured"] and m.error == jm["error"] and m.passed == jm["passed"]
        if m.op == "~":
            assert m.predicted == jm["predicted"] and m.tolerance == jm["tolerance"]
        else:  # report.json puts the bound of a bound check in "tolerance"
            assert m.bound == jm["tolerance"]
    assert all(r.passed for r in rtv.verify(claims=["W1"], quick=True, progress=False))
    assert run["W1"].id == "W1" and run[0].id == "W1" and run[-1].id == "W1"
    with pytest.raises(KeyError):
        run["R1"]
    with pytest.raises(IndexError):
        run[1]
    d = run.to_dict()
    assert d["claims"][0]["measurements"][0]["measured"] == jc["measurements"][0]["measured"]
    assert d["size"] == "quick" and d["seed"] == 2301
    assert "W1 PASS" in repr(run) and "ClaimResult(W1 rescaling-invariance: PASS" in repr(res)
    assert "Measurement(" in repr(res.measurements[0])


def test_seed_reaches_the_claim(tmp_path):
    # The seed is passed through: another seed draws other networks, so some measured value changes (W1's
    # rescaling errors are rounding-level numbers that depend on the draw).
    a = rtv.verify(claims="W1", progress=False)
    b = rtv.verify(claims="W1", seed=7, progress=False)
    assert a.seed == 2301 and b.seed == 7
    assert [m.measured for m in a[0].measurements] != [m.measured for m in b[0].measurements]
    # Without out= nothing is left behind (a temporary folder, removed) and no figure paths are reported.
    assert a.out is None and a[0].figures == []


def test_claims_lists_the_catalogue_as_rtv_verify_list(rtv_verify):
    rc, out, err = rtv_verify("--list")
    assert rc == 0, err
    ids = [line.split("\t")[0] for line in out.splitlines() if line.strip()]
    cat = rtv.claims()
    assert [c["id"] for c in cat] == ids
    assert {"id", "name", "kind", "section", "statement", "experiment"} <= set(cat[0])


def test_errors_are_value_errors_with_the_harness_message(rtv_verify, tmp_path):
    rc, _, err = rtv_verify("--quick", "--claim", "ZZ9", "--out", tmp_path / "x")
    assert rc == 2 and "unknown claim id 'ZZ9'" in err
    with pytest.raises(ValueError, match=r"--claim: unknown claim id 'ZZ9' \(known: "):
        rtv.verify(claims=["ZZ9"])
    with pytest.raises(TypeError, match="claims: expected a claim id or a list of claim ids"):
        rtv.verify(claims=[1, 2])
    with pytest.raises(ValueError, match="--threads: must be 0"):
        rtv.verify(claims=["W1"], threads=-1)
    with pytest.raises(ValueError, match="out: the output folder must not be empty"):
        rtv.verify(claims=["W1"], out="")
    assert not (tmp_path / "x" / "report.json").exists()


def test_ctrl_c_stops_the_run_between_claims(capfd):
    # SIGINT while claims run without the GIL: the harness's before_claim hook raises KeyboardInterrupt before the
    # next claim. The signal comes 0.2 s into the first claim (D3: ~0.6 s, longer under make sanitize); the run
    # must stop after it, not after all five (a hook that only fires at the end), and the module must still work
    # afterwards. Which claims started is read from the harness's progress lines ("[k/5] ID ..."), not from the
    # elapsed time, so the check means the same at any speed.
    import re
    import signal
    import threading
    timer = threading.Timer(0.2, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            rtv.verify(claims=["D3", "A1", "N3", "R1", "R3"], quick=True, threads=1, progress=True)
    finally:
        timer.cancel()
    started = re.findall(r"^\[\d+/5\] (\w+) ", capfd.readouterr().err, re.M)
    assert len(started) == 1, started
    assert rtv.verify(claims=["W1"], quick=True, progress=False).all_passed
