// Issue 20's reproductions as regression tests: hostile files and absurd options given to the command-line tool.
// Every case must end with its exit status (2 bad input, 1 a numerical failure), ONE line on stderr naming the
// input and the problem, within 20 s and a 2 GiB address-space cap, and with no file written or replaced.
//
// The mistakes guarded against (each case names its own): an allocation driven by a size from a file or an
// option before that size is checked (std::bad_alloc -> abort, exit 134, or gigabytes and seconds of work before
// the error), integer overflow in a size (a wrapped product, an int truncated to 0), a NaN slipping through a
// "x <= 0" test, a non-finite result printed as a number or written as JSON null, a blocking or endless read of a
// FIFO or device, an output that replaces one of the inputs, one output written while the next fails, a file-
// controlled newline forging a second stderr line. A case that aborts shows status -1 (a signal) or 134; a hang
// shows 124 (timeout); an over-allocation dies under the cap.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "rtv/core/budget.hpp"
#include "rtv/core/error.hpp"
#include "rtv/io/arrays.hpp"
#include "rtv/io/files.hpp"
#include "rtv/nets/deep.hpp"
#include "rtv/nets/network.hpp"
#include "test_util.hpp"

namespace rtv {
namespace {

namespace fs = std::filesystem;
using test::q;
using test::kRtv;

const std::string kHostile = std::string(RTV_FIXTURE_DIR) + "/hostile/";

// The command line, under a 20 s timeout and (except under AddressSanitizer, which reserves terabytes of address
// space) a 2 GiB address-space cap: an allocation of the size a hostile input asks for fails there instead of
// succeeding slowly on this 24 GB machine.
std::string capped(const std::string& args, const std::string& env = "") {
#if defined(__SANITIZE_ADDRESS__)
  const std::string cap;
#else
  const std::string cap = "ulimit -v 2097152; ";
#endif
  return "sh -c " + q(cap + "exec env " + env + " timeout 20 " + kRtv + " " + args);
}

std::vector<std::string> listing(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    struct stat st {};
    ::lstat(e.path().c_str(), &st);
    out.push_back(e.path().lexically_relative(dir).string() + " " + std::to_string(st.st_size) + " " +
                  std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec));
  }
  std::sort(out.begin(), out.end());
  return out;
}

struct Case {
  const char* why;       // the mistake this case catches
  std::string args;      // rtv's arguments (run in the scratch folder)
  int status;            // expected exit status
  std::string fragment;  // expected in the one stderr line
  std::string env = "";  // environment assignments before the command
};

