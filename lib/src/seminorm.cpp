// The R-TV seminorm in the Radon domain. See rtv/seminorm.hpp.
#include "rtv/seminorm.hpp"

#include <cmath>

#include "rtv/error.hpp"
#include "rtv/filters.hpp"
#include "rtv/parallel.hpp"

namespace rtv {

RtvEstimate rtv_from_profiles(int d, const std::vector<std::vector<double>>& profiles, const Eigen::VectorXd& weights,
                              double T, int pad, int threads, Window window) {
  RTV_ASSERT(d >= 1 && pad >= 1 && !profiles.empty() && static_cast<Eigen::Index>(profiles.size()) == weights.size(),
             "one weight per profile");
  const int M = static_cast<int>(profiles[0].size());
  const double dt = 2 * T / M;
  // Padded grid: the same dt, M_pad = pad * M samples (same parity as M so the samples stay aligned).
  const int Mp = pad * M, off = (Mp - M) / 2;
  const auto filter = rtv_filter(Mp, dt, d, window);
  const int K = static_cast<int>(profiles.size());
  std::vector<double> mass(K, 0.0), tail(K, 0.0);
  parallel_for(K, threads, [&](int k) {
    RTV_ASSERT(static_cast<int>(profiles[k].size()) == M, "profiles of equal length");
    std::vector<double> p(Mp, 0.0);
    std::copy(profiles[k].begin(), profiles[k].end(), p.begin() + off);
    const std::vector<double> q = filter->apply(p);
    // int |q| dt over the samples' piecewise-linear interpolant, exactly: an interval where q changes sign
    // contributes (a^2 + b^2) / (2 (|a| + |b|)) dt, so the kinks of |q| cost no more than its curvature (O(dt^2)).
    double s = 0.0;
    for (int m = 0; m + 1 < Mp; ++m) {
      const double a = q[m], b = q[m + 1];
      s += (a * b >= 0.0) ? 0.5 * (std::abs(a) + std::abs(b)) : (a * a + b * b) / (2.0 * (std::abs(a) + std::abs(b)));
    }
    mass[k] = s * dt;
    // Beyond the padded range, |q| ~ C |t|^{-(d+2)} (even d; odd d: q is local and vanishes there):
    // int_Tp^inf C t^{-(d+2)} dt = |q(Tp)| Tp / (d + 1) per side.
    if (d % 2 == 0) {
      const double Tp = 0.5 * Mp * dt;
      tail[k] = (std::abs(q.front()) + std::abs(q.back())) * Tp / (d + 1);
    }
  });
  RtvEstimate e;
  e.offsets = Mp;
  e.dt = dt;
  const double cd = radon_inversion_constant(d);
  for (int k = 0; k < K; ++k) {
    e.value += cd * weights(k) * (mass[k] + tail[k]);
    e.tail += cd * weights(k) * tail[k];
  }
  return e;
}

RtvEstimate rtv_of_image(const Array2D& image, double L, int angles, int pad, int threads, Window window) {
  RTV_ASSERT(image.rows() == image.cols() && image.rows() > 0, "square image");
  const ImageGrid ig{static_cast<int>(image.rows()), L};
  const SinogramGrid sg = SinogramGrid::for_image(ig, angles > 0 ? angles : 2 * ig.n);
  const Array2D sino = radon(image, ig, sg, threads);
  std::vector<std::vector<double>> profiles(sg.angles);
  for (int a = 0; a < sg.angles; ++a) profiles[a].assign(sino.row(a).data(), sino.row(a).data() + sg.offsets);
  // Half circle of angles, each standing for itself and its antipode: weight 2 pi / A (whole circle 2 pi).
  const Eigen::VectorXd w = Eigen::VectorXd::Constant(sg.angles, 2 * M_PI / sg.angles);
  return rtv_from_profiles(2, profiles, w, sg.T, pad, threads, window);
}

}  // namespace rtv
