// Deep network files (network_json.hpp, torch_import.hpp): the "rtv.deep-relu" JSON (bitwise round trip, every
// malformed case named), the import of deep PyTorch nn.Sequential archives against outputs that PyTorch itself
// computed (data/fixtures, made by make_torch_fixtures.py), the folding of middle biases, the import's error cases,
// shallow files read as deep ones, and `rtv inspect` on deep networks (values equal to the library's, exit 2 on bad
// files).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <tuple>
#include <nlohmann/json.hpp>

#include "rtv/nets/deep.hpp"
#include "rtv/core/error.hpp"
#include "rtv/io/arrays.hpp"
#include "rtv/io/files.hpp"
#include "rtv/io/network_json.hpp"
#include "rtv/io/torch_import.hpp"
#include "rtv/core/random.hpp"
#include "rtv/core/tolerances.hpp"
#include "rtv/nets/random_network.hpp"
#include "test_util.hpp"

namespace rtv {
namespace {

namespace fs = std::filesystem;
using test::q;
using test::kRtv;
using test::kFixtures;
using test::as_matrix;
using test::run;
using test::expect_input_error;
using test::ScratchDir;


// Same shape and the same bits (so -0.0 != 0.0 and every last digit counts). An empty matrix's data() may be null,
// which memcmp must not be given even for 0 bytes (UBSan: "null pointer passed as argument 1").
template <class A, class B>
bool same_bits(const A& a, const B& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         (a.size() == 0 ||
          std::memcmp(a.data(), b.data(), sizeof(double) * static_cast<std::size_t>(a.size())) == 0);
}

void expect_same_network(const DeepNet& a, const DeepNet& b) {
  ASSERT_EQ(a.stages.size(), b.stages.size());
  for (std::size_t l = 0; l < a.stages.size(); ++l) {
    const DeepStage &s = a.stages[l], &t = b.stages[l];
    ASSERT_EQ(s.linear.size(), t.linear.size()) << "stage " << l + 1;
    for (std::size_t j = 0; j < s.linear.size(); ++j) EXPECT_TRUE(same_bits(s.linear[j], t.linear[j])) << l << j;
    EXPECT_TRUE(same_bits(s.W, t.W)) << "stage " << l + 1;
    EXPECT_TRUE(same_bits(s.b, t.b)) << "stage " << l + 1;
    EXPECT_TRUE(same_bits(s.V, t.V)) << "stage " << l + 1;
    EXPECT_TRUE(same_bits(s.c, t.c)) << "stage " << l + 1;
    EXPECT_TRUE(same_bits(s.C, t.C)) << "stage " << l + 1;
    EXPECT_EQ(s.skip, t.skip) << "stage " << l + 1;
  }
}

// Three stages covering the format: linear layers (0, 1, 2 of them), V absent and present, a skip connection,
// and values that only an exact writer keeps (1/3, -0.0, a subnormal, and 2^500 (1 - 2^-53), every mantissa bit
// set: the largest double itself is refused since its square overflows, issue 20).
DeepNet sample_network(Rng& rng) {
  DeepNet net;
  DeepStage s1;  // 3 -> U (2 x 3) -> 4 neurons, V absent (identity)
  s1.linear = {rng.normal_matrix(2, 3)};
  s1.W = rng.normal_matrix(4, 2);
  s1.b = rng.normal_vector(4);
  s1.c = rng.normal_vector(4);
  s1.C = Eigen::MatrixXd::Zero(4, 3);
  s1.W(0, 0) = 1.0 / 3.0;
  s1.b(1) = -0.0;
  s1.c(2) = std::numeric_limits<double>::denorm_min();
  DeepStage s2;  // 4 -> 5 neurons -> 2 outputs, skip connection
  s2.W = rng.normal_matrix(5, 4);
  s2.b = rng.normal_vector(5);
  s2.V = rng.normal_matrix(2, 5);
  s2.c = rng.normal_vector(2);
  s2.C = rng.normal_matrix(2, 4);
  s2.skip = true;
  s2.V(1, 1) = std::nextafter(std::ldexp(1.0, 500), 0.0);
  DeepStage s3;  // 2 -> U (3 x 2) -> U (1 x 3) -> 3 neurons -> 1 output
  s3.linear = {rng.normal_matrix(3, 2), rng.normal_matrix(1, 3)};
  s3.W = rng.normal_matrix(3, 1);
  s3.b = rng.normal_vector(3);
  s3.V = rng.normal_matrix(1, 3);
  s3.c = rng.normal_vector(1);
  s3.C = Eigen::MatrixXd::Zero(1, 2);
  net.stages = {s1, s2, s3};
  net.validate("sample");
  return net;
}

// ---- deep JSON ----

TEST(DeepJson, RoundTripIsBitwiseExact) {
  Rng rng(7);
  const DeepNet net = sample_network(rng);
  expect_same_network(parse_deep_network_json(deep_network_to_json(net), "mem"), net);
  ScratchDir dir;
  write_deep_network_json(net, dir / "deep.json");
  expect_same_network(read_deep_network_json(dir / "deep.json"), net);
  expect_same_network(read_deep_network(dir / "deep.json"), net);
  EXPECT_EQ(network_file_kind(dir / "deep.json"), NetworkKind::kDeep);
  EXPECT_EQ(dir.files(), std::vector<std::string>{"deep.json"});  // atomic: no temporary left behind
  // The writer spells out the optional keys: an absent V as null, "skip" always, "C" only with skip.
  const auto j = nlohmann::json::parse(deep_network_to_json(net));
  EXPECT_TRUE(j["stages"][0]["V"].is_null());
  EXPECT_EQ(j["stages"][0]["skip"], false);
  EXPECT_FALSE(j["stages"][0].contains("C"));
  EXPECT_TRUE(j["stages"][1].contains("C"));
}

// The README's example, evaluated by hand: x = (1, 1); stage 1: U x = (1, 2), W U x - b = (3 - 1, -1 - 0),
// relu = (2, 0), + c = (2.5, 0); stage 2: relu(2 * 2.5 - 0 - 0.5) = 4.5, 3 * 4.5 + (2.5 + 0) + 1 = 17.
TEST(DeepJson, DocumentedExample) {
  const DeepNet net = parse_deep_network_json(
      R"({"format": "rtv.deep-relu", "version": 1, "d": 2, "stages": [
            {"linear": [[[1, 0], [0, 2]]], "W": [[1, 1], [1, -1]], "b": [1, 0], "V": null, "c": [0.5, 0]},
            {"W": [[2, -1]], "b": [0.5], "V": [[3]], "c": [1], "skip": true, "C": [[1, 1]]}]})",
      "example");
  ASSERT_EQ(net.stages.size(), 2u);
  EXPECT_FALSE(net.stages[0].has_V());
  EXPECT_TRUE(net.stages[1].skip);
  EXPECT_EQ(net.dim(), 2);
  EXPECT_EQ(net.outputs(), 1);
  Eigen::MatrixXd X(1, 2);
  X << 1.0, 1.0;
  EXPECT_EQ(evaluate(net, X)(0, 0), 17.0);  // dyadic arithmetic: exact
  // Optional keys: "linear", "V", "c" and "skip" may be left out.
  const DeepNet minimal = parse_deep_network_json(
      R"({"format": "rtv.deep-relu", "version": 1, "d": 1, "stages": [{"W": [[1]], "b": [0]}]})", "minimal");
  EXPECT_FALSE(minimal.stages[0].has_V());
  EXPECT_EQ(minimal.stages[0].c, Eigen::VectorXd::Zero(1));
  EXPECT_FALSE(minimal.stages[0].skip);
}

