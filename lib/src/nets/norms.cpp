// Weight decay, path norm, balancing and the exact R-TV of a shallow network (THEORY.md s.2, s.3).
#include "rtv/nets/norms.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "rtv/core/error.hpp"

namespace rtv {

double weight_decay(const ShallowNet& net) { return 0.5 * (net.v.squaredNorm() + net.W.squaredNorm()); }

double path_norm(const ShallowNet& net) {
  double s = 0.0;
  for (int k = 0; k < net.width(); ++k) s += std::abs(net.v(k)) * net.W.row(k).stableNorm();
  return s;
}

ShallowNet rescale(const ShallowNet& net, const Eigen::VectorXd& a) {
  RTV_ASSERT(a.size() == net.width() && (a.array() > 0).all(), "one positive factor per neuron");
  ShallowNet out = net;
  out.v = net.v.cwiseQuotient(a);
  out.W = a.asDiagonal() * net.W;
  out.b = net.b.cwiseProduct(a);
  return out;
}

ShallowNet balance(const ShallowNet& net) {
  ShallowNet out = net;
  for (int k = 0; k < net.width(); ++k) {
    const double vn = std::abs(net.v(k)), wn = net.W.row(k).stableNorm();
    if (vn == 0.0) {  // the zero function: the limit a -> 0 of the rescaling
      out.W.row(k).setZero();
      out.b(k) = 0.0;
    } else if (wn == 0.0) {  // the constant v sigma(-b): move it into the (unregularised) output bias
      out.c0 += net.v(k) * std::max(0.0, -net.b(k));
      out.v(k) = 0.0;
      out.b(k) = 0.0;
    } else {
      // a^2 = |v|/|w| (THEORY.md s.2). Computed as sqrt(|v|)/sqrt(|w|) to avoid overflow of the ratio.
      const double a = std::sqrt(vn) / std::sqrt(wn);
      out.v(k) = net.v(k) / a;
      out.W.row(k) = a * net.W.row(k);
      out.b(k) = a * net.b(k);
    }
  }
  return out;
}

double max_imbalance(const ShallowNet& net) {
  double m = 0.0;
  for (int k = 0; k < net.width(); ++k) {
    const double vn = std::abs(net.v(k)), wn = net.W.row(k).stableNorm();
    if (vn > 0.0 && wn > 0.0) m = std::max(m, std::abs(vn - wn) / std::max(vn, wn));
  }
  return m;
}

BalanceCheck check_balance(const ShallowNet& net, double carry_tol) {
  RTV_ASSERT(carry_tol >= 0.0 && carry_tol < 1.0, "carry_tol in [0, 1)");
  BalanceCheck r;
  r.carry_tol = carry_tol;
  const int K = net.width();
  Eigen::VectorXd vn(K), wn(K), wd(K);
  for (int k = 0; k < K; ++k) {
    vn(k) = std::abs(net.v(k));
    wn(k) = net.W.row(k).stableNorm();
    wd(k) = 0.5 * (vn(k) * vn(k) + wn(k) * wn(k));
  }
  const double wd_max = K > 0 ? wd.maxCoeff() : 0.0, wd_total = wd.sum();
  double excess = 0.0, excluded_wd = 0.0;
  for (int k = 0; k < K; ++k) {
    if (wd(k) == 0.0) continue;  // v = w = 0: no function, no weight decay, nothing to judge
    const double imb = std::abs(vn(k) - wn(k)) / std::max(vn(k), wn(k));
    excess += 0.5 * (vn(k) - wn(k)) * (vn(k) - wn(k));  // WD_k - |v_k||w_k|, without cancellation
    r.max_imbalance_all = std::max(r.max_imbalance_all, imb);
    if (wd(k) >= carry_tol * wd_max) {
      ++r.judged;
      r.max_imbalance = std::max(r.max_imbalance, imb);
    } else {
      ++r.excluded;
      excluded_wd += wd(k);
    }
  }
  r.excluded_wd_share = wd_total > 0.0 ? excluded_wd / wd_total : 0.0;
  const double pn = path_norm(net);
  r.relative_excess = excess == 0.0 ? 0.0 : pn > 0.0 ? excess / pn : std::numeric_limits<double>::infinity();
  return r;
}

std::vector<NormalisedNeuron> normalise(const ShallowNet& net) {
  std::vector<NormalisedNeuron> out;
  for (int k = 0; k < net.width(); ++k) {
    const double wn = net.W.row(k).stableNorm();
    if (wn == 0.0) continue;
    NormalisedNeuron n;
    n.gamma = net.W.row(k).transpose() / wn;
    n.t = net.b(k) / wn;
    n.a = net.v(k) * wn;
    n.index = k;
    out.push_back(std::move(n));
  }
  return out;
}

namespace {

struct UnionFind {
  std::vector<int> parent;
  explicit UnionFind(int n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  int find(int i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  }
  void unite(int i, int j) {
    i = find(i), j = find(j);
    if (i != j) parent[std::max(i, j)] = std::min(i, j);  // the lowest index represents the cluster
  }
};

bool same_hyperplane(const NormalisedNeuron& p, const NormalisedNeuron& q, double tol) {
  const double tscale = std::max({1.0, std::abs(p.t), std::abs(q.t)});
  for (const double s : {1.0, -1.0}) {
    if ((p.gamma - s * q.gamma).cwiseAbs().maxCoeff() <= tol && std::abs(p.t - s * q.t) <= tol * tscale)
      return true;
  }
  return false;
}

// Canonical orientation of {gamma . x = t}: the largest-magnitude component of gamma positive.
void canonicalise(Eigen::VectorXd& gamma, double& t) {
  Eigen::Index j;
  gamma.cwiseAbs().maxCoeff(&j);
  if (gamma(j) < 0) {
    gamma = -gamma;
    t = -t;
  }
}

}  // namespace

std::vector<Hyperplane> distinct_hyperplanes(const ShallowNet& net, const HyperplaneMergeOptions& opt) {
  const std::vector<NormalisedNeuron> nn = normalise(net);
  const int n = static_cast<int>(nn.size());
  // |t| is invariant under the flip (gamma, t) -> (-gamma, -t): sort by it and compare only neighbours whose
  // |t| differ by at most the tolerance. Typically O(K log K); O(K^2) only if many neurons share an offset.
  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int i, int j) { return std::abs(nn[i].t) < std::abs(nn[j].t); });
  UnionFind uf(n);
  for (int ii = 0; ii < n; ++ii) {
    const auto& p = nn[order[ii]];
    for (int jj = ii + 1; jj < n; ++jj) {
      const auto& q = nn[order[jj]];
      if (std::abs(q.t) - std::abs(p.t) > opt.tol * std::max({1.0, std::abs(p.t), std::abs(q.t)})) break;
      if (same_hyperplane(p, q, opt.tol)) uf.unite(order[ii], order[jj]);
    }
  }
  std::vector<Hyperplane> planes;
  std::vector<int> plane_of(n, -1);
  std::vector<double> abs_sum;
  for (int i = 0; i < n; ++i) {  // increasing i: the representative (lowest index) comes first
    const int r = uf.find(i);
    if (plane_of[r] < 0) {
      plane_of[r] = static_cast<int>(planes.size());
      Hyperplane h;
      h.gamma = nn[r].gamma;
      h.t = nn[r].t;
      canonicalise(h.gamma, h.t);
      planes.push_back(std::move(h));
      abs_sum.push_back(0.0);
    }
    Hyperplane& h = planes[plane_of[r]];
    h.a += nn[i].a;  // both orientations put a/2 on each of the two antipodal Diracs: no sign change
    h.neurons.push_back(nn[i].index);
    abs_sum[plane_of[r]] += std::abs(nn[i].a);
  }
  // Coefficients that cancel up to rounding (e.g. sigma(z) - sigma(-z) = z) are exactly zero: a sum of m terms
  // carries a rounding error of at most ~m eps times the sum of their magnitudes.
  for (std::size_t p = 0; p < planes.size(); ++p) {
    const double m = static_cast<double>(planes[p].neurons.size());
    if (std::abs(planes[p].a) <= 4.0 * m * tol::kEps * abs_sum[p]) planes[p].a = 0.0;
  }
  return planes;
}

