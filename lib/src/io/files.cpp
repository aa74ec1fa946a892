// Whole files in and out, atomic output (rtv/io/files.hpp).
#include "rtv/io/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
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

// A fresh temporary file beside `path` (same folder, so rename is atomic). Returns its path; fd closed.
fs::path make_temp_beside(const fs::path& path) {
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw input_error(path.string(), "cannot write: folder '" + dir.string() + "' does not exist");
  std::string templ = (dir / ("." + path.filename().string() + ".tmp.XXXXXX")).string();
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  const int fd = ::mkstemp(buf.data());
  if (fd < 0) throw input_error(path.string(), std::string("cannot write: ") + std::strerror(errno));
  // mkstemp creates mode 0600; give the final file the usual 0666 & ~umask.
  static const mode_t mask = [] {
    const mode_t m = ::umask(0);
    ::umask(m);
    return m;
  }();
  ::fchmod(fd, 0666 & ~mask);
  ::close(fd);
  return fs::path(buf.data());
}

void commit_temp(const fs::path& tmp, const fs::path& path) {
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw input_error(path.string(), "cannot write: " + ec.message());
  }
}

}  // namespace

void write_file_atomic(const fs::path& path, const std::string& contents) {
  const fs::path tmp = make_temp_beside(path);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    out.flush();
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);
      throw input_error(path.string(), "cannot write (disk full or not writable)");
    }
  }
  commit_temp(tmp, path);
}

void produce_file_atomic(const fs::path& path, const std::function<void(const fs::path&)>& writer) {
  const fs::path tmp = make_temp_beside(path);
  try {
    writer(tmp);
    std::error_code ec;
    if (!fs::exists(tmp, ec) || fs::file_size(tmp, ec) == 0 || ec)
      throw std::runtime_error(path.string() + ": output was not produced (missing or empty)");
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
  commit_temp(tmp, path);
}

}  // namespace rtv
