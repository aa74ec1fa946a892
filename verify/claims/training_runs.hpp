// verify/claims/training_runs.hpp: the training schedule shared by the claims that train to a stationary point
// (W3, S3, S4, N2, N3, D2, D3): full-batch training at a fixed step, then a tenth of the step for a twentieth of
// the time. Reason (measured, claims W3 and S3): gradient descent chatters at the kinks of the optimum (a ReLU
// switching on and off at a data point) with an amplitude O(step); the short annealed tail removes most of that.
// Also the data of W3 and W4 (training_data).
#pragma once

#include <cmath>

#include "claim.hpp"
#include "rtv/nets/deep.hpp"
#include "rtv/solvers/train.hpp"

namespace rtv::verify {

/// train(init, X, y, o), then train(result, X, y, o with step / 10 and max_steps / 2). The tail's history is
/// appended with steps in units of the coarse step (time = step x o.learning_rate).
TrainResult train_annealed(const ShallowNet& init, const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                           const TrainOptions& o);
/// The same schedule for deep networks (D2, D3): train(init, X, Y, o), then step / 10 for max_steps / 2.
DeepTrainResult train_annealed(const DeepNet& init, const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y,
                               const TrainOptions& o);

/// The annealed schedule with Adam (D2, D3): `lr` for `steps` steps, then lr / 10 for steps / 2.
DeepTrainResult train_annealed_deep(const DeepNet& init, const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y,
                                    double lambda, double lr, int steps);

/// The data of claims W3 and W4.
namespace training_data {

struct Problem {
  Eigen::MatrixXd X;
  Eigen::VectorXd y;
};

// N points, X ~ N(0, I_d), y = sin(2 x1) (+ cos(x2) / 2) + 0.1 noise; the data seed is fixed per d.
inline Problem smooth_data(int d, int N, Rng rng) {
  Problem p{rng.normal_matrix(N, d), Eigen::VectorXd(N)};
  for (int n = 0; n < N; ++n)
    p.y(n) = std::sin(2 * p.X(n, 0)) + (d > 1 ? 0.5 * std::cos(p.X(n, 1)) : 0.0) + 0.1 * rng.normal();
  return p;
}

}  // namespace training_data

}  // namespace rtv::verify
