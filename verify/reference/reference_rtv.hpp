// verify/reference/reference_rtv.hpp: reference values of the R-TV of the Gaussian f(x) = exp(-|x|^2/2) in R^d,
// d = 1, 2, 3 (THEORY.md s.3), from closed forms, independent of the library's filters and quadrature. Used by
// claim R3 and checked by tests/test_seminorm.cpp against a second route each.
//
// R f(gamma, t) = (2 pi)^{(d-1)/2} exp(-t^2/2) for every direction, so RTV = c_d |S^{d-1}| int |q(t)| dt with
// q = d_t^2 Lambda^{d-1} R f (multiplier -|omega|^{d+1}) and c_d = 1 / (2 (2 pi)^{d-1}):
//  * d = 1: c_1 |S^0| = 1, q = f'' = (t^2 - 1) exp(-t^2/2): RTV = TV(f') = 4 exp(-1/2) (f' = -t exp(-t^2/2) has
//    its extrema +-exp(-1/2) at t = -+1).
//  * d = 2: c_2 |S^1| = 1/2. F{R f}(omega) = 2 pi exp(-omega^2/2), so q(t) = -2 int_0^inf omega^3
//    exp(-omega^2/2) cos(omega t) d omega = -4 1F1(2; 1/2; -t^2/2), by int_0^inf x^{mu-1} exp(-beta x^2)
//    cos(a x) dx = Gamma(mu/2) / (2 beta^{mu/2}) 1F1(mu/2; 1/2; -a^2/(4 beta)) with mu = 4, beta = 1/2. Its
//    antiderivative is Q(t) = -4 t 1F1(2; 3/2; -t^2/2): Q = (Lambda R f)' with Lambda R f = 2 1F1(1; 1/2; -t^2/2)
//    (the same integral, mu = 2) and d/dx 1F1(a; b; x) = (a/b) 1F1(a+1; b+1; x). Q is odd with Q(+-inf) = 0
//    (Q ~ 4/t^3). q is even, negative at 0, positive between its positive roots r1 < r2, negative beyond
//    (q ~ -12 t^-4: the 1F1 asymptotics Gamma(1/2)/Gamma(-3/2) (t^2/2)^-2), so the piecewise integral between
//    the roots, tail included, is exact: RTV = (1/2) 2 (|Q(r1)| + |Q(r2) - Q(r1)| + |Q(r2)|). 1F1 from
//    Boost.Math (accurate to ~1e-16 relative on t in [0, 40], checked against mpmath); roots by bracketing
//    and TOMS 748.
//  * d = 3: c_3 |S^2| = 1/(2 pi), q = -d_t^4 (2 pi exp(-t^2/2)) = -2 pi He_4(t) exp(-t^2/2): RTV =
//    int |He_4| exp(-t^2/2) dt = 4 [He_3(z+) exp(-z+^2/2) - He_3(z-) exp(-z-^2/2)], z+-^2 = 3 +- sqrt(6) the
//    positive roots of He_4, since (He_3 exp(-t^2/2))' = -He_4 exp(-t^2/2).
// Accuracy: a few eps relative (double precision throughout).
#pragma once

#include <vector>

namespace rtv::verify::reference {

/// He_3(t) = t^3 - 3t and He_4(t) = t^4 - 6t^2 + 3 (probabilists' Hermite polynomials).
double hermite_he3(double t);
double hermite_he4(double t);

/// d = 2: the filtered profile q(t) = -4 1F1(2; 1/2; -t^2/2) and its antiderivative Q(t) = -4 t 1F1(2; 3/2; -t^2/2).
double gaussian_q2(double t);
double gaussian_q2_antiderivative(double t);
/// The positive roots of q (two: found on (0, 12] by a scan at step 0.01 and TOMS 748; beyond 12, q < 0).
std::vector<double> gaussian_q2_roots();

/// RTV(exp(-|x|^2/2)) in R^d, d = 1, 2, 3, from the closed forms above.
double gaussian_rtv(int d);

}  // namespace rtv::verify::reference
