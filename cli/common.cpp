// cli/common.cpp: the parts the rtv commands share (common.hpp).
#include "common.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <system_error>

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

namespace {

// Two paths that are one file: the same inode if both exist, else the same normalised absolute path.
bool same_file(const fs::path& a, const fs::path& b) {
  std::error_code ea, eb, e;
  if (fs::exists(a, ea) && fs::exists(b, eb)) {
    const bool eq = fs::equivalent(a, b, e);
    if (!e) return eq;
  }
  return fs::weakly_canonical(fs::absolute(a), ea) == fs::weakly_canonical(fs::absolute(b), eb);
}

}  // namespace

namespace {

void require_finite(const nlohmann::ordered_json& j, const std::string& where) {
  if (j.is_number_float() && !std::isfinite(j.get<double>()))
    throw rtv::InternalError("the result '" + where + "' is " + g17(j.get<double>()) +
                             ": rtv never prints a non-finite number (please report this with the input)");
  if (j.is_object())
    for (auto it = j.begin(); it != j.end(); ++it) require_finite(it.value(), where.empty() ? it.key() : where + "." + it.key());
  if (j.is_array())
    for (std::size_t i = 0; i < j.size(); ++i) require_finite(j[i], where + "[" + std::to_string(i) + "]");
}

}  // namespace

void print_json(const nlohmann::ordered_json& j) {
  require_finite(j, "");
  std::cout << j.dump(2) << "\n";
}

void check_outputs(const std::vector<std::string>& inputs, const std::vector<OutputFile>& outputs) {
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    const OutputFile& o = outputs[i];
    if (o.path.empty()) continue;
    const fs::path p(o.path);
    auto fail = [&](const std::string& problem) { return rtv::input_error(o.path, "(" + o.flag + ") " + problem); };
    std::error_code ec;
    if (fs::is_directory(p, ec)) throw fail("is a folder, not a file");
    if (!o.extensions.empty()) {
      const std::string ext = p.extension().string();
      bool ok = false;
      std::string list;
      for (const std::string& e : o.extensions) {
        ok = ok || ext == e;
        list += (list.empty() ? "" : " or ") + e;
      }
      if (!ok) throw fail("must be a " + list + " file (what " + o.flag + " writes)");
    }
    const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
    if (!fs::is_directory(dir, ec)) throw fail("its folder '" + dir.string() + "' does not exist");
    if (::access(dir.c_str(), W_OK) != 0) throw fail("its folder '" + dir.string() + "' is not writable");
    for (const std::string& in : inputs)
      if (!in.empty() && same_file(p, in))
        throw fail("is the input " + in + ": refusing to overwrite an input (choose another output name)");
    for (std::size_t j = 0; j < i; ++j)
      if (!outputs[j].path.empty() && same_file(p, outputs[j].path))
        throw fail("is also the output of " + outputs[j].flag + ": give two different files");
  }
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
    {"phantom", "supersample", "--supersample"},  // sample_image
    {"radon", "angles", "--angles"},            // SinogramGrid::for_image
    {"radon", "offsets", "--offsets"},
    {"radon", "angles/offsets", "--angles/--offsets"},
    {"seminorm", "angles", "--resolution"},     // RadonRtvOptions::angles
    {"seminorm", "pad", "--pad"},               // rtv_of_image
    {"seminorm", "angles/offsets", "--angles"},  // rtv_of_image (SinogramGrid::for_image)
    {"seminorm", "window", "--window"},         // RadonRtvOptions::window (in units of r on the command line)
    {"seminorm", "radius", "--radius"},         // radon_rtv_ball's r
    {"train", "grad_tol", "--grad-tol"},        // TrainOptions
    {"train", "width", "--width"},              // init_network, train (the memory budget)
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
