// tests/fuzz/fuzz_util.cpp: the contract checks and structure-aware builders of fuzz_util.hpp.
#include "fuzz_util.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <vector>

#include "rtv/core/error.hpp"
#include "rtv/io/torch_import.hpp"

namespace fuzz {

void finding(const std::string& what) {
  std::fprintf(stderr, "rtv fuzz finding: %s\n", what.c_str());
  std::fflush(stderr);
  std::abort();
}

bool accepts(const std::string& source, const std::function<void()>& f) {
  try {
    f();
    return true;
  } catch (const rtv::InputError& e) {
    const std::string m = e.what();
    if (m.compare(0, source.size() + 1, source + ":") != 0)
      finding("InputError does not start with the input's name '" + source + ":': " + m.substr(0, 200));
    if (m.find_first_of("\n\r") != std::string::npos)
      finding("InputError message is more than one line: " + m.substr(0, 200));
    static const bool verbose = std::getenv("RTV_FUZZ_VERBOSE") != nullptr;
    if (verbose) std::fprintf(stderr, "  InputError: %s\n", m.c_str());
    return false;
  }
}

void check_array(const rtv::NpyArray& a, const std::string& where) {
  // prod(shape), exact: 0 if any dimension is 0 (then the others may be anything: (0, 2^40, 2^40) is empty),
  // else the product must not overflow 64 bits.
  std::uint64_t count = 1;
  bool empty = false;
  for (const std::int64_t n : a.shape) {
    if (n < 0) finding(where + ": returned a negative dimension " + std::to_string(n));
    empty = empty || n == 0;
  }
  if (empty) count = 0;
  else
    for (const std::int64_t n : a.shape)
      if (__builtin_mul_overflow(count, static_cast<std::uint64_t>(n), &count))
        finding(where + ": returned a shape whose element count overflows 64 bits");
  if (count != a.data.size())
    finding(where + ": shape holds " + std::to_string(count) + " elements, data has " +
            std::to_string(a.data.size()));
}

void check_state_dict(const std::map<std::string, rtv::NpyArray>& arrays, const std::string& source) {
  for (const auto& [name, a] : arrays) check_array(a, source + ":" + name);
  accepts(source, [&] {
    const rtv::ShallowNet net = rtv::network_from_state_dict(arrays, source);
    net.validate(source);
  });
  accepts(source, [&] {
    const rtv::DeepNet net = rtv::deep_network_from_state_dict(arrays, source);
    net.validate(source);
  });
  (void)rtv::is_shallow_state_dict(arrays);
}

namespace {
struct TempFiles {
  std::map<std::string, std::string> by_ext;
  ~TempFiles() {
    for (const auto& [ext, path] : by_ext) std::remove(path.c_str());
  }
};
TempFiles& temp_files() {
  static TempFiles t;
  return t;
}
}  // namespace

const std::string& temp_path(const std::string& ext) {
  auto& t = temp_files().by_ext;
  auto it = t.find(ext);
  if (it != t.end()) return it->second;
  const char* dir = std::getenv("TMPDIR");
  std::string templ = std::string(dir && *dir ? dir : "/tmp") + "/rtv-fuzz-XXXXXX" + ext;
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  const int fd = mkstemps(buf.data(), static_cast<int>(ext.size()));
  if (fd < 0) finding("cannot create a temporary file " + templ + " (set TMPDIR)");
  close(fd);
  return t.emplace(ext, std::string(buf.data())).first->second;
}

void write_temp(const std::string& path, const std::uint8_t* data, std::size_t size) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  f.close();
  if (!f) finding("cannot write the temporary file " + path);
}
void write_temp(const std::string& path, const std::string& bytes) {
  write_temp(path, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
}

// Dimensions that make products wrap or sit at a limit: 2^32 * 2^32 = 2^64 = 0 (mod 2^64);
// 2147549185 * 2147418113 = 2^62 + 1, which times 8 bytes is 8 (mod 2^64); 6148914691236517206 * 3 and
// 3074457345618258603 * 6 are 2^64 + 2; 641 * 6700417 = 2^32 + 1 (Euler's factors); 2^31 - 1 and 2^31 (int
// widths), 999999999999999 (the longest .npy dimension rtv reads), 1e9, 2^53, 2^62, 2^63, 2^64 - 1.
const std::uint64_t kInteresting[32] = {
    0, 1, 2, 3, 4, 8, 255, 65536,
    2147483647ULL, 2147483648ULL, 4294967295ULL, 4294967296ULL, 4294967297ULL, 2147549185ULL, 2147418113ULL,
    641ULL, 6700417ULL, 6148914691236517206ULL, 3074457345618258603ULL, 1073741824ULL, 1000000000ULL,
    999999999999999ULL, 1000000000000000ULL, 9007199254740992ULL, 4611686018427387904ULL,
    9223372036854775807ULL, 9223372036854775808ULL, 18446744073709551615ULL, 2305843009213693952ULL,
    268435456ULL, 16, 100000000ULL};

std::uint64_t Bytes::size_value() {
  const std::uint8_t sel = byte();
  if (sel < 128) return kInteresting[sel % 32];
  if (sel < 224) return sel - 128u;  // 0..95
  return u64();
}

std::string Bytes::take(std::size_t max) {
  const std::size_t k = std::min(max, n_ - i_);
  std::string s(reinterpret_cast<const char*>(p_ + i_), k);
  i_ += k;
  return s;
}

std::string data_block(Bytes& in, std::uint64_t count, std::uint64_t item, std::size_t limit) {
  const std::uint64_t total = count * item;  // wraps on purpose: the mistake the readers must not make
  if (total > limit) return in.rest();
  std::string s = in.take(static_cast<std::size_t>(total));
  s.resize(static_cast<std::size_t>(total), '\0');
  return s;
}

std::string npy_from_fields(Bytes& in) {
  static const int kVersions[8] = {1, 1, 1, 2, 3, 1, 0, 4};
  static const char* const kDtypes[16] = {"<f8", "<f4", "<i8", "<i4", "<f8", "<f4", "<f2", "|u1",
                                          ">f8", "<c16", "<f8", "<i8", "<u8", "|b1", "=f8", "<f4"};
  static const int kItem[16] = {8, 4, 8, 4, 8, 4, 2, 1, 8, 16, 8, 8, 8, 1, 8, 4};
  const std::uint8_t b0 = in.byte(), b1 = in.byte();
  const int version = kVersions[b0 & 7];
  const int dt = (b0 >> 3) & 15;
  const bool fortran = (b1 & 7) == 7;
  const int ndim = (b1 >> 3) % 5;
  std::uint64_t count = 1;
  std::string shape = "(";
  for (int k = 0; k < ndim; ++k) {
    const std::uint64_t n = in.size_value();
    count *= n;
    shape += std::to_string(n) + (ndim == 1 ? "," : (k + 1 < ndim ? ", " : ""));
  }
  shape += ")";
  std::string header = std::string("{'descr': '") + kDtypes[dt] + "', 'fortran_order': " +
                       (fortran ? "True" : "False") + ", 'shape': " + shape + ", }";
  const std::size_t prefix = version == 1 ? 10 : 12;
  header.append((64 - (prefix + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::string out("\x93NUMPY", 6);
  out += static_cast<char>(version);
  out += '\0';
  const std::size_t h = header.size();
  out += static_cast<char>(h & 0xff);
  out += static_cast<char>((h >> 8) & 0xff);
  if (version != 1) {
    out += static_cast<char>((h >> 16) & 0xff);
    out += static_cast<char>((h >> 24) & 0xff);
  }
  out += header;
  // Data: mostly exactly what the shape claims (count * item modulo 2^64, as a careless reader computes it);
  // one input in four gives a raw data block of any length.
  const std::uint8_t mode = in.byte();
  const std::size_t len = (mode & 3) == 3 ? in.byte() : 4096;
  out += (mode & 3) == 3 ? in.take(len) : data_block(in, count, static_cast<std::uint64_t>(kItem[dt]), len);
  return out;
}

}  // namespace fuzz
