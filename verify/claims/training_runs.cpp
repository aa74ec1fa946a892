// verify/claims/training_runs.cpp: the annealed training schedules of training_runs.hpp.
#include "training_runs.hpp"

#include <algorithm>

namespace rtv::verify {

TrainResult train_annealed(const ShallowNet& init, const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                           const TrainOptions& o) {
  TrainResult res = train(init, X, y, o);
  TrainOptions fine = o;
  fine.learning_rate = o.learning_rate / 10;
  fine.max_steps = o.max_steps / 2;
  fine.history_stride = o.history_stride > 0 ? std::max(1, fine.max_steps / 10) : 0;
  const TrainResult tail = train(res.net, X, y, fine);
  for (const auto& h : tail.history)
    if (h.step > 0) {
      TrainRecord rec = h;
      rec.step = res.steps + h.step / 10;  // in units of the coarse step, for the time axis
      res.history.push_back(rec);
    }
  res.net = tail.net;
  res.steps += tail.steps;
  res.objective = tail.objective;
  res.grad_norm = tail.grad_norm;
  res.converged = tail.converged;
  res.status = tail.status;
  res.message = tail.message;
  return res;
}

DeepTrainResult train_annealed(const DeepNet& init, const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y,
                               const TrainOptions& o) {
  const DeepTrainResult coarse = train(init, X, Y, o);
  TrainOptions fine = o;
  fine.learning_rate = o.learning_rate / 10;
  fine.max_steps = o.max_steps / 2;
  DeepTrainResult res = train(coarse.net, X, Y, fine);
  res.steps += coarse.steps;
  return res;
}

// The annealed schedule of training_runs.hpp with Adam: `lr` for `steps` steps, then lr / 10 for steps / 2 (Adam
// hovers at the optimum with an amplitude O(lr); the tail shrinks that tenfold).
DeepTrainResult train_annealed_deep(const DeepNet& init, const Eigen::MatrixXd& X, const Eigen::MatrixXd& Y,
                                    double lambda, double lr, int steps) {
  TrainOptions o;
  o.optimizer = Optimizer::Adam;
  o.lambda = lambda;
  o.learning_rate = lr;
  o.max_steps = steps;
  return train_annealed(init, X, Y, o);
}

}  // namespace rtv::verify
