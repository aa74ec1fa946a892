// rtv/io/plot.hpp: figures through gnuplot (the only code that includes gnuplot-iostream). One shared style,
// figures/style.gp, compiled in. A Figure is a grid of panels, each a list of series; write_figure renders it
// to PNG, PDF and (optionally) SVG, each written atomically and checked to exist, be non-empty and end with its
// format's end marker (PNG IEND, PDF %%EOF, SVG </svg>), because gnuplot reports errors only on its stderr (which we
// capture and put in the exception message) and says nothing when a write fails (a full disk: a truncated file,
// exit 0). gnuplot's script and messages are temporary files in $TMPDIR (default /tmp), removed on every way out.
// gnuplot runs in a process group of its own; a stop request (rtv/io/files.hpp: SIGINT/SIGTERM in rtv-verify) kills
// it at once, removes the figure's temporaries and throws rtv::Interrupted.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace rtv::plot {

enum class Style { Lines, Points, LinesPoints, Impulses, Dashed };

struct Series {
  std::vector<double> x, y;
  std::string title;          ///< legend entry; empty: no entry
  Style style = Style::Lines;
  int color = 1;              ///< index into the style's palette (1-8)
};

/// A label (e.g. "mass |v||w| = 1.5") placed at data coordinates.
struct Label {
  double x = 0.0, y = 0.0;
  std::string text;
};

/// A heat map: values(r, c) at cell centres of the rectangle [x0, x1] x [y0, y1], row r along y (r = 0 at
/// y0, drawn at the bottom), column c along x.
struct Heatmap {
  std::vector<double> values;  ///< rows x cols, row-major
  int rows = 0, cols = 0;
  double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
  bool diverging = false;      ///< blue-white-red palette symmetric about 0 (error maps); else grey
  std::string cblabel;
};

struct Panel {
  std::string title, xlabel, ylabel;
  std::vector<Heatmap> heatmaps;  ///< drawn first, under the series
  std::vector<Series> series;
  std::vector<Label> labels;
  bool logx = false, logy = false;
  double xmin = 0, xmax = 0;  ///< xmin == xmax: autoscale
  double ymin = 0, ymax = 0;
};

struct Figure {
  std::string name;     ///< file stem, e.g. "F1-neuron-is-a-spline"
  std::string caption;  ///< what to see (goes into the report, not onto the picture)
  std::vector<Panel> panels;
  int columns = 0;      ///< 0: all panels in one row
  int width_px = 0;     ///< 0: 420 per column
  int height_px = 0;    ///< 0: 360 per row
};

enum Format : unsigned { kPng = 1, kPdf = 2, kSvg = 4 };

/// Render `fig` into `dir` as <name>.png/.pdf/.svg for each requested format; returns the files written.
/// Throws std::runtime_error (with gnuplot's stderr) if gnuplot fails or an output is missing, empty or truncated;
/// rtv::OutputError "<dir>/<name>.png: cannot write: No space left on device (gnuplot could not write the figure
/// ...)" when the folder cannot take a write (a probe write after gnuplot failed tells), or when gnuplot's script
/// cannot be written to $TMPDIR; rtv::Interrupted on a stop request (before each format and while gnuplot runs).
std::vector<std::filesystem::path> write_figure(const Figure& fig, const std::filesystem::path& dir,
                                                unsigned formats = kPng | kPdf);

/// The gnuplot command used (default "gnuplot"; the RTV_GNUPLOT environment variable overrides it).
std::string gnuplot_command();

/// The shared style (figures/style.gp) as compiled in.
const std::string& shared_style();

}  // namespace rtv::plot