class Hostile : public ::testing::Test {
 protected:
  test::ScratchDir dir;
  void SetUp() override {
    const std::string d = q(dir.path().string());
    auto ok = [&](const std::string& args) {
      const auto r = test::run("cd " + d + " && " + kRtv + " " + args);
      ASSERT_EQ(r.status, 0) << args << "\n" << r.err;
    };
    ok("phantom disk --size 32 -o p.npy");
    ok("radon p.npy --angles 16 -o s.npy");
    write_file_atomic(dir / "ok.json", R"({"format": "rtv.shallow-relu", "version": 1, "d": 2,
        "W": [[1, 0], [0.6, 0.8]], "b": [0.1, -0.2], "v": [1, -2], "c": [0, 0], "c0": 0})");
    write_file_atomic(dir / "big.json", R"({"format": "rtv.shallow-relu", "version": 1, "d": 2,
        "W": [[1e300, 0], [0, 1]], "b": [0, 0], "v": [1e300, 1], "c": [0, 0], "c0": 0})");
    write_file_atomic(dir / "dup.json", R"({"format": "rtv.shallow-relu", "version": 1, "d": 2,
        "W": [[1, 0], [0.6, 0.8]], "b": [0.1, -0.2], "v": [1, -2], "c": [0, 0], "c0": 0, "d": 3})");
    write_file_atomic(dir / "d.csv", "x,y\n0,0\n1,1\n2,0\n3,1\n4,0\n");
    write_file_atomic(dir / "d2.csv", "x1,x2,y\n0,0,0\n1,0,1\n0,1,1\n1,1,0\n0.5,0.5,0.3\n");
    fs::create_directory(dir / "folder.json");
    fs::create_symlink("/dev/zero", dir / "zero.npy");
    ASSERT_EQ(::mkfifo((dir / "fifo.npy").c_str(), 0600), 0);
    for (const char* f : {"claims_4gib.npz", "bomb.npz", "shape_0_1e9.npz", "shape_2p32.npz", "key_newline.npz"})
      fs::copy_file(kHostile + f, dir / f);
  }

  void expect(const Case& c) {
    const auto before = listing(dir.path());
    const auto r = test::run("cd " + q(dir.path().string()) + " && " + capped(c.args, c.env));
    const std::string where = "rtv " + c.args + "\n  guards against: " + c.why + "\n  stderr: " + r.err;
    EXPECT_EQ(r.status, c.status) << where;
    EXPECT_NE(r.err.find(c.fragment), std::string::npos) << where << "\n  expected: " << c.fragment;
    // One line: the error (train prints its progress lines first; its last line is the verdict).
    if (c.args.rfind("train", 0) != 0) {
      EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << where;
    }
    EXPECT_EQ(listing(dir.path()), before) << where << "\n  (a file was written, replaced or left behind)";
  }
};

// Sizes from options, checked against the memory budget before anything is allocated (rtv/core/budget.hpp).
TEST_F(Hostile, AbsurdSizesInOptionsAreRefusedBeforeAllocating) {
  const char* alloc = "allocation before the size is checked (std::bad_alloc -> abort, or GBs before the error)";
  for (const Case& c : std::vector<Case>{
           {alloc, "phantom disk --size 100000 -o x.npy", 2, "--size/--extent: an n x n image: 100000 x 100000"},
           {alloc, "radon p.npy --angles 100000000 -o x.npy", 2, "--angles/--offsets: an A x M sinogram"},
           {alloc, "radon p.npy --angles 4 --offsets 1000000000 -o x.npy", 2, "4 x 1000000000 entries"},
           {alloc, "fbp s.npy --size 100000 -o x.npy", 2, "over the memory budget of 16 GiB"},
           {alloc, "train d.csv --width 100000000 --lambda 0.1 -o x.json", 2, "--width: training"},
           {alloc, "seminorm ok.json --radius 1 --resolution 100000000", 2, "--resolution: the detection heat map"},
           {alloc, "seminorm --grid p.npy --extent 1 --angles 1000000000", 2, "--angles: an A x M sinogram"},
           {"signed overflow of pad * M (seminorm.cpp), then unbounded work", "seminorm --grid p.npy --extent 1 "
            "--pad 1000000000", 2, "--pad: must be in [1, 256], got 1000000000"},
           {"unbounded work", "seminorm --grid p.npy --extent 1 --pad 100000", 2, "--pad: must be in [1, 256]"},
           {"int overflow of s * s (phantoms.cpp: -0.196 for 0.196), then unbounded work",
            "phantom disk --size 1 --supersample 46341 -o x.npy", 2, "--supersample: must be in [1, 64], got 46341"},
           {"the budget not applied (a smaller RTV_MEMORY_BUDGET must refuse an 8 MB image)",
            "phantom disk --size 1000 -o x.npy", 2, "over the memory budget of 1 MiB", "RTV_MEMORY_BUDGET=1M"},
           {"a malformed budget silently ignored", "phantom disk --size 8 -o x.npy", 2,
            "RTV_MEMORY_BUDGET: '12Q' is not a size", "RTV_MEMORY_BUDGET=12Q"},
       })
    expect(c);
}

