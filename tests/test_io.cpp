// Files: network JSON (round trip, every malformed case), PyTorch .npz import against outputs that PyTorch
// itself computed (data/fixtures, made by make_torch_fixtures.py), .npy parsing, atomic output.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <functional>
#include <optional>

#include "rtv/core/error.hpp"
#include "rtv/io/arrays.hpp"
#include "rtv/io/files.hpp"
#include "rtv/io/network_json.hpp"
#include "rtv/io/torch_import.hpp"
#include "rtv/nets/norms.hpp"
#include "rtv/core/random.hpp"
#include "rtv/core/tolerances.hpp"
#include "rtv/nets/random_network.hpp"
#include "test_util.hpp"

namespace rtv {
namespace {

namespace fs = std::filesystem;
using test::expect_input_error;
using test::kFixtures;
using test::as_matrix;
using test::ScratchDir;


TEST(NetworkJson, RoundTripIsExact) {
  Rng rng(1);
  for (bool skip : {true, false}) {
    ShallowNet net = random_network(rng, 3, 9, skip);
    net.c0 = 1.0 / 3.0;
    const ShallowNet back = parse_network_json(network_to_json(net), "mem");
    EXPECT_EQ(back.skip, skip);
    EXPECT_EQ(back.W, net.W);
    EXPECT_EQ(back.b, net.b);
    EXPECT_EQ(back.v, net.v);
    EXPECT_EQ(back.c, net.c);
    EXPECT_EQ(back.c0, net.c0);
  }
  // An empty network keeps its dimension through "d".
  const ShallowNet empty = parse_network_json(network_to_json(ShallowNet::zeros(4, 0)), "mem");
  EXPECT_EQ(empty.dim(), 4);
  EXPECT_EQ(empty.width(), 0);
}

TEST(NetworkJson, DocumentedExample) {
  const ShallowNet net = parse_network_json(
      R"({"format": "rtv.shallow-relu", "version": 1, "W": [[1, 0], [0, 2]], "b": [0.5, -1], "v": [2, -1],
          "c": [0.1, 0.2], "c0": 3})",
      "example");
  EXPECT_EQ(net.dim(), 2);
  EXPECT_EQ(net.width(), 2);
  EXPECT_TRUE(net.skip);
  Eigen::MatrixXd X(1, 2);
  X << 1.0, 1.0;  // 2 relu(1 - 0.5) - relu(2 + 1) + 0.1 + 0.2 + 3
  EXPECT_DOUBLE_EQ(evaluate(net, X)(0), 1.0 - 3.0 + 0.3 + 3.0);
}

TEST(NetworkJson, MalformedFilesAreRejectedWithTheProblemNamed) {
  const std::string head = R"({"format": "rtv.shallow-relu", "version": 1, )";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{\"format\": \"rtv.shallow-relu\", \"version\": 1, \"W\": [[1, 2]", "malformed JSON"},  // truncated
      {"", "malformed JSON"},
      {"[1, 2]", "must be a JSON object"},
      {head + R"("W": [[1]], "b": [0], "v": [1], "extra": 1})", "unknown key \"extra\""},
      {R"({"format": "other", "version": 1, "W": [[1]], "b": [0], "v": [1]})", "\"format\" must be"},
      {R"({"format": "rtv.shallow-relu", "version": 2, "W": [[1]], "b": [0], "v": [1]})", "\"version\" must be 1"},
      {head + R"("W": [[1]], "v": [1]})", "missing key \"b\""},
      {head + R"("W": [[1, 2], [3]], "b": [0, 0], "v": [1, 1]})", "\"W\"[1] must have 2 entries"},
      {head + R"("W": [[1, 2]], "b": [0, 0], "v": [1]})", "b has 2 entries"},
      {head + R"("W": [[1, 2]], "b": [0], "v": [1], "c": [1]})", "c has 1 entries"},
      {head + R"("W": [[1, "x"]], "b": [0], "v": [1]})", "must be a number"},
      {head + R"("W": [[1, NaN]], "b": [0], "v": [1]})", "malformed JSON"},
      {head + R"("W": [[1, 1e999]], "b": [0], "v": [1]})", "number overflow"},
      {head + R"("W": [], "b": [], "v": []})", "input dimension unknown"},
      {head + R"("W": [[1]], "b": [0], "v": [1], "d": 2})", "\"d\" is 2"},
  };
  for (const auto& [text, fragment] : cases)
    expect_input_error([&] { parse_network_json(text, "bad.json"); }, "bad.json", fragment);
}

#if defined(__SANITIZE_ADDRESS__)  // gcc -fsanitize=address (make sanitize, RTV_SANITIZE)
#define RTV_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)  // clang
#define RTV_TEST_ASAN 1
#endif
#endif

