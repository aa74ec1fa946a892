// .safetensors files (rtv/io/safetensors.hpp): the dtype widening against PyTorch's and hand-derived values, the
// network fixtures written from real PyTorch modules (data/fixtures/make_safetensors_fixtures.py) against
// PyTorch's float64 outputs, and every malformed header an InputError naming the tensor. The malformed files are
// built here from a valid fixture; the header is taken apart and reassembled with nlohmann, not with the reader.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>

#include "rtv/core/error.hpp"
#include "rtv/core/tolerances.hpp"
#include "rtv/io/arrays.hpp"
#include "rtv/io/files.hpp"
#include "rtv/io/network_json.hpp"
#include "rtv/io/safetensors.hpp"
#include "rtv/io/torch_import.hpp"
#include "rtv/nets/deep.hpp"
#include "rtv/nets/norms.hpp"
#include "test_util.hpp"

namespace rtv {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using test::expect_input_error;
using test::kFixtures;
using test::as_matrix;


std::uint64_t bits_of(double x) {
  std::uint64_t u;
  std::memcpy(&u, &x, 8);
  return u;
}

// ---- dtypes ----

TEST(Safetensors, HalfAndBfloat16WidenExactlyAsHandDerived) {
  // Hand-derived from the bit layouts (binary16: 1 + 5 + 10 bits, bias 15; bfloat16: 1 + 8 + 7, bias 127).
  // Catches: subnormals read with the normal formula (implicit 1), a wrong bias, the sign dropped (-0 included),
  // infinity read as NaN or a large number, and F16 and BF16 swapped.
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<std::pair<std::uint16_t, double>> f16 = {
      {0x0000, 0.0}, {0x0001, std::ldexp(1.0, -24)}, {0x03ff, 1023 * std::ldexp(1.0, -24)},
      {0x0400, std::ldexp(1.0, -14)}, {0x3c00, 1.0}, {0x3c01, 1.0 + std::ldexp(1.0, -10)}, {0xc000, -2.0},
      {0x3555, 0x555 * std::ldexp(1.0, -12)}, {0x7bff, 65504.0}, {0x7c00, inf}, {0xfc00, -inf}};
  for (const auto& [bits, want] : f16) EXPECT_EQ(bits_of(f16_to_double(bits)), bits_of(want)) << std::hex << bits;
  EXPECT_EQ(bits_of(f16_to_double(0x8000)), bits_of(-0.0));
  EXPECT_TRUE(std::isnan(f16_to_double(0x7e00)));
  EXPECT_TRUE(std::isnan(f16_to_double(0x7c01)));
  const std::vector<std::pair<std::uint16_t, double>> bf16 = {
      {0x0000, 0.0}, {0x0001, std::ldexp(1.0, -133)}, {0x007f, 127 * std::ldexp(1.0, -133)},
      {0x0080, std::ldexp(1.0, -126)}, {0x3f80, 1.0}, {0x3f81, 1.0 + std::ldexp(1.0, -7)}, {0xc040, -3.0},
      {0x7f7f, 255 * std::ldexp(1.0, 120)}, {0x7f80, inf}, {0xff80, -inf}};
  for (const auto& [bits, want] : bf16) EXPECT_EQ(bits_of(bf16_to_double(bits)), bits_of(want)) << std::hex << bits;
  EXPECT_EQ(bits_of(bf16_to_double(0x8000)), bits_of(-0.0));
  EXPECT_TRUE(std::isnan(bf16_to_double(0x7fc0)));
  EXPECT_TRUE(std::isnan(bf16_to_double(0x7f81)));
}

TEST(Safetensors, DtypeTableMatchesPyTorchBitForBit) {
  // st_dtype_table: F16 and BF16 tensors of 700 bit patterns each (every special case plus every 97th pattern),
  // I32 and I64; the expected values are PyTorch's t.double(), stored in an .npz (read by the independent .npy
  // reader). Catches BF16 read as F16 (or the reverse), any wrong widening, the data offsets read relative to
  // the file instead of the data block, and a wrong element size.
  const auto got = read_safetensors(kFixtures / "st_dtype_table.safetensors");
  auto want = read_npz(kFixtures / "st_dtype_table_expected.npz");
  ASSERT_EQ(got.size(), 4u);
  const std::map<std::string, std::string> dtypes = {{"f16", "F16"}, {"bf16", "BF16"}, {"i32", "I32"}, {"i64", "I64"}};
  for (const auto& [name, dtype] : dtypes) {
    ASSERT_TRUE(got.count(name)) << name;
    const NpyArray& g = got.at(name);
    const NpyArray& w = want[name];
    EXPECT_EQ(g.dtype, dtype);
    EXPECT_EQ(g.shape, w.shape) << name;
    ASSERT_EQ(g.data.size(), w.data.size()) << name;
    int nans = 0;
    for (std::size_t i = 0; i < g.data.size(); ++i) {
      if (std::isnan(w.data[i])) {
        EXPECT_TRUE(std::isnan(g.data[i])) << name << "[" << i << "]";
        ++nans;
      } else {
        EXPECT_EQ(bits_of(g.data[i]), bits_of(w.data[i])) << name << "[" << i << "] " << g.data[i] << " vs " << w.data[i];
      }
    }
    if (name == "f16" || name == "bf16") {
      EXPECT_GT(nans, 3) << name;  // the NaN patterns are really there
    }
  }
}

// ---- networks from PyTorch ----

struct NetFixture {
  const char* name;
  bool shallow, skip;
  int d, outputs;
  double unit_roundoff;
};

// |W| |h| + |b| through the Linear layers of the state_dict (index order): the scale S_n of every partial sum of
// the evaluation at x_n, the same for PyTorch's run and rtv's (relu does not increase it).
Eigen::VectorXd torch_scale(const std::map<std::string, NpyArray>& arrays, const Eigen::MatrixXd& X) {
  std::map<std::pair<int, std::string>, std::string> layers;  // (index, prefix) -> prefix + index
  for (const auto& [key, a] : arrays) {
    (void)a;
    if (key.size() < 7 || key.compare(key.size() - 7, 7, ".weight") != 0 || key.rfind("skip.", 0) == 0) continue;
    const std::string stem = key.substr(0, key.size() - 7);
    const auto dot = stem.rfind('.');
    layers[{std::stoi(stem.substr(dot == std::string::npos ? 0 : dot + 1)), stem}] = stem;
  }
  Eigen::VectorXd S(X.rows());
  for (Eigen::Index n = 0; n < X.rows(); ++n) {
    Eigen::VectorXd h = X.row(n).transpose().cwiseAbs();
    for (const auto& [key, stem] : layers) {
      (void)key;
      Eigen::VectorXd next = as_matrix(arrays.at(stem + ".weight")).cwiseAbs() * h;
      if (arrays.count(stem + ".bias")) next += as_matrix(arrays.at(stem + ".bias")).col(0).cwiseAbs();
      h = next;
    }
    S(n) = h.sum();
    if (arrays.count("skip.weight"))
      S(n) += (as_matrix(arrays.at("skip.weight")).cwiseAbs() * X.row(n).transpose().cwiseAbs()).sum() +
              std::abs(arrays.at("skip.bias").data[0]);
  }
  return S;
}

TEST(Safetensors, PyTorchNetworksMatchPyTorchOutputs) {
  // Each fixture is a real PyTorch module's state_dict; y64 is PyTorch's float64 evaluation of the weights as
  // stored (widened by PyTorch). Both are double evaluations of the same network, each within (fan-in + 2) u of
  // S_n per layer: 100 eps (tol::kIdentity) of S_n, and any import bug (a sign, a transposition, a widening, an
  // offset) is O(1). Also: the kind by keys, the ReLU-assumed flag, and the unit roundoff of the stored dtype.
  const std::vector<NetFixture> fixtures = {
      {"st_mlp_f32", true, false, 3, 1, std::ldexp(1.0, -24)},   {"st_skip_f64", true, true, 2, 1, std::ldexp(1.0, -53)},
      {"st_mlp_f16", true, false, 2, 1, std::ldexp(1.0, -11)},   {"st_skip_bf16", true, true, 3, 1, std::ldexp(1.0, -8)},
      {"st_deep_f32", false, false, 3, 2, std::ldexp(1.0, -24)}, {"st_deep_bf16", false, false, 2, 1, std::ldexp(1.0, -8)}};
  for (const NetFixture& fx : fixtures) {
    SCOPED_TRACE(fx.name);
    const fs::path path = kFixtures / (std::string(fx.name) + ".safetensors");
    auto io = read_npz(kFixtures / (std::string(fx.name) + "_io.npz"));
    const Eigen::MatrixXd X = as_matrix(io["X"]), Y = as_matrix(io["y64"]);
    ASSERT_EQ(X.cols(), fx.d);
    ASSERT_EQ(Y.cols(), fx.outputs);
    EXPECT_EQ(network_file_kind(path), fx.shallow ? NetworkKind::kShallow : NetworkKind::kDeep);
    EXPECT_TRUE(activation_is_assumed(path));
    EXPECT_EQ(network_file_unit_roundoff(path), fx.unit_roundoff);
    const Eigen::VectorXd S = torch_scale(read_safetensors(path), X);
    const DeepNet deep = read_deep_network(path);  // shallow files through to_deep
    const Eigen::MatrixXd F = evaluate(deep, X);
    ASSERT_EQ(F.rows(), Y.rows());
    ASSERT_EQ(F.cols(), Y.cols());
    double worst = 0.0;
    int positive = 0, negative = 0;
    for (Eigen::Index n = 0; n < X.rows(); ++n)
      for (Eigen::Index o = 0; o < Y.cols(); ++o) {
        EXPECT_NEAR(F(n, o), Y(n, o), tol::kIdentity * S(n)) << n << "," << o;
        worst = std::max(worst, std::abs(F(n, o) - Y(n, o)) / S(n));
        (Y(n, o) > 0 ? positive : negative)++;
      }
    if (fx.shallow) {
      const ShallowNet net = read_network(path);
      EXPECT_EQ(net.dim(), fx.d);
      EXPECT_EQ(net.skip, fx.skip);
      const Eigen::VectorXd f = evaluate(net, X);
      for (Eigen::Index n = 0; n < X.rows(); ++n) EXPECT_NEAR(f(n), Y(n, 0), tol::kIdentity * S(n)) << n;
      // Some neurons active and some inactive at the test points (the kinks matter).
      const Eigen::MatrixXd pre = X * net.W.transpose() - Eigen::VectorXd::Ones(X.rows()) * net.b.transpose();
      EXPECT_GT((pre.array() > 0).count(), 0);
      EXPECT_GT((pre.array() < 0).count(), 0);
    } else {
      expect_input_error([&] { read_network(path); }, path.string(), "");
    }
    std::printf("%s: max |rtv - PyTorch| / S_n = %.3g eps\n", fx.name, worst / tol::kEps);
  }
}

// ---- malformed files ----

std::string le64(std::uint64_t n) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return s;
}

