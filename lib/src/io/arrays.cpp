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

}  // namespace

NpyArray parse_npy(const std::string& bytes, const std::string& source) {
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
  NpyArray arr;
  std::string descr = header_value(header, "descr", source);
  if (descr.size() < 2 || descr.front() != '\'') throw input_error(source, "malformed .npy header: bad descr");
  arr.dtype = descr.substr(1, descr.size() - 2);
  const std::string fortran = header_value(header, "fortran_order", source);
  if (fortran == "True")
    throw input_error(source, "Fortran-ordered arrays are not supported; save np.ascontiguousarray(a) instead");
  if (fortran != "False") throw input_error(source, "malformed .npy header: bad fortran_order");
  std::string shape = header_value(header, "shape", source);
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
  const std::size_t data_off = off + hlen;
  const std::size_t avail = bytes.size() - data_off;  // >= 0: checked above
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
  const std::string bytes = read_file(path);  // also reports missing/unreadable files uniformly
  int err = 0;
  zip_t* za = zip_open(src.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &err);
  if (!za) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, err);
    std::string msg = std::string("not a readable .npz (zip) archive: ") + zip_error_strerror(&ze);
    zip_error_fini(&ze);
    throw input_error(src, msg);
  }
  std::map<std::string, NpyArray> out;
  try {
    const zip_int64_t n = zip_get_num_entries(za, 0);
    for (zip_int64_t i = 0; i < n; ++i) {
      zip_stat_t st;
      if (zip_stat_index(za, static_cast<zip_uint64_t>(i), 0, &st) != 0) throw input_error(src, "corrupt archive entry");
      std::string name = st.name;
      zip_file_t* zf = zip_fopen_index(za, static_cast<zip_uint64_t>(i), 0);
      if (!zf) throw input_error(src, "cannot open member '" + name + "'");
      // Read in chunks: memory grows with the bytes the member really holds, not with the size its header claims
      // (issue 20, found by tests/fuzz fuzz_npz: a 300-byte archive claiming a 2.7 GB member allocated it first).
      std::string data;
      char chunk[65536];
      zip_int64_t got = 0;
      while (data.size() <= st.size && (got = zip_fread(zf, chunk, sizeof chunk)) > 0)
        data.append(chunk, static_cast<std::size_t>(got));
      zip_fclose(zf);
      if (got < 0 || data.size() != st.size)
        throw input_error(src, "member '" + name + "' is truncated or corrupt");
      if (name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0) name.resize(name.size() - 4);
      out[name] = parse_npy(data, src + ":" + name);
    }
  } catch (...) {
    zip_discard(za);
    throw;
  }
  zip_discard(za);
  (void)bytes;
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