#if defined(RTV_TEST_ASAN)
// ASan reserves terabytes of address space for its shadow, so RLIMIT_AS cannot cap a child there. Its allocator
// calls a hook after every allocation (compiler-rt's allocator_interface.h, which gcc does not ship): the cap
// becomes "at most 1 GiB allocated in total since the child started", checked before the parser touches the block.
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*, std::size_t),
                                                         void (*free_hook)(const volatile void*));
std::atomic<std::size_t> g_child_allocated{0};
void cap_malloc_hook(const volatile void*, std::size_t size) {
  if (g_child_allocated.fetch_add(size) + size > (std::size_t{1} << 30)) {
    static const char msg[] = "allocated more than 1 GiB (the cap's std::bad_alloc)\n";
    const ssize_t written = write(2, msg, sizeof msg - 1);  // no allocation inside the allocator's hook
    (void)written;
    std::_Exit(2);
  }
}
void cap_free_hook(const volatile void*) {}
#endif

// Runs fn in a death-test child whose address space is capped at its current size + 1 GiB and expects an
// InputError naming source and fragment there. A parser that allocates from a declared size before checking it
// against the arrays present gets std::bad_alloc in the child (exit 2) instead of, on this 24 GB machine,
// succeeding slowly with the same final message. (Under ASan: the allocation hook above, same exit 2.)
template <class Fn>
void expect_input_error_under_memory_cap(Fn&& fn, const std::string& source, const std::string& fragment) {
  const auto child = [&] {
#if defined(RTV_TEST_ASAN)
    if (__sanitizer_install_malloc_and_free_hooks(cap_malloc_hook, cap_free_hook) == 0) std::_Exit(4);
#else
    long pages = 0;
    if (FILE* f = std::fopen("/proc/self/statm", "r")) {
      if (std::fscanf(f, "%ld", &pages) != 1) pages = 0;
      std::fclose(f);
    }
    const rlim_t cap = static_cast<rlim_t>(pages) * static_cast<rlim_t>(sysconf(_SC_PAGESIZE)) + (rlim_t{1} << 30);
    const rlimit lim{cap, cap};
    if (pages <= 0 || setrlimit(RLIMIT_AS, &lim) != 0) std::_Exit(4);
#endif
    try {
      fn();
      std::fprintf(stderr, "no error\n");
      std::_Exit(1);
    } catch (const InputError& e) {
      const std::string msg = e.what();
      const bool ok = msg.find(source) != std::string::npos && msg.find(fragment) != std::string::npos;
      std::fprintf(stderr, "InputError: %s\n", e.what());
      std::_Exit(ok ? 0 : 3);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "other exception: %s\n", e.what());
      std::_Exit(2);
    }
  };
  EXPECT_EXIT(child(), ::testing::ExitedWithCode(0), "");
}

// Guards against sizes declared by a network JSON driving allocation before validation (issue 20): "d": 1e9 with
// no neurons allocated c (8 GB, 28 s); deep "d": 2^30 with "W": [[1]] allocated a 1 x 2^30 matrix before finding
// the row has 1 entry; a long first row of W followed by many empty rows allocated K x d.
TEST(NetworkJson, DeclaredSizesAreCheckedBeforeAllocating) {
  const std::string head = R"({"format": "rtv.shallow-relu", "version": 1, )";
  expect_input_error_under_memory_cap(
      [&] { parse_network_json(head + R"("d": 1000000000, "W": [], "b": [], "v": []})", "huge.json"); },
      "huge.json", "\"d\" is 1000000000 but no array in the file has d entries");
  expect_input_error_under_memory_cap(
      [&] { parse_network_json(head + R"("d": 300000000, "W": [], "b": [], "v": [], "c0": 0})", "huge.json"); },
      "huge.json", "limited to 1048576");
  // 20000 rows after a first row of 20000 entries: K x d = 4e8 doubles (3.2 GB) if allocated before the check.
  std::string rows = "[" + std::string(20000 * 2 - 1, ',') + "]";
  for (std::size_t i = 1; i < rows.size(); i += 2) rows[i] = '0';
  std::string W = "[" + rows;
  for (int k = 1; k < 20000; ++k) W += ", []";
  W += "]";
  expect_input_error_under_memory_cap(
      [&] { parse_network_json(head + "\"W\": " + W + R"(, "b": [], "v": []})", "ragged.json"); }, "ragged.json",
      "\"W\"[1] must have 20000 entries");
  expect_input_error_under_memory_cap(
      [] {
        parse_deep_network_json(R"({"format": "rtv.deep-relu", "version": 1, "d": 1073741824,
                                    "stages": [{"W": [[1]], "b": [0]}]})",
                                "deep.json");
      },
      "deep.json", "stage 1: \"W\"[0] has 1 entries, expected 1073741824");
  // A zero-width network still reads when its dimension is within the limit, or backed by c.
  EXPECT_EQ(parse_network_json(head + R"("d": 1048576, "W": [], "b": [], "v": []})", "ok.json").dim(), 1 << 20);
  EXPECT_EQ(parse_network_json(head + R"("d": 2, "W": [], "b": [], "v": [], "c": [1, 2]})", "ok.json").dim(), 2);
  expect_input_error([&] { parse_network_json(head + R"("d": 3, "W": [], "b": [], "v": [], "c": [1, 2]})", "c.json"); },
                     "c.json", "c has 2 entries but the input dimension is 3");
}

