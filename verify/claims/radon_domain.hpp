// verify/claims/radon_domain.hpp: the ball and the heat-map panel of the Radon-domain measure shared by claims
// R4-R6 (THEORY.md s.3, s.8).
#pragma once

#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "claim.hpp"
#include "rtv/io/plot.hpp"
#include "rtv/radon/radon_measure.hpp"

namespace rtv::verify::radon_domain {

constexpr double kRadius = 1.0;  // the ball B_r of every experiment here

// asinh(q / q0): the measure's density spans many decades (spikes vs the window's background).
inline Array2D compress(const Array2D& q) {
  const double q0 = 1e-3 * q.cwiseAbs().maxCoeff();
  return q.unaryExpr([q0](double x) { return std::asinh(x / q0); });
}

// The heat map of the measure over [0, pi) x offsets, with (theta, t) of the given hyperplanes marked.
inline plot::Panel measure_panel(const MeasureHeatmap& hm,
                                 const std::vector<std::pair<Eigen::VectorXd, double>>& marks,
                                 const std::string& title, const std::string& mark_title, int color) {
  plot::Panel p;
  p.title = title;
  p.xlabel = "offset t";
  p.ylabel = "angle theta (rad)";
  p.heatmaps.push_back(heat(compress(hm.q), hm.offsets.front() - hm.dt / 2, hm.offsets.back() + hm.dt / 2, 0, M_PI,
                            true, "asinh(q / q0), q0 = 1e-3 max|q|"));
  plot::Series s;
  s.title = mark_title;
  s.style = plot::Style::Points;
  s.color = color;
  for (const auto& [g, t] : marks) {
    double th = std::atan2(g(1), g(0)), tt = t;
    if (th < 0) th += M_PI, tt = -tt;
    if (th >= M_PI) th -= M_PI, tt = -tt;
    s.x.push_back(tt);
    s.y.push_back(th);
  }
  p.series.push_back(s);
  return p;
}

}  // namespace rtv::verify::radon_domain
