// The certified optimum in d = 2 (THEORY.md s.5); see rtv/solvers/certified.hpp.
#include "rtv/solvers/certified.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "rtv/core/error.hpp"
#include "rtv/core/linalg.hpp"
#include "rtv/nets/norms.hpp"
#include "rtv/solvers/reduce.hpp"
#include "rtv/core/tolerances.hpp"

namespace rtv {

using Eigen::MatrixXd;
using Eigen::VectorXd;

const char* to_string(CertifiedStatus s) {
  switch (s) {
    case CertifiedStatus::Certified: return "certified";
    case CertifiedStatus::GapAboveTolerance: return "gap_above_tolerance";
    case CertifiedStatus::LassoCapReached: return "lasso_cap_reached";
    case CertifiedStatus::NoImprovingAtom: return "no_improving_atom";
    case CertifiedStatus::MaxRounds: return "max_rounds";
  }
  return "unknown";
}

namespace {

constexpr double kPi = 3.14159265358979323846;

// ---- tolerances (STYLE.md item 3) ----
// Feature-sign optimality on the support: |grad_j + lambda sign(a_j)| <= this x (|c|_inf + lambda). The
// stationary point of the signed quadratic is solved directly (small dense system of condition <= ~1e6), so its
// residual is ~1e-16 x condition; 1e-10 is far above that and far below anything that moves the objective at 1e-9.
constexpr double kLassoStationarity = 1e-10;
// A zero coefficient may enter when |grad_j| > lambda (1 + this): 1e-12 keeps rounding-level violations (which
// would cycle) out while a real violation of the restricted problem is O(1e-9 lambda) or more by then.
constexpr double kLassoEnter = 1e-12;
// The ridge of the restricted lasso (see lasso_feature_sign): small enough to move the objective by ~1e-12
// relative, large enough (1e4 eps) to keep the signed subproblems well conditioned when atoms are dependent.
constexpr double kLassoRidge = 1e-12;
// Two atoms are the same when |gamma - gamma'|_inf and |t - t'| / max(1, |t|) are below this: atoms come from the
// oracle's closed-form directions, which reproduce to a few eps.
constexpr double kSameAtom = 1e-12;

double relu(double z) { return z > 0 ? z : 0.0; }

// g(gamma, t) = sum_n alpha_n sigma(gamma . x_n - t), evaluated directly.
double dual_function(const MatrixXd& X, const VectorXd& alpha, double g0, double g1, double t) {
  double s = 0;
  for (Eigen::Index n = 0; n < X.rows(); ++n) s += alpha(n) * relu(g0 * X(n, 0) + g1 * X(n, 1) - t);
  return s;
}

// Canonical orientation of an atom (angle of gamma in [0, pi)): the projected columns of sigma(z) and sigma(-z)
// are equal (they differ by the affine function z), so the orientation is free; fixing it removes duplicates.
void canonical_atom(double& g0, double& g1, double& t) {
  if (g1 < 0 || (g1 == 0 && g0 < 0)) g0 = -g0, g1 = -g1, t = -t;
}

void check_data(const MatrixXd& X, const VectorXd& y, const char* who) {
  const std::string src = who;
  if (X.cols() != 2) throw input_error(src, "needs d = 2 points (2 columns), got " + std::to_string(X.cols()));
  if (y.size() != X.rows())
    throw input_error(src, std::to_string(X.rows()) + " points but " + std::to_string(y.size()) + " values");
  if (!y.allFinite()) throw input_error(src, "values contain NaN or infinite entries");
  if (X.rows() < 4) throw input_error(src, "needs at least d + 2 = 4 points, got " + std::to_string(X.rows()));
  require_affine_span(X, src);  // duplicate points, collinear data (rtv/solvers/reduce.hpp)
}

}  // namespace

// The floor (certified.hpp): an -O2 build measured "gap above tolerance" on affine data where -O3 happened to round
// J to exactly 0.
double relative_duality_gap(double J, double D, const VectorXd& y) {
  const double floor = std::numeric_limits<double>::epsilon() * 0.5 * y.squaredNorm();
  const double den = std::max(J, floor);
  return den > 0 ? (J - D) / den : 0.0;  // y = 0: the zero network fits exactly, D = 0 too
}

void CertifiedOptions::validate() const {
  if (!(gap_tol > 0) || !std::isfinite(gap_tol)) throw input_error("options", "gap_tol must be > 0");
  if (max_rounds < 1) throw input_error("options", "max_rounds must be >= 1");
  if (atoms_per_round < 1) throw input_error("options", "atoms_per_round must be >= 1");
  if (max_lasso_steps < 0) throw input_error("options", "max_lasso_steps must be >= 0");
}

OracleResult dual_oracle_2d(const MatrixXd& X, const VectorXd& alpha, std::vector<OracleResult>* per_pivot) {
  RTV_ASSERT(X.cols() == 2 && X.rows() == alpha.size(), "oracle: X must be N x 2 and alpha of size N");
  const int N = static_cast<int>(X.rows());
  OracleResult best;
  best.gamma = VectorXd::Zero(2);
  if (per_pivot) per_pivot->assign(N, OracleResult{});
  struct Event {
    double angle;
    int n;
    bool enter;
  };
  std::vector<Event> ev;
  ev.reserve(2 * N);
  for (int m = 0; m < N; ++m) {
    ev.clear();
    for (int n = 0; n < N; ++n) {
      if (n == m) continue;
      const double phi = std::atan2(X(n, 1) - X(m, 1), X(n, 0) - X(m, 0));
      // gamma(theta) . (x_n - x_m) > 0 for theta in (phi - pi/2, phi + pi/2)
      auto wrap = [](double a) { return a < 0 ? a + 2 * kPi : (a >= 2 * kPi ? a - 2 * kPi : a); };
      ev.push_back({wrap(phi - kPi / 2), n, true});
      ev.push_back({wrap(phi + kPi / 2), n, false});
    }
    std::sort(ev.begin(), ev.end(), [](const Event& a, const Event& b) { return a.angle < b.angle; });
    const int E = static_cast<int>(ev.size());
    // The first arc of positive length: its membership computed directly at its midpoint.
    int first = -1;
    for (int i = 0; i < E; ++i) {
      const double a0 = ev[i].angle, a1 = i + 1 < E ? ev[i + 1].angle : ev[0].angle + 2 * kPi;
      if (a1 > a0) {
        first = i;
        break;
      }
    }
    RTV_ASSERT(first >= 0, "oracle: all event angles coincide");
    double v0 = 0, v1 = 0;
    {
      const double a0 = ev[first].angle, a1 = first + 1 < E ? ev[first + 1].angle : ev[0].angle + 2 * kPi;
      const double mid = 0.5 * (a0 + a1), c = std::cos(mid), s = std::sin(mid);
      for (int n = 0; n < N; ++n) {
        if (n == m) continue;
        const double d0 = X(n, 0) - X(m, 0), d1 = X(n, 1) - X(m, 1);
        if (c * d0 + s * d1 > 0) v0 += alpha(n) * d0, v1 += alpha(n) * d1;
      }
    }
    OracleResult pb;
    pb.gamma = VectorXd::Zero(2);
    pb.pivot = m;
    auto consider = [&](double theta) {
      const double c = std::cos(theta), s = std::sin(theta), g = c * v0 + s * v1;
      if (std::abs(g) > pb.value) {
        pb.value = std::abs(g);
        pb.gamma(0) = c;
        pb.gamma(1) = s;
        pb.sign = g >= 0 ? 1.0 : -1.0;
      }
    };
    for (int k = 0; k < E; ++k) {
      const int i = (first + k) % E;
      if (k > 0) {  // cross the events at the start of this arc
        const Event& e = ev[i];
        const double d0 = X(e.n, 0) - X(m, 0), d1 = X(e.n, 1) - X(m, 1), sg = e.enter ? 1.0 : -1.0;
        v0 += sg * alpha(e.n) * d0;
        v1 += sg * alpha(e.n) * d1;
      }
      double a0 = ev[i].angle, a1 = i + 1 < E ? ev[i + 1].angle : ev[0].angle + 2 * kPi;
      if (a1 < a0) a1 += 2 * kPi;
      if (!(a1 > a0)) continue;  // zero-length arc between coinciding events
      consider(a0);
      consider(a1);
      const double psi = std::atan2(v1, v0);
      for (double p : {psi, psi + kPi}) {  // the direction of +-v, if inside the arc
        double q = p;
        while (q < a0) q += 2 * kPi;
        while (q >= a0 + 2 * kPi) q -= 2 * kPi;
        if (q <= a1) consider(q);
      }
    }
    // Re-evaluate the pivot's maximiser directly (the incremental v carries ~N eps of rounding).
    pb.t = pb.gamma(0) * X(m, 0) + pb.gamma(1) * X(m, 1);
    const double g = dual_function(X, alpha, pb.gamma(0), pb.gamma(1), pb.t);
    pb.value = std::abs(g);
    pb.sign = g >= 0 ? 1.0 : -1.0;
    if (per_pivot) (*per_pivot)[m] = pb;
    if (pb.value > best.value) best = pb;
  }
  return best;
}

int lasso_feature_sign(const MatrixXd& A, const MatrixXd& B, const VectorXd& y, double lambda, VectorXd& a,
                       int max_steps) {
  const int m = static_cast<int>(A.cols());
  RTV_ASSERT(a.size() == m, "lasso: warm start of the wrong size");
  // Project out the affine part once: min 1/2 |At a - yt|^2 + lambda |a|_1, At = P A, yt = P y.
  const MatrixXd Q = orthonormal_basis(B);
  const MatrixXd At = A - Q * (Q.transpose() * A);
  const VectorXd yt = y - Q * (Q.transpose() * y);
  // A ridge of kLassoRidge x the largest diagonal entry makes the signed subproblems strictly convex: atoms can be
  // linearly dependent on the data (more atoms than N - 3, or two atoms with the same activation pattern), and
  // the unregularised feature-sign step then has no unique minimiser and can cycle. The ridge changes the
  // objective by <= kLassoRidge |G| |a|^2 / 2 (~1e-12 relative); the certificate uses the true objective.
  MatrixXd G = At.transpose() * At;
  G.diagonal().array() += kLassoRidge * std::max(G.diagonal().maxCoeff(), std::numeric_limits<double>::min());
  const VectorXd c = At.transpose() * yt;
  const double scale = c.lpNorm<Eigen::Infinity>() + lambda;
  auto F = [&](const VectorXd& z) { return 0.5 * z.dot(G * z) - c.dot(z) + lambda * z.lpNorm<1>(); };
  auto sgn = [](double z) { return z > 0 ? 1.0 : (z < 0 ? -1.0 : 0.0); };
  for (int step = 0; step < max_steps; ++step) {
    const VectorXd grad = G * a - c;
    // Optimality on the support?
    bool support_ok = true;
    for (int j = 0; j < m; ++j)
      if (a(j) != 0 && std::abs(grad(j) + lambda * sgn(a(j))) > kLassoStationarity * scale) support_ok = false;
    VectorXd theta = a.unaryExpr(sgn);
    if (support_ok) {
      int enter = -1;
      double worst = lambda * (1 + kLassoEnter);
      for (int j = 0; j < m; ++j)
        if (a(j) == 0 && std::abs(grad(j)) > worst) worst = std::abs(grad(j)), enter = j;
      if (enter < 0) return step;  // optimal
      theta(enter) = -sgn(grad(enter));
    }
    // Feature-sign step: the minimiser of the quadratic with signs theta on the active set, then a line search over
    // the sign changes on the way there.
    std::vector<int> S;
    for (int j = 0; j < m; ++j)
      if (theta(j) != 0) S.push_back(j);
    const int s = static_cast<int>(S.size());
    MatrixXd Gs(s, s);
    VectorXd rhs(s), cur(s);
    for (int i = 0; i < s; ++i) {
      for (int k = 0; k < s; ++k) Gs(i, k) = G(S[i], S[k]);
      rhs(i) = c(S[i]) - lambda * theta(S[i]);
      cur(i) = a(S[i]);
    }
    const VectorXd target = min_norm_least_squares(Gs, rhs);
    std::vector<double> ts = {1.0};
    for (int i = 0; i < s; ++i)
      if (cur(i) != 0 && sgn(target(i)) != sgn(cur(i))) ts.push_back(cur(i) / (cur(i) - target(i)));
    // Candidate points: the target and every sign change on the way (the crossing coordinate exactly 0 there);
    // the true objective decides (Lee et al. 2007: it decreases strictly, so the method is finite).
    auto point = [&](double tk) {
      VectorXd z = a;
      for (int i = 0; i < s; ++i) {
        const bool crosses = cur(i) != 0 && sgn(target(i)) != sgn(cur(i));
        z(S[i]) = crosses && cur(i) / (cur(i) - target(i)) == tk ? 0.0 : cur(i) + tk * (target(i) - cur(i));
      }
      return z;
    };
    double best_f = std::numeric_limits<double>::infinity();
    VectorXd best_z;
    for (double tk : ts) {
      VectorXd z = point(tk);
      const double f = F(z);
      if (f < best_f) best_f = f, best_z = std::move(z);
    }
    a = best_z;
  }
  return -max_steps;
}

CertifiedResult certified_optimum_2d(const MatrixXd& X, const VectorXd& y, double lambda,
                                     const CertifiedOptions& opt) {
  opt.validate();
  check_data(X, y, "data");
  if (!(lambda > 0) || !std::isfinite(lambda)) throw input_error("lambda", "must be a finite number > 0");
  const int N = static_cast<int>(X.rows());
  MatrixXd B(N, 3);
  B << X, VectorXd::Ones(N);
  const MatrixXd Q = orthonormal_basis(B);
  auto project = [&](const VectorXd& v) -> VectorXd { return v - Q * (Q.transpose() * v); };
  const VectorXd yt = project(y);

  struct Atom {
    double g0, g1, t;
  };
  std::vector<Atom> atoms;
  MatrixXd A(N, 0);
  VectorXd a(0);
  CertifiedResult res;
  bool stopped = false;  // a stopping rule of the rounds fired (else: max_rounds)
  std::vector<OracleResult> per;
  const int lasso_cap = opt.max_lasso_steps > 0 ? opt.max_lasso_steps : 0;
  for (int round = 1; round <= opt.max_rounds; ++round) {
    res.rounds = round;
    if (!atoms.empty()) {
      const int cap = lasso_cap > 0 ? lasso_cap : 50 * (static_cast<int>(atoms.size()) + N);
      if (lasso_feature_sign(A, B, y, lambda, a, cap) < 0) {
        res.status = CertifiedStatus::LassoCapReached;
        res.message = "restricted lasso: iteration cap reached";
        stopped = true;
        break;
      }
    }
    const VectorXd alpha = project(yt - (A.cols() ? VectorXd(A * a) : VectorXd::Zero(N)));  // y - f(x)
    const double J = 0.5 * alpha.squaredNorm() + lambda * a.lpNorm<1>();
    const OracleResult orc = dual_oracle_2d(X, alpha, &per);
    const double M = orc.value, sc = M > lambda ? lambda / M : 1.0;
    const double D = sc * alpha.dot(y) - 0.5 * sc * sc * alpha.squaredNorm();
    res.objective = J;
    res.dual_value = D;
    res.duality_gap = J - D;
    res.relative_gap = relative_duality_gap(J, D, y);
    res.oracle_ratio = M / lambda;
    res.alpha = sc * alpha;
    res.gap_history.push_back(res.relative_gap);
    if (res.relative_gap <= opt.gap_tol) {
      res.certified = true;
      res.status = CertifiedStatus::Certified;
      res.message = "certified";
      stopped = true;
      break;
    }
    // The most violated atoms, one per pivot, best first.
    std::sort(per.begin(), per.end(), [](const OracleResult& p, const OracleResult& q) { return p.value > q.value; });
    int added = 0;
    for (const OracleResult& p : per) {
      if (added >= opt.atoms_per_round || p.value <= lambda) break;
      double g0 = p.gamma(0), g1 = p.gamma(1), t = p.t;
      canonical_atom(g0, g1, t);
      bool dup = false;
      for (const Atom& at : atoms)
        if (std::abs(at.g0 - g0) <= kSameAtom && std::abs(at.g1 - g1) <= kSameAtom &&
            std::abs(at.t - t) <= kSameAtom * std::max(1.0, std::abs(t)))
          dup = true;
      if (dup) continue;
      atoms.push_back({g0, g1, t});
      A.conservativeResize(N, A.cols() + 1);
      for (int n = 0; n < N; ++n) A(n, A.cols() - 1) = relu(g0 * X(n, 0) + g1 * X(n, 1) - t);
      a.conservativeResize(a.size() + 1);
      a(a.size() - 1) = 0.0;
      ++added;
    }
    if (added == 0) {
      res.status = CertifiedStatus::NoImprovingAtom;
      res.message = "no new atom improves the restricted problem (gap " + std::to_string(res.relative_gap) + ")";
      stopped = true;
      break;
    }
  }
  if (!stopped) {
    res.status = CertifiedStatus::MaxRounds;
    res.message = "max_rounds reached";
  }
  res.atoms = static_cast<int>(atoms.size());
  // The primal network: balanced unit neurons on the support, the affine part by least squares.
  std::vector<int> supp;
  for (int j = 0; j < a.size(); ++j)
    if (a(j) != 0) supp.push_back(j);
  ShallowNet net = ShallowNet::zeros(2, static_cast<int>(supp.size()), true);
  VectorXd fa = VectorXd::Zero(N);
  for (std::size_t k = 0; k < supp.size(); ++k) {
    const Atom& at = atoms[supp[k]];
    const double aj = a(supp[k]), r = std::sqrt(std::abs(aj));
    net.W(static_cast<Eigen::Index>(k), 0) = r * at.g0;
    net.W(static_cast<Eigen::Index>(k), 1) = r * at.g1;
    net.b(static_cast<Eigen::Index>(k)) = r * at.t;
    net.v(static_cast<Eigen::Index>(k)) = aj > 0 ? r : -r;
    fa += aj * A.col(supp[k]);
  }
  const VectorXd beta = least_squares(B, VectorXd(y - fa));
  net.c = beta.head(2);
  net.c0 = beta(2);
  // The ridge-stabilised lasso can leave more than N - 3 atoms (dependent ones share the weight): the
  // Caratheodory reduction (THEORY.md s.5) brings it to the bound with the same data values and a path norm that is
  // not larger, so the objective does not increase and the dual bound certifies the result as well.
  res.net = reduce_network(net, X).net;
  const VectorXd f = evaluate(res.net, X);
  res.data_fit = 0.5 * (f - y).squaredNorm();
  res.path_norm = path_norm(res.net);
  res.objective = res.data_fit + lambda * res.path_norm;
  res.duality_gap = res.objective - res.dual_value;
  res.relative_gap = relative_duality_gap(res.objective, res.dual_value, y);
  res.certified = res.relative_gap <= opt.gap_tol;
  if (!res.certified && res.status == CertifiedStatus::Certified) {
    res.status = CertifiedStatus::GapAboveTolerance;
    res.message = "gap above tolerance after the reduction";
  }
  return res;
}

}  // namespace rtv