// Guards against integers narrowed when read: "d": 4294967298 was read as 2 and "version": 4294967297 as 1.
TEST(NetworkJson, IntegersAreNotNarrowed) {
  const std::string rest = R"("W": [[1, 2]], "b": [0], "v": [1]})";
  expect_input_error([&] { parse_network_json(R"({"format": "rtv.shallow-relu", "version": 1, "d": 4294967298, )" + rest, "n.json"); },
                     "n.json", "\"d\" must be a positive integer of at most 2147483647, got 4294967298");
  expect_input_error([&] { parse_network_json(R"({"format": "rtv.shallow-relu", "version": 4294967297, )" + rest, "n.json"); },
                     "n.json", "\"version\" must be 1");
  expect_input_error([&] { parse_network_json(R"({"format": "rtv.shallow-relu", "version": 1, "d": 18446744073709551615, )" + rest, "n.json"); },
                     "n.json", "\"d\" must be a positive integer");
  const std::string stages = R"("stages": [{"W": [[1, 2]], "b": [0]}]})";
  expect_input_error([&] { parse_deep_network_json(R"({"format": "rtv.deep-relu", "version": 1, "d": 4294967298, )" + stages, "d.json"); },
                     "d.json", "\"d\" must be a positive integer of at most 1073741824, got 4294967298");
  expect_input_error([&] { parse_deep_network_json(R"({"format": "rtv.deep-relu", "version": 4294967297, "d": 2, )" + stages, "d.json"); },
                     "d.json", "\"version\" must be 1");
  EXPECT_EQ(parse_network_json(R"({"format": "rtv.shallow-relu", "version": 1, "d": 2, )" + rest, "n.json").dim(), 2);
}

TEST(NetworkJson, MissingFileAndUnknownExtension) {
  expect_input_error([] { read_network("/nonexistent/net.json"); }, "/nonexistent/net.json", "no such file");
  ScratchDir dir;
  test::run("echo '{}' > " + test::q((dir / "net.txt").string()));
  expect_input_error([&] { read_network(dir / "net.txt"); }, "net.txt", "unknown network file type");
}

// ---- PyTorch import ----

TEST(TorchImport, Float32SequentialMatchesPyTorchOutputs) {
  const ShallowNet net = read_network(kFixtures / "torch_mlp_f32.npz");
  EXPECT_EQ(net.dim(), 3);
  EXPECT_EQ(net.width(), 7);
  EXPECT_FALSE(net.skip);
  auto io = read_npz(kFixtures / "torch_mlp_f32_io.npz");
  const Eigen::MatrixXd X = as_matrix(io["X"]);
  const Eigen::VectorXd f = evaluate(net, X), S = evaluation_scale(net, X);
  for (int n = 0; n < X.rows(); ++n) {
    // Same float32 weights evaluated by PyTorch in float64: both are double evaluations -> 100 eps of S_n.
    EXPECT_NEAR(f(n), io["y64"].data[n], tol::kIdentity * S(n)) << n;
    // PyTorch's float32 evaluation: (d + 3) roundings of 2^-24 each, relative to S_n; 100 * 2^-24 is generous.
    EXPECT_NEAR(f(n), io["y32"].data[n], 100 * std::ldexp(1.0, -24) * S(n)) << n;
  }
}

TEST(TorchImport, Float64SkipModuleWithPrefixAndCompressionMatchesPyTorch) {
  const ShallowNet net = read_network(kFixtures / "torch_skip_f64.npz");
  EXPECT_EQ(net.dim(), 2);
  EXPECT_EQ(net.width(), 5);
  EXPECT_TRUE(net.skip);
  auto io = read_npz(kFixtures / "torch_skip_f64_io.npz");
  const Eigen::MatrixXd X = as_matrix(io["X"]);
  const Eigen::VectorXd f = evaluate(net, X), S = evaluation_scale(net, X);
  for (int n = 0; n < X.rows(); ++n) EXPECT_NEAR(f(n), io["y64"].data[n], tol::kIdentity * S(n)) << n;
}

// npy bytes with an arbitrary header (for malformed cases).
std::string npy_with_header(const std::string& header, const std::string& data) {
  std::string h = header;
  while ((10 + h.size() + 1) % 64) h += ' ';
  h += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(h.size() & 0xff);
  out += static_cast<char>(h.size() >> 8);
  return out + h + data;
}

std::string f64(std::vector<double> v) { return std::string(reinterpret_cast<const char*>(v.data()), v.size() * 8); }