std::string assemble(const std::string& header, const std::string& data) { return le64(header.size()) + header + data; }

struct Parts {
  json header;
  std::string data;
};

// The valid fixture taken apart (with nlohmann, not the reader): header JSON and data block.
Parts fixture_parts() {
  const std::string bytes = test::slurp(kFixtures / "st_mlp_f32.safetensors");
  std::uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  return {json::parse(bytes.substr(8, n)), bytes.substr(8 + n)};
}

void expect_bad(const std::string& bytes, const std::string& fragment) {
  expect_input_error([&] { parse_safetensors(bytes, "bad.safetensors"); }, "bad.safetensors", fragment);
}

void expect_bad(const json& header, const std::string& data, const std::string& fragment) {
  expect_bad(assemble(header.dump(), data), fragment);
}

TEST(Safetensors, FixtureReassembledIsReadAndPaddingIsSkipped) {
  // The reassembly below is what the malformed cases start from: unchanged, it reads. Padding the header with
  // spaces (allowed) moves the data block: catches a reader that finds the data after the JSON's closing brace
  // or at a fixed place instead of at 8 + N.
  const Parts p = fixture_parts();
  const auto ref = read_safetensors(kFixtures / "st_mlp_f32.safetensors");
  for (int pad : {0, 1, 5, 8, 13}) {
    const auto got = parse_safetensors(assemble(p.header.dump() + std::string(pad, ' '), p.data), "mem");
    ASSERT_EQ(got.size(), ref.size());
    for (const auto& [name, a] : ref) {
      EXPECT_EQ(got.at(name).data, a.data) << name << " pad " << pad;
      EXPECT_EQ(got.at(name).shape, a.shape) << name;
    }
  }
  EXPECT_EQ(p.header.at("__metadata__").at("format"), "pt");
}

