// .safetensors files (rtv/io/safetensors.hpp: the format and every check). One of the library's two users of
// nlohmann/json (with network_json.cpp).
#include "rtv/io/safetensors.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>
#include <vector>

#include "rtv/core/error.hpp"
#include "json_keys.hpp"
#include "rtv/io/files.hpp"

namespace rtv {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::uint64_t kMaxHeader = 100000000;  // the reference implementation's MAX_HEADER_SIZE (100 MB)
constexpr std::uint64_t kMaxDim = 2147483647;    // 2^31 - 1: rtv's widths are int

std::uint64_t little_endian(const unsigned char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
  return v;
}

// Element size in bytes of a dtype rtv reads, 0 for any other.
std::uint64_t dtype_size(const std::string& dtype) {
  if (dtype == "F64" || dtype == "I64") return 8;
  if (dtype == "F32" || dtype == "I32") return 4;
  if (dtype == "F16" || dtype == "BF16") return 2;
  return 0;
}

double element(const std::string& dtype, const unsigned char* p) {
  if (dtype == "F64") {
    const std::uint64_t u = little_endian(p, 8);
    double x;
    std::memcpy(&x, &u, 8);
    return x;
  }
  if (dtype == "F32") {
    const auto u = static_cast<std::uint32_t>(little_endian(p, 4));
    float x;
    std::memcpy(&x, &u, 4);
    return static_cast<double>(x);  // exact
  }
  if (dtype == "F16") return f16_to_double(static_cast<std::uint16_t>(little_endian(p, 2)));
  if (dtype == "BF16") return bf16_to_double(static_cast<std::uint16_t>(little_endian(p, 2)));
  if (dtype == "I64") {
    const std::uint64_t u = little_endian(p, 8);
    std::int64_t x;
    std::memcpy(&x, &u, 8);
    return static_cast<double>(x);  // nearest double: exact up to 2^53
  }
  const auto u = static_cast<std::uint32_t>(little_endian(p, 4));  // I32
  std::int32_t x;
  std::memcpy(&x, &u, 4);
  return static_cast<double>(x);
}

std::string offsets_string(std::uint64_t begin, std::uint64_t end) {
  return "[" + std::to_string(begin) + ", " + std::to_string(end) + "]";
}


}  // namespace

double f16_to_double(std::uint16_t bits) {
  // binary16: sign, 5 exponent bits (bias 15), 10 fraction bits. Every value is m 2^e with integer m < 2^11, so
  // ldexp is exact: subnormals (exponent 0) are f 2^-24, normals (1024 + f) 2^(e - 25).
  const bool negative = (bits >> 15) != 0;
  const int e = (bits >> 10) & 0x1f, f = bits & 0x3ff;
  double x;
  if (e == 0) x = std::ldexp(static_cast<double>(f), -24);
  else if (e == 31) x = f == 0 ? std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
  else x = std::ldexp(static_cast<double>(1024 + f), e - 25);
  return negative ? -x : x;
}

double bf16_to_double(std::uint16_t bits) {
  // bfloat16 (the top half of a binary32): sign, 8 exponent bits (bias 127), 7 fraction bits. Subnormals are
  // f 2^-133, normals (128 + f) 2^(e - 134). Done by hand, not through float, so that no denormals-are-zero mode
  // can flush the subnormals.
  const bool negative = (bits >> 15) != 0;
  const int e = (bits >> 7) & 0xff, f = bits & 0x7f;
  double x;
  if (e == 0) x = std::ldexp(static_cast<double>(f), -133);
  else if (e == 255) x = f == 0 ? std::numeric_limits<double>::infinity() : std::numeric_limits<double>::quiet_NaN();
  else x = std::ldexp(static_cast<double>(128 + f), e - 134);
  return negative ? -x : x;
}