std::map<std::string, std::string> good_members() {
  return {{"0.weight.npy", npy_bytes({2, 1}, {1.0, -1.0})},
          {"0.bias.npy", npy_bytes({2}, {0.5, 0.25})},
          {"2.weight.npy", npy_bytes({1, 2}, {2.0, 3.0})},
          {"2.bias.npy", npy_bytes({1}, {0.1})}};
}

TEST(TorchImport, HandBuiltArchiveFlipsTheBiasSign) {
  ScratchDir dir;
  test::write_zip(dir / "m.npz", good_members());
  const ShallowNet net = read_network(dir / "m.npz");
  EXPECT_EQ(net.b(0), -0.5);  // PyTorch W x + b  ->  rtv w . x - b
  EXPECT_EQ(net.b(1), -0.25);
  EXPECT_EQ(net.c0, 0.1);
}

TEST(TorchImport, FirstLayerWithoutBiasIsAZeroBias) {
  // nn.Sequential(nn.Linear(1, 2, bias=False), nn.ReLU(), nn.Linear(2, 1)) saves no "0.bias". Catches: the shallow
  // reader refusing it ("missing array '0.bias'", so balance, reduce and seminorm refused what inspect read), and
  // the shallow pattern not recognising it (inspect then took it for a deep network).
  ScratchDir dir;
  for (const std::string prefix : {"", "net."}) {
    std::map<std::string, std::string> m;
    for (const auto& [name, bytes] : good_members())
      if (name != "0.bias.npy") m[prefix + name] = bytes;
    const fs::path path = dir / ("nobias" + std::to_string(prefix.size()) + ".npz");
    test::write_zip(path, m);
    EXPECT_EQ(network_file_kind(path), NetworkKind::kShallow) << prefix;
    const ShallowNet net = read_network(path);
    EXPECT_EQ(net.b, Eigen::Vector2d::Zero());
    // PyTorch's function, by hand: 2 relu(x) + 3 relu(-x) + 0.1 (exact in binary at these points).
    Eigen::MatrixXd X(3, 1);
    X << -1.5, 0.0, 2.0;
    const Eigen::VectorXd f = evaluate(net, X);
    EXPECT_EQ(f(0), 3 * 1.5 + 0.1);
    EXPECT_EQ(f(1), 0.1);
    EXPECT_EQ(f(2), 2 * 2.0 + 0.1);
    // The deep reader agrees (it always read a missing bias as zero).
    const DeepNet deep = read_deep_network(path), direct = read_deep_network_npz(path);
    EXPECT_EQ(evaluate(deep, X), evaluate(direct, X));
  }
  // The relaxed pattern still needs the other keys: a missing output bias is still refused by the shallow reader.
  auto m = good_members();
  m.erase("0.bias.npy");
  m.erase("2.bias.npy");
  test::write_zip(dir / "bad.npz", m);
  expect_input_error([&] { read_network(dir / "bad.npz"); }, "bad.npz", "missing array '2.bias'");
  // And 0.bias, when present, must still have the right shape.
  m = good_members();
  m["0.bias.npy"] = npy_bytes({1}, {1.0});
  test::write_zip(dir / "bad.npz", m);
  expect_input_error([&] { read_network(dir / "bad.npz"); }, "bad.npz", "'0.bias' has shape (1), expected (2)");
}

TEST(TorchImport, ActivationAndPrecisionOfTheFile) {
  // Catches: a .npz not flagged as assuming ReLU (a Tanh network then silently reads as another function), a JSON
  // network flagged, and float32 weights reported with double precision (the balance tolerance depends on it).
  EXPECT_TRUE(activation_is_assumed(kFixtures / "torch_mlp_f32.npz"));
  EXPECT_TRUE(activation_is_assumed(kFixtures / "torch_deep_f64.npz"));
  EXPECT_FALSE(activation_is_assumed("net.json"));
  EXPECT_EQ(network_file_unit_roundoff(kFixtures / "torch_mlp_f32.npz"), std::ldexp(1.0, -24));
  EXPECT_EQ(network_file_unit_roundoff(kFixtures / "torch_deep_f32.npz"), std::ldexp(1.0, -24));
  EXPECT_EQ(network_file_unit_roundoff(kFixtures / "torch_skip_f64.npz"), std::ldexp(1.0, -53));
  ScratchDir dir;
  write_network_json(ShallowNet::zeros(2, 1), dir / "n.json");
  EXPECT_EQ(network_file_unit_roundoff(dir / "n.json"), std::ldexp(1.0, -53));
  expect_input_error([&] { network_file_unit_roundoff(dir / "none.npz"); }, "none.npz", "no such file");
}

