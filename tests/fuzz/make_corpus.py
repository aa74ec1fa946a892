#!/usr/bin/python3
"""tests/fuzz/make_corpus.py: (re)write the committed seed corpus tests/fuzz/corpus/<target>/ (README "Fuzzing").

Seeds are small valid files, written here with NumPy and the standard library (not by rtv's writers), copies of
the small PyTorch fixtures of data/fixtures, and a few hand-made inputs for the structure-aware front-ends
(fuzz_util.hpp). Deterministic: rerunning it rewrites the same bytes. Run with Debian's Python (numpy):
    /usr/bin/python3 tests/fuzz/make_corpus.py
"""
import io
import json
import os
import shutil
import struct
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIX = os.path.join(ROOT, "data", "fixtures")


def out(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


def npy(a, version=None):
    b = io.BytesIO()
    if version is None:
        np.save(b, a)
    else:
        np.lib.format.write_array(b, a, version=version)
    return b.getvalue()


# ---- npy: real files (the front-end parses them as is) and decoded-field inputs (fuzz_util.cpp npy_from_fields:
# byte 0 = version | dtype << 3, byte 1 = fortran | ndim << 3, then one size_value byte per dimension, then mode)
out("npy", "f8_2x3.npy", npy(np.arange(6, dtype="<f8").reshape(2, 3)))
out("npy", "f4_vec.npy", npy(np.array([1.5, -2.0, 3.25], dtype="<f4")))
out("npy", "i8_2x2.npy", npy(np.array([[1, -2], [3, 4]], dtype="<i8")))
out("npy", "i4_1x4.npy", npy(np.array([[7, 8, 9, 10]], dtype="<i4")))
out("npy", "scalar.npy", npy(np.float64(2.5)))
out("npy", "empty_0x3.npy", npy(np.zeros((0, 3))))
out("npy", "v2_f8.npy", npy(np.ones((2, 2)), version=(2, 0)))
out("npy", "fortran.npy", npy(np.asfortranarray(np.ones((2, 3)))))
out("npy", "u1.npy", npy(np.array([1, 2], dtype="u1")))
out("npy", "fields_f8_2x3", bytes([0x00, 2 << 3, 128 + 2, 128 + 3, 0]) + bytes(range(48)))
out("npy", "fields_f4_1d", bytes([0x08, 1 << 3, 128 + 4, 0]) + bytes(16))
out("npy", "fields_i8_3d", bytes([0x10, 3 << 3, 128 + 1, 128 + 2, 128 + 2, 0]) + bytes(32))

# ---- csv
out("csv", "header.csv", "x1,x2,y\n0,1,2\n1,0,3\n2,2,1\n3,1,0\n")
out("csv", "noheader_crlf.csv", "0.5,1\r\n1.5,2\r\n-2.5,3e-3\r\n4,5\r\n")
out("csv", "bom.csv", "\ufeff1,2\n3,4\n5,6\n")
out("csv", "spaces_blank.csv", " 1 , 2 \n\n 3 ,4\n5, 6 \n")
with open(os.path.join(FIX, "check", "noskip_d1.csv"), "rb") as f:
    out("csv", "noskip_d1.csv", f.read())

# ---- network_json (shallow) and deep_json
out("network_json", "example-2d.json", open(os.path.join(ROOT, "data", "networks", "example-2d.json")).read())
sh = lambda **k: json.dumps({"format": "rtv.shallow-relu", "version": 1, **k})
out("network_json", "noskip.json", sh(W=[[1.0], [-2.0]], b=[0.5, -1.0], v=[1.0, 3.0]))
out("network_json", "empty_d3.json", sh(d=3, W=[], b=[], v=[], c=[0, 0, 1], c0=-1))
out("network_json", "digits.json", sh(W=[[1e-300, -0.0, 1.7976931348623157e308]], b=[5e-324], v=[0.1], c0=1e300))
dp = lambda d, stages: json.dumps({"format": "rtv.deep-relu", "version": 1, "d": d, "stages": stages})
out("deep_json", "minimal.json", dp(1, [{"W": [[1]], "b": [0]}]))
out("deep_json", "two_stage.json", dp(2, [
    {"linear": [[[1, 0], [0, 1], [1, 1]]], "W": [[1, 2, 3], [0, 1, 0]], "b": [0.5, -1], "V": None},
    {"W": [[1, -1]], "b": [0], "V": [[2]], "c": [0.25], "skip": True, "C": [[1, 1]]}]))
out("deep_json", "v_rows.json", dp(2, [{"W": [[1, 0], [0, 1]], "b": [0, 0], "V": [[1, 1], [2, -1], [0, 3]],
                                         "c": [1, 2, 3]}]))
out("deep_json", "shallow_is_not_deep.json", sh(W=[[1.0]], b=[0.0], v=[1.0]))

# ---- safetensors: the small fixtures, and one decoded-field input (fuzz_safetensors.cpp from_fields)
for name in sorted(os.listdir(FIX)):
    if name.endswith(".safetensors") and os.path.getsize(os.path.join(FIX, name)) <= 4096:
        out("safetensors", name, open(os.path.join(FIX, name), "rb").read())


def safetensors(tensors):
    header, blob = {}, b""
    for name, (dtype, a) in tensors.items():
        raw = a.tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [len(blob), len(blob) + len(raw)]}
        blob += raw
    h = json.dumps(header).encode()
    return struct.pack("<Q", len(h)) + h + blob


out("safetensors", "mlp_f64.safetensors", safetensors({
    "0.weight": ("F64", np.array([[1.0, 2.0], [3.0, -1.0]])), "0.bias": ("F64", np.array([0.5, -0.5])),
    "2.weight": ("F64", np.array([[1.0, -1.0]])), "2.bias": ("F64", np.array([0.25]))}))
out("safetensors", "fields_two", bytes([0x01, 0x21, 0x00, 128 + 2, 128 + 2, 0x12, 0x08, 128 + 2]) + bytes(64))

# ---- npz: the small PyTorch fixtures (as is: they start with "PK\3\4"), archives written by zipfile, and one
# decoded-field input (fuzz_npz.cpp zip_from_fields)
for name in sorted(os.listdir(FIX)):
    if name.endswith(".npz") and not name.endswith("_io.npz") and os.path.getsize(os.path.join(FIX, name)) <= 4096:
        out("npz", name, open(os.path.join(FIX, name), "rb").read())


def npz(members, method):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", method) as z:
        for name, a in members.items():
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = method
            z.writestr(info, npy(a))
    return b.getvalue()


mlp = {"0.weight": np.array([[1.0, 2.0], [3.0, -1.0]]), "0.bias": np.array([0.5, -0.5]),
       "2.weight": np.array([[1.0, -1.0]]), "2.bias": np.array([0.25])}
out("npz", "mlp_stored.npz", npz(mlp, zipfile.ZIP_STORED))
out("npz", "mlp_deflated.npz", npz({k: v.astype("<f4") for k, v in mlp.items()}, zipfile.ZIP_DEFLATED))
out("npz", "fields_one", bytes([0x00, 0x00, 0x00, 2 << 3, 128 + 2, 128 + 2, 0]) + bytes(32))
