// rtv/solvers/approx.hpp: K-term approximation of functions of bounded R-TV (THEORY.md s.7).
//
// What it is for: the rate claims (A1-A3). A target with a KNOWN Radon-domain measure is a network
// f = sum_k a_k sigma(gamma_k . x - t_k) + c . x + c0 with unit gamma_k: its measure is sum_k a_k delta_(gamma_k, t_k)
// (THEORY.md s.3), |mu| = sum |a_k| when the hyperplanes are distinct (they are, almost surely, for the random
// targets below). Maurey's sampling draws K neurons i.i.d. from |a_k| / |mu| and gives each sign(a_k) |mu| / K:
// E f_K = f, and for any probability P on the inputs (i.i.d. sampling: the variance of one draw over K)
//   E |f - f_K|^2_{L2(P)} = ( |mu| sum_k |a_k| E_P[sigma_k^2] - E_P[(f - affine)^2] ) / K,
// so the RMS error falls like K^{-1/2} whatever d (THEORY.md s.7, Maurey/Barron).
// Conventions: L2 on the unit ball with the uniform probability measure, estimated on sample points.
#pragma once

#include <Eigen/Core>
#include <vector>

#include "rtv/nets/network.hpp"
#include "rtv/core/random.hpp"

namespace rtv {

/// P points uniform in the unit ball of R^d (direction from a Gaussian, radius U^{1/d}); P x d.
Eigen::MatrixXd uniform_ball(Rng& rng, int P, int d);

/// A target of known measure: M unit neurons, gamma uniform on the sphere, t uniform in [-t_max, t_max], a_k = +-1/M
/// with random signs (|mu| = 1), no affine part. The default t_max = 1/sqrt(d) (t_max <= 0) keeps the neurons active
/// on a fixed share of the ball in every d (gamma . x has standard deviation ~ 1/sqrt(d + 2) for uniform x).
ShallowNet random_measure_target(Rng& rng, int d, int M, double t_max = 0.0);

/// Maurey's K-term sample of `target` (THEORY.md s.7): K neurons drawn i.i.d. from |a_k| / sum |a|, each with
/// coefficient sign(a_k) sum|a| / K (written balanced), plus the target's affine part. Neurons with w = 0 are not
/// drawn (they are constants: moved to c0 exactly).
ShallowNet maurey_sample(const ShallowNet& target, int K, Rng& rng);

/// The exact expectation E |f - f_K|^2 over Maurey's sampling, with |.| the mean over the rows of X (THEORY.md s.7):
/// (|mu| sum_k |a_k| mean_n sigma_k(x_n)^2 - mean_n g(x_n)^2) / K, g = f minus its affine part.
double maurey_expected_squared_error(const ShallowNet& target, const Eigen::MatrixXd& X, int K);

// ---- adaptive K-term approximation: the orthogonal greedy algorithm (claims A2, A3) ----
//
// Dictionary: unit neurons sigma(gamma . x - t), |gamma| = 1, on points in the unit ball (|gamma . x| <= 1, so only
// |t| <= 1 matters; the rest is affine or zero there). The affine part (the null space of RTV, THEORY.md s.6) is in
// the span from the start. Norm: the empirical L2 norm |g|^2 = mean_n g(x_n)^2 of the points X (the rates of
// THEORY.md s.7 hold in L2 of any probability measure on the ball; with uniform points this estimates L2 on the
// ball).
//
// Orientation: for a residual r orthogonal to 1 and to the coordinates of X, sum_n r_n sigma(-(p_n - t)) =
// sum_n r_n sigma(p_n - t) (sigma(z) - sigma(-z) = z is affine), so a direction and its opposite give the same
// correlation and the search runs over half the sphere.

/// max over t of |sum_n r_n sigma(p_n - t)| (exact: the sum is piecewise linear in t with kinks at the p_n, so the
/// maximum is at one of them; O(P log P), one sort and suffix sums). The maximising t is written to *t.
double best_offset(const Eigen::VectorXd& p, const Eigen::VectorXd& r, double* t);

/// best_neuron's screening and refinement score of a direction, exposed for its test: the maximum over the cell
/// edges e_j = -1 + 2j/B (j = 0 .. B - 1; B = bins cells of width 2/B in [-1, 1], points outside in the end cells)
/// of |sum of r_n (p_n - e_j) over the points of the cells >= j|, which equals best_offset's objective at the
/// offsets e_j. Visits only the occupied cells (exact: see approx.cpp). The second form scores every column of
/// proj (P x D) as the screening does, several columns at a time; both give the same doubles as a scan of every
/// cell of one column.
double binned_offset_score(const Eigen::VectorXd& p, const Eigen::VectorXd& r, int bins);
std::vector<double> binned_offset_scores(const Eigen::MatrixXd& proj, const Eigen::VectorXd& r, int bins);

struct UnitNeuron {
  Eigen::VectorXd gamma;  ///< unit direction
  double t = 0.0;         ///< offset
  double value = 0.0;     ///< |sum_n r_n sigma(gamma . x_n - t)|
};

/// The greedy step's argmax: the unit neuron most correlated with a residual r orthogonal to [1, X].
///   d = 1: exact (best_offset of x).
///   d >= 2: a documented search. Screening: `directions` directions over the half sphere (d = 2: equally spaced
///   angles in [0, pi); d = 3: a Fibonacci lattice of the upper hemisphere; d > 3: Gaussian directions from rng),
///   each scored exactly at the offsets of a grid of `bins` cells in [-1, 1] (the correlation is piecewise linear
///   in t, so the score is exact at the grid offsets and within one cell's slope of the best offset), O(P) per
///   direction after one GEMM. Refinement: the `candidates` best directions are improved by a random local search
///   scored on a grid 8 x finer: `refine_steps` trial directions per candidate with a step that shrinks by 0.9
///   after each rejected trial (start: 3 x the screening spacing); the best refined direction gets its exact best
///   offset (best_offset) and is polished by `polish_steps` steps of projected gradient ascent on the sphere
///   (exact offsets; a step is kept only if the exact value increases). Checked against the exact 2D oracle of
///   certified.hpp in the tests (it finds the exact supremum's value to 1e-3 relative there).
struct NeuronSearchOptions {
  int directions = 0;  ///< 0: d = 2: 256; d = 3: 1024; d > 3: 256 d
  int bins = 512;
  int candidates = 4;
  int refine_steps = 40;
  int polish_steps = 30;
};
UnitNeuron best_neuron(const Eigen::MatrixXd& X, const Eigen::VectorXd& r, Rng& rng,
                       const NeuronSearchOptions& o = {});

/// The orthogonal greedy algorithm (OGA; Siegel & Xu 2022, THEORY.md s.7): start from the projection of y on the
/// affine functions; K times add the unit neuron of best_neuron() for the current residual and re-project y on
/// the span of all chosen neurons and the affine part (modified Gram-Schmidt, twice). Siegel & Xu prove
/// |f - f_K| <= C |f|_RBV K^{-(d+3)/(2d)} for this algorithm with an exact argmax (a weak argmax changes C only).
struct GreedyResult {
  ShallowNet net;                  ///< the K-term approximant (least-squares output weights and affine part)
  std::vector<double> rms_error;   ///< RMS residual on X after k = 0, 1, ..., K neurons
};
GreedyResult orthogonal_greedy(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, int K, Rng& rng,
                               const NeuronSearchOptions& o = {});

// ---- the non-adaptive baseline (claim A3) ----

/// A fixed dictionary of ridge atoms chosen without looking at the target: n_dir directions x n_off offsets,
/// n_dir = max(1, round(K^{(d-1)/d})) and n_off = max(1, K / n_dir) (equal resolution in direction and offset),
/// offsets at the cell centres of [-1, 1] (the range of gamma . x on the ball), directions as in best_neuron's
/// screening (d > 3: Gaussian directions from the fixed seed 1). Returned as a balanced network of unit neurons
/// with v = 0 (width n_dir n_off <= K).
ShallowNet ridge_grid(int d, int K);

/// The least-squares output weights and affine part of the neurons of `atoms` for data (X, y) (column-pivoted
/// QR): the non-adaptive K-term approximant.
ShallowNet least_squares_output(const ShallowNet& atoms, const Eigen::MatrixXd& X, const Eigen::VectorXd& y);

}  // namespace rtv
