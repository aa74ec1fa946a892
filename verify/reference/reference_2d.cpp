// verify/reference/reference_2d.cpp: see reference_2d.hpp.
#include "reference_2d.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

namespace rtv::verify::reference {

double dense_scan_dual_sup(const Eigen::MatrixXd& X, const Eigen::VectorXd& alpha, int angles) {
  constexpr double kPi = 3.14159265358979323846;
  const int N = static_cast<int>(X.rows());
  std::vector<double> th;
  for (int i = 0; i < angles; ++i) th.push_back(2 * kPi * i / angles);
  for (int m = 0; m < N; ++m)
    for (int n = 0; n < N; ++n)
      if (n != m) {
        const double phi = std::atan2(X(n, 1) - X(m, 1), X(n, 0) - X(m, 0));
        th.push_back(phi + kPi / 2);
        th.push_back(phi - kPi / 2);
      }
  double best = 0;
  std::vector<double> z(N);
  std::vector<int> order(N);
  for (double a : th) {
    const double c = std::cos(a), s = std::sin(a);
    for (int n = 0; n < N; ++n) z[n] = c * X(n, 0) + s * X(n, 1), order[n] = n;
    // g at t = z_m for all m in O(N log N): sort by z descending, accumulate sum alpha and sum alpha z.
    std::sort(order.begin(), order.end(), [&](int p, int q) { return z[p] > z[q]; });
    double sa = 0, saz = 0;
    for (int k = 0; k < N;) {
      int e = k;  // points with equal z contribute 0 at t = z
      while (e < N && z[order[e]] == z[order[k]]) ++e;
      const double t = z[order[k]];
      best = std::max(best, std::abs(saz - t * sa));
      for (int i = k; i < e; ++i) sa += alpha(order[i]), saz += alpha(order[i]) * z[order[i]];
      k = e;
    }
  }
  return best;
}

}  // namespace rtv::verify::reference
