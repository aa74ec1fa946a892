// Merging neurons on shared hyperplanes and the Caratheodory reduction to <= N - (d + 1) neurons
// (THEORY.md s.5). See rtv/solvers/reduce.hpp for the conventions, the algorithm and where accuracy is lost.
#include "rtv/solvers/reduce.hpp"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <vector>

#include "rtv/core/error.hpp"
#include "rtv/core/linalg.hpp"

namespace rtv {

int affine_rank(const Eigen::MatrixXd& X, double rel_tol) {
  if (X.rows() <= 1 || X.cols() == 0) return 0;
  const Eigen::MatrixXd C = X.rowwise() - X.colwise().mean();
  const Eigen::VectorXd s = singular_values(C);
  if (!(s(0) > 0.0)) return 0;
  int r = 0;
  for (Eigen::Index i = 0; i < s.size(); ++i) r += s(i) > rel_tol * s(0);
  return r;
}

void require_affine_span(const Eigen::MatrixXd& X, const std::string& source) {
  const Eigen::Index N = X.rows(), d = X.cols();
  if (d < 1) throw input_error(source, "the points have no coordinates (0 columns)");
  if (!X.allFinite()) throw input_error(source, "contains NaN or infinite values");
  // Coincident points: sort the rows lexicographically, compare neighbours. O(N log N d).
  std::vector<Eigen::Index> order(static_cast<std::size_t>(N));
  std::iota(order.begin(), order.end(), Eigen::Index(0));
  const auto less = [&](Eigen::Index i, Eigen::Index j) {
    for (Eigen::Index c = 0; c < d; ++c)
      if (X(i, c) != X(j, c)) return X(i, c) < X(j, c);
    return i < j;
  };
  std::sort(order.begin(), order.end(), less);
  for (std::size_t p = 1; p < order.size(); ++p) {
    const Eigen::Index i = order[p - 1], j = order[p];
    if ((X.row(i).array() == X.row(j).array()).all())
      throw input_error(source, "points " + std::to_string(std::min(i, j)) + " and " + std::to_string(std::max(i, j)) +
                                    " (rows, 0-based) coincide (duplicate point): the data must be distinct points");
  }
  const int r = affine_rank(X, tol::kAffineRank);
  if (r < d)
    throw input_error(source, "the " + std::to_string(N) + " points do not affinely span R^" + std::to_string(d) +
                                  " (affine rank " + std::to_string(r) +
                                  "): the neuron bound N - (d + 1) needs them to (THEORY.md s.5)");
}

namespace {
std::string g(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}
}  // namespace

void ReduceOptions::validate() const {
  if (!(rank_tol > 0.0 && rank_tol < 1.0))
    throw input_error("reduce options", "rank_tol must be in (0, 1), got " + g(rank_tol));
  if (!(merge.tol >= 0.0) || !std::isfinite(merge.tol))
    throw input_error("reduce options", "merge.tol must be a finite number >= 0, got " + g(merge.tol));
}

namespace {

// The network as normalised atoms a sigma(gamma . x - t) plus an affine part c . x + c0.
struct Atoms {
  std::vector<Eigen::VectorXd> gamma;
  std::vector<double> t, a;
  Eigen::VectorXd c;
  double c0 = 0.0;
  void add(const Eigen::VectorXd& g, double tt, double aa) {
    if (aa == 0.0) return;
    gamma.push_back(g);
    t.push_back(tt);
    a.push_back(aa);
  }
  int size() const { return static_cast<int>(a.size()); }
};

// Coefficients that cancel up to rounding are exactly zero: the rule of distinct_hyperplanes (norms.cpp), a sum of
// m terms carries a rounding error of at most ~m eps times the sum of their magnitudes.
double cancel_rounding(double sum, double abs_sum, std::size_t m) {
  return std::abs(sum) <= 4.0 * static_cast<double>(m) * tol::kEps * abs_sum ? 0.0 : sum;
}

Atoms merged_atoms(const ShallowNet& net, const HyperplaneMergeOptions& opt) {
  net.validate("network");
  Atoms at;
  at.c = net.c;
  at.c0 = net.c0;
  // w = 0: the constant v sigma(-b) (a neuron with w = 0 is not in normalise's output).
  for (int k = 0; k < net.width(); ++k)
    if (net.W.row(k).stableNorm() == 0.0) at.c0 += net.v(k) * std::max(0.0, -net.b(k));
  const std::vector<NormalisedNeuron> nn = normalise(net);
  std::vector<int> pos(static_cast<std::size_t>(net.width()), -1);
  for (std::size_t i = 0; i < nn.size(); ++i) pos[static_cast<std::size_t>(nn[i].index)] = static_cast<int>(i);
  for (const Hyperplane& h : distinct_hyperplanes(net, opt)) {
    if (net.skip) {
      // Antipodal neuron: a sigma(g . x - t) = a sigma(-g . x + t) + a (g . x - t) with -g ~ gamma_H, -t ~ t_H.
      // Its own (g, t) goes into the affine part, so that only the replacement of (-g, -t) by the representative
      // (gamma_H, t_H) changes f, and that only for near-duplicates (exact copies agree to rounding).
      for (const int k : h.neurons) {
        const NormalisedNeuron& n = nn[static_cast<std::size_t>(pos[static_cast<std::size_t>(k)])];
        if (n.gamma.dot(h.gamma) < 0.0) {
          at.c += n.a * n.gamma;
          at.c0 -= n.a * n.t;
        }
      }
      at.add(h.gamma, h.t, h.a);  // h.a: the sum of all a_k, cancellation to rounding already zeroed
    } else {
      double sum[2] = {0.0, 0.0}, abs_sum[2] = {0.0, 0.0};
      std::size_t count[2] = {0, 0};
      for (const int k : h.neurons) {
        const NormalisedNeuron& n = nn[static_cast<std::size_t>(pos[static_cast<std::size_t>(k)])];
        const int side = n.gamma.dot(h.gamma) < 0.0 ? 1 : 0;
        sum[side] += n.a;
        abs_sum[side] += std::abs(n.a);
        ++count[side];
      }
      at.add(h.gamma, h.t, cancel_rounding(sum[0], abs_sum[0], count[0]));
      at.add(-h.gamma, -h.t, cancel_rounding(sum[1], abs_sum[1], count[1]));
    }
  }
  return at;
}

// The atoms as a balanced network: w = sqrt|a| gamma, b = sqrt|a| t, v = sign(a) sqrt|a| (THEORY.md s.2).
ShallowNet balanced_network(const Atoms& at, const std::vector<int>& keep, int d, bool skip) {
  ShallowNet out = ShallowNet::zeros(d, static_cast<int>(keep.size()), skip);
  for (std::size_t i = 0; i < keep.size(); ++i) {
    const auto k = static_cast<std::size_t>(keep[i]);
    const double s = std::sqrt(std::abs(at.a[k]));
    const auto r = static_cast<Eigen::Index>(i);
    out.W.row(r) = s * at.gamma[k].transpose();
    out.b(r) = s * at.t[k];
    out.v(r) = at.a[k] > 0.0 ? s : -s;
  }
  out.c = skip ? at.c : Eigen::VectorXd::Zero(d);
  out.c0 = at.c0;
  return out;
}

std::vector<int> all_atoms(const Atoms& at) {
  std::vector<int> keep(static_cast<std::size_t>(at.size()));
  std::iota(keep.begin(), keep.end(), 0);
  return keep;
}

// An independent set of columns ("basis") of the projected activation matrix as a thin QR factorisation
// B = Q R, Q: N x m with orthonormal columns, R: m x m upper triangular; updated by appending a column
// (Gram-Schmidt, twice: "twice is enough") and downdated by removing one (Givens rotations).
class ColumnBasis {
 public:
  ColumnBasis(Eigen::Index N, Eigen::Index capacity) : Q_(N, capacity), R_(capacity, capacity) {
    R_.setZero();
  }
  Eigen::Index size() const { return m_; }
  Eigen::Index capacity() const { return Q_.cols(); }
  const std::vector<int>& columns() const { return cols_; }

