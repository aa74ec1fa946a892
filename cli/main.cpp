// rtv: the command-line tool for users' own networks, images and data. This file is the dispatcher: the command
// table (kCommands) from which `rtv --help`, `rtv` without a command and the error for an unknown command are
// generated, and the one place where errors become exit statuses. Each command is a file cli/commands/<name>.cpp
// (its options, its `--help`, its output); what they share is cli/common.hpp.
// NETWORK is an rtv JSON network (.json) or a PyTorch state_dict (.npz or .safetensors); see README "File formats".
// Only inspect reads deep networks (rtv.deep-relu, or a deep nn.Sequential); the other commands are shallow.
// Exit status: 0 success, 2 bad usage or bad input, 3 an internal error (a bug: RTV_ASSERT) (one line on stderr naming the input and the problem: a file,
// or the flag of an option; library option fields are printed as the command's flag, common.cpp).
#include <algorithm>
#include <cstdio>
#include <exception>
#include <new>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "common.hpp"
#include "rtv/core/error.hpp"
#include "rtv/core/version.hpp"

namespace rtv::cli {
namespace {

const std::vector<Command> kCommands = {
    {"inspect",
     {{"NETWORK [--radius r] [--json]",
       "input dimension, neurons, distinct active hyperplanes, path norm, weight decay, R-TV (and on the ball B_r), "
       "imbalance; deep networks: per stage widths, WD, path norm, input-map singular values and rank"}},
     run_inspect},
    {"check",
     {{"NETWORK DATA [--lambda L] [--json] [--junit FILE]",
       "the theory's verdicts on a trained network: balance, stationarity, lambda, R-TV vs path norm, sparsity, gap "
       "to the global optimum (s.2, s.3, s.5); exit 1 if one fails"}},
     run_check},
    {"balance", {{"NETWORK -o OUT.json", "rescale every neuron to |v_k| = |w_k| (same function, WD = PN)"}}, run_balance},
    {"phantom", {{"NAME --size n -o IMAGE", "sample shepp-logan, disk or gaussian on [-L, L]^2"}}, run_phantom},
    {"radon", {{"IMAGE --angles A -o SINOGRAM", "2D Radon transform (Joseph) of an n x n image"}}, run_radon},
    {"fbp", {{"SINOGRAM [--filter F] -o IMAGE", "filtered backprojection f = c_2 R* Lambda R f"}}, run_fbp},
    {"train",
     {{"DATA --width K --lambda L -o NET", "full-batch training with weight decay (gd, adam) or PathProx"}},
     run_train},
    {"fit1d",
     {{"DATA [--lambda L] [-o NET]", "exact 1-D optimum: min-TV interpolation or trend filtering (s.4)"}},
     run_fit1d},
    {"solve", {{"DATA --lambda L -o NET", "certified global optimum over all widths, d = 1, 2 (s.5)"}}, run_solve},
    {"reduce",
     {{"NETWORK DATA -o OUT.json",
       "at most N - (d + 1) neurons with the same values at the data and no larger path norm (Caratheodory "
       "reduction, s.5)"}},
     run_reduce},
    {"seminorm",
     {{"NETWORK --radius r [--json]", "exact vs numerical Radon-domain R-TV on B_r, recovered neurons (d = 2, 3)"},
      {"--grid IMAGE --extent L", "numerical R-TV of a 2D function sampled on [-L, L]^2"}},
     run_seminorm},
};

constexpr std::size_t kLineWidth = 115;  // the usage text's right margin

// The usage text, from kCommands: one line per form, "  <name> <args>" then its summary in an aligned column,
// wrapped at kLineWidth.
std::string usage() {
  std::size_t column = 0;
  for (const Command& c : kCommands)
    for (const Form& f : c.forms) column = std::max(column, 2 + std::string(c.name).size() + 1 + std::string(f.args).size());
  column += 2;
  std::ostringstream out;
  out << "Usage: rtv COMMAND [options]\nCommands:\n";
  for (const Command& c : kCommands)
    for (const Form& f : c.forms) {
      std::string line = "  " + std::string(c.name) + " " + f.args;
      std::istringstream words(f.summary);
      std::string w;
      bool first = true;
      while (words >> w) {
        if (!first && line.size() + 1 + w.size() > kLineWidth) {
          out << line << "\n";
          line.clear();
          first = true;
        }
        if (first) line.resize(column, ' ');
        else line += ' ';
        line += w;
        first = false;
      }
      out << line << "\n";
    }
  out << "NETWORK: an rtv network file (.json, format rtv.shallow-relu; inspect also reads rtv.deep-relu) or a PyTorch\n"
         "         state_dict (.npz or .safetensors; inspect also reads an nn.Sequential of Linear and ReLU layers).\n"
         "IMAGE, SINOGRAM: .npy or .csv. Grid conventions: README 'Radon conventions' and 'rtv radon --help'.\n"
         "Run 'rtv COMMAND --help' for the options of a command.\n";
  return out.str();
}

// Messages go through rtv::one_line (core/error.hpp): a file's control characters never print a second line.
using rtv::one_line;

// One line on stderr for a library InputError "<source>: <problem>": an option field the command sets by a flag
// is printed as that flag, like a usage error; any other source (a file, a solver) as it is.
void print_input_error(const std::string& cmd, const rtv::InputError& e) {
  const std::string m = one_line(e.what());
  const auto colon = m.find(": ");
  const std::string flag = colon == std::string::npos ? "" : field_flag(cmd, m.substr(0, colon));
  if (flag.empty())
    std::cerr << "rtv: error: " << m << "\n";
  else
    std::cerr << "rtv: error: " << cmd << ": " << flag << m.substr(colon) << " (see 'rtv " << cmd << " --help')\n";
}

}  // namespace
}  // namespace rtv::cli

int main(int argc, char** argv) {
  using namespace rtv::cli;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    std::cerr << "rtv: error: missing COMMAND\n" << usage();
    return 2;
  }
  const std::string cmd = args[0];
  args.erase(args.begin());
  try {
    if (cmd == "--help" || cmd == "-h" || cmd == "help") {
      std::cout << usage();
      return 0;
    }
    if (cmd == "--version") {
      std::cout << "rtv " << rtv::kVersion << "\n";
      return 0;
    }
    for (const Command& c : kCommands)
      if (cmd == c.name) return c.run(args);
    std::cerr << "rtv: error: unknown command '" << one_line(cmd) << "'\n" << usage();
    return 2;
  } catch (const UsageError& e) {
    std::cerr << "rtv: error: " << one_line(e.what()) << " (see 'rtv " << cmd << " --help')\n";
    return 2;
  } catch (const rtv::InputError& e) {
    print_input_error(cmd, e);
    return 2;
  } catch (const rtv::InternalError& e) {  // a bug in rtv (RTV_ASSERT), not bad input
    std::cerr << "rtv: internal error: " << one_line(e.what()) << "\n";
    return 3;
  } catch (const std::bad_alloc&) {  // sizes from users are checked against the budget first (rtv/core/budget.hpp)
    std::cerr << "rtv: internal error: out of memory in '" << cmd
              << "' (an allocation the memory budget did not foresee: please report it with the command)\n";
    return 3;
  } catch (const std::exception& e) {  // anything else is a bug too: one line, never an abort
    std::cerr << "rtv: internal error: " << cmd << ": " << one_line(e.what()) << "\n";
    return 3;
  } catch (...) {
    std::cerr << "rtv: internal error: " << cmd << ": unknown exception\n";
    return 3;
  }
}
