// The command-line programs as users run them: rtv inspect / balance on hand-computed networks, and every
// bad input giving one clear line on stderr, exit status 2 and no output file.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "rtv/io.hpp"
#include "rtv/norms.hpp"
#include "rtv/train.hpp"
#include "rtv/radon2d.hpp"
#include "test_util.hpp"

namespace rtv {
namespace {

namespace fs = std::filesystem;
using test::q;
using test::run;

const std::string kRtv = RTV_CLI;
const std::string kVerify = RTV_VERIFY;

// Neuron 0: w = (3, 4), b = 5, v = 2 -> a = 10, t = 1. Neuron 1: the antipodal copy -2 w, -2 b, v = 1 ->
// a = 10 on the same hyperplane (coefficients add: 20). Neuron 2: w = (0, 1), b = 3, v = -1 -> a = -1, t = 3.
// PN = 10 + 10 + 1 = 21, WD = 1/2 (4 + 25 + 1 + 100 + 1 + 1) = 66, RTV = 20 + 1 = 21, on B_2: 20.
const char* kNet = R"({"format": "rtv.shallow-relu", "version": 1,
  "W": [[3, 4], [-6, -8], [0, 1]], "b": [5, -10, 3], "v": [2, 1, -1], "c": [1, 0], "c0": 0.5})";

struct Files {
  test::ScratchDir dir;
  fs::path net = dir / "net.json";
  Files() { write_file_atomic(net, kNet); }
};

TEST(Cli, InspectJsonHasTheHandComputedValues) {
  Files f;
  const auto r = run(kRtv + " inspect " + q(f.net.string()) + " --radius 2 --json");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["input_dimension"], 2);
  EXPECT_EQ(j["neurons"], 3);
  EXPECT_EQ(j["distinct_hyperplanes"], 2);
  EXPECT_DOUBLE_EQ(j["path_norm"].get<double>(), 21.0);
  EXPECT_DOUBLE_EQ(j["weight_decay"].get<double>(), 66.0);
  EXPECT_DOUBLE_EQ(j["rtv"].get<double>(), 21.0);
  EXPECT_DOUBLE_EQ(j["rtv_ball"].get<double>(), 20.0);
  EXPECT_EQ(j["skip_connection"], true);
  EXPECT_EQ(j["balanced"], false);
  EXPECT_GT(j["max_imbalance"].get<double>(), 0.5);
}

TEST(Cli, InspectTextAndHelp) {
  Files f;
  const auto r = run(kRtv + " inspect " + q(f.net.string()));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("path norm"), std::string::npos);
  EXPECT_EQ(run(kRtv + " --help").status, 0);
  EXPECT_EQ(run(kRtv + " inspect --help").status, 0);
}

TEST(Cli, BalanceWritesABalancedNetworkWithTheSameFunction) {
  Files f;
  const auto out = f.dir / "balanced.json";
  const auto r = run(kRtv + " balance " + q(f.net.string()) + " -o " + q(out.string()));
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(run(kRtv + " inspect " + q(out.string()) + " --json").out);
  EXPECT_EQ(j["balanced"], true);
  // Balancing rounds each |v||w| a few times; JSON round-trips exactly: 1e-13 on 21 = 20 eps.
  EXPECT_NEAR(j["weight_decay"].get<double>(), 21.0, 1e-13);
  const ShallowNet a = read_network(f.net), b = read_network(out);
  Eigen::MatrixXd X = Eigen::MatrixXd::Random(50, 2) * 3;
  // Same function up to the rescaling's roundings on values of size ~30: 1e-13 ~ 15 eps of the scale.
  EXPECT_LE((evaluate(a, X) - evaluate(b, X)).cwiseAbs().maxCoeff(), 1e-13);
}

TEST(Cli, InspectsPyTorchArchives) {
  const auto r = run(kRtv + " inspect " + q(std::string(RTV_FIXTURE_DIR) + "/torch_skip_f64.npz") + " --json");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["neurons"], 5);
}

// Exit 2, one line on stderr containing `fragment`, and no output file.
void expect_usage_error(const std::string& cmd, const std::string& fragment, const fs::path& must_not_exist = {}) {
  const auto r = run(cmd);
  EXPECT_EQ(r.status, 2) << cmd << "\n" << r.err;
  EXPECT_NE(r.err.find(fragment), std::string::npos) << cmd << "\nstderr: " << r.err;
  EXPECT_NE(r.err.find("error"), std::string::npos) << r.err;
  if (!must_not_exist.empty()) {
    EXPECT_FALSE(fs::exists(must_not_exist)) << must_not_exist;
  }
}

