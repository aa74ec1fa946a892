// rtv/core/sphere.hpp: volumes of unit balls and areas of unit spheres (THEORY.md s.3: the constants of the
// d-dimensional Radon transform and of the closed-form ball sinograms).
#pragma once

namespace rtv {

/// Volume of the unit k-ball, pi^{k/2} / Gamma(k/2 + 1) (k >= 0).
double unit_ball_volume(int k);
/// Area of the unit sphere S^{d-1}, 2 pi^{d/2} / Gamma(d/2).
double unit_sphere_area(int d);

}  // namespace rtv
