"""rtv: weight decay is sparse regularisation in the Radon domain, checked numerically.

The Python face of the C++ library rtv (README "Python"): a thin pybind11 binding (rtv._rtv) plus the PyTorch
conversion here. Conventions are THEORY.md's (s.1): f(x) = sum_k v_k relu(w_k . x - b_k) + c . x + c0, points are
the rows of an N x d array, J = 1/2 sum (f(x_n) - y_n)^2 + lambda WD with WD = 1/2 sum_k (v_k^2 + |w_k|^2).
Bad input raises ValueError (or TypeError) with the message the command-line tool prints.
"""
from ._rtv import *  # noqa: F401,F403
from ._rtv import __version__  # noqa: F401