TEST(Cli, BadInputExitsTwoWithAClearMessage) {
  Files f;
  const std::string net = q(f.net.string());
  expect_usage_error(kRtv, "missing COMMAND");
  expect_usage_error(kRtv + " frobnicate", "unknown command 'frobnicate'");
  expect_usage_error(kRtv + " inspect", "missing NETWORK");
  expect_usage_error(kRtv + " inspect " + net + " --bogus", "bogus");
  expect_usage_error(kRtv + " inspect " + net + " --radius -1", "--radius must be a positive");
  expect_usage_error(kRtv + " inspect " + net + " --radius abc", "radius");
  expect_usage_error(kRtv + " inspect /no/such/net.json", "/no/such/net.json: no such file");
  write_file_atomic(f.dir / "trunc.json", std::string(kNet).substr(0, 40));
  expect_usage_error(kRtv + " inspect " + q((f.dir / "trunc.json").string()), "trunc.json: malformed JSON");
  // JSON cannot spell NaN; the nearest a file can get is a number that overflows a double.
  write_file_atomic(f.dir / "nan.json",
                    R"({"format": "rtv.shallow-relu", "version": 1, "W": [[1]], "b": [0], "v": [1e999]})");
  const auto out = f.dir / "out.json";
  expect_usage_error(kRtv + " balance " + q((f.dir / "nan.json").string()) + " -o " + q(out.string()),
                     "nan.json: invalid JSON number", out);
  expect_usage_error(kRtv + " balance " + net, "missing -o");
  expect_usage_error(kRtv + " balance " + net + " -o " + q((f.dir / "x.csv").string()), "must be a .json");
  const auto deep = f.dir / "no" / "such" / "dir" / "out.json";
  expect_usage_error(kRtv + " balance " + net + " -o " + q(deep.string()), "does not exist", deep);
  EXPECT_EQ(f.dir.files().size(), 3u);  // net.json, trunc.json, nan.json: nothing else was written
}

TEST(Cli, PhantomRadonFbpRoundTrip) {
  test::ScratchDir dir;
  const auto img = dir / "p.npy", sino = dir / "s.npy", rec = dir / "r.npy";
  ASSERT_EQ(run(kRtv + " phantom gaussian --size 64 -o " + q(img.string())).status, 0);
  const auto r1 = run(kRtv + " radon " + q(img.string()) + " --angles 128 -o " + q(sino.string()));
  ASSERT_EQ(r1.status, 0) << r1.err;
  const auto r2 = run(kRtv + " fbp " + q(sino.string()) + " -o " + q(rec.string()));
  ASSERT_EQ(r2.status, 0) << r2.err;
  const Array2D a = read_array(img), s = read_array(sino), b = read_array(rec);
  EXPECT_EQ(s.rows(), 128);
  EXPECT_EQ(s.cols(), 92);  // >= sqrt(2) 64 = 90.5, even like 64
  ASSERT_EQ(b.rows(), 64);
  // Gaussian sigma 0.15 at h = 1/32: FBP(radon) recovers it to ~1e-2 of its peak (R2 measures the order).
  EXPECT_LE((a - b).cwiseAbs().maxCoeff(), 2e-2);
}

