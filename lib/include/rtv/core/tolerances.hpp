// rtv/core/tolerances.hpp: every tolerance the library and the harness use, named, with its reason
// (STYLE.md item 3). Four tiers: algebraic identities (a few hundred eps times the scale), finite
// differences (~sqrt(eps)), discretisation (C h^p), Monte Carlo (k sigma / sqrt(n)). A tolerance that is
// not here is local to one test and says its reason where it is used.
#pragma once

#include <cmath>
#include <limits>

namespace rtv::tol {

/// Machine epsilon of double, 2^-52.
inline constexpr double kEps = std::numeric_limits<double>::epsilon();

/// Algebraic identity evaluated in a handful of floating-point operations per term, relative to the sum of
/// the absolute values of the terms (the condition scale): 100 eps. Used by W1 (rescaling leaves f and RTV
/// unchanged): each neuron term picks up at most ~4 roundings from the rescaling and ~d from the dot
/// product; 100 eps covers d <= 50 with margin and still fails on any real bug (which is O(1)).
inline constexpr double kIdentity = 100 * kEps;

/// Closed-form identities involving square roots and sums over K terms (W2: WD(balanced) = PN): 1e-12
/// relative, the bar CLAIMS.md sets; it is ~4500 eps, generous for K <= 1000 terms summed in order.
inline constexpr double kClosedForm = 1e-12;

/// Matrix identities through an SVD (D1 closed form): 1e-10 relative, the CLAIMS.md bar. Jacobi/bidiagonal
/// SVD is backward stable with error ~ n eps ||W||, raised to the power 2/L and summed.
inline constexpr double kSvdIdentity = 1e-10;

/// Two normalised neurons (gamma, t) share a hyperplane when |gamma1 - s gamma2|_inf and |t1 - s t2| are both
/// below this, relative to max(1, |t|), for s = +1 or -1 (THEORY.md s.3). 1e-9: trained networks that
/// collapse onto one hyperplane agree to ~1e-12 after long training; random, independent neurons differ by
/// O(1). The value is exposed as an option (`HyperplaneMergeOptions`) because a user may merge more coarsely.
inline constexpr double kHyperplaneMerge = 1e-9;

/// A neuron is "balanced" when | |v| - |w| | <= this * max(|v|, |w|). rtv balance produces ~1 eps; trained
/// nets at a stationary point reach it only to the optimiser's tolerance, so W3 uses its own bar (1e-3).
inline constexpr double kBalanced = 1e-9;

/// Central finite differences with step h ~ eps^(1/3): truncation O(h^2) plus rounding O(eps/h), both about
/// eps^(2/3) ~ 4e-11 relative; 1e-6 relative leaves room for a scale factor of 1e4 in the function.
inline constexpr double kFiniteDifferenceStep = 6.0554544523933395e-06;  // eps^(1/3)
inline constexpr double kFiniteDifference = 1e-6;

}  // namespace rtv::tol