TEST(DeepJson, MalformedFilesAreRejectedWithTheProblemNamed) {
  const std::string head = R"({"format": "rtv.deep-relu", "version": 1, "d": 2, "stages": )";
  const std::string ok1 = R"({"W": [[1, 2], [3, 4]], "b": [0, 0]})";  // 2 -> 2 neurons, V absent
  auto net = [&](const std::string& stages) { return head + "[" + stages + "]}"; };
  const std::vector<std::pair<std::string, std::string>> cases = {
      {head + "[" + ok1, "malformed JSON"},  // truncated
      {"[1]", "must be a JSON object"},
      {R"({"format": "rtv.deep-relu", "version": 1, "d": 2, "stages": [], "extra": 0})", "unknown key \"extra\""},
      {R"({"format": "rtv.shallow-relu", "version": 1, "W": [[1]], "b": [0], "v": [1]})", "a shallow network"},
      {R"({"format": "other", "version": 1, "d": 2, "stages": []})", "\"format\" must be \"rtv.deep-relu\""},
      {R"({"format": "rtv.deep-relu", "version": 2, "d": 2, "stages": []})", "\"version\" must be 1"},
      {R"({"format": "rtv.deep-relu", "version": 1, "stages": []})", "missing key \"d\""},
      {R"({"format": "rtv.deep-relu", "version": 1, "d": 0, "stages": []})", "\"d\" must be a positive integer"},
      {R"({"format": "rtv.deep-relu", "version": 1, "d": 1.5, "stages": []})", "\"d\" must be a positive integer"},
      {R"({"format": "rtv.deep-relu", "version": 1, "d": 2})", "missing key \"stages\""},
      {net(""), "\"stages\" must be a non-empty array"},
      {net("3"), "stage 1 must be a JSON object"},
      {net(R"({"W": [[1, 2]], "b": [0], "Q": 1})"), "stage 1: unknown key \"Q\""},
      {net(R"({"b": [0]})"), "stage 1: missing key \"W\""},
      {net(R"({"W": [[1, 2], [3]], "b": [0, 0]})"), "stage 1: \"W\"[1] has 1 entries, expected 2"},
      {net(R"({"W": [1, 2], "b": [0]})"), "stage 1: \"W\"[0] must be an array of numbers"},
      {net(R"({"W": [[1, "x"]], "b": [0]})"), "stage 1: \"W\"[0][1] must be a number"},
      {net(R"({"W": [[1, 1e999]], "b": [0]})"), "number overflow"},
      {net(R"({"W": [[1, 2]], "b": [0, 1]})"), "stage 1: \"b\" has 2 entries, expected 1"},
      {net(ok1 + R"(, {"W": [[1, 2, 3]], "b": [0]})"), "stage 2: \"W\"[0] has 3 entries, expected 2"},
      {net(R"({"linear": [[[1, 0]]], "W": [[1, 2]], "b": [0]})"), "stage 1: \"W\"[0] has 2 entries, expected 1"},
      {net(R"({"linear": [[[1, 0, 1]]], "W": [[1]], "b": [0]})"), "stage 1: \"linear\"[0][0] has 3 entries"},
      {net(R"({"linear": {}, "W": [[1]], "b": [0]})"), "stage 1: \"linear\" must be an array of matrices"},
      {net(R"({"linear": [[]], "W": [], "b": []})"), "stage 1: linear layer U_1 has 0 rows"},
      {net(R"({"W": [], "b": []})"), "stage 1: a stage without V (identity output) needs at least one neuron"},
      {net(R"({"W": [[1, 2]], "b": [0], "V": []})"), "stage 1: \"V\" has no rows"},
      {net(R"({"W": [[1, 2]], "b": [0], "V": [[1, 2]]})"), "stage 1: \"V\"[0] has 2 entries, expected 1"},
      {net(R"({"W": [[1, 2]], "b": [0], "V": [[1]], "c": [0, 0]})"), "stage 1: \"c\" has 2 entries, expected 1"},
      {net(R"({"W": [[1, 2]], "b": [0], "skip": 1})"), "stage 1: \"skip\" must be true or false"},
      {net(R"({"W": [[1, 2]], "b": [0], "skip": true})"), "stage 1: \"skip\" is true but \"C\" is missing"},
      {net(R"({"W": [[1, 2]], "b": [0], "C": [[0, 0]]})"), "stage 1: \"C\" is given but \"skip\" is not true"},
      {net(R"({"W": [[1, 2]], "b": [0], "skip": true, "C": [[0, 0], [0, 0]]})"), "stage 1: \"C\" has 2 rows"},
      {net(R"({"W": [[1, 2]], "b": [0], "skip": true, "C": [[0]]})"), "stage 1: \"C\"[0] has 1 entries, expected 2"},
  };
  for (const auto& [text, fragment] : cases)
    expect_input_error([&] { parse_deep_network_json(text, "bad.json"); }, "bad.json", fragment);
}