TEST(Safetensors, SmallHandBuiltFileHasTheExactValues) {
  // Two tensors, the second first in the data block, a 3-byte padded header (N = 8k + 3, so nothing is aligned):
  // catches offsets taken relative to the file or the header, and tensors assumed to be in header order.
  float a[2] = {1.5f, -2.25f};
  double b = 0.1;
  std::string data(8 + 8, '\0');
  std::memcpy(&data[0], &b, 8);
  std::memcpy(&data[8], a, 8);
  std::string header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},)"
                       R"("b":{"dtype":"F64","shape":[],"data_offsets":[0,8]},"e":{"dtype":"F16","shape":[0,3],)"
                       R"("data_offsets":[16,16]}})";
  while (header.size() % 8 != 3) header += ' ';
  const auto got = parse_safetensors(assemble(header, data), "mem");
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got.at("a").data, (std::vector<double>{1.5, -2.25}));
  EXPECT_EQ(got.at("b").data, std::vector<double>{0.1});
  EXPECT_TRUE(got.at("b").shape.empty());  // shape [] is a scalar
  EXPECT_TRUE(got.at("e").data.empty());   // an empty tensor takes no bytes
  EXPECT_EQ(got.at("e").shape, (std::vector<std::int64_t>{0, 3}));
}

TEST(Safetensors, MalformedHeadersAreInputErrorsNamingTheTensor) {
  const Parts p = fixture_parts();
  const json& h = p.header;
  const std::string& data = p.data;
  const std::string good = assemble(h.dump(), data);
  auto with = [&](const std::string& tensor, const std::string& key, const json& value) {
    json j = h;
    j[tensor][key] = value;
    return j;
  };
  // The file's own size and header length. Catches the 8-byte length ignored or read big-endian, and n + 8
  // overflowing (2^64 - 1 would wrap to 7).
  expect_bad(std::string("\x01\x00\x00", 3), "fewer than the 8-byte header length");
  expect_bad(le64(good.size()) + good.substr(8), "runs past the end of the file");
  expect_bad(le64(std::uint64_t(1) << 40) + good.substr(8), "exceeds the format's limit");
  expect_bad(le64(~std::uint64_t(0)) + good.substr(8), "exceeds the format's limit");
  expect_bad(le64(100000001) + good.substr(8), "exceeds the format's limit");
  expect_bad(good.substr(0, 8 + 20), "runs past the end of the file");  // truncated inside the header
  // The header's JSON.
  expect_bad(assemble("{\"0.weight\": {", ""), "not valid JSON");
  expect_bad(assemble("[1, 2]", ""), "does not start with '{'");
  expect_bad(assemble("", ""), "does not start with '{'");
  expect_bad(assemble("{\"a\xff\": 1}", ""), "not valid JSON");  // invalid UTF-8
  expect_bad(assemble("{} x", ""), "not valid JSON");
  // A tensor entry: names the tensor.
  {
    json j = h;
    j["0.weight"] = 3;
    expect_bad(j, data, "tensor '0.weight' must be an object");
  }
  for (const char* key : {"dtype", "shape", "data_offsets"}) {
    json j = h;
    j["2.bias"].erase(key);
    expect_bad(j, data, std::string("tensor '2.bias' has no \"") + key + "\"");
  }
  expect_bad(with("2.bias", "offsets", json::array({0, 4})), data, "tensor '2.bias' has an unexpected key \"offsets\"");
  expect_bad(with("0.bias", "dtype", 32), data, "tensor '0.bias': \"dtype\" must be a string");
  expect_bad(with("0.bias", "dtype", "F8_E4M3"), data, "tensor '0.bias' has dtype 'F8_E4M3'");
  expect_bad(with("0.bias", "dtype", "U8"), data, "tensor '0.bias' has dtype 'U8'");
  // A shape: negative, fractional, not an array, larger than rtv reads, or with a product overflowing 2^64 (an
  // unguarded product wraps modulo 2^64 and might match the byte count).
  expect_bad(with("0.weight", "shape", json::array({-6, 3})), data, "tensor '0.weight': \"shape\" must be an array of non-negative");
  expect_bad(with("0.weight", "shape", json::array({6.0, 3})), data, "tensor '0.weight': \"shape\" must be an array of non-negative");
  expect_bad(with("0.weight", "shape", 18), data, "tensor '0.weight': \"shape\" must be an array");
  expect_bad(with("0.weight", "shape", json::array({std::uint64_t(1) << 32, 6})), data, "tensor '0.weight': dimension 4294967296");
  expect_bad(with("0.weight", "shape", json::array({2147483647, 2147483647, 2147483647, 2147483647, 2147483647})), data,
             "tensor '0.weight': shape [2147483647,2147483647,2147483647,2147483647,2147483647] of F32 needs more than 2^64");
  // Products that wrap to 0 modulo 2^64 on a zero-length tensor: 2^30 2^30 16 elements (the product of the shape),
  // and 2^30 2^30 4 elements of 4 bytes (the byte count). An unguarded reader accepts both as empty tensors, and
  // the second would then allocate 2^62 doubles.
  for (const json& shape : {json::array({1 << 30, 1 << 30, 16}), json::array({1 << 30, 1 << 30, 4})}) {
    json j = h;
    j["huge"] = {{"dtype", "F32"}, {"shape", shape}, {"data_offsets", json::array({0, 0})}};
    expect_bad(j, data, "tensor 'huge': shape " + shape.dump() + " of F32 needs more than 2^64 bytes");
  }
  // Shape and byte count disagree (a wrong element size would too: F32 read as 2 bytes gives 36, not 72).
  expect_bad(with("0.weight", "shape", json::array({6, 2})), data, "tensor '0.weight': shape [6,2] of F32 needs 48 bytes");
  expect_bad(with("0.weight", "dtype", "F16"), data, "tensor '0.weight': shape [6,3] of F16 needs 36 bytes");
  expect_bad(with("0.weight", "dtype", "F64"), data, "tensor '0.weight': shape [6,3] of F64 needs 144 bytes");
  // data_offsets: not two non-negative integers, end < begin, past the data block.
  const auto begin = h["0.weight"]["data_offsets"][0].get<std::uint64_t>();
  const auto end = h["0.weight"]["data_offsets"][1].get<std::uint64_t>();
  expect_bad(with("0.weight", "data_offsets", json::array({begin})), data, "tensor '0.weight': \"data_offsets\" must be two");
  expect_bad(with("0.weight", "data_offsets", json::array({-1, 71})), data, "tensor '0.weight': \"data_offsets\" must be two");
  expect_bad(with("0.weight", "data_offsets", json::array({begin, 1.5})), data, "tensor '0.weight': \"data_offsets\" must be two");
  expect_bad(with("0.weight", "data_offsets", json::array({end, begin})), data, "tensor '0.weight': data_offsets [" +
             std::to_string(end) + ", " + std::to_string(begin) + "] end before they begin");
  // Past the end: offsets relative to the file would put the last tensor here.
  expect_bad(with("0.weight", "data_offsets", json::array({data.size(), data.size() + 72})), data,
             "tensor '0.weight': data_offsets [" + std::to_string(data.size()) + ", " + std::to_string(data.size() + 72) +
             "] run past the end of the data");
  expect_bad(with("0.weight", "data_offsets", json::array({~std::uint64_t(0) - 71, ~std::uint64_t(0)})), data,
             "tensor '0.weight': data_offsets");
  // Overlapping tensors: 0.weight moved onto 0.bias's bytes (the byte count still right when 0.weight is 72
  // bytes and starts at 0.bias's begin, if that leaves room); then the bytes it left are a hole.
  {
    json j = h;
    const auto b0 = h["0.bias"]["data_offsets"][0].get<std::uint64_t>();
    j["0.weight"]["data_offsets"] = json::array({b0, b0 + 72});
    expect_bad(j, data, "overlaps tensor");
  }
  {
    // Two tensors with the same bytes (aliasing): a 4-byte data block claimed twice, by 'a' and 'b'.
    const std::string alias = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                              R"("b":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}})";
    expect_bad(assemble(alias, std::string(4, '\0')), "tensor 'b' (data_offsets [0, 4]) overlaps tensor 'a'");
    // A hole between two tensors, and bytes after the last one (the format forbids both).
    const std::string hole = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                             R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})";
    expect_bad(assemble(hole, std::string(12, '\0')), "bytes [4, 8) of the data, before tensor 'b', belong to no tensor");
    expect_bad(good + std::string(4, '\0'), "bytes [" + std::to_string(data.size()) + ", " +
               std::to_string(data.size() + 4) + ") at the end of the data");
    expect_bad(assemble("{}", "abcd"), "bytes [0, 4) at the end of the data belong to no tensor");
    // Not starting at 0.
    const std::string late = R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})";
    expect_bad(assemble(late, std::string(8, '\0')), "bytes [0, 4) of the data, before tensor 'a'");
  }
  // Duplicate names (nlohmann keeps the last silently), and a duplicate key inside an entry.
  {
    std::string text = h.dump();
    const std::string entry = "\"0.bias\":" + h["0.bias"].dump();
    text.insert(1, entry + ",");
    expect_bad(assemble(text, data), "tensor '0.bias' appears twice");
    const std::string twice = R"({"a":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}})";
    expect_bad(assemble(twice, std::string(4, '\0')), "tensor 'a': key 'dtype' appears twice");
  }
  // __metadata__ must map strings to strings.
  {
    json j = h;
    j["__metadata__"] = {{"format", 1}};
    expect_bad(j, data, "'__metadata__' entry 'format' must be a string");
    j["__metadata__"] = json::array();
    expect_bad(j, data, "'__metadata__' must be an object");
  }
}

