// Whole files in and out, atomic output, folders written as one unit, stop requests (rtv/io/files.hpp).
#include "rtv/io/files.hpp"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>  // renameat2 (glibc >= 2.28, _GNU_SOURCE)
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "rtv/core/budget.hpp"
#include "rtv/core/error.hpp"

namespace rtv {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw input_error(path.string(), "no such file");
  if (fs::is_directory(path, ec)) throw input_error(path.string(), "is a folder, not a file");
  // Only regular files (also through a link): a device reads forever (/dev/zero) and a FIFO blocks until a writer
  // comes (issue 20); their size is not known in advance either.
  if (!fs::is_regular_file(path, ec))
    throw input_error(path.string(), "is not a regular file (a device, FIFO or socket): give a file");
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec) throw input_error(path.string(), "cannot be read: " + ec.message());
  check_memory(path.string(), "the file", {static_cast<std::uint64_t>(size)}, 1);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw input_error(path.string(), "cannot be opened for reading");
  std::string bytes(static_cast<std::size_t>(size), '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  if (in.bad() || static_cast<std::uintmax_t>(in.gcount()) != size)
    throw input_error(path.string(), "read error (the file changed while it was read?)");
  return bytes;
}

namespace {

std::string errno_text(int e) { return e ? std::strerror(e) : "unknown error"; }

// Write all of [data, data + n) to fd; false with errno set on failure (EINTR retried).
bool write_all(int fd, const char* data, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, data, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (w == 0) {
      errno = EIO;
      return false;
    }
    data += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

// The output `path` must name a file: not an existing folder, not a path ending in '/'.
void require_file_target(const fs::path& path) {
  std::error_code ec;
  if (path.empty()) throw input_error("output", "empty path");
  if (!path.has_filename() || fs::is_directory(path, ec))
    throw input_error(path.string(), "is a folder; give the file to write");
}

// A fresh temporary file beside `path` (same folder, so rename is atomic), open: returns its path and fd.
fs::path make_temp_beside(const fs::path& path, int& fd) {
  require_file_target(path);
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw input_error(path.string(), "cannot write: folder '" + dir.string() + "' does not exist");
  std::string templ = (dir / ("." + path.filename().string() + ".tmp.XXXXXX")).string();
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  fd = ::mkstemp(buf.data());
  if (fd < 0) throw OutputError(path.string() + ": cannot write: " + errno_text(errno));
  // mkstemp creates mode 0600; give the final file the usual 0666 & ~umask.
  static const mode_t mask = [] {
    const mode_t m = ::umask(0);
    ::umask(m);
    return m;
  }();
  ::fchmod(fd, 0666 & ~mask);
  return fs::path(buf.data());
}

void commit_temp(const fs::path& tmp, const fs::path& path) {
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    if (e == EISDIR || e == ENOTEMPTY || e == EEXIST)
      throw input_error(path.string(), "is a folder; give the file to write");
    throw OutputError(path.string() + ": cannot write: " + errno_text(e));
  }
}

}  // namespace

void write_file_atomic(const fs::path& path, const std::string& contents) {
  int fd = -1;
  const fs::path tmp = make_temp_beside(path, fd);
  const bool wrote = write_all(fd, contents.data(), contents.size());
  int e = wrote ? 0 : errno;
  if (::close(fd) != 0 && wrote) e = errno;  // a delayed write error (e.g. NFS, quota) shows at close
  if (e) {
    ::unlink(tmp.c_str());
    throw OutputError(path.string() + ": cannot write: " + errno_text(e));
  }
  commit_temp(tmp, path);
}

