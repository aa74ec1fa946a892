// tests/fuzz/fuzz_deep_json.cpp: libFuzzer target for the deep network JSON reader (rtv::parse_deep_network_json,
// rtv/io/network_json.hpp; the library's from-string entry). Contract: InputError naming the source, or a network
// that validates and reads back from deep_network_to_json with the same shapes and the same bits.
#include <cstdint>
#include <cstring>
#include <string>

#include "fuzz_util.hpp"
#include "rtv/io/network_json.hpp"

namespace {
template <class M>
bool same(const M& a, const M& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         (a.size() == 0 || std::memcmp(a.data(), b.data(), static_cast<std::size_t>(a.size()) * sizeof(double)) == 0);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  fuzz::accepts(fuzz::kSource, [&] {
    const rtv::DeepNet net = rtv::parse_deep_network_json(text, fuzz::kSource);
    net.validate(fuzz::kSource);
    const rtv::DeepNet back = rtv::parse_deep_network_json(rtv::deep_network_to_json(net), "round-trip");
    bool ok = back.stages.size() == net.stages.size();
    for (std::size_t l = 0; ok && l < net.stages.size(); ++l) {
      const auto &s = net.stages[l], &t = back.stages[l];
      ok = s.linear.size() == t.linear.size() && same(s.W, t.W) && same(s.b, t.b) && same(s.V, t.V) &&
           same(s.c, t.c) && same(s.C, t.C) && s.skip == t.skip;
      for (std::size_t m = 0; ok && m < s.linear.size(); ++m) ok = same(s.linear[m], t.linear[m]);
    }
    if (!ok) fuzz::finding("deep_network_to_json does not round-trip what parse_deep_network_json read");
  });
  return 0;
}
