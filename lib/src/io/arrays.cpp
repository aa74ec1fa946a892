// Arrays in files: .npy, .npz (libzip), CSV (formats in rtv/io/arrays.hpp).
#include "rtv/io/arrays.hpp"

#include <zip.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <sstream>
#include <utility>

#include "rtv/core/budget.hpp"
#include "rtv/core/error.hpp"
#include "rtv/io/files.hpp"

namespace rtv {

namespace fs = std::filesystem;

// ---------------------------------------------------------------- CSV

void write_csv(const fs::path& path, const std::vector<std::string>& header,
               const std::vector<std::vector<double>>& columns) {
  RTV_ASSERT(header.size() == columns.size(), "one header per column");
  std::ostringstream o;
  for (std::size_t j = 0; j < header.size(); ++j) o << (j ? "," : "") << header[j];
  o << "\n";
  const std::size_t n = columns.empty() ? 0 : columns[0].size();
  char buf[40];
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < columns.size(); ++j) {
      RTV_ASSERT(columns[j].size() == n, "columns of equal length");
      std::snprintf(buf, sizeof buf, "%.17g", columns[j][i]);
      o << (j ? "," : "") << buf;
    }
    o << "\n";
  }
  write_file_atomic(path, o.str());
}

// ---------------------------------------------------------------- 2D arrays

using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

RowMajor read_array(const fs::path& path) {
  const std::string src = path.string(), ext = path.extension().string();
  RowMajor a;
  if (ext == ".npy") {
    const NpyArray n = read_npy(path);
    if (n.shape.size() != 2)
      throw input_error(src, "expected a 2-D array, got " + std::to_string(n.shape.size()) + " dimensions");
    a.resize(n.shape[0], n.shape[1]);
    std::copy(n.data.begin(), n.data.end(), a.data());
  } else if (ext == ".csv") {
    std::string text = read_file(path);
    // A UTF-8 byte-order mark (Excel, Notepad) is not part of the first cell (issue 20: "\xEF\xBB\xBF1" did not
    // parse, so a file without header lost its first data row as a "header").
    if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
    std::istringstream in(text);
    std::vector<std::vector<double>> rows;
    std::string line;
    int lineno = 0;
    while (std::getline(in, line)) {
      ++lineno;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      std::vector<double> row;
      std::stringstream ls(line);
      std::string cell, bad_cell;
      int bad_col = 0, col = 0;
      while (std::getline(ls, cell, ',')) {
        ++col;
        char* end = nullptr;
        const double v = std::strtod(cell.c_str(), &end);
        if (end == cell.c_str() || std::string(end).find_first_not_of(" \t") != std::string::npos) {
          if (bad_col == 0) bad_col = col, bad_cell = cell;
          continue;
        }
        row.push_back(v);
      }
      if (bad_col != 0) {
        // The first line is a header only if NO cell of it is a number (issue 20: "1,2x" or "1,,2" was silently
        // taken as a header, losing a data row): a first line mixing numbers and non-numbers is a typo in data.
        if (rows.empty() && lineno == 1 && row.empty()) continue;
        throw input_error(src, "line " + std::to_string(lineno) + ", column " + std::to_string(bad_col) +
                                   ": not a number: '" + bad_cell + "'" +
                                   (lineno == 1 ? " (the first line is a header only if none of its cells is a "
                                                  "number)"
                                                : ""));
      }
      if (!rows.empty() && row.size() != rows[0].size())
        throw input_error(src, "line " + std::to_string(lineno) + " has " + std::to_string(row.size()) +
                                   " values, the first row has " + std::to_string(rows[0].size()) + " (ragged rows)");
      rows.push_back(std::move(row));
    }
    if (rows.empty()) throw input_error(src, "no data rows");
    a.resize(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows[0].size()));
    for (std::size_t i = 0; i < rows.size(); ++i)
      for (std::size_t j = 0; j < rows[i].size(); ++j) a(i, j) = rows[i][j];
  } else {
    throw input_error(src, "unknown array file type '" + ext + "' (expected .npy or .csv)");
  }
  if (a.size() == 0) throw input_error(src, "the array is empty");
  if (!a.allFinite()) throw input_error(src, "the array contains NaN or infinite values");
  return a;
}