TEST(DeepJson, MissingFileUnknownExtensionAndUnknownFormat) {
  expect_input_error([] { read_deep_network("/nonexistent/deep.json"); }, "/nonexistent/deep.json", "no such file");
  expect_input_error([] { read_deep_network("/nonexistent/deep.npz"); }, "/nonexistent/deep.npz", "no such file");
  ScratchDir dir;
  write_file_atomic(dir / "net.txt", "{}");
  expect_input_error([&] { read_deep_network(dir / "net.txt"); }, "net.txt", "unknown network file type");
  expect_input_error([&] { network_file_kind(dir / "net.txt"); }, "net.txt", "unknown network file type");
  write_file_atomic(dir / "net.json", R"({"format": "rtv.other", "version": 1})");
  expect_input_error([&] { network_file_kind(dir / "net.json"); }, "net.json", "unknown \"format\" \"rtv.other\"");
  expect_input_error([&] { read_deep_network(dir / "net.json"); }, "net.json", "\"format\" must be");
}

TEST(DeepJson, ShallowJsonReadsAsItsDeepConversion) {
  Rng rng(3);
  for (bool skip : {true, false}) {
    ScratchDir dir;
    const ShallowNet sh = random_network(rng, 3, 6, skip);
    write_network_json(sh, dir / "shallow.json");
    EXPECT_EQ(network_file_kind(dir / "shallow.json"), NetworkKind::kShallow);
    expect_same_network(read_deep_network(dir / "shallow.json"), to_deep(read_network(dir / "shallow.json")));
  }
}

// ---- PyTorch import ----

Eigen::VectorXd as_vector(const NpyArray& a) {
  return Eigen::Map<const Eigen::VectorXd>(a.data.data(), static_cast<Eigen::Index>(a.data.size()));
}

// The forward-error scale of an nn.Sequential at the rows of X, computed from the archive itself (independent of
// the import): every weight, bias and input replaced by its absolute value, ReLUs dropped (they are 1-Lipschitz
// and map |z| to at most |z|). Both PyTorch's and rtv's evaluation (in either association, with or without
// folded biases) differ from the exact value by at most (sum over Linear layers of (in_features + 2)) u S_n,
// u = eps / 2, to first order.
Eigen::VectorXd torch_scale(std::map<std::string, NpyArray>& arrays, const std::string& prefix,
                            const std::vector<int>& linear_indices, const Eigen::MatrixXd& X) {
  Eigen::MatrixXd A = X.cwiseAbs().transpose();  // columns are points
  for (int i : linear_indices) {
    const std::string key = prefix + std::to_string(i);
    A = (as_matrix(arrays[key + ".weight"]).cwiseAbs() * A).eval();
    if (arrays.count(key + ".bias")) A.colwise() += as_vector(arrays[key + ".bias"]).cwiseAbs();
  }
  return A.colwise().sum().transpose();  // sum over the outputs: one scale for every output of a point
}

// Every stage's pre-activations take both signs at the fixture's points: the ReLU kinks are exercised.
void expect_kinks_exercised(const DeepNet& net, const Eigen::MatrixXd& X) {
  Eigen::MatrixXd H = X;
  for (std::size_t l = 0; l < net.stages.size(); ++l) {
    const DeepStage& s = net.stages[l];
    Eigen::MatrixXd Z = H * s.input_map().transpose();
    Z.rowwise() -= s.b.transpose();
    EXPECT_LT(Z.minCoeff(), 0.0) << "stage " << l + 1;
    EXPECT_GT(Z.maxCoeff(), 0.0) << "stage " << l + 1;
    DeepNet one;
    one.stages = {s};
    H = evaluate(one, H);
  }
}

