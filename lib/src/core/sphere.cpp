// Unit balls and spheres (rtv/core/sphere.hpp).
#include "rtv/core/sphere.hpp"

#include <cmath>

namespace rtv {

double unit_ball_volume(int k) { return std::pow(M_PI, 0.5 * k) / std::tgamma(0.5 * k + 1.0); }
double unit_sphere_area(int d) { return 2.0 * std::pow(M_PI, 0.5 * d) / std::tgamma(0.5 * d); }

}  // namespace rtv