void write_array(const fs::path& path, const RowMajor& a) {
  const std::string ext = path.extension().string();
  if (ext == ".npy") {
    write_npy(path, {a.rows(), a.cols()}, std::vector<double>(a.data(), a.data() + a.size()));
  } else if (ext == ".csv") {
    std::ostringstream o;
    char buf[40];
    for (Eigen::Index i = 0; i < a.rows(); ++i) {
      for (Eigen::Index j = 0; j < a.cols(); ++j) {
        std::snprintf(buf, sizeof buf, "%.17g", a(i, j));
        o << (j ? "," : "") << buf;
      }
      o << "\n";
    }
    write_file_atomic(path, o.str());
  } else {
    throw input_error(path.string(), "unknown array file type '" + ext + "' (expected .npy or .csv)");
  }
}

// ---------------------------------------------------------------- .npy

namespace {

// The value of 'key' in the header's Python dict literal, e.g. "'<f8'", "False", "(3, 4)".
std::string header_value(const std::string& header, const std::string& key, const std::string& source) {
  const std::string pat = "'" + key + "':";
  const auto p = header.find(pat);
  if (p == std::string::npos) throw input_error(source, "malformed .npy header: no '" + key + "'");
  std::size_t i = p + pat.size();
  while (i < header.size() && header[i] == ' ') ++i;
  std::size_t e = i;
  if (i < header.size() && header[i] == '(') {
    e = header.find(')', i);
    if (e == std::string::npos) throw input_error(source, "malformed .npy header: unterminated shape");
    ++e;
  } else if (i < header.size() && header[i] == '\'') {
    e = header.find('\'', i + 1);
    if (e == std::string::npos) throw input_error(source, "malformed .npy header: unterminated string");
    ++e;
  } else {
    while (e < header.size() && header[e] != ',' && header[e] != '}') ++e;
    while (e > i && header[e - 1] == ' ') --e;
  }
  return header.substr(i, e - i);
}

template <class T>
void convert(const char* p, std::size_t n, std::vector<double>& out) {
  out.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    T x;
    std::memcpy(&x, p + i * sizeof(T), sizeof(T));
    out[i] = static_cast<double>(x);
  }
}

// What a .npy header says: dtype, shape, where the data start, the element size and count (overflow-checked).
struct NpyHeader {
  std::string dtype, shape_text;
  std::vector<std::int64_t> shape;
  std::size_t data_off = 0, item = 0, count = 0;
};

// The header of .npy bytes (`bytes` may hold only a prefix of the file: enough for the header).
NpyHeader parse_npy_header(const std::string& bytes, const std::string& source) {
  static const char magic[] = "\x93NUMPY";
  if (bytes.size() < 10 || bytes.compare(0, 6, magic, 6) != 0)
    throw input_error(source, "not a NumPy .npy array (bad magic bytes)");
  const auto major = static_cast<unsigned char>(bytes[6]);
  std::size_t hlen = 0, off = 0;
  if (major == 1) {
    hlen = static_cast<unsigned char>(bytes[8]) | (static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8);
    off = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw input_error(source, "truncated .npy header");
    for (int i = 0; i < 4; ++i) hlen |= static_cast<std::size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
    off = 12;
  } else {
    throw input_error(source, ".npy format version " + std::to_string(major) + " is not supported (1-3 are)");
  }
  if (bytes.size() < off + hlen) throw input_error(source, "truncated .npy header");
  const std::string header = bytes.substr(off, hlen);
  NpyHeader arr;
  std::string descr = header_value(header, "descr", source);
  if (descr.size() < 2 || descr.front() != '\'') throw input_error(source, "malformed .npy header: bad descr");
  arr.dtype = descr.substr(1, descr.size() - 2);
  const std::string fortran = header_value(header, "fortran_order", source);
  if (fortran == "True")
    throw input_error(source, "Fortran-ordered arrays are not supported; save np.ascontiguousarray(a) instead");
  if (fortran != "False") throw input_error(source, "malformed .npy header: bad fortran_order");
  const std::string shape = header_value(header, "shape", source);
  arr.shape_text = shape;
  if (shape.size() < 2 || shape.front() != '(') throw input_error(source, "malformed .npy header: bad shape");
  {
    std::string inner = shape.substr(1, shape.size() - 2);
    std::stringstream ss(inner);
    std::string tok;
    while (std::getline(ss, tok, ',')) {
      tok.erase(0, tok.find_first_not_of(' '));
      tok.erase(tok.find_last_not_of(' ') + 1);
      if (tok.empty()) continue;
      if (tok.find_first_not_of("0123456789") != std::string::npos || tok.size() > 15)
        throw input_error(source, "malformed .npy header: bad shape " + shape);
      arr.shape.push_back(std::stoll(tok));
    }
  }
  std::size_t item = 0;
  if (arr.dtype == "<f8" || arr.dtype == "<i8") item = 8;
  else if (arr.dtype == "<f4" || arr.dtype == "<i4") item = 4;
  else
    throw input_error(source, "dtype '" + arr.dtype + "' is not supported (use little-endian float64, float32, "
                              "int64 or int32)");
  arr.item = item;
  arr.data_off = off + hlen;
  // The element count, overflow-safe and bounded by what the file's bytes can hold, before anything is
  // allocated (issue 20: a shape whose product wraps modulo 2^64 to the data length, e.g. (2^32, 2^32) with no
  // data, or (2147549185, 2147418113) = 2^62 + 1 with 8 bytes of '<f8', passed an unchecked count * item == size).
  std::size_t count = 1;
  const bool has_zero = std::find(arr.shape.begin(), arr.shape.end(), 0) != arr.shape.end();
  if (has_zero) count = 0;
  else
    for (const std::int64_t n : arr.shape) {
      const auto un = static_cast<std::size_t>(n);
      if (count > std::numeric_limits<std::size_t>::max() / un)
        throw input_error(source, "shape " + shape + ": the element count overflows 64 bits (limit " +
                                      std::to_string(std::numeric_limits<std::size_t>::max()) + " elements)");
      count *= un;
    }
  arr.count = count;
  return arr;
}

}  // namespace