TEST(DeepImport, Float64FixtureMatchesPyTorch) {
  const fs::path path = kFixtures / "torch_deep_f64.npz";
  EXPECT_EQ(network_file_kind(path), NetworkKind::kDeep);
  const DeepNet net = read_deep_network(path);
  // Sequential(Linear(4, 3, bias=False), Linear(3, 6), ReLU, Linear(6, 5), ReLU, Linear(5, 2), Linear(2, 4),
  // ReLU, Linear(4, 1)): chains [0 1] [3] [5 6] [8] -> 3 stages.
  ASSERT_EQ(net.stages.size(), 3u);
  auto arrays = read_npz(path);
  const DeepStage &s1 = net.stages[0], &s2 = net.stages[1], &s3 = net.stages[2];
  ASSERT_EQ(s1.linear.size(), 1u);
  EXPECT_EQ(s1.linear[0], as_matrix(arrays["0.weight"]));
  EXPECT_EQ(s1.W, as_matrix(arrays["1.weight"]));
  EXPECT_EQ(s1.b, -as_vector(arrays["1.bias"]));  // Linear 0 has no bias: nothing to fold, exact
  EXPECT_FALSE(s1.has_V());                        // chain [3] is a single Linear: the next stage's W
  EXPECT_EQ(s1.c, Eigen::VectorXd::Zero(6));
  EXPECT_TRUE(s2.linear.empty());
  EXPECT_EQ(s2.W, as_matrix(arrays["3.weight"]));
  EXPECT_EQ(s2.V, as_matrix(arrays["5.weight"]));  // chain [5 6]: its first Linear is stage 2's V
  EXPECT_EQ(s2.c, as_vector(arrays["5.bias"]));
  EXPECT_EQ(s3.W, as_matrix(arrays["6.weight"]));
  EXPECT_EQ(s3.V, as_matrix(arrays["8.weight"]));
  for (const DeepStage& s : net.stages) EXPECT_FALSE(s.skip);

  auto io = read_npz(kFixtures / "torch_deep_f64_io.npz");
  const Eigen::MatrixXd X = as_matrix(io["X"]), Y = as_matrix(io["y64"]);
  const Eigen::MatrixXd F = evaluate(net, X);
  const Eigen::VectorXd S = torch_scale(arrays, "", {0, 1, 3, 5, 6, 8}, X);
  ASSERT_EQ(F.rows(), Y.rows());
  ASSERT_EQ(F.cols(), 1);
  expect_kinks_exercised(net, X);
  // Two double evaluations, each within sum(in_features + 2) u = (6+5+8+7+4+6) u = 18 eps of S_n: 100 eps
  // (tol::kIdentity) leaves a factor ~2.7 and still fails on any real bug (O(1) relative).
  double worst = 0.0;
  for (Eigen::Index n = 0; n < X.rows(); ++n) {
    worst = std::max(worst, std::abs(F(n, 0) - Y(n, 0)) / S(n));
    EXPECT_NEAR(F(n, 0), Y(n, 0), tol::kIdentity * S(n)) << n;
  }
  std::printf("deep f64 import: max |rtv - PyTorch| / S_n = %.3g eps\n", worst / tol::kEps);
}

TEST(DeepImport, Float32FixtureWithPrefixAndFoldedBiasesMatchesPyTorch) {
  const fs::path path = kFixtures / "torch_deep_f32.npz";
  const DeepNet net = read_deep_network(path);
  // .net = Sequential(Linear(3, 4), Linear(4, 5), ReLU, Linear(5, 3), Linear(3, 2), Linear(2, 6), ReLU,
  // Linear(6, 2)): chains [0 1] [3 4 5] [7] -> stage 1: U = L0, W = L1, V = L3; stage 2: U = L4, W = L5, V = L7.
  ASSERT_EQ(net.stages.size(), 2u);
  auto arrays = read_npz(path);
  auto M = [&](int i) { return as_matrix(arrays["net." + std::to_string(i) + ".weight"]); };
  auto beta = [&](int i) { return as_vector(arrays["net." + std::to_string(i) + ".bias"]); };
  const DeepStage &s1 = net.stages[0], &s2 = net.stages[1];
  ASSERT_EQ(s1.linear.size(), 1u);
  ASSERT_EQ(s2.linear.size(), 1u);
  EXPECT_EQ(s1.linear[0], M(0));
  EXPECT_EQ(s1.W, M(1));
  EXPECT_EQ(s1.V, M(3));
  EXPECT_EQ(s1.c, beta(3));
  EXPECT_EQ(s2.linear[0], M(4));
  EXPECT_EQ(s2.W, M(5));
  EXPECT_EQ(s2.V, M(7));
  EXPECT_EQ(s2.c, beta(7));
  // Folded ReLU-layer biases b = -(W beta_U + beta_W), each entry one dot product of length <= 4 and an add:
  // within (4 + 1) u of the scale |W| |beta_U| + |beta_W|; 100 eps is the identity tier.
  const std::vector<std::tuple<const DeepStage*, int, int>> folds = {{&s1, 0, 1}, {&s2, 4, 5}};
  for (const auto& [s, u, w] : folds) {
    const Eigen::VectorXd want = -(M(w) * beta(u) + beta(w));
    const Eigen::VectorXd scale = M(w).cwiseAbs() * beta(u).cwiseAbs() + beta(w).cwiseAbs();
    ASSERT_EQ(s->b.size(), want.size());
    for (Eigen::Index k = 0; k < want.size(); ++k) EXPECT_NEAR(s->b(k), want(k), tol::kIdentity * scale(k)) << k;
    EXPECT_GT(beta(u).cwiseAbs().maxCoeff(), 0.0);  // the folded bias is really there
  }

  auto io = read_npz(kFixtures / "torch_deep_f32_io.npz");
  const Eigen::MatrixXd X = as_matrix(io["X"]), Y64 = as_matrix(io["y64"]), Y32 = as_matrix(io["y32"]);
  const Eigen::MatrixXd F = evaluate(net, X);
  const Eigen::VectorXd S = torch_scale(arrays, "net.", {0, 1, 3, 4, 5, 7}, X);
  ASSERT_EQ(F.rows(), Y64.rows());
  ASSERT_EQ(F.cols(), 2);
  expect_kinks_exercised(net, X);
  const double u32 = std::ldexp(1.0, -24);
  double worst64 = 0.0, worst32 = 0.0;
  for (Eigen::Index n = 0; n < X.rows(); ++n) {
    for (Eigen::Index o = 0; o < 2; ++o) {
      // float32 weights are exact in double: rtv and PyTorch's float64 run evaluate the same network, each within
      // sum(in_features + 2) u = (5+6+7+5+4+8) u = 17.5 eps of S_n, plus the fold's own rounding (same tier).
      EXPECT_NEAR(F(n, o), Y64(n, o), tol::kIdentity * S(n)) << n << "," << o;
      // PyTorch's float32 run: the same ~35 roundings, of 2^-24 each (inputs rounded to float32 included):
      // 100 * 2^-24 of S_n is the float32 analogue of the identity tier.
      EXPECT_NEAR(F(n, o), Y32(n, o), 100 * u32 * S(n)) << n << "," << o;
      worst64 = std::max(worst64, std::abs(F(n, o) - Y64(n, o)) / S(n));
      worst32 = std::max(worst32, std::abs(F(n, o) - Y32(n, o)) / S(n));
    }
  }
  std::printf("deep f32 import: max |rtv - PyTorch f64| / S_n = %.3g eps, |rtv - PyTorch f32| / S_n = %.3g u32\n",
              worst64 / tol::kEps, worst32 / u32);
}