void produce_file_atomic(const fs::path& path, const std::function<void(const fs::path&)>& writer) {
  int fd = -1;
  const fs::path tmp = make_temp_beside(path, fd);
  ::close(fd);
  try {
    writer(tmp);
    std::error_code ec;
    if (!fs::exists(tmp, ec) || fs::file_size(tmp, ec) == 0 || ec)
      throw std::runtime_error(path.string() + ": output was not produced (missing or empty)");
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
  commit_temp(tmp, path);
}

std::string write_probe(const fs::path& dir, std::size_t bytes) {
  std::string templ = (dir / ".rtv-probe.XXXXXX").string();
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  const int fd = ::mkstemp(buf.data());
  if (fd < 0) return errno_text(errno);
  const std::string block(bytes, '\0');
  const bool ok = write_all(fd, block.data(), block.size());
  int e = ok ? 0 : errno;
  if (::close(fd) != 0 && ok) e = errno;
  ::unlink(buf.data());
  return e ? errno_text(e) : std::string();
}

// ---- StagedFolder ----

namespace {

// mkdtemp of "<dir>/.<name>.<tag>.XXXXXX".
fs::path make_temp_folder(const fs::path& dir, const std::string& name, const std::string& tag, int& err) {
  std::string templ = (dir / ("." + name + "." + tag + ".XXXXXX")).string();
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (!::mkdtemp(buf.data())) {
    err = errno;
    return {};
  }
  err = 0;
  return fs::path(buf.data());
}

}  // namespace

StagedFolder::StagedFolder(const fs::path& target) {
  std::error_code ec;
  if (target.empty()) throw input_error("output folder", "the output folder must not be empty");
  fs::path t = target;
  if (fs::is_symlink(t, ec)) {
    const fs::path dest = fs::canonical(t, ec);
    if (!ec && fs::is_directory(dest, ec)) t = dest;
  }
  const fs::path abs = fs::weakly_canonical(fs::absolute(t, ec), ec);
  if (ec) throw input_error(target.string(), "cannot create the output folder: " + ec.message());
  const fs::path cwd = fs::current_path(ec);
  if (!abs.has_parent_path() || abs == abs.root_path() || abs.filename().empty() ||
      (!cwd.empty() && !cwd.lexically_relative(abs).empty() && *cwd.lexically_relative(abs).begin() != ".."))
    throw input_error(target.string(), "is the root, the current folder or a folder holding it: give a folder of its "
                                       "own (rtv replaces the whole folder)");
  if (fs::exists(abs, ec) && !fs::is_directory(abs, ec))
    throw input_error(target.string(), "cannot create the output folder: it is a file");
  target_ = abs;
  const fs::path parent = abs.parent_path();
  fs::create_directories(parent, ec);
  if (ec) throw input_error(target.string(), "cannot create the output folder: " + ec.message());
  // A target that is a mount point (a container's volume) cannot be renamed: stage inside it and swap its entries.
  struct stat st_target {}, st_parent {};
  inside_ = ::stat(abs.c_str(), &st_target) == 0 && ::stat(parent.c_str(), &st_parent) == 0 &&
            st_target.st_dev != st_parent.st_dev;
  int err = 0;
  staging_ = inside_ ? make_temp_folder(abs, "rtv", "run", err)
                     : make_temp_folder(parent, abs.filename().string(), "run", err);
  if (staging_.empty()) throw input_error(target.string(), "cannot create the output folder: " + errno_text(err));
  // mkdtemp makes mode 0700; a report folder is an ordinary folder (0777 & ~umask).
  const mode_t m = ::umask(0);
  ::umask(m);
  ::chmod(staging_.c_str(), 0777 & ~m);
}

StagedFolder::~StagedFolder() {
  if (committed_ || staging_.empty()) return;
  std::error_code ec;
  fs::remove_all(staging_, ec);
}

namespace {

// Put `from` in the place of `to` (same file system): swapped in one step if `to` exists (the old one is then at
// `from`), else renamed. Where the file system cannot swap, `to` is first renamed to `aside`. Returns 0 or errno.
int swap_in(const fs::path& from, const fs::path& to, const fs::path& aside) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_EXCHANGE) == 0) return 0;
  if (errno == ENOENT) return ::rename(from.c_str(), to.c_str()) == 0 ? 0 : errno;
  if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) return errno;
  if (::rename(to.c_str(), aside.c_str()) != 0) return errno;
  if (::rename(from.c_str(), to.c_str()) != 0) {
    const int e = errno;
    ::rename(aside.c_str(), to.c_str());
    return e;
  }
  return 0;
}

}  // namespace