NpyArray parse_npy(const std::string& bytes, const std::string& source) {
  const NpyHeader h = parse_npy_header(bytes, source);
  const std::string& shape = h.shape_text;
  const std::size_t item = h.item, count = h.count, data_off = h.data_off;
  const std::size_t avail = bytes.size() - data_off;  // >= 0: checked by parse_npy_header
  NpyArray arr;
  arr.dtype = h.dtype;
  arr.shape = h.shape;
  const std::size_t max_count = avail / item;
  if (count > max_count)
    throw input_error(source, "truncated .npy data: shape " + shape + " claims " + std::to_string(count) +
                                  " elements of " + std::to_string(item) + " bytes, but the file's " +
                                  std::to_string(avail) + " data bytes hold at most " + std::to_string(max_count));
  if (avail > count * item)  // count * item <= avail: no overflow
    throw input_error(source, "trailing bytes after the .npy data (shape and size disagree)");
  const char* p = bytes.data() + data_off;
  if (arr.dtype == "<f8") convert<double>(p, count, arr.data);
  else if (arr.dtype == "<f4") convert<float>(p, count, arr.data);
  else if (arr.dtype == "<i8") convert<std::int64_t>(p, count, arr.data);
  else convert<std::int32_t>(p, count, arr.data);
  return arr;
}

NpyArray read_npy(const fs::path& path) { return parse_npy(read_file(path), path.string()); }

std::string npy_bytes(const std::vector<std::int64_t>& shape, const std::vector<double>& data) {
  std::size_t count = 1;
  std::string sh = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    count *= static_cast<std::size_t>(shape[i]);
    sh += std::to_string(shape[i]) + (shape.size() == 1 ? "," : (i + 1 < shape.size() ? ", " : ""));
  }
  sh += ")";
  RTV_ASSERT(count == data.size(), "npy shape and data size agree");
  std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': " + sh + ", }";
  // Pad with spaces so that magic + version + length + header + '\n' is a multiple of 64 bytes.
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>((header.size() >> 8) & 0xff);
  out += header;
  out.append(reinterpret_cast<const char*>(data.data()), data.size() * sizeof(double));
  return out;
}

void write_npy(const fs::path& path, const std::vector<std::int64_t>& shape, const std::vector<double>& data) {
  write_file_atomic(path, npy_bytes(shape, data));
}

// ---------------------------------------------------------------- .npz (zip archive, libzip)