TEST(DeepImport, ShallowFixturesReadAsTheirDeepConversion) {
  for (const char* name : {"torch_mlp_f32.npz", "torch_skip_f64.npz"}) {
    const fs::path path = kFixtures / name;
    EXPECT_EQ(network_file_kind(path), NetworkKind::kShallow) << name;
    expect_same_network(read_deep_network(path), to_deep(read_network(path)));
  }
  // The deep importer itself agrees bit for bit with the shallow one on Linear-ReLU-Linear(K, 1) ...
  expect_same_network(read_deep_network_npz(kFixtures / "torch_mlp_f32.npz"),
                      to_deep(read_network_npz(kFixtures / "torch_mlp_f32.npz")));
  // ... and refuses what only the shallow one reads (nn.Sequential has no skip connection).
  expect_input_error([] { read_deep_network_npz(kFixtures / "torch_skip_f64.npz"); }, "torch_skip_f64.npz",
                     "unexpected array 'skip.bias'");
}

// Archive members for a hand-built Sequential: index -> (weight rows x cols, row-major values, bias or empty).
struct Layer {
  int index;
  std::int64_t rows, cols;
  std::vector<double> weight, bias;
};

std::map<std::string, std::string> members(const std::vector<Layer>& layers, const std::string& prefix = "") {
  std::map<std::string, std::string> m;
  for (const Layer& l : layers) {
    m[prefix + std::to_string(l.index) + ".weight.npy"] = npy_bytes({l.rows, l.cols}, l.weight);
    if (!l.bias.empty())
      m[prefix + std::to_string(l.index) + ".bias.npy"] =
          npy_bytes({static_cast<std::int64_t>(l.bias.size())}, l.bias);
  }
  return m;
}

// Small integers and halves: every folded value and every evaluation below is exact in double.
TEST(DeepImport, MiddleBiasesAreFoldedExactly) {
  ScratchDir dir;
  // Linear(1, 2) [U, beta_0], Linear(2, 2) [U_2, beta_1], Linear(2, 2) [W, beta_2], ReLU, Linear(2, 1).
  const Layer u1{0, 2, 1, {1, 2}, {1, -1}}, u2{1, 2, 2, {1, 1, 0, 3}, {0.5, 0.25}}, w{2, 2, 2, {2, 0, -1, 1}, {1, 2}},
      v{4, 1, 2, {3, -2}, {0.5}};
  test::write_zip(dir / "fold.npz", members({u1, u2, w, v}), true);
  const DeepNet net = read_deep_network(dir / "fold.npz");
  ASSERT_EQ(net.stages.size(), 1u);
  const DeepStage& s = net.stages[0];
  ASSERT_EQ(s.linear.size(), 2u);
  // acc = U_2 beta_0 + beta_1 = (1 - 1, -3) + (0.5, 0.25) = (0.5, -2.75); W acc + beta_2 = (1, -3.25) + (1, 2).
  EXPECT_EQ(s.b, Eigen::Vector2d(-2.0, 1.25));
  EXPECT_EQ(s.c, Eigen::VectorXd::Constant(1, 0.5));
  // The function is PyTorch's: replay the Sequential at a few points (exact in dyadic arithmetic).
  Eigen::MatrixXd X(4, 1);
  X << -2.0, -0.5, 0.25, 3.0;
  const Eigen::MatrixXd F = evaluate(net, X);
  for (Eigen::Index n = 0; n < X.rows(); ++n) {
    const double x = X(n, 0);
    const double a0 = 1 * x + 1, a1 = 2 * x - 1;                  // Linear 0
    const double h0 = a0 + a1 + 0.5, h1 = 3 * a1 + 0.25;         // Linear 1
    const double z0 = 2 * h0 + 1, z1 = -h0 + h1 + 2;             // Linear 2
    const double y = 3 * std::max(z0, 0.0) - 2 * std::max(z1, 0.0) + 0.5;  // ReLU, Linear 4
    EXPECT_EQ(F(n, 0), y) << x;
  }
}

