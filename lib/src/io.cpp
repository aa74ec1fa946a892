// Files: network JSON, PyTorch .npz import, NumPy .npy, atomic output (see rtv/io.hpp for the formats).
#include "rtv/io.hpp"

#include <zip.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "rtv/error.hpp"

namespace rtv {

namespace fs = std::filesystem;
using nlohmann::json;

// ---------------------------------------------------------------- files

std::string read_file(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw input_error(path.string(), "no such file");
  if (fs::is_directory(path, ec)) throw input_error(path.string(), "is a folder, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw input_error(path.string(), "cannot be opened for reading");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw input_error(path.string(), "read error");
  return ss.str();
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
    std::istringstream in(read_file(path));
    std::vector<std::vector<double>> rows;
    std::string line;
    int lineno = 0;
    while (std::getline(in, line)) {
      ++lineno;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") == std::string::npos) continue;
      std::vector<double> row;
      std::stringstream ls(line);
      std::string cell;
      bool numeric = true;
      while (std::getline(ls, cell, ',')) {
        char* end = nullptr;
        const double v = std::strtod(cell.c_str(), &end);
        if (end == cell.c_str() || std::string(end).find_first_not_of(" \t") != std::string::npos) {
          numeric = false;
          break;
        }
        row.push_back(v);
      }
      if (!numeric) {
        if (rows.empty() && lineno == 1) continue;  // a header line
        throw input_error(src, "line " + std::to_string(lineno) + ": not a number: '" + cell + "'");
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

// ---------------------------------------------------------------- network JSON

namespace {

constexpr const char* kFormat = "rtv.shallow-relu";
constexpr int kVersion = 1;

double number_of(const json& j, const std::string& source, const std::string& what) {
  if (!j.is_number()) throw input_error(source, what + " must be a number, got " + std::string(j.type_name()));
  const double x = j.get<double>();
  if (!std::isfinite(x)) throw input_error(source, what + " is not finite");
  return x;
}

Eigen::VectorXd vector_of(const json& j, const std::string& source, const std::string& key) {
  if (!j.is_array()) throw input_error(source, "\"" + key + "\" must be an array of numbers");
  Eigen::VectorXd out(static_cast<Eigen::Index>(j.size()));
  for (std::size_t i = 0; i < j.size(); ++i)
    out(static_cast<Eigen::Index>(i)) = number_of(j[i], source, "\"" + key + "\"[" + std::to_string(i) + "]");
  return out;
}

}  // namespace

ShallowNet parse_network_json(const std::string& text, const std::string& source) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw input_error(source, std::string("malformed JSON: ") + e.what());
  } catch (const json::exception& e) {  // e.g. out_of_range: a number too large for a double (1e999)
    throw input_error(source, std::string("invalid JSON number: ") + e.what());
  }
  if (!j.is_object()) throw input_error(source, "a network file must be a JSON object");
  static const std::set<std::string> known = {"format", "version", "W", "b", "v", "c", "c0", "d"};
  for (const auto& [key, value] : j.items()) {
    (void)value;
    if (!known.count(key))
      throw input_error(source, "unknown key \"" + key + "\" (allowed: format, version, d, W, b, v, c, c0)");
  }
  if (!j.contains("format") || j["format"] != kFormat)
    throw input_error(source, std::string("\"format\" must be \"") + kFormat + "\"");
  if (!j.contains("version") || !j["version"].is_number_integer() || j["version"].get<int>() != kVersion)
    throw input_error(source, "\"version\" must be 1 (the only version this rtv reads)");
  for (const char* key : {"W", "b", "v"})
    if (!j.contains(key)) throw input_error(source, std::string("missing key \"") + key + "\"");

  const json& jW = j["W"];
  if (!jW.is_array()) throw input_error(source, "\"W\" must be an array of rows (K x d)");
  const auto K = static_cast<int>(jW.size());
  int d = -1;
  if (j.contains("d")) {
    if (!j["d"].is_number_integer() || j["d"].get<long long>() < 1)
      throw input_error(source, "\"d\" must be a positive integer");
    d = j["d"].get<int>();
  }
  if (K > 0) {
    if (!jW[0].is_array()) throw input_error(source, "\"W\" must be an array of rows (K x d)");
    const int d0 = static_cast<int>(jW[0].size());
    if (d >= 0 && d0 != d)
      throw input_error(source, "\"W\" rows have " + std::to_string(d0) + " entries but \"d\" is " + std::to_string(d));
    d = d0;
  }
  if (d < 1) throw input_error(source, "input dimension unknown or zero: give non-empty rows in \"W\" or \"d\"");

  ShallowNet net = ShallowNet::zeros(d, K, j.contains("c"));
  for (int k = 0; k < K; ++k) {
    const json& row = jW[k];
    if (!row.is_array() || static_cast<int>(row.size()) != d)
      throw input_error(source, "\"W\"[" + std::to_string(k) + "] must have " + std::to_string(d) +
                                    " entries like the first row (W is K x d)");
    for (int i = 0; i < d; ++i)
      net.W(k, i) = number_of(row[i], source, "\"W\"[" + std::to_string(k) + "][" + std::to_string(i) + "]");
  }
  net.b = vector_of(j["b"], source, "b");
  net.v = vector_of(j["v"], source, "v");
  if (j.contains("c")) net.c = vector_of(j["c"], source, "c");
  if (j.contains("c0")) net.c0 = number_of(j["c0"], source, "\"c0\"");
  net.validate(source);
  return net;
}

ShallowNet read_network_json(const fs::path& path) { return parse_network_json(read_file(path), path.string()); }

std::string network_to_json(const ShallowNet& net) {
  json j;
  j["format"] = kFormat;
  j["version"] = kVersion;
  j["d"] = net.dim();
  json W = json::array();
  for (int k = 0; k < net.width(); ++k) {
    json row = json::array();
    for (int i = 0; i < net.dim(); ++i) row.push_back(net.W(k, i));
    W.push_back(row);
  }
  j["W"] = W;
  j["b"] = std::vector<double>(net.b.data(), net.b.data() + net.b.size());
  j["v"] = std::vector<double>(net.v.data(), net.v.data() + net.v.size());
  if (net.skip) j["c"] = std::vector<double>(net.c.data(), net.c.data() + net.c.size());
  j["c0"] = net.c0;
  return j.dump(1) + "\n";  // nlohmann writes doubles with 17 significant digits: exact round trip
}

void write_network_json(const ShallowNet& net, const fs::path& path) {
  write_file_atomic(path, network_to_json(net));
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
  std::size_t count = 1;
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
      const auto n = std::stoll(tok);
      arr.shape.push_back(n);
      count *= static_cast<std::size_t>(n);
    }
  }
  std::size_t item = 0;
  if (arr.dtype == "<f8" || arr.dtype == "<i8") item = 8;
  else if (arr.dtype == "<f4" || arr.dtype == "<i4") item = 4;
  else
    throw input_error(source, "dtype '" + arr.dtype + "' is not supported (use little-endian float64, float32, "
                              "int64 or int32)");
  const std::size_t data_off = off + hlen;
  if (bytes.size() - data_off < count * item)
    throw input_error(source, "truncated .npy data: expected " + std::to_string(count * item) + " bytes, found " +
                                  std::to_string(bytes.size() - data_off));
  if (bytes.size() - data_off > count * item)
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
      std::string data(static_cast<std::size_t>(st.size), '\0');
      const zip_int64_t got = zip_fread(zf, data.data(), st.size);
      zip_fclose(zf);
      if (got < 0 || static_cast<zip_uint64_t>(got) != st.size)
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

ShallowNet read_network_npz(const fs::path& path) {
  const std::string src = path.string();
  auto arrays = read_npz(path);
  // Find the Sequential's prefix from the key ending in "0.weight" (e.g. "", "net.", "model.").
  std::string prefix;
  bool found = false;
  for (const auto& [key, arr] : arrays) {
    (void)arr;
    static const std::string tail = "0.weight";
    if (key.size() >= tail.size() && key.compare(key.size() - tail.size(), tail.size(), tail) == 0 &&
        (key.size() == tail.size() || key[key.size() - tail.size() - 1] == '.')) {
      if (found) throw input_error(src, "more than one key ends in '0.weight': cannot tell which is the first layer");
      prefix = key.substr(0, key.size() - tail.size());
      found = true;
    }
  }
  if (!found)
    throw input_error(src, "no '0.weight' key: expected the state_dict of nn.Sequential(nn.Linear(d, K), nn.ReLU(), "
                           "nn.Linear(K, 1)) (keys 0.weight, 0.bias, 2.weight, 2.bias; optional skip.weight, skip.bias)");
  const std::set<std::string> expected = {prefix + "0.weight", prefix + "0.bias", prefix + "2.weight",
                                          prefix + "2.bias"};
  for (const auto& key : expected)
    if (!arrays.count(key)) throw input_error(src, "missing array '" + key + "'");
  for (const auto& [key, arr] : arrays) {
    (void)arr;
    if (!expected.count(key) && key != "skip.weight" && key != "skip.bias")
      throw input_error(src, "unexpected array '" + key + "' (the importer reads a Linear-ReLU-Linear network "
                             "with an optional skip Linear)");
  }
  const bool skip = arrays.count("skip.weight") || arrays.count("skip.bias");
  if (skip && !(arrays.count("skip.weight") && arrays.count("skip.bias")))
    throw input_error(src, "skip connection needs both 'skip.weight' and 'skip.bias'");

  auto shape_str = [](const NpyArray& a) {
    std::string s = "(";
    for (std::size_t i = 0; i < a.shape.size(); ++i) s += (i ? ", " : "") + std::to_string(a.shape[i]);
    return s + ")";
  };
  const NpyArray& W1 = arrays[prefix + "0.weight"];
  if (W1.shape.size() != 2 || W1.shape[1] < 1)
    throw input_error(src, "'" + prefix + "0.weight' must be K x d, got shape " + shape_str(W1));
  const int K = static_cast<int>(W1.shape[0]), d = static_cast<int>(W1.shape[1]);
  auto expect = [&](const std::string& key, std::vector<std::int64_t> shape) -> const NpyArray& {
    const NpyArray& a = arrays[key];
    if (a.shape != shape) {
      NpyArray want;
      want.shape = shape;
      throw input_error(src, "'" + key + "' has shape " + shape_str(a) + ", expected " + shape_str(want) +
                                 " for a network with d = " + std::to_string(d) + ", K = " + std::to_string(K));
    }
    return a;
  };
  const NpyArray& b1 = expect(prefix + "0.bias", {K});
  const NpyArray& W2 = expect(prefix + "2.weight", {1, K});
  const NpyArray& b2 = expect(prefix + "2.bias", {1});

  ShallowNet net = ShallowNet::zeros(d, K, skip);
  for (int k = 0; k < K; ++k) {
    for (int i = 0; i < d; ++i) net.W(k, i) = W1.data[static_cast<std::size_t>(k) * d + i];
    net.b(k) = -b1.data[k];  // PyTorch: W x + b; rtv: w . x - b
    net.v(k) = W2.data[k];
  }
  net.c0 = b2.data[0];
  if (skip) {
    const NpyArray& Ws = expect("skip.weight", {1, d});
    const NpyArray& bs = expect("skip.bias", {1});
    for (int i = 0; i < d; ++i) net.c(i) = Ws.data[i];
    net.c0 += bs.data[0];
  }
  net.validate(src);
  return net;
}

ShallowNet read_network(const fs::path& path) {
  const std::string ext = path.extension().string();
  if (ext == ".json") return read_network_json(path);
  if (ext == ".npz") return read_network_npz(path);
  throw input_error(path.string(), "unknown network file type '" + ext + "' (expected .json or .npz)");
}

}  // namespace rtv
