// tests/fuzz/fuzz_npy.cpp: libFuzzer target for rtv::parse_npy (rtv/io/arrays.hpp). An input that starts with the
// .npy magic is parsed as is; any other input is decoded into header fields and a well-formed .npy is built around
// them (fuzz::npy_from_fields), so that shapes whose element count wraps modulo 2^64 to the data length (issue
// 20) are reached. Contract: InputError naming the source, or an array whose data holds prod(shape) elements.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz_util.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // RTV_FUZZ_RAW_ONLY=1: no front-end, every input parsed as is (blind mutation; to measure what the front-end buys).
  static const bool raw_only = std::getenv("RTV_FUZZ_RAW_ONLY") != nullptr;
  std::string bytes(reinterpret_cast<const char*>(data), size);
  if (!raw_only && bytes.compare(0, 6, "\x93NUMPY", 6) != 0) {
    fuzz::Bytes in(data, size);
    bytes = fuzz::npy_from_fields(in);
  }
  fuzz::accepts(fuzz::kSource, [&] { fuzz::check_array(rtv::parse_npy(bytes, fuzz::kSource), fuzz::kSource); });
  return 0;
}