TEST(DeepImport, SingleLinearChainsHaveNoV) {
  ScratchDir dir;
  // Linear(2, 3), ReLU, Linear(3, 2), ReLU, Linear(2, 1) with the prefix "model.": stage 1 has no V (identity),
  // stage 2's W is Linear 2, its b = -2.bias; stage 2's V is the last Linear.
  const Layer a{0, 3, 2, {1, 0, 0, 1, 1, 1}, {0, 0, -1}}, b{2, 2, 3, {1, -1, 0, 0, 1, 1}, {0.5, -0.5}},
      c{4, 1, 2, {1, 2}, {}};
  test::write_zip(dir / "mlp.npz", members({a, b, c}, "model."));
  EXPECT_EQ(network_file_kind(dir / "mlp.npz"), NetworkKind::kDeep);
  const DeepNet net = read_deep_network(dir / "mlp.npz");
  ASSERT_EQ(net.stages.size(), 2u);
  EXPECT_FALSE(net.stages[0].has_V());
  EXPECT_EQ(net.stages[0].b, Eigen::Vector3d(0, 0, 1));
  EXPECT_EQ(net.stages[0].c, Eigen::Vector3d::Zero());
  EXPECT_EQ(net.stages[1].b, Eigen::Vector2d(-0.5, 0.5));
  EXPECT_TRUE(net.stages[1].has_V());
  EXPECT_EQ(net.stages[1].c, Eigen::VectorXd::Zero(1));  // bias=False: a zero output bias
  Eigen::MatrixXd X(1, 2);
  X << 1.0, -2.0;  // h = relu(1, -2, -2) = (1, 0, 0); z = relu(1 + 0.5, 0 - 0.5) = (1.5, 0); y = 1.5
  EXPECT_EQ(evaluate(net, X)(0, 0), 1.5);
}

// The shallow pattern (io.hpp) needs one output: Linear(2, 3), ReLU, Linear(3, 2) has the shallow keys but is
// deep (two outputs), and is read as one stage with a 2 x 3 V.
TEST(DeepImport, ShallowPatternNeedsOneOutput) {
  ScratchDir dir;
  const Layer a{0, 3, 2, {1, 0, 0, 1, 1, 1}, {0, 0, -1}}, two{2, 2, 3, {1, -1, 0, 0, 1, 1}, {0.5, -0.5}},
      one{2, 1, 3, {1, -1, 0}, {0.5}};
  test::write_zip(dir / "two.npz", members({a, two}));
  test::write_zip(dir / "one.npz", members({a, one}));
  EXPECT_EQ(network_file_kind(dir / "two.npz"), NetworkKind::kDeep);
  EXPECT_EQ(network_file_kind(dir / "one.npz"), NetworkKind::kShallow);
  const DeepNet net = read_deep_network(dir / "two.npz");
  ASSERT_EQ(net.stages.size(), 1u);
  EXPECT_EQ(net.stages[0].V.rows(), 2);
  EXPECT_EQ(net.stages[0].c, Eigen::Vector2d(0.5, -0.5));
  expect_input_error([&] { read_network(dir / "two.npz"); }, "two.npz", "'2.weight' has shape (2, 3), expected (1, 3)");
}

TEST(DeepImport, BadArchivesAreRejectedWithTheProblemNamed) {
  ScratchDir dir;
  const fs::path path = dir / "bad.npz";
  auto with = [&](const std::map<std::string, std::string>& m) {
    test::write_zip(path, m);
    return path;
  };
  auto lin = [](int index, std::int64_t rows, std::int64_t cols) {
    return Layer{index, rows, cols, std::vector<double>(static_cast<std::size_t>(rows * cols), 1.0),
                 std::vector<double>(static_cast<std::size_t>(rows), 0.0)};
  };
  // None of these archives has the shallow pattern (the last Linear has 2 outputs where the keys would match it),
  // so read_deep_network gives the deep importer's message too.
  auto expect_bad = [&](const std::map<std::string, std::string>& m, const std::string& fragment) {
    expect_input_error([&] { read_deep_network_npz(with(m)); }, "bad.npz", fragment);
    EXPECT_EQ(network_file_kind(path), NetworkKind::kDeep) << fragment;
    expect_input_error([&] { read_deep_network(path); }, "bad.npz", fragment);
  };
  expect_bad(members({lin(0, 3, 2), lin(3, 1, 3)}),
             "modules 1..2 between the Linear layers 0 and 3 have no parameters: only a single nn.ReLU");
  expect_bad(members({lin(1, 3, 2), lin(3, 1, 3)}), "the first Linear is module 1, not 0: module 0 before it");
  expect_bad(members({lin(0, 3, 2), lin(2, 2, 3), lin(3, 1, 2)}),
             "after the last nn.ReLU (module 1) come 2 Linear layers (modules 2..3)");
  expect_bad(members({lin(0, 3, 2), lin(1, 1, 3)}), "no nn.ReLU (module indices 0..1 are all Linear)");
  expect_bad(members({lin(0, 3, 2), lin(2, 2, 4)}),
             "'2.weight' has 4 in_features but the previous Linear (index 0) has 3 out_features");
  expect_bad(members({lin(0, 3, 2), lin(1, 2, 4), lin(3, 1, 2)}), "'1.weight' has 4 in_features");
  {
    Layer bad = lin(2, 2, 3);
    bad.weight[1] = std::nan("");
    expect_bad(members({lin(0, 3, 2), bad}), "'2.weight' contains NaN or infinite values");
    bad = lin(0, 3, 2);
    bad.bias[2] = std::numeric_limits<double>::infinity();
    expect_bad(members({bad, lin(2, 2, 3)}), "'0.bias' contains NaN or infinite values");
  }
  const auto base = members({lin(0, 3, 2), lin(2, 2, 3)});
  auto m = base;
  m["1.bias.npy"] = npy_bytes({3}, {0, 0, 0});
  expect_bad(m, "'1.bias' without '1.weight'");
  m = base;
  m["0.bias.npy"] = npy_bytes({2}, {0, 0});
  expect_bad(m, "'0.bias' has shape (2,), expected (3,)");
  m = base;
  m["0.weight.npy"] = npy_bytes({6}, {1, 1, 1, 1, 1, 1});
  expect_bad(m, "'0.weight' must be a matrix out_features x in_features");
  m = base;
  m["extra.npy"] = npy_bytes({1}, {1.0});
  expect_bad(m, "unexpected array 'extra'");
  m = base;
  m["02.weight.npy"] = npy_bytes({1, 3}, {1, 1, 1});  // a module index is never spelled with a leading zero
  expect_bad(m, "unexpected array '02.weight'");
  m = members({lin(0, 3, 2)}, "a.");
  for (auto& [k, v] : members({lin(2, 1, 3)}, "b.")) m[k] = v;
  expect_bad(m, "arrays with different prefixes ('a.' and 'b.'");
}