// NaN and infinity in options: "x <= 0" lets NaN through (an uncaught std::invalid_argument aborted).
TEST_F(Hostile, NonFiniteOptionsAreRefused) {
  const char* nan = "a NaN passing a 'window <= 0' test";
  for (const Case& c : std::vector<Case>{
           {nan, "seminorm ok.json --radius 1 --window nan", 2, "--window must be a positive finite number"},
           {nan, "seminorm ok.json --radius 1 --window inf", 2, "--window must be a positive finite number"},
           {"a window below the method's range returned NaN or 0.0013 for 3 with status ok",
            "seminorm ok.json --radius 1 --window 1e-300", 2, "--window: R = 1e-300 is smaller than the ball's radius"},
           {"a radius whose window powers overflow returned 0 for 3 with status ok",
            "seminorm ok.json --radius 1e300", 2, "--radius: 1e+300 is outside [1e-50, 1e+50]"},
       })
    expect(c);
}

// Results that are not finite are errors, never "inf", "nan", "R-TV 0" or JSON null.
TEST_F(Hostile, NonFiniteResultsAreErrorsAndDivergedTrainingWritesNothing) {
  const char* inf = "finite weights whose squares overflow: path norm inf, 'R-TV 0', --json null, exit 0";
  for (const Case& c : std::vector<Case>{
           {inf, "inspect big.json", 2, "big.json: the weights (largest magnitude 1e+300) are too large"},
           {inf, "inspect big.json --json", 2, "big.json: the weights (largest magnitude 1e+300) are too large"},
           {inf, "balance big.json -o x.json", 2, "are too large"},
           {"a diverged run written (weights 1e300 or null) with exit 0",
            "train d.csv --width 4 --lambda 0.1 --lr 1e300 -o x.json", 1, "diverged after"},
       })
    expect(c);
}

// Outputs are checked before any work: never an input, never a folder, the right format, all or none.
TEST_F(Hostile, OutputsThatWouldLoseDataAreRefusedBeforeAnyWork) {
  for (const Case& c : std::vector<Case>{
           {"-o equal to the input replaced it", "radon p.npy --angles 4 -o p.npy", 2,
            "p.npy: (-o) is the input p.npy: refusing to overwrite an input"},
           {"-o equal to the input through another spelling", "radon p.npy --angles 4 -o ./../" +
                dir.path().filename().string() + "/p.npy", 2, "refusing to overwrite an input"},
           {"-o equal to an input replaced it", "reduce ok.json d2.csv -o ok.json", 2, "is the input ok.json"},
           {"train replaced the training CSV with JSON", "train d.csv --width 4 --lambda 0.1 -o d.csv", 2,
            "d.csv: (-o) must be a .json file"},
           {"train wrote JSON to n.txt", "train d.csv --width 4 --lambda 0.1 -o n.txt", 2, "must be a .json file"},
           {"'cannot write: Success' for a folder", "fit1d d.csv -o folder.json", 2, "folder.json: (-o) is a folder"},
           {"the first output written although the second cannot be",
            "fit1d d.csv -o n.json --sparsest-output nodir/s.json", 2, "its folder 'nodir' does not exist"},
           {"two outputs that are one file", "fit1d d.csv -o n.json --sparsest-output ./n.json", 2,
            "is also the output of -o"},
       })
    expect(c);
}

