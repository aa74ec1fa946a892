// cli/commands.hpp: the command table of rtv. `rtv --help`, `rtv` without a command and the error for an
// unknown command are generated from it (main.cpp); each command's own options and `rtv COMMAND --help` live in
// its file, cli/commands/<name>.cpp. Adding a command: its file, one line in kCommands (main.cpp), one line in
// cli/CMakeLists.txt.
#pragma once

#include <string>
#include <vector>

namespace rtv::cli {

/// One way of calling a command, as the usage text lists it: "rtv <name> <args>  <summary>".
struct Form {
  const char* args;     ///< positional arguments and the main options, e.g. "NETWORK [--radius r] [--json]"
  const char* summary;  ///< what it does, one sentence (wrapped by the usage text)
};

/// A command: its name, its forms (most have one) and the function that runs it. run() parses its own options
/// and returns the exit status; bad usage throws UsageError, bad input rtv::InputError (exit 2 for both).
struct Command {
  const char* name;
  std::vector<Form> forms;
  int (*run)(const std::vector<std::string>& args);
};

int run_inspect(const std::vector<std::string>& args);   // commands/inspect.cpp
int run_check(const std::vector<std::string>& args);     // commands/check.cpp
int run_balance(const std::vector<std::string>& args);   // commands/balance.cpp
int run_phantom(const std::vector<std::string>& args);   // commands/phantom.cpp
int run_radon(const std::vector<std::string>& args);     // commands/radon.cpp
int run_fbp(const std::vector<std::string>& args);       // commands/fbp.cpp
int run_train(const std::vector<std::string>& args);     // commands/train.cpp
int run_fit1d(const std::vector<std::string>& args);     // commands/fit1d.cpp
int run_solve(const std::vector<std::string>& args);     // commands/solve.cpp
int run_reduce(const std::vector<std::string>& args);    // commands/reduce.cpp
int run_seminorm(const std::vector<std::string>& args);  // commands/seminorm.cpp

}  // namespace rtv::cli
