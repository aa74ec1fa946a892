// rtv/radon/radon_measure.hpp: the Radon-domain measure mu = c_d d_t^2 Lambda^{d-1} R f of networks and ridge sums
// (THEORY.md s.3) in d = 2 and 3, its spikes, and the numerical R-TV on a ball B_r, computed from the
// closed-form transforms of the Gaussian-windowed function (windowed_radon.hpp), never from the parameters.
//
// Why not |q| integrated over a grid (the route of seminorm.hpp for integrable f)? For a windowed neuron the
// filtered transform q_R = c_d d_t^2 Lambda^{d-1} R{phi_R f} is not absolutely integrable near the spike: at
// angle psi from the neuron's direction its profile in t is a zero-mean bump of width ~ psi R and L1 mass
// ~ 1 / psi (d = 2), so int |q_R| diverges with resolution whatever R (measured: it does not converge). The
// Dirac pair of THEORY.md s.3 appears only as the weak limit of q_R. So we measure mu the way the total
// variation of a measure is defined, as sup over partitions of sum |mu(cell)|, with cells that are exact
// boxes: a direction cap of half-angle A times an offset interval [t0, t1]. The box's measure is exact in t:
//
//   mu_R(cap x [t0, t1]) = int_cap [P(gamma, t1) - P(gamma, t0)] dgamma,  P = c_d d_t Lambda^{d-1} R{phi_R f},
//
// P an antiderivative of the density in t: d = 3: P = -c_3 d_t^3 R{phi_R f}, closed form (Lambda^2 = -d_t^2 is
// local); d = 2: P = c_2 H d_t^2 R{phi_R f}, the Hilbert transform of a closed-form function, computed as
// (1/pi) int_0^inf 2 (G(u) - u G'(0)) / u^3 du with G(u) = g(t - u) - g(t + u) (the principal value integrated
// by parts twice: a regular integrand, needing only g, which has kinks but no spikes), adaptive Gauss-Kronrod
// in log u. The integral over the cap is adaptive Gauss-Kronrod (d = 2: in the angle; d = 3: polar
// coordinates about the cap's centre).
//
// The window's error, and how it is controlled (THEORY.md s.8): mu_R -> mu weakly as R -> infinity, so each
// box converges. At offset frequency omega the window spreads a spike over directions within ~1 / (R omega)
// of it; what leaves the cap is a smooth bump of width ~ R A in t, so a box of half-width B around a spike
// loses a fraction ~ B / (R A) (measured: 1.5%, 0.68%, 0.34% for B = 0.02, A = 0.2, R = 4, 8, 16: exactly
// first order in 1/R). We therefore compute every box at R and 2R and extrapolate (Richardson):
// mu = 2 mu_{2R} - mu_R + O(R^-2) (measured residual: 4e-5 relative at R = 32 r, 1e-5 at 64 r).
//
// Where the boxes go (radon_rtv_ball):
//  1. Seeds: the local maxima of a coarse grid of q_R (the heat map: d = 2 FFT-filtered, d = 3 closed form) above
//     `detect` x its maximum.
//  2. Kinks: along a hyperplane's own direction gamma, d_t R{phi_R f}(gamma, .) jumps at its offset t by
//     (2 pi)^{(d-1)/2} R^{d-1} exp(-t^2 / 2R^2) a; at angle psi from gamma the second derivative is a bump of width
//     R tan(psi) there, unbounded as psi -> 0. From each seed a zooming grid search for the maximum of +-(that
//     bump) converges to the nearest kink of each sign, to ~1e-8 in angle and offset (the heat map resolves
//     pi / angles and dt only); the jump gives the kink estimate of a. Kinks found are subtracted (deflation) and
//     the search repeated, and the heat map is recomputed for f minus the kinks: so the partner of a pair closer
//     than the heat map's resolution, and a small spike beside a large one, are found too.
//  3. Clusters: kinks that no box boundary can separate with margins share one box. A box's offset edge may lie
//     anywhere between two kinks (the mass a box captures of a spike inside it does not depend, to first order
//     in 1/R, on where in the box it lies) but not closer than margin_t = 4e-4 R to a kink (d = 2: the Taylor
//     radius of the Hilbert quadrature); a cap's edge not closer than margin_a = 12 B / R (the spike then loses
//     < 1e-2 of its mass across it, first order). Same-sign kinks in one box add, as in the R-TV; opposite signs
//     cancel there, so such a box is reported as an unresolved pair (its value is |a1 + a2|, the R-TV counts
//     |a1| + |a2|). Resolved at the defaults (measured): opposite-sign pairs from ~3 heat-map cells apart in
//     d = 2 (both angle and offset), ~0.3 cells in d = 3.
//  4. Boxes: the offset interval [kinks' span -+ B], split at the midpoint from a neighbouring cluster whose cap
//     could meet it; the cap as large as max_cap allows while disjoint from the boxes overlapping it in offset.
//     Each box is measured on f minus the other clusters' kinks near it (their windowed leakage into the box,
//     which vanishes as R -> infinity but not as a power of 1/R; see radon_rtv_ball) at R and 2R, extrapolated.
// The R-TV on B_r is the sum of |a| = 2 |mu(box)| over the boxes of hyperplanes with |t| < r (each hyperplane
// is a pair of antipodal spikes). Only ReLU terms have spikes: smooth ridge terms are rejected (use the cap
// antiderivative, as claim R6 does).
#pragma once

