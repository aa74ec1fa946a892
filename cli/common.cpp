// cli/common.cpp: the parts the rtv commands share (common.hpp).
#include "common.hpp"

#include <cstdio>

#include "rtv/io/arrays.hpp"
#include "rtv/io/network_json.hpp"

namespace rtv::cli {

po::variables_map parse(const std::string& cmd, const po::options_description& desc,
                        const po::positional_options_description& pos, const std::vector<std::string>& args) {
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(cmd + ": " + e.what());
  }
  return vm;
}

std::string g17(double x) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

void put_activation(nlohmann::ordered_json& j, const std::string& path) {
  j["activation"] = "relu";
  j["activation_assumed"] = rtv::activation_is_assumed(path);
}

const char* const kGrid =
    "Grid: img[i, j] = f(x_j, y_i), x_j = -L + (j + 1/2) h, y_i = -L + (i + 1/2) h, h = 2L/n (row = y).\n"
    "Sinogram [a, m] = R f(theta_a, t_m): theta_a = pi a / A, direction (cos, sin); t_m = -T + (m + 1/2) dt,\n"
    "dt = 2T/M. Default M = the smallest integer >= sqrt(2) n with the parity of n, T = M h / 2 (dt = h);\n"
    "--offsets M keeps T.\n";

rtv::ImageGrid image_grid(int n, double L) {
  rtv::ImageGrid g{n, L};
  g.validate("--size/--extent");
  return g;
}

rtv::Array2D read_square(const std::string& path, const char* what) {
  rtv::Array2D a = rtv::read_array(path);
  if (a.rows() != a.cols())
    throw rtv::input_error(path, std::string("the ") + what + " must be square (n x n), got " +
                                     std::to_string(a.rows()) + " x " + std::to_string(a.cols()));
  return a;
}

int threads_option(const po::variables_map& vm) {
  const int t = vm["threads"].as<int>();
  if (t < 0) throw UsageError("--threads must be 0 (all cores) or positive, got " + std::to_string(t));
  return t;
}

[[noreturn]] void rethrow_naming_files(const rtv::InputError& e,
                                       std::initializer_list<std::pair<std::string, std::string>> files) {
  const std::string m = e.what();
  const auto colon = m.find(": ");
  if (colon != std::string::npos)
    for (const auto& [source, file] : files)
      if (source == "*" || m.compare(0, colon, source) == 0) throw rtv::input_error(file, m.substr(colon + 2));
  throw e;
}

void read_training_data(const std::string& path, Eigen::MatrixXd& X, Eigen::VectorXd& y, const char* cmd_1d) {
  rtv::read_training_data(path, X, y);  // rtv/io/arrays.hpp: the checks and messages
  if (cmd_1d && X.cols() != 1)
    throw UsageError(std::string(cmd_1d) + ": " + path + " has " + std::to_string(X.cols() + 1) + " columns: " + cmd_1d +
                     " needs 1-D data (x, y), 2 columns");
}

namespace {

// The library's option fields (TrainOptions, RadonRtvOptions, parse_* sources) and the flag of each command
// that sets them. A field that no command sets is printed as the library names it.
struct FieldFlag {
  const char* command;
  const char* field;
  const char* flag;
};

constexpr FieldFlag kFieldFlags[] = {
    {"fbp", "filter", "--filter"},              // parse_window
    {"seminorm", "angles", "--resolution"},     // RadonRtvOptions::angles
    {"seminorm", "radius", "--radius"},         // radon_rtv_ball's r
    {"train", "grad_tol", "--grad-tol"},        // TrainOptions
    {"train", "lambda", "--lambda"},
    {"train", "learning_rate", "--lr"},
    {"train", "max_steps", "--steps"},
    {"train", "optimizer", "--optimizer"},      // parse_optimizer, TrainOptions::optimizer
    {"train", "rel_tol", "--rel-tol"},
};

}  // namespace

std::string field_flag(const std::string& command, const std::string& field) {
  for (const FieldFlag& f : kFieldFlags)
    if (command == f.command && field == f.field) return f.flag;
  return "";
}

}  // namespace rtv::cli
