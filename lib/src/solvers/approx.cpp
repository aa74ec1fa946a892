// K-term approximation (THEORY.md s.7); see rtv/solvers/approx.hpp.
#include "rtv/solvers/approx.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "rtv/core/error.hpp"
#include "rtv/core/linalg.hpp"
#include "rtv/nets/norms.hpp"

namespace rtv {

Eigen::MatrixXd uniform_ball(Rng& rng, int P, int d) {
  RTV_ASSERT(P >= 0 && d >= 1, "uniform_ball: P >= 0, d >= 1");
  Eigen::MatrixXd X(P, d);
  for (int p = 0; p < P; ++p) {
    Eigen::VectorXd g = rng.normal_vector(d);
    const double r = std::pow(rng.uniform(), 1.0 / d);
    X.row(p) = (r / g.norm()) * g.transpose();
  }
  return X;
}

ShallowNet random_measure_target(Rng& rng, int d, int M, double t_max) {
  RTV_ASSERT(d >= 1 && M >= 1, "random_measure_target: d, M >= 1");
  ShallowNet f = ShallowNet::zeros(d, M, true);
  const double tmax = t_max > 0 ? t_max : 1.0 / std::sqrt(static_cast<double>(d));
  for (int k = 0; k < M; ++k) {
    Eigen::VectorXd g = rng.normal_vector(d);
    g /= g.norm();
    const double a = (rng.uniform() < 0.5 ? -1.0 : 1.0) / M, s = std::sqrt(std::abs(a));
    f.W.row(k) = s * g.transpose();
    f.b(k) = s * rng.uniform(-tmax, tmax);
    f.v(k) = a > 0 ? s : -s;
  }
  return f;
}

ShallowNet maurey_sample(const ShallowNet& target, int K, Rng& rng) {
  RTV_ASSERT(K >= 1, "maurey_sample: K >= 1");
  const std::vector<NormalisedNeuron> nn = normalise(target);
  ShallowNet f = ShallowNet::zeros(target.dim(), K, target.skip);
  f.c = target.c;
  f.c0 = target.c0;
  for (int k = 0; k < target.width(); ++k)  // w = 0: the constant v relu(-b)
    if (target.W.row(k).norm() == 0.0) f.c0 += target.v(k) * std::max(0.0, -target.b(k));
  std::vector<double> cdf;
  double total = 0;
  for (const auto& n : nn) cdf.push_back(total += std::abs(n.a));
  if (nn.empty() || total == 0.0) return ShallowNet::zeros(target.dim(), 0, target.skip);
  const double coef = total / K, s = std::sqrt(coef);
  for (int j = 0; j < K; ++j) {
    const double u = rng.uniform() * total;
    const std::size_t i = std::min<std::size_t>(std::upper_bound(cdf.begin(), cdf.end(), u) - cdf.begin(),
                                                 nn.size() - 1);
    f.W.row(j) = s * nn[i].gamma.transpose();
    f.b(j) = s * nn[i].t;
    f.v(j) = nn[i].a > 0 ? s : -s;
  }
  return f;
}

double maurey_expected_squared_error(const ShallowNet& target, const Eigen::MatrixXd& X, int K) {
  const std::vector<NormalisedNeuron> nn = normalise(target);
  const Eigen::Index P = X.rows();
  double total = 0, second = 0;
  Eigen::VectorXd g = Eigen::VectorXd::Zero(P);
  for (const auto& n : nn) {
    total += std::abs(n.a);
    const Eigen::VectorXd s = ((X * n.gamma).array() - n.t).cwiseMax(0.0).matrix();
    second += std::abs(n.a) * s.squaredNorm() / P;
    g += n.a * s;
  }
  return (total * second - g.squaredNorm() / P) / K;
}

}  // namespace rtv

// ---------------------------------------------------------------- the greedy oracle and OGA

