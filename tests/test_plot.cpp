// The plotting module: real PNG/PDF/SVG files from gnuplot, and loud failures when gnuplot fails.
#include <gtest/gtest.h>

#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <thread>

#include "rtv/io/files.hpp"
#include "rtv/io/plot.hpp"
#include "test_util.hpp"

namespace rtv {
namespace {

namespace fs = std::filesystem;

plot::Figure sample_figure() {
  plot::Figure fig;
  fig.name = "sample";
  plot::Panel p;
  p.title = "quotes ' and \" and a backslash \\ and |v||w|";
  p.xlabel = "x";
  p.ylabel = "s^{2/L}";
  p.series.push_back({{0, 1, 2}, {0, 1, 4}, "y = x^2", plot::Style::LinesPoints, 1});
  p.series.push_back({{1}, {2}, "impulse", plot::Style::Impulses, 2});
  p.labels.push_back({0.5, 3, "a label"});
  plot::Panel q = p;
  q.logy = true;
  q.series[0].y = {1, 10, 100};
  q.series.pop_back();
  fig.panels = {p, q, plot::Panel{}};  // an empty panel too
  return fig;
}

TEST(Plot, WritesNonEmptyPngPdfSvg) {
  test::ScratchDir dir;
  const auto files = plot::write_figure(sample_figure(), dir.path(), plot::kPng | plot::kPdf | plot::kSvg);
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(test::slurp(dir / "sample.png").substr(1, 3), "PNG");
  EXPECT_EQ(test::slurp(dir / "sample.pdf").substr(0, 4), "%PDF");
  EXPECT_NE(test::slurp(dir / "sample.svg").find("<svg"), std::string::npos);
  EXPECT_EQ(dir.files().size(), 3u);  // no temporaries
}

TEST(Plot, GnuplotFailureIsAnErrorWithItsMessagesAndLeavesNothing) {
  test::ScratchDir dir;
  // A "gnuplot" that prints an error and writes nothing.
  ::setenv("RTV_GNUPLOT", "sh -c 'cat >/dev/null; echo simulated gnuplot failure >&2'", 1);
  try {
    plot::write_figure(sample_figure(), dir.path());
    ADD_FAILURE() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("simulated gnuplot failure"), std::string::npos) << e.what();
  }
  ::unsetenv("RTV_GNUPLOT");
  EXPECT_TRUE(dir.files().empty());
}

TEST(Plot, StyleIsTheSharedFile) {
  EXPECT_EQ(plot::shared_style(), test::slurp(fs::path(RTV_SOURCE_DIR) / "figures" / "style.gp"));
}

// ---- Stop requests, temporaries, full disks (issue 20) ----

// Sets an environment variable for the scope of the object.
struct ScopedEnv {
  std::string name;
  std::optional<std::string> old;
  ScopedEnv(std::string n, const std::string& value) : name(std::move(n)) {
    if (const char* v = std::getenv(name.c_str())) old = v;
    ::setenv(name.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old) ::setenv(name.c_str(), old->c_str(), 1);
    else ::unsetenv(name.c_str());
  }
};

using test::process_running;

// Guards against: a stop request that waits for gnuplot to finish (or is never seen), a gnuplot child left running,
// and the figure's temporaries left behind (".sample.png.tmp.*" beside the figure; rtv-gnuplot-stderr.* and
// rtv-gnuplot-script.* in $TMPDIR, which used to be /tmp whatever TMPDIR said). The "gnuplot" records its pid and
// sleeps; the request comes from another thread, as a signal handler's would.
TEST(Plot, AStopRequestKillsGnuplotAndLeavesNothing) {
  test::ScratchDir dir;
  fs::create_directories(dir / "figs");
  fs::create_directories(dir / "tmp");
  const fs::path mark = dir / "pid";
  ScopedEnv tmpdir("TMPDIR", (dir / "tmp").string());
  const fs::path fake = dir / "slow-gnuplot";
  std::ofstream(fake) << "#!/bin/sh\necho $$ > " << test::q((dir / "pid.part").string()) << " && mv "
                      << test::q((dir / "pid.part").string()) << " " << test::q(mark.string()) << "\nexec sleep 60\n";
  fs::permissions(fake, fs::perms::owner_all);
  ScopedEnv gp("RTV_GNUPLOT", fake.string());
  clear_interrupt();
  std::thread stopper([&] {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!fs::exists(mark) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    request_interrupt(SIGTERM);
  });
  const auto t0 = std::chrono::steady_clock::now();
  int signal = 0;
  try {
    plot::write_figure(sample_figure(), dir / "figs");
    ADD_FAILURE() << "no Interrupted";
  } catch (const Interrupted& e) {
    signal = e.signal();
  }
  stopper.join();
  clear_interrupt();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(signal, SIGTERM);
  ASSERT_TRUE(fs::exists(mark)) << "the fake gnuplot never ran";
  const pid_t pid = std::stoi(test::slurp(mark));
  EXPECT_FALSE(process_running(pid)) << "gnuplot (pid " << pid << ") still runs";
  if (process_running(pid)) ::kill(pid, SIGKILL);
  EXPECT_LT(seconds, 10.0);
  EXPECT_TRUE(fs::is_empty(dir / "figs")) << "a figure temporary is left";
  EXPECT_TRUE(fs::is_empty(dir / "tmp")) << "a gnuplot temporary is left in TMPDIR";
}

// gnuplot's script and messages go to $TMPDIR (a run's own TMPDIR holds them, and they are removed): the script
// path gnuplot is given lies in TMPDIR. Guards against a hard-coded /tmp.
TEST(Plot, GnuplotsTemporariesAreInTmpdirAndRemoved) {
  test::ScratchDir dir;
  fs::create_directories(dir / "tmp");
  ScopedEnv tmpdir("TMPDIR", (dir / "tmp").string());
  const fs::path seen = dir / "seen", fake = dir / "fake-gnuplot";
  // A "gnuplot" that records the script's path and writes the output it is told to (a PNG's last 8 bytes: a whole
  // PNG for the check of plot.cpp).
  std::ofstream(fake) << "#!/bin/sh\necho \"$1\" >> " << test::q(seen.string())
                      << "\nout=$(sed -n 's/^set output \"\\(.*\\)\"$/\\1/p' \"$1\")\n"
                      << "printf 'IEND\\256\\102\\140\\202' > \"$out\"\n";  // a PNG's end marker
  fs::permissions(fake, fs::perms::owner_all);
  ScopedEnv gp("RTV_GNUPLOT", fake.string());
  const auto files = plot::write_figure(sample_figure(), dir.path(), plot::kPng);
  ASSERT_EQ(files.size(), 1u);
  const std::string script = test::slurp(seen);
  EXPECT_EQ(script.rfind((dir / "tmp" / "rtv-gnuplot-script.").string(), 0), 0u) << script;
  EXPECT_TRUE(fs::is_empty(dir / "tmp"));
}

// A figure that cannot be written because the disk is full must say so: "cannot write: <reason>", the figure's path
// and that gnuplot could not write it; before, "gnuplot did not write the figure 'sample' (...): is gnuplot
// installed?". A file size limit stands for the full disk (gnuplot inherits it and SIGXFSZ ignored: its write fails
// with EFBIG), and a real full tmpfs where one can be mounted.
TEST(Plot, AFullDiskIsNamedNotBlamedOnGnuplot) {
  test::ScratchDir dir;
  struct rlimit old {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
  auto* old_handler = std::signal(SIGXFSZ, SIG_IGN);
  struct rlimit lim = old;
  lim.rlim_cur = 12 * 1024;  // above the script (~3 KB), below the PNG (~25 KB)
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &lim), 0);
  std::string msg;
  try {
    plot::write_figure(sample_figure(), dir.path(), plot::kPng);
  } catch (const std::exception& e) {
    msg = e.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  EXPECT_NE(msg.find(": cannot write: " + std::string(std::strerror(EFBIG)) +
                     " (gnuplot could not write the figure 'sample', pngcairo)"),
            std::string::npos)
      << msg;
  EXPECT_EQ(msg.rfind((dir / "sample.png").string() + ": ", 0), 0u) << msg;
  EXPECT_EQ(msg.find("installed"), std::string::npos) << msg;
  EXPECT_TRUE(dir.files().empty());

  // The real thing: a private 64 KiB tmpfs, filled (root only; skipped elsewhere).
  fs::create_directories(dir / "disk");
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    if (::unshare(CLONE_NEWNS) != 0 || ::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        ::mount("tmpfs", (dir / "disk").c_str(), "tmpfs", 0, "size=64k") != 0)
      ::_exit(77);
    {
      std::ofstream fill(dir / "disk" / "fill", std::ios::binary);
      const std::string block(4096, 'f');
      for (int i = 0; i < 64 && fill; ++i) fill.write(block.data(), block.size());
    }
    std::string out;
    try {
      plot::write_figure(sample_figure(), dir / "disk", plot::kPng);
      out = "no error";
    } catch (const std::exception& e) {
      out = e.what();
    }
    fs::remove(dir / "disk" / "fill");
    for (const auto& e : fs::directory_iterator(dir / "disk")) out += "\nleft: " + e.path().filename().string();
    const ssize_t w = ::write(fds[1], out.data(), out.size());
    ::_exit(w == static_cast<ssize_t>(out.size()) ? 0 : 1);
  }
  int status = 0;
  const std::string got = test::read_child(fds, pid, status);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 77) GTEST_SKIP() << "cannot mount a private tmpfs here";
  EXPECT_NE(got.find(": cannot write: " + std::string(std::strerror(ENOSPC)) +
                     " (gnuplot could not write the figure 'sample', pngcairo)"),
            std::string::npos)
      << got;
  EXPECT_EQ(got.find("left:"), std::string::npos) << got;
}

}  // namespace
}  // namespace rtv
