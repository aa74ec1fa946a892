// verify/training_runs.hpp: the training schedule shared by the claims that train to a stationary point (W3, S3,
// S4, D2, D3): full-batch training at a fixed step, then a tenth of the step for a twentieth of the time. Reason
// (measured, claims W3 and S3): gradient descent chatters at the kinks of the optimum (a ReLU switching on and
// off at a data point) with an amplitude O(step); the short annealed tail removes most of that.
#pragma once

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

}  // namespace rtv::verify
