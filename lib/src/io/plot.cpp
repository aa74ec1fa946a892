// Figures through gnuplot-iostream (rtv/io/plot.hpp). Every output goes through produce_file_atomic: gnuplot
// writes a temporary file, we check that it exists, is non-empty and whole (its format's end marker), then rename it
// into place. gnuplot's script
// and its stderr go to two temporary files in $TMPDIR (default /tmp), removed on every path out of render(). gnuplot
// runs as a child in a process group of its own, waited for by polling, so that a stop request (files.hpp:
// SIGINT/SIGTERM in rtv-verify) kills it and its children at once and the figure's temporaries are removed.
#include "rtv/io/plot.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <gnuplot-iostream.h>
#include <sstream>
#include <thread>
#include <utility>

#include "rtv/core/error.hpp"
#include "rtv/io/files.hpp"

extern char** environ;

namespace rtv::plot {

namespace fs = std::filesystem;

const std::string& shared_style() {
  static const std::string style =
#include "style_gp.inc"
      ;
  return style;
}

std::string gnuplot_command() {
  const char* env = std::getenv("RTV_GNUPLOT");
  return (env && *env) ? env : "gnuplot";
}

namespace {

// A gnuplot double-quoted string literal (backslash and double quote escaped). Text is rendered by the
// "enhanced" terminals: a_l and s^{2/L} come out as subscripts and superscripts.
std::string gp_quote(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '\\' || ch == '"') out += '\\';
    out += ch;
  }
  return out + "\"";
}

// A string for /bin/sh (single quotes; a quote is closed, escaped and reopened).
std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char ch : s) out += (ch == '\'') ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

std::string style_clause(const Series& s) {
  const std::string lt = " lt " + std::to_string(s.color);
  switch (s.style) {
    case Style::Lines: return "with lines" + lt;
    case Style::Points: return "with points" + lt;
    case Style::LinesPoints: return "with linespoints" + lt;
    case Style::Impulses: return "with impulses" + lt + " lw 3";
    case Style::Dashed: return "with lines" + lt + " dt 2";
  }
  return "with lines";
}

// The folder for gnuplot's script and messages: $TMPDIR if set, else /tmp.
std::string temp_dir() {
  const char* env = std::getenv("TMPDIR");
  return (env && *env) ? env : "/tmp";
}

// A temporary file "<TMPDIR>/<stem>.XXXXXX", removed when the object goes (every way out of render()).
struct TempFile {
  std::string path;
  int fd = -1;
  explicit TempFile(const std::string& stem) {
    std::string templ = temp_dir() + "/" + stem + ".XXXXXX";
    std::vector<char> buf(templ.begin(), templ.end());
    buf.push_back('\0');
    fd = ::mkstemp(buf.data());
    if (fd < 0)
      throw OutputError(templ + ": cannot write: " + std::strerror(errno) + " (a temporary file for gnuplot)");
    path = buf.data();
  }
  ~TempFile() {
    if (fd >= 0) ::close(fd);
    ::unlink(path.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
};

// Run `command` with /bin/sh in a process group of its own and wait for it, polling for a stop request (files.hpp):
// on one, the whole group is sent SIGTERM (SIGKILL after 2 s) and reaped, and Interrupted is thrown. Returns the
// wait status.
int run_child(const std::string& command) {
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t none, dflt;
  sigemptyset(&none);
  sigemptyset(&dflt);
  sigaddset(&dflt, SIGINT);
  sigaddset(&dflt, SIGTERM);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &dflt);  // killable even if we were started with SIGTERM ignored
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::string sh = "/bin/sh", dash_c = "-c", cmd = command;
  char* argv[] = {sh.data(), dash_c.data(), cmd.data(), nullptr};
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, "/bin/sh", nullptr, &attr, argv, environ);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw std::runtime_error(std::string("cannot start /bin/sh for gnuplot: ") + std::strerror(rc));
  using clock = std::chrono::steady_clock;
  auto pause = std::chrono::microseconds(500);
  for (;;) {
    int status = 0;
    const pid_t w = ::waitpid(pid, &status, WNOHANG);
    if (w == pid) return status;
    if (w < 0 && errno != EINTR) throw std::runtime_error(std::string("waiting for gnuplot: ") + std::strerror(errno));
    if (const int sig = interrupt_signal()) {
      ::kill(-pid, SIGTERM);
      const auto deadline = clock::now() + std::chrono::seconds(2);
      bool reaped = false;
      while (!reaped && clock::now() < deadline) {
        reaped = ::waitpid(pid, &status, WNOHANG) == pid;
        if (!reaped) std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      ::kill(-pid, SIGKILL);  // whatever of the group is left (a grandchild that ignored SIGTERM)
      if (!reaped) ::waitpid(pid, &status, 0);
      for (int i = 0; i < 100 && ::kill(-pid, 0) == 0; ++i)  // the group's other members (if any) die too
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      throw Interrupted(sig);
    }
    std::this_thread::sleep_for(pause);
    pause = std::min<std::chrono::microseconds>(pause * 2, std::chrono::milliseconds(10));
  }
}

// Whether the file gnuplot wrote is whole: a PNG ends with its IEND chunk, a PDF with "%%EOF", an SVG with "</svg>".
// gnuplot says nothing when a write fails (a full disk, a file size limit): it leaves a truncated file and exits 0.
bool output_complete(const fs::path& file, const std::string& terminal) {
  std::ifstream in(file, std::ios::binary);
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (!in || size <= 0) return false;
  const std::streamoff n = std::min<std::streamoff>(size, 64);
  std::string tail(static_cast<std::size_t>(n), '\0');
  in.seekg(size - n);
  in.read(tail.data(), n);
  if (!in) return false;
  auto ends_with = [](const std::string& t, const std::string& end) {
    return t.size() >= end.size() && t.compare(t.size() - end.size(), end.size(), end) == 0;
  };
  if (terminal.rfind("png", 0) == 0) return ends_with(tail, std::string("IEND\xae\x42\x60\x82", 8));
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r' || tail.back() == ' ')) tail.pop_back();
  if (terminal.rfind("pdf", 0) == 0) return ends_with(tail, "%%EOF");
  if (terminal.rfind("svg", 0) == 0) return ends_with(tail, "</svg>");
  return true;  // another terminal: no check of its own
}

// "exit status N" / "killed by signal N" of a wait status.
std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "wait status " + std::to_string(status);
}