TEST(Cli, RadonAndFbpBadInput) {
  test::ScratchDir dir;
  const auto out = dir / "out.npy";
  write_array(dir / "rect.npy", Array2D::Ones(3, 4));
  write_file_atomic(dir / "nan.csv", "1,2\n3,nan\n");
  write_array(dir / "sq.npy", Array2D::Ones(4, 4));
  write_array(dir / "odd.npy", Array2D::Ones(5, 7));
  write_file_atomic(dir / "trunc.npy", npy_bytes({4, 4}, std::vector<double>(16, 1.0)).substr(0, 100));
  std::string fortran = npy_bytes({2, 2}, {1, 2, 3, 4});
  fortran.replace(fortran.find("False"), 5, "True ");
  write_file_atomic(dir / "fortran.npy", fortran);
  std::string f4 = npy_bytes({2, 2}, {1, 2, 3, 4});
  f4.replace(f4.find("<f8"), 3, "<c8");
  write_file_atomic(dir / "complex.npy", f4);
  const std::string o = " -o " + q(out.string());
  expect_usage_error(kRtv + " radon " + q((dir / "rect.npy").string()) + " --angles 4" + o, "must be square", out);
  expect_usage_error(kRtv + " radon " + q((dir / "nan.csv").string()) + " --angles 4" + o, "NaN", out);
  expect_usage_error(kRtv + " radon " + q((dir / "sq.npy").string()) + " --angles 0" + o, "--angles", out);
  expect_usage_error(kRtv + " radon " + q((dir / "trunc.npy").string()) + " --angles 3" + o, "truncated", out);
  expect_usage_error(kRtv + " radon " + q((dir / "fortran.npy").string()) + " --angles 3" + o, "Fortran", out);
  expect_usage_error(kRtv + " radon " + q((dir / "complex.npy").string()) + " --angles 3" + o, "dtype", out);
  expect_usage_error(kRtv + " radon " + q((dir / "sq.npy").string()) + " --angles 3 --extent -1" + o, "extent", out);
  expect_usage_error(kRtv + " fbp " + q((dir / "odd.npy").string()) + o, "cannot infer the image size", out);
  expect_usage_error(kRtv + " fbp " + q((dir / "sq.npy").string()) + " --size 2 --filter sinc" + o,
                     "unknown filter 'sinc'", out);
  expect_usage_error(kRtv + " radon " + q((dir / "sq.npy").string()) + " --angles 3 --threads -1" + o, "--threads", out);
  expect_usage_error(kRtv + " phantom circle --size 8" + o, "unknown phantom", out);
  expect_usage_error(kRtv + " phantom disk --size 0" + o, "at least one pixel", out);
}

TEST(Cli, SeminormOfASampledGaussian) {
  test::ScratchDir dir;
  const auto img = dir / "g.npy";
  // exp(-|x|^2/2) on [-6, 6]^2, 256 x 256: RTV 4.76857 (THEORY.md s.3); R3 measures 2.5e-3 relative at this h.
  const ImageGrid ig{256, 6.0};
  Array2D a(256, 256);
  for (int i = 0; i < 256; ++i)
    for (int j = 0; j < 256; ++j) a(i, j) = std::exp(-(ig.x(j) * ig.x(j) + ig.y(i) * ig.y(i)) / 2);
  write_array(img, a);
  const auto r = run(kRtv + " seminorm --grid " + q(img.string()) + " --extent 6 --json");
  ASSERT_EQ(r.status, 0) << r.err;
  // Discretisation tier: R3 measures 2.5e-3 relative at this h (O(h^2)); 5e-3 leaves a factor 2.
  EXPECT_NEAR(nlohmann::json::parse(r.out)["rtv"].get<double>(), 4.76857, 5e-3 * 4.76857);
  expect_usage_error(kRtv + " seminorm --grid " + q(img.string()), "missing --extent");
  expect_usage_error(kRtv + " seminorm --grid " + q(img.string()) + " --extent 0", "extent");
  write_array(dir / "tiny.npy", Array2D::Ones(4, 4));
  expect_usage_error(kRtv + " seminorm --grid " + q((dir / "tiny.npy").string()) + " --extent 1", "too coarse");
  write_array(dir / "rect.npy", Array2D::Ones(20, 30));
  expect_usage_error(kRtv + " seminorm --grid " + q((dir / "rect.npy").string()) + " --extent 1", "must be square");
}

TEST(Cli, SeminormOfANetworkOnABall) {
  test::ScratchDir dir;
  // Two neurons on one hyperplane (antipodal orientations, a = 1.5 - 0.4) and one outside B_1 (t = 2).
  ShallowNet net = ShallowNet::zeros(2, 3, true);
  net.W << 1.0, 1.0, -2.0, -2.0, 0.0, 3.0;
  net.b << 0.5, -1.0, 6.0;
  net.v << 1.5 / std::sqrt(2.0), 0.2 / std::sqrt(2.0), 1.0;
  net.c << 0.3, -0.2;
  const auto path = dir / "net.json";
  write_network_json(net, path);
  const auto r = run(kRtv + " seminorm " + q(path.string()) + " --radius 1 --json");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  const double exact = rtv_exact_ball(net, 1.0);
  EXPECT_NEAR(j["rtv_exact"].get<double>(), exact, 1e-12 * exact);
  EXPECT_NEAR(j["rtv"].get<double>(), exact, 1e-2 * exact);  // CLAIMS.md R5 tolerance
  ASSERT_EQ(j["neurons"].size(), 1u);
  EXPECT_NEAR(std::abs(j["neurons"][0]["a"].get<double>()), exact, 1e-2 * exact);
  expect_usage_error(kRtv + " seminorm " + q(path.string()), "needs --radius");
  expect_usage_error(kRtv + " seminorm " + q(path.string()) + " --radius -1", "--radius");
  expect_usage_error(kRtv + " seminorm " + q(path.string()) + " --radius 1 --resolution 8", "too coarse");
  const auto five = dir / "five.json";
  write_network_json(ShallowNet::zeros(5, 2, true), five);
  expect_usage_error(kRtv + " seminorm " + q(five.string()) + " --radius 1", "d = 2 and 3");
}