// ---- rtv inspect ----

struct InspectResult {
  int status;
  nlohmann::json j;
};

InspectResult inspect_json(const fs::path& path) {
  const auto r = run(kRtv + " inspect " + q(path.string()) + " --json");
  EXPECT_EQ(r.status, 0) << r.err;
  return {r.status, r.status == 0 ? nlohmann::json::parse(r.out) : nlohmann::json()};
}

// Every number rtv inspect prints equals the library's (JSON round-trips doubles; the same code computes them).
void expect_inspect_matches_library(const nlohmann::json& j, const DeepNet& net) {
  EXPECT_EQ(j["network"], "deep");
  EXPECT_EQ(j["input_dimension"], net.dim());
  EXPECT_EQ(j["outputs"], net.outputs());
  ASSERT_EQ(j["num_stages"], net.stages.size());
  EXPECT_DOUBLE_EQ(j["weight_decay"].get<double>(), weight_decay(net));
  const double rank_tol = j["rank_rel_tol"].get<double>();
  EXPECT_EQ(rank_tol, 1e-3);  // the documented default (cli/main.cpp kRankRelTol)
  const auto pn = stage_path_norms(net);
  const auto spectra = input_map_spectra(net);
  double wd_sum = 0.0;
  for (std::size_t l = 0; l < net.stages.size(); ++l) {
    const auto& js = j["stages"][l];
    const DeepStage& s = net.stages[l];
    EXPECT_EQ(js["stage"], l + 1);
    EXPECT_EQ(js["inputs"], s.inputs());
    EXPECT_EQ(js["width"], s.width());
    EXPECT_EQ(js["outputs"], s.outputs());
    EXPECT_EQ(js["has_V"], s.has_V());
    EXPECT_EQ(js["skip"], s.skip);
    ASSERT_EQ(js["linear_widths"].size(), s.linear.size());
    for (std::size_t m = 0; m < s.linear.size(); ++m) EXPECT_EQ(js["linear_widths"][m], s.linear[m].rows());
    EXPECT_DOUBLE_EQ(js["path_norm"].get<double>(), pn[l]);
    const auto sv = js["singular_values"].get<std::vector<double>>();
    ASSERT_EQ(static_cast<Eigen::Index>(sv.size()), spectra[l].size());
    for (std::size_t i = 0; i < sv.size(); ++i) EXPECT_DOUBLE_EQ(sv[i], spectra[l](static_cast<Eigen::Index>(i)));
    EXPECT_EQ(js["numerical_rank"], numerical_rank(spectra[l], rank_tol));
    EXPECT_DOUBLE_EQ(js["entropy_rank"].get<double>(), entropy_rank(spectra[l]));
    wd_sum += js["weight_decay"].get<double>();
  }
  // The stages' WD terms add up to the total: a sum of 3 positive numbers, a few roundings: 100 eps (identity).
  EXPECT_NEAR(wd_sum, weight_decay(net), tol::kIdentity * weight_decay(net));
}

TEST(DeepCli, InspectDeepJson) {
  ScratchDir dir;
  Rng rng(11);
  const DeepNet net = sample_network(rng);
  DeepNet finite = net;
  finite.stages[1].V(1, 1) = 0.5;  // the sample's largest double would overflow the norms
  write_deep_network_json(finite, dir / "deep.json");
  const auto r = inspect_json(dir / "deep.json");
  ASSERT_EQ(r.status, 0);
  expect_inspect_matches_library(r.j, finite);
  const auto text = run(kRtv + " inspect " + q((dir / "deep.json").string()));
  EXPECT_EQ(text.status, 0) << text.err;
  for (const char* key : {"deep ReLU network, 3 stages", "stage 3", "no V: identity", "skip connection",
                          "singular values", "numerical rank", "entropy rank"})
    EXPECT_NE(text.out.find(key), std::string::npos) << key << "\n" << text.out;
  EXPECT_EQ(dir.files(), std::vector<std::string>{"deep.json"});
}

