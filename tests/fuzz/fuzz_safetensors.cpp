// tests/fuzz/fuzz_safetensors.cpp: libFuzzer target for rtv::parse_safetensors (rtv/io/safetensors.hpp) and the
// PyTorch network readers on its tensors (network_from_state_dict, deep_network_from_state_dict). An input that
// looks like a .safetensors file (8-byte header length N, 8 + N <= size, '{' at byte 8) is parsed as is; any
// other input is decoded into tensors (name, dtype, shape from fuzz::Bytes::size_value, data_offsets either
// consistent with the shape, computed modulo 2^64 as a careless writer would, or arbitrary) and a header is
// written around them. Contract: InputError naming the source, or arrays whose data hold prod(shape) elements
// and networks that validate.
#include <cstdint>
#include <string>

#include "fuzz_util.hpp"
#include "rtv/io/safetensors.hpp"

namespace {

bool looks_like_safetensors(const std::uint8_t* data, std::size_t size) {
  if (size < 9) return false;
  std::uint64_t n = 0;
  for (int k = 0; k < 8; ++k) n |= static_cast<std::uint64_t>(data[k]) << (8 * k);
  return n <= size - 8 && data[8] == '{';
}

std::string from_fields(fuzz::Bytes& in) {
  static const char* const kNames[16] = {"0.weight",  "0.bias",   "2.weight", "2.bias",
                                         "skip.weight", "skip.bias", "net.0.weight", "1.weight",
                                         "3.weight",  "4.weight", "4.bias",   "__metadata__",
                                         "x",         "0.weight", "",         "a\\\"b\\n"};
  static const char* const kDtypes[16] = {"F64", "F32", "F16", "BF16", "I64", "I32", "F32", "F16",
                                          "U8",  "BOOL", "F8_E4M3", "f32", "F64", "BF16", "I16", "C64"};
  static const std::uint64_t kItem[16] = {8, 4, 2, 2, 8, 4, 4, 2, 1, 1, 1, 4, 8, 2, 2, 8};
  const std::uint8_t flags = in.byte();
  const int n = 1 + (flags & 3);
  std::string header = "{";
  std::uint64_t offset = 0;  // running data offset, wrapping modulo 2^64
  for (int t = 0; t < n; ++t) {
    const std::uint8_t b0 = in.byte(), b1 = in.byte();
    const int dt = b0 & 15, ndim = (b0 >> 4) % 4;
    std::uint64_t count = 1;
    std::string shape = "[";
    for (int k = 0; k < ndim; ++k) {
      const std::uint64_t d = in.size_value();
      count *= d;
      shape += (k ? "," : "") + std::to_string(d);
    }
    shape += "]";
    std::uint64_t begin = offset, end = offset + count * kItem[dt];
    if ((b1 & 7) == 7) begin = in.size_value(), end = in.size_value();
    offset = end;
    header += std::string(t ? "," : "") + "\"" + kNames[(b1 >> 3) & 15] + "\":{\"dtype\":\"" + kDtypes[dt] +
              "\",\"shape\":" + shape + ",\"data_offsets\":[" + std::to_string(begin) + "," +
              std::to_string(end) + "]}";
  }
  if (flags & 4) header += ",\"__metadata__\":{\"format\":\"pt\"}";
  header += "}";
  header.append((flags >> 3) & 7, ' ');
  std::uint64_t hlen = header.size();
  if ((flags >> 6) == 3) hlen = in.size_value();  // a header length that lies
  std::string out;
  for (int k = 0; k < 8; ++k) out += static_cast<char>((hlen >> (8 * k)) & 0xff);
  out += header;
  out += fuzz::data_block(in, offset, 1, 4096);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string bytes;
  if (looks_like_safetensors(data, size)) {
    bytes.assign(reinterpret_cast<const char*>(data), size);
  } else {
    fuzz::Bytes in(data, size);
    bytes = from_fields(in);
  }
  fuzz::accepts(fuzz::kSource, [&] { fuzz::check_state_dict(rtv::parse_safetensors(bytes, fuzz::kSource), fuzz::kSource); });
  return 0;
}
