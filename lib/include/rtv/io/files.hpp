// rtv/io/files.hpp: whole files in and out, with no format of their own (the format readers and writers of
// arrays.hpp, network_json.hpp and torch_import.hpp, and the figures of plot.hpp, go through these); a folder
// written as one unit (StagedFolder: rtv-verify's report); and stop requests by SIGINT/SIGTERM for programs that
// write files and run child processes (rtv-verify).
//
// Output is atomic: the bytes go to a temporary file in the target's folder (".<name>.tmp.XXXXXX", mode
// 0666 & ~umask like an ordinary file), which is flushed and then renamed over the target. rename(2) within one
// file system replaces the target in one step (POSIX), so a reader sees the old file or the new one, never a
// half-written one, and a failed write leaves no temporary behind.
//
// Errors: a missing, unreadable or folder input, an output that is a folder or whose folder is missing, are
// rtv::InputError "<path>: <problem>" (core/error.hpp); a write that fails (a full disk, a folder not writable) is
// rtv::OutputError (an InputError) with the system's reason ("<path>: cannot write: No space left on device"). A
// writer given to produce_file_atomic that produces nothing is a std::runtime_error (the program's failure, not
// the user's).
#pragma once

#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>

#include "rtv/core/error.hpp"

namespace rtv {

/// An output that cannot be written (a full disk, a file size limit, no permission): "<path>: cannot write:
/// <system's reason>". An InputError (exit 2 in the tools); its own type so that rtv-verify stops the run on it
/// instead of counting it as the failure of the claim that was writing (run_claims, verify/harness.hpp).
class OutputError : public InputError {
 public:
  using InputError::InputError;
};

/// Write `contents` to `path` atomically: a temporary file beside it, flushed, then renamed. Throws
/// InputError naming the path if it is a folder or its folder does not exist, OutputError if a write fails (with
/// the system's reason, e.g. "No space left on device", "Permission denied").
void write_file_atomic(const std::filesystem::path& path, const std::string& contents);

/// Produce `path` atomically through a writer that receives the temporary path (for files written by other
/// programs, e.g. gnuplot). After the writer returns, the temporary file must exist and be non-empty, else
/// std::runtime_error naming `path`; the temporary is removed on every failure (and on an exception of the writer,
/// which propagates).
void produce_file_atomic(const std::filesystem::path& path,
                         const std::function<void(const std::filesystem::path& tmp)>& writer);

/// Read a whole file; InputError naming the path if it is missing or unreadable.
std::string read_file(const std::filesystem::path& path);

/// If writing a file into `dir` fails now, the system's reason ("No space left on device"); else an empty string.
/// Writes and removes a probe file ".rtv-probe.XXXXXX" of `bytes` bytes. For diagnosing a program that failed to
/// write an output without saying why (gnuplot on a full disk).
std::string write_probe(const std::filesystem::path& dir, std::size_t bytes = 1 << 20);

/// A folder written as one unit (rtv-verify's report: report, figures and data of one run). The files go to a
/// fresh folder beside the target, "<parent>/.<name>.run.XXXXXX"; commit() puts it in the target's place. Until
/// then the target is untouched, and an uncommitted StagedFolder removes its folder and everything in it when
/// destroyed (an error or a stop request: nothing of the run is left). Replacing: a target that does not exist is
/// created by one rename(2); an existing one is swapped with the new folder in one step (Linux renameat2
/// RENAME_EXCHANGE: a reader sees the old folder or the new one, never none or a mix) and the old contents are then
/// removed; where the file system cannot swap, the old folder is renamed away first (for a moment there is no
/// target). A target that is a symbolic link to a folder is replaced at the link's destination. A target that is a
/// mount point (a container's volume: it cannot be renamed) is staged inside itself, ".rtv.run.XXXXXX", and
/// committed entry by entry (each entry swapped in one step, then the target's other entries removed): the new
/// report's entries appear one after the other, and the folder itself stays.
class StagedFolder {
 public:
  /// Creates the target's parent folders and the staging folder. InputError naming `target` if it is a file, if it
  /// names no folder of its own (empty, "/", the current folder or one holding it), or if a folder cannot be
  /// created ("cannot create the output folder: <reason>").
  explicit StagedFolder(const std::filesystem::path& target);
  ~StagedFolder();
  StagedFolder(const StagedFolder&) = delete;
  StagedFolder& operator=(const StagedFolder&) = delete;

  /// The folder to write into (until commit).
  const std::filesystem::path& path() const { return staging_; }
  /// The folder it replaces (a symbolic link resolved).
  const std::filesystem::path& target() const { return target_; }
  /// Put the staged folder in the target's place (see the class comment); a stop request arriving meanwhile waits
  /// for it (InterruptShield). InputError naming the target if a rename fails; the target is then as before.
  void commit();

 private:
  std::filesystem::path target_, staging_;
  bool inside_ = false;  ///< the target is a mount point: staged inside it, swapped entry by entry
  bool committed_ = false;
};

// ---- Stop requests (SIGINT, SIGTERM) ----
// A program that writes files must not die half-way through them. rtv-verify calls install_interrupt_handlers():
// the first SIGINT or SIGTERM only records the signal (an async-signal-safe handler that sets a flag and writes one
// line on stderr); the program stops at its next check_interrupt() (between claims, at a claim's progress line and
// data file, while gnuplot runs: plot.hpp kills it), cleans up on the way out (StagedFolder, temporaries) and exits
// 128 + signal (130, 143). A second signal kills the program at once (default action: no clean-up) unless an
// InterruptShield is alive (a folder being committed), which it cannot cut: then it is ignored. Without installed
// handlers (the
// Python module, a user's program) nothing changes: interrupt_signal() stays 0 unless request_interrupt() is called.

/// Thrown by check_interrupt(): "interrupted by SIGTERM". signal(): the signal number.
class Interrupted : public std::runtime_error {
 public:
  explicit Interrupted(int signal);
  int signal() const { return signal_; }

 private:
  int signal_;
};

/// Handle SIGINT and SIGTERM as described above (for the process; idempotent).
void install_interrupt_handlers();
/// The signal that asked the program to stop (the first one), 0 if none. Async-signal-safe.
int interrupt_signal() noexcept;
/// Record a stop request as the handler does (async-signal-safe; tests, or a program's own handler).
void request_interrupt(int signal) noexcept;
/// Forget a recorded stop request (tests; a program that handled it and goes on).
void clear_interrupt() noexcept;
/// Throws Interrupted if a stop request was recorded.
void check_interrupt();

/// While one is alive, a second signal does not kill the program (it is ignored; the first one is recorded): for
/// steps that must not be cut in the middle (renaming folders). Nestable.
class InterruptShield {
 public:
  InterruptShield();
  ~InterruptShield();
  InterruptShield(const InterruptShield&) = delete;
  InterruptShield& operator=(const InterruptShield&) = delete;
};

}  // namespace rtv