// Hostile files: devices, FIFOs, duplicate keys, archives that lie about sizes.
TEST_F(Hostile, HostileFilesAreRefusedQuicklyAndWithinTheCap) {
  for (const Case& c : std::vector<Case>{
           {"an unbounded read of /dev/zero", "radon zero.npy --angles 4 -o x.npy", 2, "zero.npy: is not a regular file"},
           {"a read of a FIFO that blocks forever", "radon fifo.npy --angles 4 -o x.npy", 2,
            "fifo.npy: is not a regular file"},
           {"duplicate keys: the last one silently wins", "inspect dup.json", 2, "dup.json: duplicate key \"d\""},
           {"the zip header's claimed size allocated before reading (3.75 GiB for a 235-byte file)",
            "inspect claims_4gib.npz", 2, "claims_4gib.npz:0.weight.npy: "},
           {"a zip bomb inflated whole before the .npy header is looked at", "inspect bomb.npz", 2,
            "bomb.npz:0.weight.npy: not a NumPy .npy array"},
           {"a (0, 1e9) first layer allocated c (8 GB) for a 710-byte file", "inspect shape_0_1e9.npz", 2,
            "no neuron and no skip weights back the input dimension"},
           {"a 2^32 dimension truncated to int ('d = 0, K = 0')", "inspect shape_2p32.npz", 2,
            "has shape (0, 4294967296): rtv's widths and input dimensions are at most 2147483647"},
           {"a member name's newline printed as a second, file-controlled stderr line", "inspect key_newline.npz", 2,
            "unexpected array 'x\\nrtv: forged line'"},
       })
    expect(c);
}

// The library side of the budget: products that overflow 64 bits are too large, not wrapped; the override.
// Guards against multiplying sizes in 64-bit integers (2^32 x 2^32 = 0 mod 2^64 would pass any budget).
TEST(Budget, ProductsDoNotWrapAndTheOverrideApplies) {
  const std::uint64_t big = std::uint64_t{1} << 32;
  test::expect_input_error([&] { check_memory("shape", "an array", {big, big}); }, "shape",
                           "4294967296 x 4294967296 entries of 8 bytes need");
  test::expect_input_error([&] { check_memory("shape", "an array", {big, big, big, big}, 8); }, "shape",
                           "over the memory budget");
  EXPECT_EQ(check_memory("shape", "an array", {0, big, big}), 0u);  // an empty array needs nothing
  EXPECT_EQ(check_memory("shape", "an array", {1000, 1000}), 8000000u);
  set_memory_budget(1 << 20);
  test::expect_input_error([&] { check_memory("n", "an image", {1000, 1000}); }, "n",
                           "1000 x 1000 entries of 8 bytes need 7.63 MiB, over the memory budget of 1 MiB");
  EXPECT_EQ(check_memory("n", "an image", {362, 362}), 362u * 362u * 8u);  // 1.0 MiB - 4 KiB fits
  set_memory_budget(0);
  EXPECT_EQ(memory_budget(), std::uint64_t{16} << 30);  // the documented default (RTV_MEMORY_BUDGET unset in ctest)
}

// Finite weights whose squares overflow: ShallowNet::validate and DeepNet::validate (every reader and solver
// passes them) refuse them. Guards against the check missing from either, or computed in a way that does not
// overflow (e.g. max |w| < DBL_MAX, which every finite weight passes), and against refusing large but safe weights.
TEST(Networks, WeightsWhoseSquaresOverflowAreRefusedAndLargeSafeOnesAccepted) {
  ShallowNet net = ShallowNet::zeros(2, 2, true);
  net.W << 1, 0, 0, 1;
  net.v << 1, 1;
  net.v(0) = 1e200;
  test::expect_input_error([&] { net.validate("net"); }, "net", "largest magnitude 1e+200) are too large");
  net.v(0) = 1e150;  // squares 1e300: finite
  EXPECT_NO_THROW(net.validate("net"));
  net.c(1) = 2e154;  // c counts too (it is a weight of the network)
  test::expect_input_error([&] { net.validate("net"); }, "net", "too large");
  DeepNet deep = to_deep(ShallowNet::zeros(1, 1, false));
  deep.stages[0].W(0, 0) = 1;
  deep.stages[0].V(0, 0) = 1;
  EXPECT_NO_THROW(deep.validate("deep"));
  deep.stages[0].linear = {Eigen::MatrixXd::Constant(1, 1, 1e160)};
  test::expect_input_error([&] { deep.validate("deep"); }, "deep", "stage 1: the weights are too large");
}

}  // namespace
}  // namespace rtv
