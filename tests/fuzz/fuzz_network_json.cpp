// tests/fuzz/fuzz_network_json.cpp: libFuzzer target for the shallow network JSON reader (rtv::parse_network_json,
// rtv/io/network_json.hpp; the library's from-string entry). Contract: InputError naming the source, or a network
// that validates and round-trips exactly through network_to_json (17 digits: every double read back bit for bit).
#include <cstdint>
#include <cstring>
#include <string>

#include "fuzz_util.hpp"
#include "rtv/io/network_json.hpp"

namespace {
bool same_bits(const double* a, const double* b, Eigen::Index n) {
  return n == 0 || std::memcmp(a, b, static_cast<std::size_t>(n) * sizeof(double)) == 0;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  fuzz::accepts(fuzz::kSource, [&] {
    const rtv::ShallowNet net = rtv::parse_network_json(text, fuzz::kSource);
    net.validate(fuzz::kSource);
    const rtv::ShallowNet back = rtv::parse_network_json(rtv::network_to_json(net), "round-trip");
    const bool same = back.W.rows() == net.W.rows() && back.W.cols() == net.W.cols() &&
                      back.b.size() == net.b.size() && back.v.size() == net.v.size() &&
                      back.c.size() == net.c.size() && back.skip == net.skip &&
                      same_bits(back.W.data(), net.W.data(), net.W.size()) &&
                      same_bits(back.b.data(), net.b.data(), net.b.size()) &&
                      same_bits(back.v.data(), net.v.data(), net.v.size()) &&
                      same_bits(back.c.data(), net.c.data(), net.c.size()) &&
                      std::memcmp(&back.c0, &net.c0, sizeof(double)) == 0;
    if (!same) fuzz::finding("network_to_json does not round-trip what parse_network_json read");
  });
  return 0;
}