TEST(TorchImport, BadArchivesAreRejectedWithTheProblemNamed) {
  ScratchDir dir;
  const auto path = dir / "bad.npz";
  auto with = [&](std::map<std::string, std::string> m) {
    test::write_zip(path, m);
    return path;
  };
  auto members = good_members();
  // not a zip
  test::run("echo hello > " + test::q(path.string()));
  expect_input_error([&] { read_network(path); }, "bad.npz", "not a readable .npz");
  // truncated archive
  {
    const std::string full = test::slurp(kFixtures / "torch_mlp_f32.npz");
    test::run("head -c " + std::to_string(full.size() / 2) + " " + test::q((kFixtures / "torch_mlp_f32.npz").string()) +
              " > " + test::q(path.string()));
    expect_input_error([&] { read_network(path); }, "bad.npz", "npz");
  }
  auto m = members;
  m.erase("2.bias.npy");
  expect_input_error([&] { read_network(with(m)); }, "bad.npz", "missing array '2.bias'");
  m = members;
  m["0.bias.npy"] = npy_bytes({3}, {1, 2, 3});
  expect_input_error([&] { read_network(with(m)); }, "bad.npz", "'0.bias' has shape (3), expected (2)");
  m = members;
  m["2.weight.npy"] = npy_bytes({1, 2}, {std::nan(""), 1.0});
  expect_input_error([&] { read_network(with(m)); }, "bad.npz", "v contains NaN");
  m = members;
  m["extra.npy"] = npy_bytes({1}, {1.0});
  expect_input_error([&] { read_network(with(m)); }, "bad.npz", "unexpected array 'extra'");
  m = members;
  m["0.weight.npy"] = npy_with_header("{'descr': '>f8', 'fortran_order': False, 'shape': (2, 1), }", f64({1, 1}));
  expect_input_error([&] { read_network(with(m)); }, "bad.npz", "dtype '>f8' is not supported");
  m = members;
  m["0.weight.npy"] = npy_with_header("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 1), }", f64({1, 1}));
  expect_input_error([&] { read_network(with(m)); }, "bad.npz", "Fortran-ordered");
  m = members;
  m["0.weight.npy"] = npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 1), }", f64({1}));
  expect_input_error([&] { read_network(with(m)); }, "bad.npz", "truncated .npy data");
  m = members;
  m["skip.weight.npy"] = npy_bytes({1, 1}, {1.0});
  expect_input_error([&] { read_network(with(m)); }, "bad.npz", "needs both 'skip.weight' and 'skip.bias'");
  expect_input_error([&] { read_network(dir / "none.npz"); }, "none.npz", "no such file");
}

TEST(Npy, RoundTripAndVersions) {
  const std::vector<double> data = {1.5, -2.0, 3.25, 0.0, 1e-300, 7.0};
  const NpyArray a = parse_npy(npy_bytes({2, 3}, data), "mem");
  EXPECT_EQ(a.shape, (std::vector<std::int64_t>{2, 3}));
  EXPECT_EQ(a.data, data);
  EXPECT_EQ(a.dtype, "<f8");
  const NpyArray s = parse_npy(npy_bytes({}, {4.0}), "mem");  // a 0-d array
  EXPECT_TRUE(s.shape.empty());
  EXPECT_EQ(s.data, std::vector<double>{4.0});
  // Version 2 header (4-byte length) with float32 data.
  std::string h = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }";
  while ((12 + h.size() + 1) % 64) h += ' ';
  h += '\n';
  std::string bytes("\x93NUMPY\x02\x00", 8);
  for (int i = 0; i < 4; ++i) bytes += static_cast<char>((h.size() >> (8 * i)) & 0xff);
  float f[2] = {0.5f, -1.25f};
  bytes += h + std::string(reinterpret_cast<const char*>(f), 8);
  EXPECT_EQ(parse_npy(bytes, "v2").data, (std::vector<double>{0.5, -1.25}));
  expect_input_error([] { parse_npy("not npy at all", "x.npy"); }, "x.npy", "bad magic");
  expect_input_error([] { parse_npy(npy_bytes({2}, {1, 2}) + "xx", "x.npy"); }, "x.npy", "trailing bytes");
}

// .npy bytes (version 1.0) with a header written by hand: any shape text, then `data` as the payload.
std::string npy_with_shape(const std::string& descr, const std::string& shape, const std::string& data) {
  std::string h = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
  while ((10 + h.size() + 1) % 64) h += ' ';
  h += '\n';
  std::string bytes("\x93NUMPY\x01\x00", 8);
  bytes += static_cast<char>(h.size() & 0xff);
  bytes += static_cast<char>((h.size() >> 8) & 0xff);
  return bytes + h + data;
}

