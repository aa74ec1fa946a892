// The plotting module: real PNG/PDF/SVG files from gnuplot, and loud failures when gnuplot fails.
#include <gtest/gtest.h>

#include <cstdlib>

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

}  // namespace
}  // namespace rtv