void StagedFolder::commit() {
  if (committed_) return;
  InterruptShield shield;
  std::error_code ec;
  if (inside_) {
    // Entry by entry (each swapped in one step); then the target's other entries go, with the old ones.
    std::vector<fs::path> entries;
    for (const auto& e : fs::directory_iterator(staging_, ec)) entries.push_back(e.path().filename());
    if (ec) throw input_error(target_.string(), "cannot replace the output folder: " + ec.message());
    for (const fs::path& name : entries) {
      const int e = swap_in(staging_ / name, target_ / name, staging_ / (".old." + name.string()));
      if (e) throw input_error(target_.string(), "cannot replace the output folder: " + errno_text(e));
    }
    committed_ = true;
    const std::set<fs::path> fresh(entries.begin(), entries.end());
    for (const auto& e : fs::directory_iterator(target_, ec)) {
      const fs::path name = e.path().filename();
      if (!fresh.count(name) && e.path() != staging_) fs::remove_all(e.path(), ec);
    }
    fs::remove_all(staging_, ec);
    return;
  }
  const bool exists = fs::exists(target_, ec);
  if (!exists) {
    if (::rename(staging_.c_str(), target_.c_str()) == 0) {
      committed_ = true;
      return;
    }
    if (errno != EEXIST && errno != ENOTEMPTY)
      throw input_error(target_.string(), "cannot write the output folder: " + errno_text(errno));
    // created meanwhile: replace it below
  }
  if (::renameat2(AT_FDCWD, staging_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) == 0) {
    committed_ = true;
    fs::remove_all(staging_, ec);  // now the old folder
    return;
  }
  if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
    throw input_error(target_.string(), "cannot replace the output folder: " + errno_text(errno));
  // No atomic swap on this file system: rename the old folder away (onto an empty folder of our own), then the new
  // one in; put the old one back if that fails.
  int err = 0;
  const fs::path old = make_temp_folder(target_.parent_path(), target_.filename().string(), "old", err);
  if (old.empty()) throw input_error(target_.string(), "cannot replace the output folder: " + errno_text(err));
  if (::rename(target_.c_str(), old.c_str()) != 0) {
    err = errno;
    fs::remove(old, ec);
    throw input_error(target_.string(), "cannot replace the output folder: " + errno_text(err));
  }
  if (::rename(staging_.c_str(), target_.c_str()) != 0) {
    err = errno;
    ::rename(old.c_str(), target_.c_str());
    throw input_error(target_.string(), "cannot replace the output folder: " + errno_text(err));
  }
  committed_ = true;
  fs::remove_all(old, ec);
}

// ---- stop requests ----

namespace {

std::atomic<int> g_signal{0};
std::atomic<int> g_shields{0};
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs a lock-free flag");

// Async-signal-safe: atomics, write(2), signal(2), raise(3) only.
extern "C" void on_stop_signal(int sig) {
  int expected = 0;
  if (g_signal.compare_exchange_strong(expected, sig)) {
    const char* msg = sig == SIGINT ? "\ninterrupted (SIGINT): stopping and cleaning up (again to kill at once)\n"
                                    : "\nterminated (SIGTERM): stopping and cleaning up (again to kill at once)\n";
    const ssize_t ignored = ::write(2, msg, std::strlen(msg));
    (void)ignored;
    return;
  }
  if (g_shields.load() > 0) return;
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

namespace {
std::string signal_name(int signal) {
  return signal == SIGINT ? "SIGINT" : signal == SIGTERM ? "SIGTERM" : "signal " + std::to_string(signal);
}
}  // namespace

Interrupted::Interrupted(int signal) : std::runtime_error("interrupted by " + signal_name(signal)), signal_(signal) {}

void install_interrupt_handlers() {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;  // interrupted system calls resume; the flag is polled
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
}

int interrupt_signal() noexcept { return g_signal.load(); }

void request_interrupt(int signal) noexcept {
  int expected = 0;
  g_signal.compare_exchange_strong(expected, signal);
}

void clear_interrupt() noexcept { g_signal.store(0); }

void check_interrupt() {
  if (const int s = g_signal.load()) throw Interrupted(s);
}

InterruptShield::InterruptShield() { g_shields.fetch_add(1); }
InterruptShield::~InterruptShield() { g_shields.fetch_sub(1); }

}  // namespace rtv