// Guards against an element count multiplied without overflow checks (issue 20): the count wrapped modulo 2^64
// so that count * itemsize matched the data length, parse_npy accepted the shape and the caller then allocated
// (length_error / bad_alloc, an abort in the CLI) or read past the data. Each shape must be refused, naming it.
TEST(Npy, ShapesWhoseCountOverflowsOrExceedsTheDataAreRefused) {
  const std::string eight(8, '\0');
  // 2^32 * 2^32 = 2^64 wraps to 0 elements: matched an empty payload.
  expect_input_error([] { parse_npy(npy_with_shape("<f8", "(4294967296, 4294967296)", ""), "big.npy"); },
                     "big.npy", "shape (4294967296, 4294967296): the element count overflows 64 bits");
  expect_input_error([] { parse_npy(npy_with_shape("<f8", "(4294967296, 4294967296, 3)", ""), "big.npy"); },
                     "big.npy", "overflows 64 bits (limit 18446744073709551615 elements)");
  // 2^31 * 2^30 = 2^61 elements, times 8 bytes = 2^64 wraps to 0 bytes: matched an empty payload.
  expect_input_error([] { parse_npy(npy_with_shape("<f8", "(2147483648, 1073741824)", ""), "big.npy"); },
                     "big.npy", "shape (2147483648, 1073741824) claims 2305843009213693952 elements of 8 bytes, "
                                "but the file's 0 data bytes hold at most 0");
  // 2147549185 * 2147418113 = 2^62 + 1 (checked with Python's exact integers), times 8 = 2^65 + 8 wraps to 8
  // bytes: matched one double of payload.
  expect_input_error([&] { parse_npy(npy_with_shape("<f8", "(2147549185, 2147418113)", eight), "big.npy"); },
                     "big.npy", "claims 4611686018427387905 elements of 8 bytes, but the file's 8 data bytes "
                                "hold at most 1");
  // The same with 4-byte items: (2^62 + 1) * 4 wraps to 4.
  expect_input_error([] { parse_npy(npy_with_shape("<i4", "(2147549185, 2147418113)", "abcd"), "big.npy"); },
                     "big.npy", "hold at most 1");
  // Still accepted: a zero-sized dimension (0 bytes, whatever the other sizes) and an exact fit.
  EXPECT_TRUE(parse_npy(npy_with_shape("<f8", "(0, 4294967296)", ""), "z.npy").data.empty());
  EXPECT_EQ(parse_npy(npy_with_shape("<f8", "(1, 1)", std::string("\0\0\0\0\0\0\xf0\x3f", 8)), "one.npy").data,
            std::vector<double>{1.0});
  expect_input_error([] { parse_npy(npy_with_shape("<f8", "(2,)", std::string(8, '\0')), "t.npy"); }, "t.npy",
                     "truncated .npy data");
}

TEST(AtomicOutput, NothingHalfWritten) {
  ScratchDir dir;
  write_file_atomic(dir / "a.txt", "hello");
  EXPECT_EQ(test::slurp(dir / "a.txt"), "hello");
  EXPECT_EQ(dir.files(), std::vector<std::string>{"a.txt"});  // no temporary left behind
  expect_input_error([&] { write_file_atomic(dir / "missing" / "a.txt", "x"); }, "missing/a.txt",
                     "does not exist");
  // A producer that fails, or produces nothing: no output and no temporary.
  EXPECT_THROW(produce_file_atomic(dir / "b.txt", [](const fs::path&) { throw std::runtime_error("boom"); }),
               std::runtime_error);
  EXPECT_THROW(produce_file_atomic(dir / "c.txt", [](const fs::path&) {}), std::runtime_error);
  EXPECT_EQ(dir.files(), std::vector<std::string>{"a.txt"});
  write_network_json(ShallowNet::zeros(2, 1), dir / "n.json");
  EXPECT_EQ(read_network_json(dir / "n.json").dim(), 2);
}

// Guards against two ways a CSV silently lost its first data row (issue 20): a UTF-8 byte-order mark made the
// first cell unparsable, so a file without header had its first row skipped as a "header" (fit1d fitted 7 of 8
// points); and a first row with a typo ("1,2x") or an empty cell was taken as a header. Row counts are exact.
TEST(Csv, ByteOrderMarkIsStrippedAndOnlyAnAllTextFirstRowIsAHeader) {
  ScratchDir dir;
  const auto read = [&](const std::string& name, const std::string& text) {
    write_file_atomic(dir / name, text);
    return read_array(dir / name);
  };
  const std::string bom = "\xEF\xBB\xBF";
  const auto a = read("bom.csv", bom + "1,2\n3,4\n5,6\n");
  ASSERT_EQ(a.rows(), 3);  // before indexing
  ASSERT_EQ(a.cols(), 2);
  EXPECT_EQ(a(0, 0), 1.0);
  EXPECT_EQ(a(2, 1), 6.0);
  EXPECT_EQ(read("bom_header.csv", bom + "x,y\r\n1,2\r\n3,4\r\n").rows(), 2);
  EXPECT_EQ(read("header.csv", "x, y\n1,2\n3,4\n").rows(), 2);
  EXPECT_EQ(read("noheader.csv", "1,2\n3,4\n").rows(), 2);
  expect_input_error([&] { read("typo.csv", "1,2x\n3,4\n"); }, "typo.csv", "line 1, column 2: not a number: '2x'");
  expect_input_error([&] { read("empty.csv", "1,,2\n3,4,5\n"); }, "empty.csv", "line 1, column 2: not a number: ''");
  expect_input_error([&] { read("later.csv", "x,y\n1,2\n3,4q\n"); }, "later.csv", "line 3, column 2");
  // A BOM not at the start is a bad cell, not silently dropped.
  expect_input_error([&] { read("mid.csv", "1,2\n" + bom + "3,4\n"); }, "mid.csv", "line 2, column 1");
}