TEST(Safetensors, NoInputCrashesTheReader) {
  // Every truncation of a valid file and 3000 random corruptions (seed printed): each is read or is an InputError,
  // never another exception or a crash. Catches unchecked size arithmetic and reads past the buffer (the reader was
  // also run once under ASan/UBSan on ~200,000 truncated and corrupted fixtures without a report; the build has no
  // sanitizer configuration of its own).
  const std::string good = test::slurp(kFixtures / "st_skip_bf16.safetensors");
  for (std::size_t len = 0; len < good.size(); ++len)
    EXPECT_THROW(parse_safetensors(good.substr(0, len), "cut"), InputError) << len;
  const unsigned seed = 1616;
  std::printf("corruption seed %u\n", seed);
  std::mt19937 rng(seed);
  int read = 0, rejected = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::string bytes = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; ++k) {
      const std::size_t at = rng() % (trial % 2 ? bytes.size() : 64);  // half of them in the header's start
      bytes[at] = static_cast<char>(rng() % 2 ? rng() & 0xff : bytes[at] ^ (1 << (rng() % 8)));
    }
    try {
      parse_safetensors(bytes, "fuzz");
      ++read;
    } catch (const InputError&) {
      ++rejected;
    }
  }
  std::printf("corruptions: %d read, %d rejected\n", read, rejected);
  EXPECT_GT(rejected, 0);
  EXPECT_GT(read, 0);  // flips in the data block leave a valid file
}