TEST(Cli, TrainWritesANetworkThatFitsAndRejectsBadData) {
  test::ScratchDir dir;
  const auto data = dir / "d.csv";
  write_file_atomic(data, "x,y\n-1,0.5\n-0.5,-0.2\n0,0.3\n0.5,0.9\n1,0.1\n");
  const auto net = dir / "n.json";
  const auto r = run(kRtv + " train " + q(data.string()) + " --width 12 --lambda 0.01 --lr 0.01 --steps 3000 -o " +
                     q(net.string()));
  ASSERT_EQ(r.status, 0) << r.err;
  const ShallowNet trained = read_network(net);
  EXPECT_EQ(trained.width(), 12);
  EXPECT_NE(r.err.find("objective"), std::string::npos);  // the progress / summary line
  // Independent check of the written network: its objective from its own parameters is below the start's.
  Eigen::MatrixXd X(5, 1);
  X << -1, -0.5, 0, 0.5, 1;
  Eigen::VectorXd y(5);
  y << 0.5, -0.2, 0.3, 0.9, 0.1;
  Rng rng(1);
  EXPECT_LT(objective(trained, X, y, 0.01).total, objective(init_network(rng, 1, 12), X, y, 0.01).total);
  const std::string o = " -o " + q((dir / "bad.json").string());
  write_file_atomic(dir / "ragged.csv", "x,y\n1,2\n3\n4,5\n");
  expect_usage_error(kRtv + " train " + q((dir / "ragged.csv").string()) + " --width 2 --lambda 1" + o, "ragged",
                     dir / "bad.json");
  write_file_atomic(dir / "nan.csv", "1,2\n2,nan\n3,4\n4,5\n");
  expect_usage_error(kRtv + " train " + q((dir / "nan.csv").string()) + " --width 2 --lambda 1" + o, "NaN");
  write_file_atomic(dir / "few.csv", "1,2,3\n2,3,4\n3,4,5\n");
  expect_usage_error(kRtv + " train " + q((dir / "few.csv").string()) + " --width 2 --lambda 1" + o, "d + 2");
  expect_usage_error(kRtv + " train " + q(data.string()) + " --width 2 --lambda -1" + o, "--lambda");
  expect_usage_error(kRtv + " train " + q(data.string()) + " --width 0 --lambda 1" + o, "--width");
  expect_usage_error(kRtv + " train " + q(data.string()) + " --width 2 --lambda 1 --optimizer sgd" + o, "unknown optimizer");
}

TEST(VerifyCli, ListsClaimsAndRejectsBadUsage) {
  const auto r = run(kVerify + " --list");
  ASSERT_EQ(r.status, 0);
  for (const char* id : {"W1", "W2", "W3", "W4", "R1", "R2", "R3", "R4", "R5", "R6", "D1"}) EXPECT_NE(r.out.find(std::string(id) + "\t"), std::string::npos) << id;
  test::ScratchDir dir;
  const auto out = dir / "out";
  expect_usage_error(kVerify + " --claim XX --out " + q(out.string()), "unknown claim id 'XX'", out);
  expect_usage_error(kVerify + " --bogus", "bogus");
  expect_usage_error(kVerify + " --threads -1 --out " + q(out.string()), "--threads", out);
  expect_usage_error(kVerify + " --seed abc", "seed");
  write_file_atomic(dir / "file", "x");
  expect_usage_error(kVerify + " --quick --claim W1 --out " + q((dir / "file" / "sub").string()),
                     "cannot create the output folder");
}

}  // namespace
}  // namespace rtv