TEST(Csv, WritesColumnsWithFullPrecision) {
  ScratchDir dir;
  write_csv(dir / "t.csv", {"x", "y"}, {{0.1, 2.0}, {1.0 / 3.0, -4.0}});
  EXPECT_EQ(test::slurp(dir / "t.csv"), "x,y\n0.10000000000000001,0.33333333333333331\n2,-4\n");
}

// ---- Output errors name the file and the system's reason (issue 20) ----

// Guards against "-o <a folder>" reported as "cannot write: Success" (the temporary was written beside the folder
// and the rename's error was lost) and against a temporary left behind.
TEST(AtomicOutput, AFolderAsTheOutputIsNamedAsSuch) {
  ScratchDir dir;
  fs::create_directories(dir / "sub");
  const fs::path sub = dir / "sub";
  for (const fs::path& p : {sub, fs::path(sub.string() + "/"), fs::path((dir / "new").string() + "/")}) {
    expect_input_error([&] { write_file_atomic(p, "x"); }, p.string(), "is a folder");
    expect_input_error([&] { produce_file_atomic(p, [](const fs::path& t) { std::ofstream(t) << "x"; }); }, p.string(),
                       "is a folder");
  }
  EXPECT_EQ(dir.files(), std::vector<std::string>{"sub"});
  EXPECT_TRUE(fs::is_empty(dir / "sub"));
}

// Guards against a failed write reported without its reason ("cannot write (disk full or not writable)") and
// against a temporary left behind. A file size limit (RLIMIT_FSIZE, SIGXFSZ ignored: writes past it fail with
// EFBIG) stands for a full disk without root; the real full disk is AFullDiskIsNamed below.
TEST(AtomicOutput, AFailedWriteNamesTheFileAndTheSystemsReason) {
  ScratchDir dir;
  struct rlimit old {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
  auto* old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit lim = old;
  lim.rlim_cur = 16 * 1024;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &lim), 0);
  std::string msg;
  try {
    write_file_atomic(dir / "big.bin", std::string(64 * 1024, 'x'));
  } catch (const InputError& e) {
    msg = e.what();
  }
  const std::string probe = write_probe(dir.path());
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_EQ(msg, (dir / "big.bin").string() + ": cannot write: " + std::strerror(EFBIG));
  EXPECT_EQ(probe, std::strerror(EFBIG));
  EXPECT_TRUE(dir.files().empty()) << dir.files().front();
  EXPECT_EQ(write_probe(dir.path()), "") << "a folder that takes writes";
}

// Run `fn` in a child process with a private 64 KiB tmpfs mounted on `where` (root only: unshare + mount), filled
// to the last byte if `fill`; returns what `fn` returned, or nullopt when the mount is not possible here.
std::optional<std::string> with_private_tmpfs(const fs::path& where, bool fill_it,
                                              const std::function<std::string()>& fn) {
  int fds[2];
  if (::pipe(fds) != 0) return std::nullopt;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    if (::unshare(CLONE_NEWNS) != 0 || ::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        ::mount("tmpfs", where.c_str(), "tmpfs", 0, "size=64k") != 0)
      ::_exit(77);
    if (fill_it) {
      std::ofstream fill(where / "fill", std::ios::binary);
      const std::string block(4096, 'f');
      for (int i = 0; i < 64 && fill; ++i) fill.write(block.data(), block.size());
    }
    std::string out;
    try {
      out = fn();
    } catch (const std::exception& e) {
      out = std::string("exception: ") + e.what();
    }
    std::error_code ec;
    fs::remove(where / "fill", ec);
    for (const auto& e : fs::directory_iterator(where)) out += "\nleft: " + e.path().filename().string();
    const ssize_t w = ::write(fds[1], out.data(), out.size());
    ::_exit(w == static_cast<ssize_t>(out.size()) ? 0 : 1);
  }
  int status = 0;
  const std::string got = test::read_child(fds, pid, status);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 77) return std::nullopt;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  return got;
}