namespace rtv {

double best_offset(const Eigen::VectorXd& p, const Eigen::VectorXd& r, double* t) {
  const Eigen::Index P = p.size();
  // (p_i, r_i) pairs sorted by p alone: the sort sees the same comparisons as a sort of indices by p, so it makes
  // the same permutation (ties included), without the indirect loads.
  std::vector<std::pair<double, double>> pr(static_cast<std::size_t>(P));
  for (Eigen::Index i = 0; i < P; ++i) pr[static_cast<std::size_t>(i)] = {p(i), r(i)};
  std::sort(pr.begin(), pr.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  // c(p_m) = sum_{p_i > p_m} r_i (p_i - p_m) = S1 - p_m S0 with suffix sums over the larger projections.
  double S0 = 0, S1 = 0, best = -1, tb = 0;
  for (Eigen::Index m = P - 1; m >= 0; --m) {
    const auto [pm, rm] = pr[static_cast<std::size_t>(m)];
    const double c = std::abs(S1 - pm * S0);
    if (c > best) best = c, tb = pm;
    S0 += rm;
    S1 += rm * pm;
  }
  if (t) *t = tb;
  return std::max(best, 0.0);
}

namespace {

// Screening directions over the half sphere (approx.hpp, best_neuron), as rows.
Eigen::MatrixXd half_sphere_directions(int d, int n, Rng& rng) {
  Eigen::MatrixXd G(n, d);
  const double golden = M_PI * (3.0 - std::sqrt(5.0));
  for (int k = 0; k < n; ++k) {
    if (d == 1) {
      G(k, 0) = 1.0;
    } else if (d == 2) {
      const double th = M_PI * (k + 0.5) / n;
      G(k, 0) = std::cos(th), G(k, 1) = std::sin(th);
    } else if (d == 3) {
      const double z = 1.0 - (k + 0.5) / n, s = std::sqrt(1.0 - z * z), ph = k * golden;
      G(k, 0) = s * std::cos(ph), G(k, 1) = s * std::sin(ph), G(k, 2) = z;
    } else {
      Eigen::VectorXd g = rng.normal_vector(d);
      G.row(k) = g.transpose() / g.norm();
    }
  }
  return G;
}

// The score of best_neuron's screening and refinement (approx.hpp): max over the left cell edges e_j = -1 + 2j/B
// of [-1, 1] of |sum over the cells >= j of (S1 - e_j S0)|, with S0, S1 the cells' sums of r_n and r_n p_n (the
// points of cell j and above lie above e_j). Only the occupied cells are visited. Between two of them the suffix
// sums are constant, so the computed fl(s1 - e_j s0) is monotone in e_j (each rounding is monotone) and its modulus
// is largest at an end of the run: evaluating the ends gives the same double as a scan of all B cells, in
// O(P + B / 64) per direction instead of O(P + B) (B = 4096 in the refinement, for ~10^3 points).
class BinnedScore {
 public:
  explicit BinnedScore(int B)
      : B_(B), edge_(static_cast<std::size_t>(B)), S0_(static_cast<std::size_t>(B), 0.0),
        S1_(static_cast<std::size_t>(B), 0.0), used_(static_cast<std::size_t>((B + 63) / 64), 0) {
    for (int j = 0; j < B; ++j) edge_[static_cast<std::size_t>(j)] = -1.0 + 2.0 * j / B;
  }

  template <class Vec>
  double operator()(const Vec& p, const Eigen::VectorXd& r) {
    for (Eigen::Index n = 0; n < p.size(); ++n) {
      const double pv = p(n);
      const auto cell = static_cast<std::size_t>(cell_of(pv));
      S0_[cell] += r(n);
      S1_[cell] += r(n) * pv;
      used_[cell / 64] |= std::uint64_t{1} << (cell % 64);
    }
    double s0 = 0, s1 = 0, m = 0;
    std::size_t above = 0;  // the lowest occupied cell visited so far (0: none yet)
    bool any = false;
    for (std::size_t w = used_.size(); w-- > 0;) {
      for (std::uint64_t bits = used_[w]; bits != 0;) {
        const int b = 63 - __builtin_clzll(bits);
        bits &= ~(std::uint64_t{1} << b);
        const std::size_t j = 64 * w + static_cast<std::size_t>(b);
        if (any && j + 1 < above) m = std::max(m, std::abs(s1 - edge_[j + 1] * s0));  // low end of an empty run
        s0 += S0_[j];
        s1 += S1_[j];
        S0_[j] = S1_[j] = 0.0;
        m = std::max(m, std::abs(s1 - edge_[j] * s0));
        above = j, any = true;
      }
      used_[w] = 0;
    }
    if (any && above > 0) m = std::max(m, std::abs(s1 - edge_[0] * s0));  // the empty cells below every point
    return m;
  }

  /// The score of every column of proj (P x D) into out: the same doubles as operator() column by column, computed
  /// kLanes columns at a time with their cell sums interleaved (cell j of lane l at kLanes j + l). The lanes are
  /// independent, so the scatters' store-to-load chains and the suffix scans' add chains overlap (the scan's lanes
  /// vectorise); each column's sums still run over n, and over the cells, in the same order as alone. The scan
  /// visits every cell (at the screening's sizes, P ~ 10^3 points in B = 512 cells, most cells are occupied).
  void score_columns(const Eigen::MatrixXd& proj, const Eigen::VectorXd& r, std::vector<double>& out) {
    constexpr int kLanes = 4;
    const Eigen::Index P = proj.rows(), D = proj.cols();
    const auto B = static_cast<std::size_t>(B_);
    out.resize(static_cast<std::size_t>(D));
    T0_.assign(kLanes * B, 0.0);
    T1_.assign(kLanes * B, 0.0);
    cells_.resize(static_cast<std::size_t>(kLanes * P));
    for (Eigen::Index k0 = 0; k0 < D; k0 += kLanes) {
      const int lanes = static_cast<int>(std::min<Eigen::Index>(kLanes, D - k0));
      for (int l = 0; l < lanes; ++l) {
        const double* p = proj.col(k0 + l).data();
        int* c = cells_.data() + l * P;
        for (Eigen::Index n = 0; n < P; ++n) c[n] = kLanes * cell_of(p[n]) + l;
      }
      for (Eigen::Index n = 0; n < P; ++n) {
        const double rn = r(n);
        for (int l = 0; l < lanes; ++l) {
          const auto cell = static_cast<std::size_t>(cells_[static_cast<std::size_t>(l * P + n)]);
          T0_[cell] += rn;
          T1_[cell] += rn * proj(n, k0 + l);
        }
      }
      // Unused lanes (the last block) hold zeros and score 0; they are not read.
      double s0[kLanes] = {}, s1[kLanes] = {}, m[kLanes] = {};
      for (std::size_t j = B; j-- > 0;) {
        double* S0 = T0_.data() + kLanes * j;
        double* S1 = T1_.data() + kLanes * j;
        for (int l = 0; l < kLanes; ++l) {
          s0[l] += S0[l];
          s1[l] += S1[l];
          S0[l] = S1[l] = 0.0;
          m[l] = std::max(m[l], std::abs(s1[l] - edge_[j] * s0[l]));
        }
      }
      for (int l = 0; l < lanes; ++l) out[static_cast<std::size_t>(k0 + l)] = m[l];
    }
  }

 private:
  int cell_of(double pv) const { return std::clamp(static_cast<int>((pv + 1.0) * 0.5 * B_), 0, B_ - 1); }

  int B_;
  std::vector<double> edge_, S0_, S1_;  // S0_, S1_ are all zero between calls
  std::vector<std::uint64_t> used_;     // occupied cells, one bit each
  std::vector<double> T0_, T1_;         // score_columns' cell sums, kLanes columns
  std::vector<int> cells_;
};

// One BinnedScore per bin count and thread, kept across calls (the greedy calls best_neuron K times; building the
// 4096-cell tables each time was a visible part of it).
BinnedScore& binned_score(int B) {
  thread_local std::map<int, BinnedScore> cache;
  return cache.try_emplace(B, B).first->second;
}

int default_directions(int d) { return d == 2 ? 256 : (d == 3 ? 1024 : 256 * d); }

}  // namespace

double binned_offset_score(const Eigen::VectorXd& p, const Eigen::VectorXd& r, int bins) {
  if (bins < 1 || p.size() != r.size()) throw input_error("binned_offset_score", "bins >= 1 and p, r of one size");
  return binned_score(bins)(p, r);
}

std::vector<double> binned_offset_scores(const Eigen::MatrixXd& proj, const Eigen::VectorXd& r, int bins) {
  if (bins < 1 || proj.rows() != r.size()) throw input_error("binned_offset_scores", "bins >= 1 and P rows in proj, r");
  std::vector<double> out;
  binned_score(bins).score_columns(proj, r, out);
  return out;
}

UnitNeuron best_neuron(const Eigen::MatrixXd& X, const Eigen::VectorXd& r, Rng& rng, const NeuronSearchOptions& o) {
  const int d = static_cast<int>(X.cols());
  RTV_ASSERT(d >= 1 && X.rows() == r.size(), "best_neuron: shapes");
  UnitNeuron best;
  best.gamma = Eigen::VectorXd::Zero(d);
  best.gamma(0) = 1.0;
  if (d == 1) {
    best.value = best_offset(X.col(0), r, &best.t);
    return best;
  }
  const int D = o.directions > 0 ? o.directions : default_directions(d);
  const Eigen::MatrixXd G = half_sphere_directions(d, D, rng);
  const Eigen::MatrixXd proj = X * G.transpose();  // P x D
  // Screening and refinement score: max over the offsets of a grid in [-1, 1] (exact there; approx.hpp).
  const int B = std::max(2, o.bins);
  BinnedScore& binned = binned_score(B);
  BinnedScore& binned_fine = binned_score(8 * B);
  std::vector<double> screened;
  binned.score_columns(proj, r, screened);
  std::vector<std::pair<double, int>> score(static_cast<std::size_t>(D));
  for (int k = 0; k < D; ++k) score[static_cast<std::size_t>(k)] = {screened[static_cast<std::size_t>(k)], k};
  const int C = std::min(std::max(1, o.candidates), D);
  std::partial_sort(score.begin(), score.begin() + C, score.end(),
                    [](const auto& a, const auto& b) { return a.first > b.first; });
  const double step0 = d == 2 ? 3.0 * M_PI / D : 3.0 * std::pow(static_cast<double>(D), -1.0 / (d - 1));
  best.value = -1;
  for (int c = 0; c < C; ++c) {
    UnitNeuron cand;
    cand.gamma = G.row(score[static_cast<std::size_t>(c)].second).transpose();
    double v0 = binned_fine(Eigen::VectorXd(X * cand.gamma), r);
    double step = step0;
    for (int it = 0; it < o.refine_steps; ++it) {
      Eigen::VectorXd g = cand.gamma + step * rng.normal_vector(d);
      g /= g.norm();
      const double v = binned_fine(Eigen::VectorXd(X * g), r);
      if (v > v0) {
        cand.gamma = g, v0 = v;
      } else {
        step *= 0.9;
      }
    }
    cand.value = best_offset(X * cand.gamma, r, &cand.t);  // the exact best offset of the refined direction
    if (cand.value > best.value) best = cand;
  }
  // Polish: projected gradient ascent on the sphere with exact offsets. At fixed t the correlation
  // c(gamma) = sum_n r_n sigma(gamma . x_n - t) has gradient sum over active points of r_n x_n; a step along its
  // tangential part is accepted only if the exact value (best_offset) increases, else halved. The random search
  // alone stalls at ~1e-2 rad in d >= 4, which leaves a visible residual even for a single-neuron target.
  double step = step0;
  for (int it = 0; it < o.polish_steps && step > 1e-9; ++it) {
    const Eigen::VectorXd p = X * best.gamma;
    Eigen::VectorXd grad = Eigen::VectorXd::Zero(d);
    double c = 0;
    for (Eigen::Index n = 0; n < p.size(); ++n)
      if (p(n) > best.t) grad += r(n) * X.row(n).transpose(), c += r(n) * (p(n) - best.t);
    if (c < 0) grad = -grad;
    grad -= grad.dot(best.gamma) * best.gamma;
    const double gn = grad.norm();
    if (!(gn > 0)) break;
    for (;;) {
      Eigen::VectorXd g = best.gamma + (step / gn) * grad;
      g /= g.norm();
      double t = 0;
      const double v = best_offset(X * g, r, &t);
      if (v > best.value) {
        best.gamma = g, best.t = t, best.value = v;
        step *= 2;
        break;
      }
      step *= 0.5;
      if (step <= 1e-9) break;
    }
  }
  return best;
}

GreedyResult orthogonal_greedy(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, int K, Rng& rng,
                               const NeuronSearchOptions& o) {
  const Eigen::Index P = X.rows();
  const int d = static_cast<int>(X.cols());
  if (K < 0) throw input_error("orthogonal_greedy", "K must be >= 0");
  if (y.size() != P) throw input_error("orthogonal_greedy", "X and y have different numbers of rows");
  if (!X.allFinite() || !y.allFinite()) throw input_error("orthogonal_greedy", "non-finite data");
  Eigen::MatrixXd Q(P, d + 1 + K);
  int q = 0;
  auto orthonormalise = [&](Eigen::VectorXd g) {  // modified Gram-Schmidt, twice ("twice is enough")
    const double n0 = g.norm();
    for (int rep = 0; rep < 2; ++rep)
      for (int j = 0; j < q; ++j) g -= Q.col(j).dot(g) * Q.col(j);
    const double n = g.norm();
    if (!(n > 1e-12 * n0)) return false;  // dependent on the span (already represented on X)
    Q.col(q++) = g / n;
    return true;
  };
  orthonormalise(Eigen::VectorXd::Ones(P));
  for (int i = 0; i < d; ++i) orthonormalise(X.col(i));
  Eigen::VectorXd res = y;
  for (int j = 0; j < q; ++j) res -= Q.col(j).dot(res) * Q.col(j);
  GreedyResult out;
  out.rms_error.push_back(std::sqrt(res.squaredNorm() / static_cast<double>(P)));
  ShallowNet atoms = ShallowNet::zeros(d, 0, true);
  for (int k = 0; k < K; ++k) {
    const UnitNeuron u = best_neuron(X, res, rng, o);
    const Eigen::VectorXd g = ((X * u.gamma).array() - u.t).cwiseMax(0.0).matrix();
    if (orthonormalise(g)) {
      res -= Q.col(q - 1).dot(res) * Q.col(q - 1);
      atoms.W.conservativeResize(atoms.width() + 1, d);
      atoms.b.conservativeResize(atoms.width());
      atoms.v.conservativeResize(atoms.width());
      atoms.W.row(atoms.width() - 1) = u.gamma.transpose();
      atoms.b(atoms.width() - 1) = u.t;
      atoms.v(atoms.width() - 1) = 0.0;
    }
    out.rms_error.push_back(std::sqrt(res.squaredNorm() / static_cast<double>(P)));
  }
  out.net = least_squares_output(atoms, X, y);
  return out;
}

ShallowNet ridge_grid(int d, int K) {
  RTV_ASSERT(d >= 1 && K >= 1, "ridge_grid: d, K >= 1");
  const int ndir = std::max(1, static_cast<int>(std::lround(std::pow(K, (d - 1.0) / d))));
  const int noff = std::max(1, K / ndir);
  Rng fixed(1);
  const Eigen::MatrixXd G = half_sphere_directions(d, ndir, fixed);
  ShallowNet f = ShallowNet::zeros(d, ndir * noff, true);
  for (int i = 0; i < ndir; ++i)
    for (int j = 0; j < noff; ++j) {
      f.W.row(i * noff + j) = G.row(i);
      f.b(i * noff + j) = -1.0 + (2.0 * j + 1.0) / noff;
    }
  return f;
}

ShallowNet least_squares_output(const ShallowNet& atoms, const Eigen::MatrixXd& X, const Eigen::VectorXd& y) {
  const Eigen::Index P = X.rows();
  const int d = atoms.dim(), K = atoms.width();
  if (X.cols() != d || y.size() != P) throw input_error("least_squares_output", "shapes of X, y and atoms differ");
  Eigen::MatrixXd A(P, K + d + 1);
  A.leftCols(K) = ((X * atoms.W.transpose()).rowwise() - atoms.b.transpose()).cwiseMax(0.0);
  A.middleCols(K, d) = X;
  A.col(K + d).setOnes();
  const Eigen::VectorXd coef = least_squares(A, y);
  ShallowNet f = atoms;
  f.skip = true;
  f.v = coef.head(K);
  f.c = coef.segment(K, d);
  f.c0 = coef(K + d);
  return f;
}

}  // namespace rtv