std::map<std::string, NpyArray> read_npz(const fs::path& path) {
  const std::string src = path.string();
  // The archive is read from the bytes read_file took (a regular file, within the memory budget), not reopened.
  const std::string bytes = read_file(path);
  // (libzip opens an empty buffer as an empty archive; an empty file is not one.)
  if (bytes.empty()) throw input_error(src, "not a readable .npz (zip) archive: the file is empty");
  zip_error_t ze;
  zip_error_init(&ze);
  auto zip_failure = [&](const std::string& what) {
    std::string msg = what + zip_error_strerror(&ze);
    zip_error_fini(&ze);
    return input_error(src, msg);
  };
  zip_source_t* zs = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &ze);
  if (!zs) throw zip_failure("cannot read the archive: ");
  zip_t* za = zip_open_from_source(zs, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
  if (!za) {
    zip_source_free(zs);
    throw zip_failure("not a readable .npz (zip) archive: ");
  }
  zip_error_fini(&ze);
  std::map<std::string, NpyArray> out;
  try {
    const zip_int64_t n = zip_get_num_entries(za, 0);
    for (zip_int64_t i = 0; i < n; ++i) {
      zip_stat_t st;
      zip_stat_init(&st);
      if (zip_stat_index(za, static_cast<zip_uint64_t>(i), 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) ||
          !(st.valid & ZIP_STAT_SIZE))
        throw input_error(src, "corrupt archive entry " + std::to_string(i));
      std::string name = st.name;
      const std::string msrc = src + ":" + name;
      // The size the archive claims is checked before anything is allocated, and the member is read in chunks,
      // so a claim is never trusted beyond the bytes that arrive (issue 20: a 200-byte file claiming 4 GiB
      // allocated 4 GiB; a 1 MB deflated bomb inflated to 2.1 GB before any check).
      check_memory(msrc, "the member", {static_cast<std::uint64_t>(st.size)}, 1);
      zip_file_t* zf = zip_fopen_index(za, static_cast<zip_uint64_t>(i), 0);
      if (!zf) throw input_error(src, "cannot open member '" + name + "': " + zip_strerror(za));
      std::string data;
      try {
        constexpr std::size_t kChunk = 1 << 16, kHeaderWindow = 1 << 20;
        data.reserve(static_cast<std::size_t>(std::min<zip_uint64_t>(st.size, kHeaderWindow)));
        char buf[kChunk];
        bool header_checked = false;
        for (;;) {
          const zip_int64_t got = zip_fread(zf, buf, sizeof buf);
          if (got < 0) throw input_error(msrc, std::string("corrupt member: ") + zip_file_strerror(zf));
          if (got == 0) break;
          if (data.size() + static_cast<std::size_t>(got) > st.size)
            throw input_error(msrc, "the member is larger than the " + std::to_string(st.size) +
                                        " bytes the archive says");
          data.append(buf, static_cast<std::size_t>(got));
          // Once the header has arrived (the first MiB, or the whole member if smaller), the size the .npy header
          // describes must be the size the archive claims: a mismatch stops before the rest is inflated.
          if (!header_checked && (data.size() >= kHeaderWindow || data.size() == st.size)) {
            const NpyHeader h = parse_npy_header(data, msrc);
            const long double want = static_cast<long double>(h.data_off) +
                                     static_cast<long double>(h.count) * static_cast<long double>(h.item);
            if (want != static_cast<long double>(st.size))
              throw input_error(msrc, std::string(want > st.size ? "truncated .npy data" : "trailing bytes after "
                                                                                         "the .npy data") +
                                          ": its header (shape " + h.shape_text + ", " + h.dtype + ") describes " +
                                          format_bytes(want) + " but the archive says the member has " +
                                          std::to_string(st.size) + " bytes");
            header_checked = true;  // (no reserve of st.size: the data may still stop short of the claim)
          }
        }
      } catch (...) {
        zip_fclose(zf);
        throw;
      }
      zip_fclose(zf);
      if (data.size() != st.size) throw input_error(msrc, "the member is truncated or corrupt");
      if (name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0) name.resize(name.size() - 4);
      out[name] = parse_npy(data, src + ":" + name);
    }
  } catch (...) {
    zip_discard(za);
    throw;
  }
  zip_discard(za);
  return out;
}

void read_training_data(const std::filesystem::path& path, Eigen::MatrixXd& X, Eigen::VectorXd& y) {
  const std::string p = path.string();
  const auto a = read_array(path);
  if (a.cols() < 2)
    throw input_error(p, "needs columns x1..xd, y (at least 2 columns), got " + std::to_string(a.cols()));
  const int d = static_cast<int>(a.cols()) - 1;
  if (a.rows() < d + 2)
    throw input_error(p, std::to_string(a.rows()) + " points in dimension " + std::to_string(d) +
                             ": need at least d + 2 = " + std::to_string(d + 2));
  if (!a.allFinite()) throw input_error(p, "contains NaN or infinite values");
  X = a.leftCols(d);
  y = a.col(d);
}

}  // namespace rtv
