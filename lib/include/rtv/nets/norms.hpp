// rtv/nets/norms.hpp: weight decay, path norm, balancing and the exact R-TV seminorm of a shallow network.
//
//   WD(theta) = 1/2 sum_k (v_k^2 + |w_k|^2)        (THEORY.md s.1; b and (c, c0) not regularised)
//   PN(theta) = sum_k |v_k| |w_k|                  (Euclidean |w_k|)
//   min over rescalings of WD = PN, at |v_k| = |w_k| (balance; THEORY.md s.2, AM-GM)
//   RTV(f)    = sum over distinct hyperplanes H of |sum_{k on H} a_k|,   a_k = v_k |w_k|   (THEORY.md s.3)
//
// Normalised neuron (THEORY.md s.1): gamma_k = w_k/|w_k|, t_k = b_k/|w_k|, a_k = v_k |w_k|, so that
// v_k sigma(w_k . x - b_k) = a_k sigma(gamma_k . x - t_k). (gamma, t) and (-gamma, -t) are the same
// hyperplane; on a shared hyperplane the a_k add, whatever the orientation (sigma(z) - sigma(-z) = z is
// affine and has RTV 0). A neuron with w_k = 0 is a constant: RTV 0. Neurons "share" a hyperplane up to
// tol::kHyperplaneMerge (see HyperplaneMergeOptions); merging is transitive (single linkage).
//
// Accuracy: everything here is a finite sum; relative rounding error ~ K eps except the merge decision,
// which is a tolerance by design.
#pragma once

#include <Eigen/Core>
#include <vector>

#include "rtv/nets/network.hpp"
#include "rtv/core/tolerances.hpp"

