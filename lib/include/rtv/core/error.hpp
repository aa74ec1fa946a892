// rtv/core/error.hpp: the three failure mechanisms of the suite (STYLE.md item 10).
//
//  * Bad user input (malformed file, NaN, wrong shape, unknown option): throw rtv::InputError. Its message
//    names the input and the problem; the command-line tools turn it into one line on stderr and exit 2.
//  * A broken internal invariant: RTV_ASSERT (always on, also in Release builds: these are cheap). It throws
//    rtv::InternalError (a std::logic_error) with the expression, file and line, so that a host process (the
//    Python module, a user's program, the claim harness) survives it: the Python module raises RuntimeError, the
//    command-line tools print "internal error" and exit 3.
//  * A numerical outcome (not converged, claim failed): a status field in a result struct, never an exception.
#pragma once

#include <stdexcept>
#include <string>

namespace rtv {

/// Bad input from a user: a file, an option or an argument. `what()` names the input and the problem.
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A broken internal invariant (a bug in rtv, not bad input): thrown by RTV_ASSERT.
class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

/// `s` with its control characters (bytes < 0x20 and 0x7f) written as \n, \r, \t or \xNN: a message that quotes a
/// file's bytes (a JSON key, a tensor name, a CSV cell) stays one line whatever the file holds.
std::string one_line(const std::string& s);

/// Helper: "<source>: <problem>", the one format every InputError message follows; one line (one_line: issue 20,
/// a key or cell holding a newline or carriage return printed a second, file-controlled line).
inline InputError input_error(const std::string& source, const std::string& problem) {
  return InputError(one_line(source + ": " + problem));
}

/// x for an error message: 6 significant digits ("1e+300", "0.25", "nan").
std::string number_text(double x);

[[noreturn]] void assertion_failed(const char* expr, const char* file, int line, const std::string& msg);

}  // namespace rtv

#define RTV_ASSERT(expr, msg)                                                  \
  do {                                                                         \
    if (!(expr)) ::rtv::assertion_failed(#expr, __FILE__, __LINE__, (msg));    \
  } while (0)