std::map<std::string, NpyArray> parse_safetensors(const std::string& bytes, const std::string& src) {
  const auto* raw = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::uint64_t size = bytes.size();
  if (size < 8)
    throw input_error(src, "not a .safetensors file: " + std::to_string(size) +
                           " bytes, fewer than the 8-byte header length");
  const std::uint64_t n = little_endian(raw, 8);
  if (n > kMaxHeader)
    throw input_error(src, "header length " + std::to_string(n) + " exceeds the format's limit of " +
                           std::to_string(kMaxHeader) + " bytes (not a .safetensors file?)");
  if (n > size - 8)
    throw input_error(src, "header length " + std::to_string(n) + " runs past the end of the file (" +
                           std::to_string(size) + " bytes): truncated or not a .safetensors file");
  const std::string text = bytes.substr(8, n);
  if (text.empty() || text[0] != '{') throw input_error(src, "the header does not start with '{' (a JSON object)");
  io_detail::DuplicateKeys dup;
  json header;
  try {
    header = json::parse(text, std::ref(dup));
  } catch (const json::parse_error& e) {
    throw input_error(src, std::string("the header is not valid JSON: ") + e.what());
  } catch (const json::exception& e) {
    throw input_error(src, std::string("the header is not valid JSON: ") + e.what());
  }
  if (!header.is_object()) throw input_error(src, "the header is not a JSON object");
  if (dup.found)
    throw input_error(src, dup.tensor.empty() ? "tensor '" + dup.duplicate + "' appears twice in the header"
                                              : "tensor '" + dup.tensor + "': key '" + dup.duplicate +
                                                    "' appears twice");

  const std::uint64_t data_size = size - 8 - n;
  const unsigned char* data = raw + 8 + n;
  struct Span {
    std::uint64_t begin, end;
    std::string name;
  };
  std::vector<Span> spans;
  std::map<std::string, NpyArray> out;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object()) throw input_error(src, "'__metadata__' must be an object of strings");
      for (const auto& [key, value] : entry.items())
        if (!value.is_string())
          throw input_error(src, "'__metadata__' entry '" + key + "' must be a string, got " +
                                 std::string(value.type_name()));
      continue;
    }
    const std::string what = "tensor '" + name + "'";
    if (!entry.is_object())
      throw input_error(src, what + " must be an object {\"dtype\", \"shape\", \"data_offsets\"}, got " +
                             std::string(entry.type_name()));
    for (const char* key : {"dtype", "shape", "data_offsets"})
      if (!entry.contains(key)) throw input_error(src, what + " has no \"" + key + "\"");
    for (const auto& [key, value] : entry.items()) {
      (void)value;
      if (key != "dtype" && key != "shape" && key != "data_offsets")
        throw input_error(src, what + " has an unexpected key \"" + key + "\"");
    }
    const json& jd = entry.at("dtype");
    if (!jd.is_string()) throw input_error(src, what + ": \"dtype\" must be a string");
    const std::string dtype = jd.get<std::string>();
    const std::uint64_t item = dtype_size(dtype);
    if (item == 0)
      throw input_error(src, what + " has dtype '" + dtype + "', which rtv does not read (F64, F32, F16, BF16, "
                                    "I64, I32)");
    const json& js = entry.at("shape");
    if (!js.is_array()) throw input_error(src, what + ": \"shape\" must be an array of non-negative integers");
    NpyArray arr;
    arr.dtype = dtype;
    std::uint64_t count = 1;
    bool empty = false;
    for (const json& dim : js) {
      if (!dim.is_number_unsigned())
        throw input_error(src, what + ": \"shape\" must be an array of non-negative integers, got " + js.dump());
      const std::uint64_t d = dim.get<std::uint64_t>();
      if (d > kMaxDim)
        throw input_error(src, what + ": dimension " + std::to_string(d) + " in \"shape\" exceeds 2^31 - 1");
      arr.shape.push_back(static_cast<std::int64_t>(d));
      if (d == 0) empty = true;
    }
    // count = prod(shape) <= the data block's size (checked below) unless it overflows: guard every product.
    std::uint64_t nbytes = 0;
    bool overflow = false;
    if (!empty) {
      for (std::int64_t d : arr.shape) {
        const auto ud = static_cast<std::uint64_t>(d);
        if (count > std::numeric_limits<std::uint64_t>::max() / ud) overflow = true;
        else count *= ud;
      }
      if (!overflow && count > std::numeric_limits<std::uint64_t>::max() / item) overflow = true;
      nbytes = overflow ? 0 : count * item;
    } else {
      count = 0;
    }
    const json& jo = entry.at("data_offsets");
    if (!jo.is_array() || jo.size() != 2 || !jo[0].is_number_unsigned() || !jo[1].is_number_unsigned())
      throw input_error(src, what + ": \"data_offsets\" must be two non-negative integers [begin, end], got " +
                             jo.dump());
    const std::uint64_t begin = jo[0].get<std::uint64_t>(), end = jo[1].get<std::uint64_t>();
    if (end < begin) throw input_error(src, what + ": data_offsets " + offsets_string(begin, end) + " end before they begin");
    if (end > data_size)
      throw input_error(src, what + ": data_offsets " + offsets_string(begin, end) + " run past the end of the data (" +
                             std::to_string(data_size) + " bytes after the header)");
    if (overflow || nbytes != end - begin)
      throw input_error(src, what + ": shape " + js.dump() + " of " + dtype + " needs " +
                             (overflow ? std::string("more than 2^64") : std::to_string(nbytes)) +
                             " bytes, data_offsets " + offsets_string(begin, end) + " hold " +
                             std::to_string(end - begin));
    arr.data.resize(static_cast<std::size_t>(count));
    for (std::uint64_t i = 0; i < count; ++i) arr.data[i] = element(dtype, data + begin + i * item);
    spans.push_back({begin, end, name});
    out.emplace(name, std::move(arr));
  }

  // The tensors must tile [0, data_size): sorted by offsets, each begins where the previous ends.
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    return std::tie(a.begin, a.end, a.name) < std::tie(b.begin, b.end, b.name);
  });
  std::uint64_t cursor = 0;
  const Span* previous = nullptr;
  for (const Span& s : spans) {
    if (s.begin < cursor)
      throw input_error(src, "tensor '" + s.name + "' (data_offsets " + offsets_string(s.begin, s.end) +
                             ") overlaps tensor '" + previous->name + "' (data_offsets " +
                             offsets_string(previous->begin, previous->end) + ")");
    if (s.begin > cursor)
      throw input_error(src, "bytes [" + std::to_string(cursor) + ", " + std::to_string(s.begin) +
                             ") of the data, before tensor '" + s.name + "', belong to no tensor (the format "
                             "forbids holes)");
    cursor = s.end;
    previous = &s;
  }
  if (cursor != data_size)
    throw input_error(src, "bytes [" + std::to_string(cursor) + ", " + std::to_string(data_size) + ") at the end of " +
                           "the data" + (previous ? ", after tensor '" + previous->name + "'," : "") +
                           " belong to no tensor (the format forbids holes and trailing bytes)");
  return out;
}

std::map<std::string, NpyArray> read_safetensors(const fs::path& path) {
  return parse_safetensors(read_file(path), path.string());
}

}  // namespace rtv