// Render `fig` with `terminal` into `tmp`, the temporary of the figure file `final` (named in errors).
void render(const Figure& fig, const std::string& terminal, const fs::path& tmp, const fs::path& final) {
  TempFile err("rtv-gnuplot-stderr");
  // The script (commands and inline data) goes to a file that gnuplot reads as its argument: from a pipe gnuplot
  // reads its input one byte per read() call (measured: a 256 x 600 heat map, 3 MB, costs 1.3-2 s from a pipe and
  // 0.12 s from a file).
  TempFile script("rtv-gnuplot-script");
  FILE* script_fh = ::fdopen(script.fd, "w");
  if (!script_fh) throw OutputError(script.path + ": cannot write: " + std::strerror(errno));
  script.fd = -1;  // owned by script_fh, closed by ~Gnuplot
  {
    Gnuplot gp(script_fh);
    gp << "set terminal " << terminal << "\n";
    gp << "set output " << gp_quote(tmp.string()) << "\n";
    gp << shared_style() << "\n";
    const int n = static_cast<int>(fig.panels.size());
    const int cols = fig.columns > 0 ? fig.columns : n;
    const int rows = (n + cols - 1) / cols;
    gp << "set multiplot layout " << rows << "," << cols << "\n";
    for (const Panel& p : fig.panels) {
      gp << "unset label\n";
      gp << "set title " << gp_quote(p.title) << "\n";
      gp << "set xlabel " << gp_quote(p.xlabel) << "\n";
      gp << "set ylabel " << gp_quote(p.ylabel) << "\n";
      gp << (p.logx ? "set logscale x\n" : "unset logscale x\n");
      gp << (p.logy ? "set logscale y\n" : "unset logscale y\n");
      if (p.xmin != p.xmax) gp << "set xrange [" << p.xmin << ":" << p.xmax << "]\n";
      else gp << "set autoscale x\n";
      if (p.ymin != p.ymax) gp << "set yrange [" << p.ymin << ":" << p.ymax << "]\n";
      else gp << "set autoscale y\n";
      for (const Label& l : p.labels)
        gp << "set label " << gp_quote(l.text) << " at first " << l.x << ", first " << l.y << " front\n";
      if (p.series.empty() && p.heatmaps.empty()) {
        gp << "set multiplot next\n";  // an empty panel: leave its cell blank
        continue;
      }
      if (!p.heatmaps.empty()) {
        const Heatmap& hm = p.heatmaps.front();
        double lim = 0.0;
        for (double v : hm.values) lim = std::max(lim, std::abs(v));
        if (lim == 0.0) lim = 1.0;
        if (hm.diverging)
          gp << "set palette defined (-1 '#2166ac', 0 '#f7f7f7', 1 '#b2182b')\nset cbrange [" << -lim << ":" << lim
             << "]\n";
        else
          gp << "set palette gray\nset autoscale cb\n";
        gp << "set cblabel " << gp_quote(hm.cblabel) << "\nset size ratio -1\n";
        if (p.xmin == p.xmax) gp << "set xrange [" << hm.x0 << ":" << hm.x1 << "]\n";
        if (p.ymin == p.ymax) gp << "set yrange [" << hm.y0 << ":" << hm.y1 << "]\n";
      } else {
        gp << "set size noratio\n";
      }
      bool titled = false;
      for (const Series& s : p.series) titled = titled || !s.title.empty();
      gp << (titled ? "set key\n" : "unset key\n");
      gp << "plot ";
      int item = 0;
      for (const Heatmap& hm : p.heatmaps) {
        const double dx = (hm.x1 - hm.x0) / hm.cols, dy = (hm.y1 - hm.y0) / hm.rows;
        gp << (item++ ? ", " : "") << "'-' matrix using (" << hm.x0 << " + ($1 + 0.5) * " << dx << "):(" << hm.y0
           << " + ($2 + 0.5) * " << dy << "):3 with image notitle";
      }
      for (std::size_t i = 0; i < p.series.size(); ++i) {
        const Series& s = p.series[i];
        gp << (item++ ? ", " : "") << "'-' " << style_clause(s) << " "
           << (s.title.empty() ? std::string("notitle") : "title " + gp_quote(s.title));
      }
      gp << "\n";
      for (const Heatmap& hm : p.heatmaps) {  // inline matrix data ends with one "e" line
        for (int r = 0; r < hm.rows; ++r) {
          for (int c = 0; c < hm.cols; ++c) gp << (c ? " " : "") << hm.values[static_cast<std::size_t>(r) * hm.cols + c];
          gp << "\n";
        }
        gp << "e\n";
      }
      for (const Series& s : p.series) {
        std::vector<std::pair<double, double>> pts;
        for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) pts.emplace_back(s.x[i], s.y[i]);
        if (pts.empty()) pts.emplace_back(std::nan(""), std::nan(""));
        gp.send1d(pts);
      }
    }
    gp << "unset multiplot\nset output\n";
    gp.flush();
    if (!gp) {  // a write of the script failed (a full $TMPDIR): say so, not "gnuplot failed"
      const std::string why = write_probe(temp_dir(), 1 << 16);
      throw OutputError(script.path + ": cannot write: " + (why.empty() ? std::string("write error") : why) +
                        " (gnuplot's script for the figure '" + fig.name + "')");
    }
  }  // ~Gnuplot closes the script file
  // exec: the shell becomes gnuplot, so the child we wait for (and kill on a stop request) is gnuplot itself.
  const int status =
      run_child("exec " + gnuplot_command() + " " + sh_quote(script.path) + " </dev/null 2>" + sh_quote(err.path));
  std::string messages;
  {
    std::ifstream in(err.path);
    std::ostringstream ss;
    ss << in.rdbuf();
    messages = ss.str();
  }
  // gnuplot reports errors only on stderr and may still leave a partial file: any line that is not a warning
  // is an error.
  bool error_lines = false;
  std::istringstream lines(messages);
  for (std::string line; std::getline(lines, line);)
    if (line.find_first_not_of(" \t\r") != std::string::npos && line.find("arning") == std::string::npos)
      error_lines = true;
  std::error_code ec;
  const bool written = fs::exists(tmp, ec) && fs::file_size(tmp, ec) > 0;
  const bool complete = written && output_complete(tmp, terminal);
  if (complete && !error_lines && WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
  // Something failed. If the figure's folder cannot take a write now (a full disk, a file size limit), that is the
  // reason, whatever gnuplot said about it (a cairo "write error", or nothing).
  const fs::path dir = tmp.has_parent_path() ? tmp.parent_path() : fs::path(".");
  const std::string why = write_probe(dir);
  if (!why.empty())
    throw OutputError(final.string() + ": cannot write: " + why + " (gnuplot could not write the figure '" + fig.name +
                      "', " + terminal.substr(0, terminal.find(' ')) + ")");
  if (!written)
    throw std::runtime_error("gnuplot did not write the figure '" + fig.name + "' (" + terminal + ")" +
                             (messages.empty() ? std::string(": is gnuplot installed?") : ": " + messages));
  if (error_lines) throw std::runtime_error("gnuplot reported an error for figure '" + fig.name + "': " + messages);
  if (!complete)
    throw std::runtime_error("gnuplot left the figure '" + fig.name + "' (" + terminal.substr(0, terminal.find(' ')) +
                             ") incomplete (no end marker; gnuplot's " + describe_status(status) + ")");
  // Output and no message, but a non-zero exit status or a signal: as before, the file and the messages decide
  // (gnuplot exits non-zero on warnings in some versions).
}

}  // namespace