int count_active_hyperplanes(const std::vector<Hyperplane>& planes) {
  return static_cast<int>(std::count_if(planes.begin(), planes.end(), [](const Hyperplane& h) { return h.a != 0.0; }));
}

double rtv_exact(const ShallowNet& net, const HyperplaneMergeOptions& opt) {
  double s = 0.0;
  for (const auto& h : distinct_hyperplanes(net, opt)) s += std::abs(h.a);
  return s;
}

double rtv_exact_ball(const ShallowNet& net, double r, const HyperplaneMergeOptions& opt) {
  RTV_ASSERT(r > 0.0, "ball radius must be positive");
  double s = 0.0;
  for (const auto& h : distinct_hyperplanes(net, opt))
    if (std::abs(h.t) < r) s += std::abs(h.a);
  return s;
}

std::vector<Knot> knots_1d(const ShallowNet& net, const HyperplaneMergeOptions& opt) {
  RTV_ASSERT(net.dim() == 1, "knots_1d needs a univariate network");
  std::vector<Knot> knots;
  for (const auto& h : distinct_hyperplanes(net, opt)) {
    // Canonical gamma = +1: the knot is at x = t, and a sigma(x - t) or a sigma(-x + t) both jump by +a.
    if (h.a != 0.0) knots.push_back({h.t, h.a});
  }
  std::sort(knots.begin(), knots.end(), [](const Knot& p, const Knot& q) { return p.x < q.x; });
  return knots;
}

double tv_derivative_1d(const ShallowNet& net, const HyperplaneMergeOptions& opt) {
  double s = 0.0;
  for (const auto& k : knots_1d(net, opt)) s += std::abs(k.jump);
  return s;
}

}  // namespace rtv