  // Least-squares coefficients y (B y ~ c), the projection coefficients h = Q^T c and the residual r = c - Q h.
  void project(const Eigen::VectorXd& c, Eigen::VectorXd& y, Eigen::VectorXd& h, Eigen::VectorXd& r) const {
    const auto Q = Q_.leftCols(m_);
    h = Q.transpose() * c;
    r = c - Q * h;
    const Eigen::VectorXd h2 = Q.transpose() * r;  // re-orthogonalise once
    r -= Q * h2;
    h += h2;
    y = R_.topLeftCorner(m_, m_).triangularView<Eigen::Upper>().solve(h);
  }

  // Append column `index` with projection coefficients h and residual r (|r| > 0) from project().
  void append(int index, const Eigen::VectorXd& h, const Eigen::VectorXd& r) {
    RTV_ASSERT(m_ < capacity(), "basis capacity exceeded");
    const double rn = r.norm();
    Q_.col(m_) = r / rn;
    R_.col(m_).head(m_) = h;
    R_(m_, m_) = rn;
    cols_.push_back(index);
    ++m_;
  }

  // Remove the basis column at position p: R loses column p and becomes upper Hessenberg from p on; Givens
  // rotations G_i on rows (i, i + 1) restore the triangle, and Q G_i^T keeps B = Q R.
  void remove(Eigen::Index p) {
    RTV_ASSERT(p >= 0 && p < m_, "basis position out of range");
    for (Eigen::Index j = p; j + 1 < m_; ++j) R_.col(j).head(m_) = R_.col(j + 1).head(m_);
    for (Eigen::Index i = p; i + 1 < m_; ++i) {
      const double x = R_(i, i), z = R_(i + 1, i);
      const double rho = std::hypot(x, z);
      if (rho == 0.0) continue;
      const double cs = x / rho, sn = z / rho;
      for (Eigen::Index j = i; j + 1 < m_; ++j) {
        const double u = R_(i, j), w = R_(i + 1, j);
        R_(i, j) = cs * u + sn * w;
        R_(i + 1, j) = -sn * u + cs * w;
      }
      R_(i + 1, i) = 0.0;
      const Eigen::VectorXd qi = Q_.col(i);
      Q_.col(i) = cs * qi + sn * Q_.col(i + 1);
      Q_.col(i + 1) = -sn * qi + cs * Q_.col(i + 1);
    }
    --m_;
    R_.row(m_).head(m_ + 1).setZero();
    R_.col(m_).head(m_ + 1).setZero();
    cols_.erase(cols_.begin() + p);
  }

