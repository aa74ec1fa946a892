// rtv/solvers/reduce.hpp: the neuron bound of THEORY.md s.5, made constructive. Given any shallow network and N data
// points that affinely span R^d, reduce_network returns a network with at most N - (d + 1) neurons (N - 1
// without skip connection) that takes the same values at the data and has no larger path norm. It is the
// Caratheodory / basic-solution argument behind the representer theorem: a solution of the data-fit problem with
// few neurons exists because any network can be pruned to one.
//
// Conventions (THEORY.md s.1, s.2, s.5):
//   * Neuron k in normalised form: v_k sigma(w_k . x - b_k) = a_k sigma(gamma_k . x - t_k), a_k = v_k |w_k|,
//     gamma_k = w_k/|w_k|, t_k = b_k/|w_k| (normalise() in norms.hpp). The path norm is sum_k |a_k|.
//   * Points are the ROWS of X (N x d). A[n, k] = sigma(gamma_k . x_n - t_k) is the data-activation matrix.
//   * Every network written here is balanced: w = sqrt|a| gamma, b = sqrt|a| t, v = sign(a) sqrt|a|, so that its
//     weight decay equals its path norm (THEORY.md s.2).
//   * The affine part: with skip connection (net.skip) both c and c0 are free, the moves may change the network
//     by any affine function on the data, and the bound is N - (d + 1). Without skip connection only c0 is free
//     (c = 0 stays), so only the constant column is projected out and the bound is N - 1: an affine function on
//     the data is not free there (it costs neurons, THEORY.md s.4).
//
// The two steps:
//   1. merge_neurons: one neuron per distinct hyperplane (distinct_hyperplanes in norms.hpp decides which share
//      one). Same orientation: the coefficients add. Antipodal orientation, with skip connection:
//        a sigma(gamma . x - t) = a sigma(-gamma . x + t) + a (gamma . x - t),
//      so the neuron is flipped and its affine part goes into (c, c0); without skip connection antipodal neurons
//      stay separate (one neuron per orientation). Neurons with w = 0 are the constants v sigma(-b): into c0.
//      The function is unchanged everywhere for exact duplicates (up to rounding). Neurons merged because they
//      are within HyperplaneMergeOptions::tol of each other are replaced by the cluster's representative
//      hyperplane (gamma_H, t_H), which changes f at x by at most
//        sum_k |a_k| (|gamma_k -+ gamma_H| |x| + |t_k -+ t_H|) <= sum_k |a_k| tol (sqrt(d) |x| + max(1, |t|))
//      per direct merge (single linkage: a chain of m near-duplicates can drift m - 1 times that). This is a
//      change of the function by design, of relative size ~tol of the evaluation scale per merge (the offset
//      tolerance is absolute for |t| < 1, so relatively larger for data much smaller than 1); it is the one
//      change reduce_network cannot undo. HyperplaneMergeOptions{0.0} merges only bit-identical normalised
//      hyperplanes; exact copies that differ by rounding are then left to step 2, which removes them exactly.
//   2. reduce_network (THEORY.md s.5): project the columns of A onto the orthogonal complement of the affine
//      columns [X, 1] (just 1 without skip). While the projected columns on the support are linearly
//      dependent, take a null vector z (A z is affine on the data), move a along +z or -z, whichever does not
//      increase sum |a_k| (the sign of the directional derivative sum_k sign(a_k) z_k decides), until the first
//      coefficient reaches zero; set it to exactly 0 and drop the neuron. Re-fit the affine part by least
//      squares at the end. sum |a_k| is linear along each move (no coefficient changes sign before the first
//      reaches zero), so the path norm never increases; the data values change only by the affine function
//      the re-fit absorbs. The survivors are linearly independent (to rank_tol) together with [X, 1]: at most
//      N - (d + 1) of them. Dead neurons (sigma = 0 at every data point) have zero columns and are always
//      removed; neurons active at every data point are affine on the data, project to zero with skip connection
//      and are removed (the re-fit takes over their affine function); without skip connection such a neuron is
//      a genuine column (only its constant part is free).
//
// Implementation: an exchange scheme. Columns are inserted one at a time against an independent "basis" set
// held as an updated thin QR factorisation (Q orthonormal N x m, R upper triangular). A column whose residual
// after projection on the basis is small (see ReduceOptions::rank_tol) gives the null vector
// z = e_new - sum_i y_i e_basis(i), y the least-squares coefficients. After the move either the new column is
// gone, or one basis column is gone (its QR factor is downdated by Givens rotations) and the new column is
// tried again. Cost O(K N m) with m <= N - (d + 1): K = 2000, N = 200, d = 2 in ~0.15 s (tests/test_reduce.cpp);
// K = 5000, N = 1000 in ~6 s.
// Memory: A and its projection, 2 N K doubles, plus Q and R (N m + m^2).
//
// Where accuracy is lost: (1) merging near-duplicates within merge.tol (step 1 above). (2) Rank decisions are
// made with a relative tolerance (rank_tol), so a column whose distance from the span of the basis is below it
// counts as dependent and the move changes the data values by at most |step| times that residual:
// <= rank_tol (|A_j| + sum_i |y_i| |A_basis(i)|) |step| per move (2-norm over the data; the columns' own norms
// before the projection, so that dead neurons with huge offsets, t = b/|w| ~ 1e18 after weight decay, do not set
// the scale for the others). Neurons affine on the data to tol::kAffineOnData are dropped before the exchange. (3) The re-fit is a
// least-squares solve with [X, 1] of condition ~ (|x| + spread) / spread. Measured (tests/test_reduce.cpp):
// data values unchanged to <= 1.2e-15 of the evaluation scale on random networks, duplicated / antipodal /
// dead / all-active neurons, near-duplicate chains, offset and clustered data (the guarantee tested is 1e-9;
// a stress run of 3000 such cases: 3e-14); path norm never above the input's by more than 4e-16 relative.
//
// Bad input (non-finite values, coincident points, data that do not affinely span R^d, a dimension mismatch,
// an invalid option) throws InputError naming the problem (error.hpp).
#pragma once