TEST(Safetensors, NetworkErrorsNameTheFile) {
  // Through the network readers: the key rules of the .npz import apply (missing key, NaN weight), and the
  // reader's errors carry the path.
  test::ScratchDir dir;
  const Parts p = fixture_parts();
  {
    json j = p.header;
    const auto b = j["2.bias"]["data_offsets"];
    j.erase("2.bias");
    // Keep the data block tiled: turn the 4 bytes of 2.bias into a tensor the shallow reader does not expect.
    j["extra"] = {{"dtype", "F32"}, {"shape", json::array({1})}, {"data_offsets", b}};
    write_file_atomic(dir / "m.safetensors", assemble(j.dump(), p.data));
    expect_input_error([&] { read_network(dir / "m.safetensors"); }, "m.safetensors", "missing array '2.bias'");
    j.erase("extra");
    j["2.bias"] = {{"dtype", "F32"}, {"shape", json::array({1})}, {"data_offsets", b}};
    std::string data = p.data;
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const auto w2 = j["2.weight"]["data_offsets"][0].get<std::size_t>();
    std::memcpy(&data[w2], &nan, 4);
    write_file_atomic(dir / "n.safetensors", assemble(j.dump(), data));
    expect_input_error([&] { read_network(dir / "n.safetensors"); }, "n.safetensors", "NaN");
    expect_input_error([&] { read_deep_network(dir / "n.safetensors"); }, "n.safetensors", "NaN");
  }
  write_file_atomic(dir / "t.safetensors", assemble("{", ""));
  expect_input_error([&] { read_network(dir / "t.safetensors"); }, "t.safetensors", "not valid JSON");
  expect_input_error([&] { network_file_kind(dir / "t.safetensors"); }, "t.safetensors", "not valid JSON");
  expect_input_error([&] { network_file_unit_roundoff(dir / "t.safetensors"); }, "t.safetensors", "not valid JSON");
  expect_input_error([&] { read_network(dir / "none.safetensors"); }, "none.safetensors", "no such file");
  expect_input_error([&] { read_network(dir / "x.pt"); }, "x.pt", "expected .json, .npz or .safetensors");
}

}  // namespace
}  // namespace rtv