// The README's example by hand: stage 1: WD = (|U|^2 + |W|^2) / 2 = (5 + 4) / 2, input map W U = [[1, 2], [1, -2]]
// (rows of norm sqrt 5, no V: PN = 2 sqrt 5; (W U)^T W U = diag(2, 8): s = 2 sqrt 2, sqrt 2; p = (2/3, 1/3)).
// Stage 2: WD = (5 + 9) / 2, PN = 3 sqrt 5, one singular value sqrt 5.
TEST(DeepCli, InspectReadmeExampleHasHandComputedValues) {
  ScratchDir dir;
  write_file_atomic(dir / "example.json", R"({"format": "rtv.deep-relu", "version": 1, "d": 2, "stages": [
      {"linear": [[[1, 0], [0, 2]]], "W": [[1, 1], [1, -1]], "b": [1, 0], "V": null, "c": [0.5, 0]},
      {"W": [[2, -1]], "b": [0.5], "V": [[3]], "c": [1], "skip": true, "C": [[1, 1]]}]})");
  const auto r = inspect_json(dir / "example.json");
  ASSERT_EQ(r.status, 0);
  const auto& j = r.j;
  EXPECT_EQ(j["weight_decay"], 11.5);  // sums of squares of small integers: exact
  EXPECT_EQ(j["stages"][0]["weight_decay"], 4.5);
  EXPECT_EQ(j["stages"][1]["weight_decay"], 7.0);
  EXPECT_EQ(j["stages"][0]["linear_widths"], nlohmann::json::array({2}));
  EXPECT_EQ(j["stages"][0]["has_V"], false);
  EXPECT_EQ(j["stages"][1]["skip"], true);
  // Norms and an SVD of 2 x 2 integer matrices: a few roundings each, tol::kIdentity relative.
  const double r5 = std::sqrt(5.0), r2 = std::sqrt(2.0);
  EXPECT_NEAR(j["stages"][0]["path_norm"].get<double>(), 2 * r5, tol::kIdentity * 2 * r5);
  EXPECT_NEAR(j["stages"][1]["path_norm"].get<double>(), 3 * r5, tol::kIdentity * 3 * r5);
  const auto sv0 = j["stages"][0]["singular_values"].get<std::vector<double>>();
  ASSERT_EQ(sv0.size(), 2u);
  EXPECT_NEAR(sv0[0], 2 * r2, tol::kIdentity * 2 * r2);
  EXPECT_NEAR(sv0[1], r2, tol::kIdentity * 2 * r2);
  EXPECT_EQ(j["stages"][0]["numerical_rank"], 2);
  const double h = -(2.0 / 3.0) * std::log(2.0 / 3.0) - (1.0 / 3.0) * std::log(1.0 / 3.0);
  EXPECT_NEAR(j["stages"][0]["entropy_rank"].get<double>(), std::exp(h), tol::kIdentity * 2);
  EXPECT_EQ(j["stages"][1]["numerical_rank"], 1);
  EXPECT_NEAR(j["stages"][1]["entropy_rank"].get<double>(), 1.0, tol::kIdentity);
}

TEST(DeepCli, InspectDeepNpz) {
  const fs::path path = kFixtures / "torch_deep_f64.npz";
  const auto r = inspect_json(path);
  ASSERT_EQ(r.status, 0);
  const DeepNet net = read_deep_network(path);
  expect_inspect_matches_library(r.j, net);
  // Stage 1's input map W U factors through the width-3 linear layer (THEORY.md s.6): 6 x 4 of rank 3, its
  // fourth singular value is rounding (~eps s_1), far below the 1e-3 threshold.
  EXPECT_EQ(r.j["stages"][0]["numerical_rank"], 3);
  EXPECT_EQ(r.j["stages"][0]["singular_values"].size(), 4u);
  // A shallow archive keeps the shallow report (no "network" key, "neurons" present).
  const auto shallow = inspect_json(kFixtures / "torch_mlp_f32.npz");
  EXPECT_FALSE(shallow.j.contains("network"));
  EXPECT_EQ(shallow.j["neurons"], 7);
  // --rank-tol changes the threshold, and is reported.
  const auto loose = run(kRtv + " inspect " + q(path.string()) + " --json --rank-tol 0.5");
  ASSERT_EQ(loose.status, 0) << loose.err;
  const auto lj = nlohmann::json::parse(loose.out);
  EXPECT_EQ(lj["rank_rel_tol"], 0.5);
  EXPECT_EQ(lj["stages"][0]["numerical_rank"], numerical_rank(input_map_spectra(net)[0], 0.5));
}

// Exit 2, one line on stderr naming the file and the problem, nothing on stdout and no file written.
void expect_exit_2(const std::string& cmd, const std::string& fragment) {
  const auto r = run(cmd);
  EXPECT_EQ(r.status, 2) << cmd << "\n" << r.err;
  EXPECT_NE(r.err.find(fragment), std::string::npos) << cmd << "\nstderr: " << r.err;
  EXPECT_NE(r.err.find("error"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(DeepCli, MalformedDeepFilesExitTwo) {
  ScratchDir dir;
  const fs::path bad_json = dir / "bad.json", bad_npz = dir / "gap.npz", good = dir / "good.json";
  write_file_atomic(bad_json, R"({"format": "rtv.deep-relu", "version": 1, "d": 2, "stages": [
      {"W": [[1, 2]], "b": [0]}, {"W": [[1, 2]], "b": [0]}]})");
  test::write_zip(bad_npz, members({Layer{0, 3, 2, std::vector<double>(6, 1.0), {}},
                                    Layer{3, 1, 3, std::vector<double>(3, 1.0), {}}}));
  write_file_atomic(good, R"({"format": "rtv.deep-relu", "version": 1, "d": 1, "stages": [{"W": [[1]], "b": [0]}]})");
  expect_exit_2(kRtv + " inspect " + q(bad_json.string()), "bad.json: stage 2: \"W\"[0] has 2 entries, expected 1");
  expect_exit_2(kRtv + " inspect " + q(bad_npz.string()), "gap.npz: modules 1..2 between the Linear layers 0 and 3");
  expect_exit_2(kRtv + " inspect " + q(good.string()) + " --radius 1", "--radius applies to shallow networks only");
  expect_exit_2(kRtv + " inspect " + q(good.string()) + " --rank-tol 0", "--rank-tol must be in (0, 1)");
  expect_exit_2(kRtv + " inspect " + q((dir / "none.json").string()), "none.json: no such file");
  // Commands that read shallow networks only refuse a deep file, naming it, and write nothing.
  const fs::path out = dir / "out.json";
  expect_exit_2(kRtv + " balance " + q(good.string()) + " -o " + q(out.string()),
                "good.json: \"format\" is \"rtv.deep-relu\", a deep network");
  expect_exit_2(kRtv + " balance " + q((kFixtures / "torch_deep_f64.npz").string()) + " -o " + q(out.string()),
                "torch_deep_f64.npz");
  auto files = dir.files();
  std::sort(files.begin(), files.end());
  EXPECT_EQ(files, (std::vector<std::string>{"bad.json", "gap.npz", "good.json"}));
}

}  // namespace
}  // namespace rtv