#include <Eigen/Core>
#include <string>

#include "rtv/nets/network.hpp"
#include "rtv/nets/norms.hpp"
#include "rtv/core/tolerances.hpp"

namespace rtv {

namespace tol {

/// Numerical rank of the centred data (affine_rank): singular values of X - mean(X) below this times the
/// largest are zero. Points computed on a line or plane in floating point (e.g. x2 = 2 x1 + 1 rounded) leave a
/// smallest singular value of ~sqrt(N) eps |x| ~ 1e-14 of the largest; 1e-10 is four orders above that, and
/// data thinner than 1e-10 of their extent in some direction are too flat for the bound to mean anything.
inline constexpr double kAffineRank = 1e-10;

/// The exchange step of reduce_network: a projected column c = P A_j counts as a combination of the basis
/// columns B when its least-squares residual |c - B y| <= this * (|A_j| + sum_i |y_i| |A_B(i)|), with the norms of
/// the columns of the activation matrix A BEFORE the projection (the projection leaves ~eps |A_k| of a column that
/// is affine on the data, so the unprojected norm is the scale of rounding; relative to PROJECTED norms a network
/// whose neurons are all affine on the data would look independent; and per column, not the largest over A, since
/// a dead neuron with t ~ 1e18 would otherwise make every column look dependent). The scale bounds the size of the
/// terms that cancel, so a backward-stable solve leaves a residual of a few eps on it for a column that is exactly
/// dependent: measured below 1e-15 in ~10^5 such decisions (N <= 2000, d <= 5, data offset and clustered,
/// tests/test_reduce.cpp and a stress run), so 1e-14 keeps a margin of 10 above rounding.
/// It is this small because it is also the size of the error: a move along a null vector with residual r
/// changes the data values by step * r, at most this * (scale above) * step per move (2-norm over the data). With
/// 1e-12, near-duplicate neurons (columns that differ by 1e-7) gave data-value changes up to 2e-9 of the
/// evaluation scale; with 1e-14 the worst of 3000 random cases is 3e-14. A column that is dependent only at the
/// rounding level but above this is kept: the bound N - (d + 1) still holds, one neuron may be superfluous.
inline constexpr double kReduceRank = 1e-14;
/// A neuron whose data column, with [X, 1] projected out, is <= this fraction of the column is affine on the data
/// (or dead) and is dropped, its values going to the affine part: the data values change by at most this times
/// |a_k| |A_k|_2 (2-norm over the data), <= 1e-12 sqrt(N) of the evaluation scale. Above rounding (~1e-16 N) by
/// a wide margin, so exactly affine neurons (active at every point) are always caught.
inline constexpr double kAffineOnData = 1e-12;

}  // namespace tol

/// Dimension of the affine hull of the N points (rows of X): the numerical rank of X - mean(X) by a
/// singular value decomposition, singular values <= rel_tol times the largest counted as zero. It equals
/// rank([X, 1]) - 1 (0 for a single point). The points affinely span R^d iff affine_rank == d.
int affine_rank(const Eigen::MatrixXd& X, double rel_tol = tol::kAffineRank);

/// Throws InputError "<source>: ..." unless the rows of X are finite, pairwise distinct (a duplicate names the
/// two row indices, 0-based) and affinely span R^d (affine_rank(X, tol::kAffineRank) == d, which needs
/// N >= d + 1). The neuron bound N - (d + 1) of THEORY.md s.5 is stated for such data.
void require_affine_span(const Eigen::MatrixXd& X, const std::string& source);

/// One neuron per distinct hyperplane, written balanced; the function unchanged (see the header comment for
/// the exact rules, and for the bounded change when near-duplicates within opt.tol are merged). Same
/// orientation: coefficients add. Antipodal: flipped, its affine part into (c, c0), only with net.skip;
/// without skip connection each orientation keeps its own neuron. w = 0 neurons are folded into c0;
/// merged coefficients that are zero (or cancel to rounding, as in distinct_hyperplanes) are dropped.
/// path_norm(result) <= path_norm(net) up to rounding. Throws InputError if net is invalid.
ShallowNet merge_neurons(const ShallowNet& net, const HyperplaneMergeOptions& opt = {});

struct ReduceOptions {
  /// Relative tolerance of the exchange step's dependence test (tol::kReduceRank; see there).
  double rank_tol = tol::kReduceRank;
  /// Which neurons merge_neurons treats as one hyperplane (default tol::kHyperplaneMerge). Merging
  /// near-duplicates changes f by up to ~tol of the evaluation scale per merge (more along chains), the only
  /// change of the data values beyond rounding, and it is included in max_value_change. merge.tol = 0 keeps the
  /// data values to rounding (step 2 then removes rounding-level copies itself).
  HyperplaneMergeOptions merge;
  /// Throws InputError naming the option: rank_tol must be in (0, 1), merge.tol finite and >= 0.
  void validate() const;
};

struct ReductionResult {
  ShallowNet net;                  ///< the reduced network, balanced; same skip flag as the input
  int neurons_in = 0;              ///< width of the input network
  int neurons_merged = 0;          ///< width after merge_neurons
  int neurons_out = 0;             ///< width of `net`; <= bound
  int bound = 0;                   ///< N - (d + 1) with skip connection, N - 1 without (THEORY.md s.5)
  double path_norm_in = 0.0;       ///< path norm of the input network
  double path_norm_out = 0.0;      ///< path norm of `net` (<= path_norm_in up to rounding)
  /// max_n |f_out(x_n) - f_in(x_n)| / S_n, S_n = evaluation_scale of the INPUT network at x_n (network.hpp).
  double max_value_change = 0.0;
  /// Null-space moves made. Each drops one neuron; a coefficient that lands on exactly 0 in the same move (a tie)
  /// is dropped too, so neurons_merged - neurons_out >= steps, with equality but for such ties.
  int steps = 0;
};

/// The Caratheodory reduction of THEORY.md s.5 (see the header comment). X: N x d data points, which must
/// affinely span R^d (require_affine_span, source "data"); X.cols() must equal net.dim(). The data values are
/// kept (max_value_change reports how well), the path norm does not increase, and at most `bound` neurons
/// remain. A network that already has <= bound neurons with independent columns only goes through
/// merge_neurons (and loses neurons that are dead or affine on the data). Throws InputError on bad input.
ReductionResult reduce_network(const ShallowNet& net, const Eigen::MatrixXd& X, const ReduceOptions& opt = {});

}  // namespace rtv
