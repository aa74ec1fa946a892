// verify/claims/univariate_data.hpp: the data, tolerances and plot series shared by the univariate claims S1-S4
// (THEORY.md s.4).
#pragma once

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>
#include <utility>
#include <vector>

#include "claim.hpp"
#include "rtv/io/plot.hpp"
#include "rtv/nets/norms.hpp"
#include "rtv/solvers/univariate.hpp"
#include "rtv/core/tolerances.hpp"

namespace rtv::verify::univariate_data {

using Eigen::MatrixXd;
using Eigen::VectorXd;

// ---- tolerances (STYLE.md item 3) ----
// Two exact computations of one LP value (closed form / active set vs the dense simplex on O(1) tableaux of <= 40
// rows, good to ~1e-13): 1e-9 relative is CLAIMS.md's bar and leaves ~1e4 of margin.
constexpr double kLpAgreement = 1e-9;
// A network or spline evaluated at a data point: a handful of roundings per term, relative to the sum of |terms|.
constexpr double kEvaluation = tol::kIdentity;

struct Data1d {
  VectorXd x, y;
};

// N distinct points, gaps log-uniform in [0.1, 1] (shuffled order), y a kinked signal plus noise of size `noise`,
// all O(1) (the simplex reference wants O(1) entries).
inline Data1d kinked_data(Rng& rng, int N, double noise) {
  std::vector<double> xs{rng.uniform(-1.0, 0.0)};
  for (int i = 1; i < N; ++i) xs.push_back(xs.back() + rng.log_uniform(0.1, 1.0));
  for (int i = N - 1; i > 0; --i) std::swap(xs[i], xs[static_cast<int>(rng.uniform() * (i + 1))]);
  Data1d d{VectorXd(N), VectorXd(N)};
  for (int n = 0; n < N; ++n) {
    d.x(n) = xs[n];
    d.y(n) = std::abs(xs[n] - 1.0) - 0.8 * std::max(0.0, xs[n] - 2.5) + noise * rng.normal();
  }
  return d;
}

inline MatrixXd column(const VectorXd& x) { return MatrixXd(x); }

inline std::vector<double> linspace(double a, double b, int n) {
  std::vector<double> v(n);
  for (int i = 0; i < n; ++i) v[i] = a + (b - a) * i / (n - 1);
  return v;
}

inline plot::Series spline_series(const Spline1d& s, const std::vector<double>& grid, std::string title,
                                  plot::Style st, int color) {
  plot::Series out{grid, {}, std::move(title), st, color};
  for (double x : grid) out.y.push_back(evaluate(s, x));
  return out;
}

inline plot::Series net_series(const ShallowNet& net, const std::vector<double>& grid, std::string title,
                               plot::Style st, int color) {
  const VectorXd g = Eigen::Map<const VectorXd>(grid.data(), static_cast<Eigen::Index>(grid.size()));
  const VectorXd f = evaluate(net, column(g));
  return {grid, std::vector<double>(f.data(), f.data() + f.size()), std::move(title), st, color};
}

inline plot::Series data_series(const VectorXd& x, const VectorXd& y) {
  return {std::vector<double>(x.data(), x.data() + x.size()), std::vector<double>(y.data(), y.data() + y.size()),
          "data", plot::Style::Points, 8};
}

inline std::pair<std::vector<double>, std::vector<double>> sorted_pairs(const VectorXd& x, const VectorXd& y) {
  std::vector<int> idx(x.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::sort(idx.begin(), idx.end(), [&](int a, int b) { return x(a) < x(b); });
  std::vector<double> xs, ys;
  for (int i : idx) xs.push_back(x(i)), ys.push_back(y(i));
  return {xs, ys};
}

}  // namespace rtv::verify::univariate_data