#include <Eigen/Core>
#include <utility>
#include <vector>

#include "rtv/radon/radon2d.hpp"
#include "rtv/radon/windowed_radon.hpp"

namespace rtv {

/// P(gamma, t) = c_d d_t Lambda^{d-1} R{phi_R f}(gamma, t) (header comment). d = 2 or 3.
double measure_antiderivative(const WindowedRadon& wr, const Eigen::VectorXd& gamma, double t, double tol = 1e-10);

/// mu_R(cap(center, A) x [t0, t1]): directions within angle A of the unit vector `center`; t0 < t1. `core`
/// (<= A): the angle from the centre within which a spike may lie (one panel; the rest in log angle). d = 3:
/// `panels` adaptive panels in the azimuth (other spikes inside the cap are features localised in it).
double measure_box(const WindowedRadon& wr, const Eigen::VectorXd& center, double A, double core, double t0,
                   double t1, double tol = 1e-3, int panels = 24);

/// The cap-integrated antiderivative at several offsets: Pbar(t_i) = int_cap P(gamma, t_i) dgamma, so that
/// sum_i |Pbar(t_{i+1}) - Pbar(t_i)| is the partition TV of mu restricted to the cap (ridge functions).
std::vector<double> measure_cap_antiderivative(const WindowedRadon& wr, const Eigen::VectorXd& center, double A,
                                               double core, const std::vector<double>& offsets,
                                               double tol = 1e-3, int threads = 0);

/// The filtered transform q_R = c_d d_t^2 Lambda^{d-1} R{phi_R f} on a grid (for spike detection and
/// figures). d = 2: `angles` equispaced directions theta_k = k pi / angles in [0, pi) (the other half circle is
/// the mirror image (gamma, t) -> (-gamma, -t)), FFT-filtered with the band-limited kernel and a Hann window
/// over the whole support of the windowed transform. d = 3: sphere_rule(angles) (whole sphere), closed form.
/// Offsets t_m = (m - (M - 1)/2) dt covering [-extent, extent].
struct MeasureHeatmap {
  int d = 2;
  Eigen::MatrixXd directions;  ///< rows: unit directions
  std::vector<double> angles;  ///< d = 2: theta_k
  int grid_rows = 0, grid_cols = 0;  ///< direction grid shape (d = 2: angles x 1; d = 3: z nodes x azimuths)
  std::vector<double> offsets;
  double dt = 0.0;
  Array2D q;  ///< directions x offsets
};
MeasureHeatmap measure_heatmap(const WindowedRadon& wr, int angles, double extent, double dt, int threads = 0);

struct RecoveredSpike {
  Eigen::VectorXd gamma;  ///< direction of the box's centre: its strongest kink (canonical orientation)
  double t = 0.0;         ///< that kink's offset
  double a = 0.0;         ///< coefficient: 2 x the box's mass (Richardson-extrapolated)
  double mass_R = 0.0, mass_2R = 0.0;  ///< the box's measure at windows R and 2R
  double cap = 0.0, half_width = 0.0;  ///< the box: cap half-angle and offset half-width B about its kinks
  double t_lo = 0.0, t_hi = 0.0;       ///< the box's offset interval (centre's orientation)
  int kinks = 0;          ///< kinks in the box (> 1: hyperplanes closer than the boxes separate)
  double kink_a = 0.0;    ///< the sum of their kink estimates (not part of the value; a cross-check)
};

/// Two kinks of opposite signs that no box separates (closer than the margins of radon_rtv_ball in angle and
/// offset): their box measures |a1 + a2|, while the R-TV counts |a1| + |a2|. a1, a2: kink estimates.
struct UnresolvedPair {
  Eigen::VectorXd gamma1, gamma2;
  double t1 = 0.0, t2 = 0.0, a1 = 0.0, a2 = 0.0;
  double angle = 0.0, offset = 0.0;  ///< their distance (hyperplane_distance)
};

/// radon_rtv_ball's radii: r in [kMinRadius, kMaxRadius] (the window's powers of R stay within double precision).
inline constexpr double kMinRadius = 1e-50, kMaxRadius = 1e50;

struct RadonRtvOptions {
  double window = 0.0;      ///< R (0: 32 r; else >= r); boxes are also computed at 2R
  double detect_window = 0.0;  ///< window of the detection heat map (0: d = 2: 2 r, d = 3: r / 2)
  int angles = 0;           ///< detection grid: d = 2 angles in [0, pi) (0: 256, else >= 64); d = 3 Gauss-Legendre nodes (0: 40, else >= 16)
  double dt = 0.0;          ///< detection offset step (0: r / 64)
  double detect = 1e-4;     ///< seeds: local maxima of |q| above detect x max |q|
  double max_cap = 0.2;     ///< largest cap half-angle of a box (radians)
  double half_width = 0.0;  ///< offset half-width B of a box about its kinks (0: max(1.5 dt, 4e-4 R))
  /// relative tolerance of the adaptive quadrature over a box's directions. Measured: 1e-3 gives the boxes to
  /// ~1e-5; 1e-5 can meet the rounding floor of the nested Hilbert quadrature and then costs 10-20x.
  double tol = 1e-3;
  int threads = 0;
};

struct RadonRtv {
  double value = 0.0;           ///< numerical R-TV on B_r: sum of |a| over the boxes with |t| < r (extrapolated)
  double value_R = 0.0, value_2R = 0.0;  ///< the same from the windows R and 2R alone
  double window = 0.0, r = 0.0;
  std::vector<RecoveredSpike> spikes;  ///< one per box with |t| < r
  /// Opposite-sign pairs sharing a box (|t| < r): `value` misses up to 2 min(|a1|, |a2|) for each. Empty when
  /// every pair of hyperplanes was separated.
  std::vector<UnresolvedPair> unresolved;
  int kinks = 0;                ///< kinks found (all offsets up to 1.25 r)
  MeasureHeatmap heatmap;       ///< the detection heat map
  RadonRtvOptions options;      ///< with the defaults resolved
};

/// Numerical R-TV of f on B_r from its windowed Radon transform (header comment). d = 2 or 3. Throws InputError
/// naming "f" (d not 2 or 3, a smooth term), "radius" (r not positive finite) or "angles" (< 0, or below 64 for
/// d = 2 / 16 for d = 3: too coarse to separate spikes).
RadonRtv radon_rtv_ball(const RidgeSum& f, double r, const RadonRtvOptions& options = {});

/// The angle between two unit vectors (atan2 form: accurate for small and near-pi angles).
double angle_between(const Eigen::VectorXd& a, const Eigen::VectorXd& b);

/// Distance between hyperplanes (gamma1, t1), (gamma2, t2), each ~ (-gamma, -t): (angle, offset difference) in
/// the orientation with the smaller angle.
std::pair<double, double> hyperplane_distance(const Eigen::VectorXd& g1, double t1, const Eigen::VectorXd& g2,
                                              double t2);

/// Canonical orientation of a hyperplane (gamma, t) ~ (-gamma, -t): the largest-magnitude component of gamma
/// positive (as in norms.hpp).
void canonical_hyperplane(Eigen::VectorXd& gamma, double& t);

}  // namespace rtv