namespace rtv {

double weight_decay(const ShallowNet& net);
double path_norm(const ShallowNet& net);

/// The rescaling (v, w, b) -> (v/a_k, a_k w, a_k b) of THEORY.md s.2, one a_k > 0 per neuron.
ShallowNet rescale(const ShallowNet& net, const Eigen::VectorXd& a);

/// Rescale every neuron to |v_k| = |w_k| (a_k^2 = |v_k|/|w_k|), which minimises WD over rescalings; the
/// function is unchanged. Degenerate neurons: v_k = 0 -> the neuron is the zero function and becomes
/// (0, 0, 0); w_k = 0 -> the neuron is the constant v_k sigma(-b_k): it is moved into the output bias c0 and
/// the neuron zeroed (the rescaling alone would only approach WD = 0 as a -> infinity).
ShallowNet balance(const ShallowNet& net);

/// max over neurons with v_k != 0 and w_k != 0 of | |v_k| - |w_k| | / max(|v_k|, |w_k|); 0 if none.
double max_imbalance(const ShallowNet& net);

/// Default of BalanceCheck's carry_tol: a neuron is judged when its weight-decay term WD_k = 1/2 (v_k^2 + |w_k|^2)
/// is at least 1e-6 of the largest one. Why WD_k and not |v_k||w_k|: WD_k bounds both the neuron's share of the
/// function (|v_k||w_k| <= WD_k, AM-GM; a_k = v_k |w_k| is its R-TV coefficient, THEORY.md s.3) and its share of
/// WD - PN (WD_k - |v_k||w_k| = 1/2 (|v_k| - |w_k|)^2 <= WD_k), so an excluded neuron can hide neither; by
/// |v_k||w_k| alone a neuron v = 1, w = 1e-8 (no function, half a unit of weight decay, far from stationary)
/// would be excluded. Why exclude at all: a neuron the data no longer uses gets no data gradient, so weight decay
/// shrinks v_k and w_k by the same factor e^{-lambda t} and its ratio |v_k|/|w_k| never improves: stationary
/// PyTorch nets keep such neurons at ~1e-7 of the largest with imbalance ~1 while (WD - PN)/PN ~ 1e-9 (issue 14).
/// Why 1e-6: a convention, not a derived bound. It is far below any neuron that matters (K excluded neurons hold at most
/// K * 1e-6 of the largest neuron's weight decay, and so of its path norm and excess) and an order above the
/// float32 rounding of the largest neuron (2^-24 = 6e-8 of its terms): a neuron below that changes the function
/// less than storing the largest neuron in float32 already does. No threshold is right for every run: rtv
/// inspect --carry-tol changes it and reports the excluded neurons and their share of WD next to the verdict,
/// and relative_excess (below) does not depend on it.
inline constexpr double kCarryRelTol = 1e-6;

/// The balance of a network as THEORY.md s.2 states it: at a stationary point of weight-decay training every
/// neuron is balanced (|v_k| = |w_k|) and WD = PN. Imbalance of neuron k: | |v_k| - |w_k| | / max(|v_k|, |w_k|)
/// (1 when exactly one of them is 0: such a neuron costs weight decay and is never stationary).
struct BalanceCheck {
  double carry_tol = kCarryRelTol;  ///< neurons with WD_k >= carry_tol * max_j WD_j are judged
  int judged = 0;                   ///< neurons judged (WD_k > 0 and above the threshold)
  int excluded = 0;                 ///< neurons with 0 < WD_k < carry_tol * max_j WD_j (left out of the verdict)
  double excluded_wd_share = 0.0;   ///< sum of the excluded WD_k over WD (0 if WD = 0)
  double max_imbalance = 0.0;       ///< over the judged neurons (0 if none): the verdict's number
  double max_imbalance_all = 0.0;   ///< over every neuron with WD_k > 0
  /// |WD - PN| / PN, computed as sum_k 1/2 (|v_k| - |w_k|)^2 / PN (the same quantity without the cancellation
  /// of WD - PN, so it is accurate also near 0). 0 if WD = 0; +infinity if PN = 0 < WD.
  double relative_excess = 0.0;
  /// Every judged neuron balanced to `tol` (relative imbalance).
  bool balanced(double tol) const { return max_imbalance <= tol; }
};

/// The balance check with threshold carry_tol in [0, 1) (0: judge every neuron with WD_k > 0).
BalanceCheck check_balance(const ShallowNet& net, double carry_tol = kCarryRelTol);

struct NormalisedNeuron {
  Eigen::VectorXd gamma;  ///< unit direction w/|w|
  double t = 0.0;         ///< offset b/|w|
  double a = 0.0;         ///< coefficient v |w|
  int index = -1;         ///< neuron index in the network it came from
};

/// The normalised form of every neuron with w_k != 0 (THEORY.md s.1). Neurons with w_k = 0 are omitted.
std::vector<NormalisedNeuron> normalise(const ShallowNet& net);

struct HyperplaneMergeOptions {
  /// Tolerance of "same hyperplane": |gamma1 - s gamma2|_inf <= tol and |t1 - s t2| <= tol max(1, |t1|, |t2|).
  double tol = tol::kHyperplaneMerge;
};

/// A distinct hyperplane {x : gamma . x = t} with the summed coefficient of the neurons on it.
struct Hyperplane {
  Eigen::VectorXd gamma;    ///< canonical orientation: the largest-magnitude component of gamma is > 0
  double t = 0.0;
  double a = 0.0;           ///< sum of a_k over the merged neurons (orientation does not change the sign)
  std::vector<int> neurons; ///< indices of the merged neurons
};

/// Merge neurons that share a hyperplane (equal or antipodal (gamma, t)); O(K^2) comparisons.
std::vector<Hyperplane> distinct_hyperplanes(const ShallowNet& net, const HyperplaneMergeOptions& opt = {});

/// Exact R-TV of the network on R^d (THEORY.md s.3): sum over distinct hyperplanes of |a_H|.
double rtv_exact(const ShallowNet& net, const HyperplaneMergeOptions& opt = {});

/// Exact R-TV on the open ball B_r: only hyperplanes with |t| < r meet it (THEORY.md s.3). r > 0.
double rtv_exact_ball(const ShallowNet& net, double r, const HyperplaneMergeOptions& opt = {});

/// Number of hyperplanes whose merged coefficient is nonzero (|a_H| > 0).
int count_active_hyperplanes(const std::vector<Hyperplane>& planes);

/// d = 1: a knot of the linear spline f at x with slope jump f'(x+) - f'(x-) (THEORY.md s.4).
struct Knot {
  double x = 0.0;
  double jump = 0.0;
};

/// d = 1: the knots x = b_k/w_k (merged, sorted, zero jumps dropped); TV(f') = sum |jump|.
std::vector<Knot> knots_1d(const ShallowNet& net, const HyperplaneMergeOptions& opt = {});

/// d = 1: TV(f') on R, which equals rtv_exact (THEORY.md s.3, d = 1).
double tv_derivative_1d(const ShallowNet& net, const HyperplaneMergeOptions& opt = {});

}  // namespace rtv
