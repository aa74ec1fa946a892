// rtv/io/files.hpp: whole files in and out, with no format of their own (the format readers and writers of
// arrays.hpp, network_json.hpp and torch_import.hpp, and the figures of plot.hpp, go through these).
//
// Output is atomic: the bytes go to a temporary file in the target's folder (".<name>.tmp.XXXXXX", mode
// 0666 & ~umask like an ordinary file), which is flushed and then renamed over the target. rename(2) within one
// file system replaces the target in one step (POSIX), so a reader sees the old file or the new one, never a
// half-written one, and a failed write leaves no temporary behind.
//
// Errors: a missing, unreadable or folder input, and an output whose folder is missing or not writable, are
// rtv::InputError "<path>: <problem>" (core/error.hpp). A writer given to produce_file_atomic that produces
// nothing is a std::runtime_error (the program's failure, not the user's).
#pragma once

#include <filesystem>
#include <functional>
#include <string>

namespace rtv {

/// Write `contents` to `path` atomically: a temporary file beside it, flushed, then renamed. Throws
/// InputError naming the path if the folder does not exist or is not writable.
void write_file_atomic(const std::filesystem::path& path, const std::string& contents);

/// Produce `path` atomically through a writer that receives the temporary path (for files written by other
/// programs, e.g. gnuplot). After the writer returns, the temporary file must exist and be non-empty, else
/// std::runtime_error naming `path`; the temporary is removed on every failure.
void produce_file_atomic(const std::filesystem::path& path,
                         const std::function<void(const std::filesystem::path& tmp)>& writer);

/// Read a whole file; InputError naming the path if it is missing or unreadable.
std::string read_file(const std::filesystem::path& path);

}  // namespace rtv