 private:
  Eigen::MatrixXd Q_, R_;
  Eigen::Index m_ = 0;
  std::vector<int> cols_;
};

double sign(double x) { return x > 0.0 ? 1.0 : (x < 0.0 ? -1.0 : 0.0); }

}  // namespace

ShallowNet merge_neurons(const ShallowNet& net, const HyperplaneMergeOptions& opt) {
  const Atoms at = merged_atoms(net, opt);
  return balanced_network(at, all_atoms(at), net.dim(), net.skip);
}

ReductionResult reduce_network(const ShallowNet& net, const Eigen::MatrixXd& X, const ReduceOptions& opt) {
  opt.validate();
  net.validate("network");
  if (X.cols() != net.dim())
    throw input_error("data", "network has input dimension " + std::to_string(net.dim()) + " but the data have " +
                                  std::to_string(X.cols()) + " columns");
  require_affine_span(X, "data");
  const Eigen::Index N = X.rows();
  const int d = net.dim();

  ReductionResult res;
  res.neurons_in = net.width();
  res.path_norm_in = path_norm(net);
  const int n_affine = net.skip ? d + 1 : 1;  // columns of [X, 1] (skip) or of 1 (no skip) that are free
  res.bound = static_cast<int>(N) - n_affine;

  Atoms at = merged_atoms(net, opt.merge);
  const int K = at.size();
  res.neurons_merged = K;

  // Affine columns L = [X, 1] (or 1) and their thin QR: P = I - Q0 Q0^T projects them out (THEORY.md s.5).
  Eigen::MatrixXd L(N, n_affine);
  if (net.skip) L.leftCols(d) = X;
  L.col(n_affine - 1).setOnes();
  const Eigen::MatrixXd Q0 = orthonormal_basis(L);

  // A[n, k] = sigma(gamma_k . x_n - t_k) and its projection Ap = P A.
  Eigen::MatrixXd G(K, d);
  Eigen::VectorXd t(K), a(K);
  for (int k = 0; k < K; ++k) {
    G.row(k) = at.gamma[static_cast<std::size_t>(k)].transpose();
    t(k) = at.t[static_cast<std::size_t>(k)];
    a(k) = at.a[static_cast<std::size_t>(k)];
  }
  Eigen::MatrixXd A = X * G.transpose();
  A.rowwise() -= t.transpose();
  A = A.cwiseMax(0.0);
  const Eigen::MatrixXd Ap = A - Q0 * (Q0.transpose() * A);
  // The scale of the dependence test: column norms BEFORE the projection. The projection leaves ~eps |A_k| of a
  // column that is affine on the data; relative to projected norms instead, such a column would pass as
  // independent when all columns are affine on the data (then all are at rounding level).
  // Per column, not the largest over all columns: weight decay leaves dead neurons with |w| -> 0 faster than b, so
  // t = b / |w| can reach 1e18 (measured on a trained 1D net) and such a column's norm would swamp every real one.
  // The rounding of the residual r = col - basis y is ~eps (|col| + sum |y_i| |basis_i|): that is the scale.
  const Eigen::VectorXd colnorm = A.colwise().norm().transpose();

  // Neurons that are dead or affine on the data (projected column <= kAffineOnData of the column): their
  // coefficient goes to 0 and their values to the affine part (the final re-fit). Done before the exchange because
  // such a projected column is rounding noise of size eps |A_j|, and as a "null vector" it would move the other
  // coefficients by noise / |a_j| (measured: a trained net's dead neuron with t = 8e18 changed the data by 5%).
  for (int k = 0; k < K; ++k)
    if (a(k) != 0.0 && Ap.col(k).norm() <= tol::kAffineOnData * colnorm(k)) {
      a(k) = 0.0;
      ++res.steps;  // a move too: along e_k, which is a null vector of the projected columns up to the tolerance
    }

  // Exchange: insert column j against the basis; while it is dependent, move along the null vector
  // z = e_j - sum_i y_i e_basis(i) until a coefficient reaches zero (THEORY.md s.5).
  ColumnBasis basis(N, std::min<Eigen::Index>(res.bound, K));
  Eigen::VectorXd y, h, r;
  for (int j = 0; j < K; ++j) {
    const Eigen::VectorXd col = Ap.col(j);
    while (a(j) != 0.0) {  // (a move may land a(j) on exactly 0 by rounding: then there is nothing to insert)
      basis.project(col, y, h, r);
      double scale = colnorm(j);
      for (std::size_t i = 0; i < basis.columns().size(); ++i)
        scale += std::abs(y(static_cast<Eigen::Index>(i))) * colnorm(basis.columns()[i]);
      if (basis.size() < basis.capacity() && r.norm() > opt.rank_tol * scale) {
        basis.append(j, h, r);
        break;
      }
      const std::vector<int>& B = basis.columns();
      // Directional derivative of sum |a_k| along z: sign(a_j) - sum_i y_i sign(a_B(i)). Move along s z with
      // s = -sign of it (s = +1 on a tie), which does not increase sum |a_k|.
      double D = sign(a(j));
      for (std::size_t i = 0; i < B.size(); ++i) D -= y(static_cast<Eigen::Index>(i)) * sign(a(B[i]));
      const double s = D > 0.0 ? -1.0 : 1.0;
      // a(alpha) = a + alpha s z; first coefficient to reach zero. z_j = 1, z_B(i) = -y_i.
      double alpha = a(j) * s < 0.0 ? std::abs(a(j)) : HUGE_VAL;
      Eigen::Index block = -1;  // -1: the new column j
      for (std::size_t i = 0; i < B.size(); ++i) {
        const double zi = -y(static_cast<Eigen::Index>(i));
        if (a(B[i]) * s * zi < 0.0) {
          const double ai = std::abs(a(B[i])) / std::abs(zi);
          if (ai < alpha) alpha = ai, block = static_cast<Eigen::Index>(i);
        }
      }
      RTV_ASSERT(std::isfinite(alpha), "a move that does not increase sum |a| must reach a zero");
      a(j) += alpha * s;
      for (std::size_t i = 0; i < B.size(); ++i) a(B[i]) -= alpha * s * y(static_cast<Eigen::Index>(i));
      ++res.steps;
      if (block < 0) {
        a(j) = 0.0;
        break;
      }
      a(B[static_cast<std::size_t>(block)]) = 0.0;
      basis.remove(block);
    }
  }

  // The survivors, and the affine part re-fitted so that the data values equal the input network's.
  // (A basis coefficient can land on exactly 0 together with the blocking one: drop it too.)
  std::vector<int> keep;
  for (const int k : basis.columns())
    if (a(k) != 0.0) keep.push_back(k);
  std::sort(keep.begin(), keep.end());
  for (int k = 0; k < K; ++k) at.a[static_cast<std::size_t>(k)] = a(k);
  const Eigen::VectorXd f_in = evaluate(net, X);
  Eigen::VectorXd g = Eigen::VectorXd::Zero(N);
  for (const int k : keep) g += a(k) * A.col(k);
  const Eigen::VectorXd theta = least_squares(L, Eigen::VectorXd(f_in - g));
  at.c = net.skip ? Eigen::VectorXd(theta.head(d)) : Eigen::VectorXd::Zero(d);
  at.c0 = theta(n_affine - 1);
  res.net = balanced_network(at, keep, d, net.skip);
  res.neurons_out = res.net.width();
  res.path_norm_out = path_norm(res.net);
  const Eigen::VectorXd S = evaluation_scale(net, X);
  const Eigen::VectorXd f_out = evaluate(res.net, X);
  for (Eigen::Index n = 0; n < N; ++n)
    res.max_value_change = std::max(res.max_value_change, std::abs(f_out(n) - f_in(n)) / std::max(S(n), DBL_MIN));
  return res;
}

}  // namespace rtv