// The full disk itself: "No space left on device", the file named, nothing left.
TEST(AtomicOutput, AFullDiskIsNamed) {
  ScratchDir dir;
  fs::create_directories(dir / "disk");
  const fs::path target = dir / "disk" / "n.json";
  const auto got = with_private_tmpfs(dir / "disk", true, [&] {
    try {
      write_file_atomic(target, std::string(200 * 1024, 'x'));
      return std::string("no error");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
  });
  if (!got) GTEST_SKIP() << "cannot mount a private tmpfs here (needs root and unshare)";
  EXPECT_EQ(*got, target.string() + ": cannot write: " + std::strerror(ENOSPC));
}

// ---- A folder as one unit; stop requests ----

// Guards against a commit that merges into the old folder (its other files would stay), leaves the staging or the
// old folder behind, or touches the target before commit; and against an uncommitted run leaving its folder.
TEST(StagedFolder, CommitReplacesTheWholeFolderAndAnUncommittedOneLeavesNothing) {
  ScratchDir dir;
  const fs::path target = dir / "reports" / "out";
  {  // new target (and its parent created)
    StagedFolder s(target);
    EXPECT_EQ(s.path().parent_path(), fs::weakly_canonical(dir / "reports"));
    EXPECT_EQ(s.path().filename().string().rfind(".out.run.", 0), 0u) << s.path();
    std::ofstream(s.path() / "a.txt") << "first";
    EXPECT_FALSE(fs::exists(target));
    s.commit();
  }
  EXPECT_EQ(test::slurp(target / "a.txt"), "first");
  {  // existing target: replaced as a whole
    StagedFolder s(target);
    std::ofstream(s.path() / "b.txt") << "second";
    EXPECT_EQ(test::slurp(target / "a.txt"), "first") << "untouched before commit";
    s.commit();
  }
  EXPECT_FALSE(fs::exists(target / "a.txt"));
  EXPECT_EQ(test::slurp(target / "b.txt"), "second");
  {  // not committed: the target stays, the staging folder goes
    StagedFolder s(target);
    fs::create_directories(s.path() / "figures");
    std::ofstream(s.path() / "figures" / "c.png") << "third";
  }
  EXPECT_EQ(test::slurp(target / "b.txt"), "second");
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir / "reports")) names.push_back(e.path().filename().string());
  EXPECT_EQ(names, std::vector<std::string>{"out"});
  {  // through a symbolic link: the link stays, its folder is replaced
    fs::create_directory_symlink(target, dir / "link");
    StagedFolder s(dir / "link");
    std::ofstream(s.path() / "d.txt") << "fourth";
    s.commit();
    EXPECT_TRUE(fs::is_symlink(dir / "link"));
    EXPECT_EQ(test::slurp(dir / "link" / "d.txt"), "fourth");
  }
  std::ofstream(dir / "file") << "x";
  expect_input_error([&] { StagedFolder s(dir / "file"); }, "file", "cannot create the output folder: it is a file");
  expect_input_error([&] { StagedFolder s(dir / "file" / "sub"); }, "sub", "cannot create the output folder");
  expect_input_error([&] { StagedFolder s("."); }, ".", "the current folder");
  expect_input_error([&] { StagedFolder s("/"); }, "/", "the root");
}

// A target that is a mount point (a container's volume) cannot be renamed: the run is staged inside it and its
// entries are swapped in. Guards against a commit that fails there ("Device or resource busy" after the whole run)
// and against old entries or the staging folder left in it. Root only (a private tmpfs), skipped elsewhere.
TEST(StagedFolder, AMountPointIsCommittedEntryByEntry) {
  ScratchDir dir;
  fs::create_directories(dir / "vol");
  const fs::path vol = dir / "vol";
  const auto got = with_private_tmpfs(vol, false, [&] {
    fs::create_directories(vol / "figures");
    std::ofstream(vol / "figures" / "old.png") << "old";
    std::ofstream(vol / "report.md") << "old report";
    StagedFolder s(vol);
    std::string out = s.path().parent_path() == fs::weakly_canonical(vol) ? "inside" : "beside";
    fs::create_directories(s.path() / "figures");
    std::ofstream(s.path() / "figures" / "new.png") << "new";
    std::ofstream(s.path() / "report.md") << "new report";
    s.commit();
    out += " " + test::slurp(vol / "report.md") + " " + test::slurp(vol / "figures" / "new.png");
    std::vector<std::string> names;
    for (const auto& e : fs::recursive_directory_iterator(vol)) names.push_back(fs::relative(e.path(), vol).string());
    std::sort(names.begin(), names.end());
    for (const auto& n : names) out += " " + n;
    return out;
  });
  if (!got) GTEST_SKIP() << "cannot mount a private tmpfs here (needs root and unshare)";
  EXPECT_EQ(got->substr(0, got->find('\n')), "inside new report new figures figures/new.png report.md") << *got;
}

TEST(Interrupt, ARequestIsRecordedOnceAndThrownByTheCheck) {
  clear_interrupt();
  EXPECT_EQ(interrupt_signal(), 0);
  EXPECT_NO_THROW(check_interrupt());
  request_interrupt(SIGTERM);
  request_interrupt(SIGINT);  // the first one counts
  EXPECT_EQ(interrupt_signal(), SIGTERM);
  try {
    check_interrupt();
    ADD_FAILURE() << "no Interrupted";
  } catch (const Interrupted& e) {
    EXPECT_EQ(e.signal(), SIGTERM);
    EXPECT_STREQ(e.what(), "interrupted by SIGTERM");
  }
  clear_interrupt();
  EXPECT_NO_THROW(check_interrupt());
}

}  // namespace
}  // namespace rtv