std::vector<fs::path> write_figure(const Figure& fig, const fs::path& dir, unsigned formats) {
  const int n = std::max<int>(1, static_cast<int>(fig.panels.size()));
  const int cols = fig.columns > 0 ? fig.columns : n;
  const int rows = (n + cols - 1) / cols;
  const int w = fig.width_px > 0 ? fig.width_px : 420 * cols;
  const int h = fig.height_px > 0 ? fig.height_px : 360 * rows;
  std::vector<fs::path> written;
  auto one = [&](unsigned f, const std::string& ext, const std::string& terminal) {
    if (!(formats & f)) return;
    check_interrupt();
    const fs::path out = dir / (fig.name + ext);
    produce_file_atomic(out, [&](const fs::path& tmp) { render(fig, terminal, tmp, out); });
    written.push_back(out);
  };
  std::ostringstream png, pdf, svg;
  png << "pngcairo enhanced size " << w << "," << h << " font 'Sans,10'";
  pdf << "pdfcairo enhanced size " << w / 100.0 << "in," << h / 100.0 << "in font 'Sans,7'";
  svg << "svg enhanced size " << w << "," << h << " font 'Sans,10' background rgb 'white'";
  one(kPng, ".png", png.str());
  one(kPdf, ".pdf", pdf.str());
  one(kSvg, ".svg", svg.str());
  return written;
}

}  // namespace rtv::plot
