// Figures through gnuplot-iostream (rtv/io/plot.hpp). Every output goes through produce_file_atomic: gnuplot
// writes a temporary file, we check that it exists and is non-empty, then rename it into place.
#include "rtv/io/plot.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <gnuplot-iostream.h>
#include <sstream>
#include <utility>

#include "rtv/io/files.hpp"

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

void render(const Figure& fig, const std::string& terminal, const fs::path& tmp) {
  char errname[] = "/tmp/rtv-gnuplot-stderr.XXXXXX";
  const int fd = ::mkstemp(errname);
  if (fd < 0) throw std::runtime_error("cannot create a temporary file for gnuplot's messages");
  ::close(fd);
  // The script (commands and inline data) goes to a file that gnuplot reads as its argument: from a pipe gnuplot
  // reads its input one byte per read() call (measured: a 256 x 600 heat map, 3 MB, costs 1.3-2 s from a pipe and
  // 0.12 s from a file).
  char scriptname[] = "/tmp/rtv-gnuplot-script.XXXXXX";
  const int sfd = ::mkstemp(scriptname);
  if (sfd < 0) {
    ::unlink(errname);
    throw std::runtime_error("cannot create a temporary file for gnuplot's script");
  }
  ::close(sfd);
  {
    Gnuplot gp(std::string(">") + scriptname);
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
  }  // ~Gnuplot closes the script file
  const int status = std::system((gnuplot_command() + " " + sh_quote(scriptname) + " </dev/null 2>" + sh_quote(errname)).c_str());
  ::unlink(scriptname);
  (void)status;  // failures are judged below from the output file and gnuplot's messages, as before
  std::string messages;
  {
    std::ifstream in(errname);
    std::ostringstream ss;
    ss << in.rdbuf();
    messages = ss.str();
  }
  ::unlink(errname);
  std::error_code ec;
  if (!fs::exists(tmp, ec) || fs::file_size(tmp, ec) == 0)
    throw std::runtime_error("gnuplot did not write the figure '" + fig.name + "' (" + terminal + ")" +
                             (messages.empty() ? std::string(": is gnuplot installed?") : ": " + messages));
  // gnuplot reports errors only on stderr and may still leave a partial file: any line that is not a warning
  // is an error.
  std::istringstream lines(messages);
  for (std::string line; std::getline(lines, line);) {
    if (line.find_first_not_of(" \t\r") == std::string::npos || line.find("arning") != std::string::npos) continue;
    throw std::runtime_error("gnuplot reported an error for figure '" + fig.name + "': " + messages);
  }
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
    const fs::path out = dir / (fig.name + ext);
    produce_file_atomic(out, [&](const fs::path& tmp) { render(fig, terminal, tmp); });
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
