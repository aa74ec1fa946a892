// Helpers shared by the tests: scratch folders, running the command-line programs, building .npz files.
#pragma once

#include <gtest/gtest.h>

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <vector>
#include <string>

#include <Eigen/Core>

#include "rtv/core/error.hpp"
#include "rtv/io/arrays.hpp"

namespace rtv::test {

// The command-line tool and the fixtures folder of this build (compile definitions of the test programs,
// tests/CMakeLists.txt).
#ifdef RTV_CLI
inline const std::string kRtv = RTV_CLI;
#endif
#ifdef RTV_FIXTURE_DIR
inline const std::filesystem::path kFixtures = RTV_FIXTURE_DIR;
#endif

/// A one- or two-dimensional array as a matrix (a vector as one column; the data are row-major).
Eigen::MatrixXd as_matrix(const NpyArray& a);

/// Expect an InputError whose message names `source` and contains `fragment`.
template <class Fn>
void expect_input_error(Fn&& fn, const std::string& source, const std::string& fragment) {
  try {
    fn();
    ADD_FAILURE() << "no error; expected one containing '" << fragment << "'";
  } catch (const InputError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find(source), std::string::npos) << msg;
    EXPECT_NE(msg.find(fragment), std::string::npos) << msg;
  }
}

/// A fresh, empty scratch folder for the current test (removed when the object goes out of scope).
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
  /// Names of the files in the folder (to check that nothing half-written was left behind).
  std::vector<std::string> files() const;

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int status = -1;  ///< exit status
  std::string out, err;
};

/// Run a shell command line, capturing stdout and stderr.
CommandResult run(const std::string& command_line);

/// Shell-quote one argument.
std::string q(const std::string& s);

/// Write a zip archive with the given members (name -> bytes), stored or deflated.
void write_zip(const std::filesystem::path& path, const std::map<std::string, std::string>& members,
               bool deflate = false);

std::string slurp(const std::filesystem::path& path);

/// Running or not (a zombie or no process counts as not running): /proc/<pid>/stat's state.
bool process_running(pid_t pid);

/// What a forked child wrote into the pipe `fds` (the parent closes the write end, reads to EOF, closes the read
/// end), then waits for the child: its wait status in `status`.
std::string read_child(const int fds[2], pid_t pid, int& status);

}  // namespace rtv::test
