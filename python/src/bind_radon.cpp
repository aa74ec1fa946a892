// python/src/bind_radon.cpp: the Radon domain (THEORY.md s.3, s.8): rtv.radon, radon_adjoint, backproject, fbp,
// ramp_filter, filters, phantom, phantom_sinogram, seminorm_grid (rtv_of_image) and seminorm (radon_rtv_ball next
// to rtv_exact_ball), with the numbers of the CLI commands radon, fbp, phantom and seminorm (cli/commands/*.cpp:
// the same library calls with the same defaults; tests/python/test_radon.py compares them on the same files).
//
// Arrays: images and sinograms in are 2-D NumPy arrays of any numeric dtype, order and strides (copied once into
// the library's row-major double storage); arrays out are float64 C-ordered NumPy arrays that take over the
// library's result without a copy (a capsule owns the Eigen matrix).
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include "bindings.hpp"
#include "rtv/core/error.hpp"
#include "rtv/nets/network.hpp"
#include "rtv/nets/norms.hpp"
#include "rtv/radon/filters.hpp"
#include "rtv/radon/phantoms.hpp"
#include "rtv/radon/radon2d.hpp"
#include "rtv/radon/radon_measure.hpp"
#include "rtv/radon/seminorm.hpp"

namespace rtv::py {

namespace {

// The grid conventions, repeated in every docstring that takes or returns an image or a sinogram.
#define RTV_PY_GRID                                                                                              \
  "Grid (rtv/radon/radon2d.hpp, README 'Radon'): image[i, j] = f(x_j, y_i) at pixel centres of [-L, L]^2,\n"    \
  "x_j = -L + (j + 1/2) h, y_i = -L + (i + 1/2) h, h = 2L/n (row i is y, increasing with i; column j is x).\n"   \
  "sinogram[a, m] = R f(theta_a, t_m), theta_a = pi a / A (direction (cos, sin)), t_m = -T + (m + 1/2) dt,\n"   \
  "dt = 2T/M. Default M = the smallest integer >= sqrt(2) n with the parity of n, T = M h / 2 (dt = h);\n"      \
  "offsets=M keeps T. R f is the line integral in physical units (length measure).\n"

// A 2-D array of numbers as the library's row-major double matrix (one copy, any dtype/order/strides).
Array2D array2d(const py::handle& obj, const char* what) {
  if (!py::isinstance<py::array>(obj) && !py::isinstance<py::sequence>(obj))
    throw py::type_error(std::string(what) + ": expected a 2-D NumPy array, got " + type_name(obj));
  py::array_t<double> a;
  try {
    a = py::array_t<double, py::array::forcecast>::ensure(obj);
  } catch (const py::error_already_set&) {
    a = py::array_t<double>();
  }
  if (!a) throw py::type_error(std::string(what) + ": cannot convert " + type_name(obj) + " to an array of numbers");
  if (a.ndim() != 2)
    throw py::value_error(std::string(what) + ": expected a 2-D array, got " + std::to_string(a.ndim()) +
                          " dimensions");
  Array2D m(a.shape(0), a.shape(1));
  auto r = a.unchecked<2>();  // any strides
  for (py::ssize_t i = 0; i < a.shape(0); ++i)
    for (py::ssize_t j = 0; j < a.shape(1); ++j) m(i, j) = r(i, j);
  return m;
}

// The square image of rtv radon / rtv seminorm --grid (cli/common.cpp read_square): the same message, naming `what`.
Array2D square(const py::handle& obj, const char* what) {
  Array2D a = array2d(obj, what);
  if (a.rows() != a.cols())
    throw rtv::input_error(what, std::string("the ") + what + " must be square (n x n), got " +
                                     std::to_string(a.rows()) + " x " + std::to_string(a.cols()));
  return a;
}

// The library's result as a NumPy array without a copy: the array's base is a capsule owning the matrix.
py::array_t<double> to_numpy(Array2D&& a) {
  auto* owned = new Array2D(std::move(a));
  py::capsule base(owned, [](void* p) { delete static_cast<Array2D*>(p); });
  return py::array_t<double>({owned->rows(), owned->cols()},
                             {static_cast<py::ssize_t>(owned->cols() * sizeof(double)),
                              static_cast<py::ssize_t>(sizeof(double))},
                             owned->data(), base);
}

py::array_t<double> vec(const Eigen::VectorXd& v) {
  py::array_t<double> a(v.size());
  std::copy(v.data(), v.data() + v.size(), a.mutable_data());
  return a;
}

// --threads of the CLI (cli/common.cpp threads_option).
int threads_arg(int t) {
  if (t < 0) throw rtv::input_error("threads", "must be 0 (all cores) or positive, got " + std::to_string(t));
  return t;
}

ImageGrid image_grid(int n, double L) {
  ImageGrid g{n, L};
  g.validate("size/extent");
  return g;
}

// rtv fbp's inference of n from M (cli/commands/fbp.cpp: the default M(n) is strictly increasing, so at most one n
// has M(n) = M, at floor(M / sqrt(2)) or one less).
int infer_size(int M, double L) {
  const int c0 = static_cast<int>(std::floor(M / std::sqrt(2.0)));
  for (int c = c0; c >= c0 - 2 && c >= 1; --c)
    if (SinogramGrid::for_image(ImageGrid{c, L}, 1).offsets == M) return c;
  throw rtv::input_error("sinogram", "cannot infer the image size from " + std::to_string(M) +
                                         " offsets (not the default count for any n x n image): give size");
}

Phantom named_phantom(const std::string& name) {
  // The phantoms of rtv phantom (cli/commands/phantom.cpp), with its parameters.
  if (name == "shepp-logan") return Phantom::shepp_logan();
  if (name == "disk") return Phantom::disk(1.0, 0.0, 0.0, 0.5);
  if (name == "gaussian") return Phantom::gaussian(2, 1.0, 0.15, Eigen::Vector2d(0.0, 0.0));
  throw rtv::input_error("phantom", "unknown phantom '" + name + "' (shepp-logan, disk, gaussian)");
}

// rtv seminorm --grid --json's fields.
struct GridSeminorm {
  int n = 0;
  double extent = 0.0;
  RtvEstimate e;
  double edge_threshold = 0.0;
  int angles = 0, pad = 0;
};

// rtv seminorm NETWORK --json's fields.
struct NetSeminorm {
  int dimension = 0;
  double radius = 0.0, exact = 0.0;
  RadonRtv res;
  std::vector<RecoveredSpike> neurons;  // |a| > 1e-2 value, as the CLI lists them
  double relative_difference() const { return exact > 0 ? (res.value - exact) / exact : res.value; }
  std::string status() const {
    return res.unresolved.empty() ? "ok" : "unresolved opposite-sign pairs: rtv is an underestimate";
  }
};

py::list spikes_list(const std::vector<RecoveredSpike>& s) {
  py::list l;
  for (const auto& n : s) {
    py::dict d;
    d["gamma"] = vec(n.gamma);
    d["t"] = n.t;
    d["a"] = n.a;
    l.append(d);
  }
  return l;
}

py::list unresolved_list(const std::vector<UnresolvedPair>& u) {
  py::list l;
  for (const auto& p : u) {
    py::dict d;
    d["gamma1"] = vec(p.gamma1);
    d["t1"] = p.t1;
    d["a1"] = p.a1;
    d["gamma2"] = vec(p.gamma2);
    d["t2"] = p.t2;
    d["a2"] = p.a2;
    d["angle"] = p.angle;
    d["offset_distance"] = p.offset;
    d["missing"] = 2 * std::min(std::abs(p.a1), std::abs(p.a2));
    l.append(d);
  }
  return l;
}

std::string g(double x) {
  char b[32];
  std::snprintf(b, sizeof b, "%.10g", x);
  return b;
}

}  // namespace

void bind_radon(py::module_& m) {
  m.def(
      "radon",
      [](const py::object& image, int angles, std::optional<int> offsets, double extent, int threads) {
        Array2D img = square(image, "image");
        const int M = offsets.value_or(0);  // for_image checks angles >= 1, M >= 0 and the sizes
        threads = threads_arg(threads);
        const ImageGrid ig = image_grid(static_cast<int>(img.rows()), extent);
        const SinogramGrid sg = SinogramGrid::for_image(ig, angles, M);
        Array2D s;
        {
          py::gil_scoped_release release;
          s = rtv::radon(img, ig, sg, threads);
        }
        return to_numpy(std::move(s));
      },
      py::arg("image"), py::arg("angles"), py::arg("offsets") = py::none(), py::arg("extent") = 1.0,
      py::arg("threads") = 0,
      "radon(image, angles, offsets=None, extent=1.0, threads=0) -> A x M float64 sinogram (as `rtv radon`).\n\n"
      "Joseph's discrete Radon transform of an n x n image of f on [-L, L]^2, L = extent (THEORY.md s.3, s.8):\n"
      "each line is sampled where it crosses the rows (|cos| >= |sin|) or columns, with linear interpolation,\n"
      "step h / max(|cos|, |sin|); second order for smooth f. threads: 0 = all cores; the result does not depend\n"
      "on it. The GIL is released during the transform.\n\n" RTV_PY_GRID);

  m.def(
      "radon_adjoint",
      [](const py::object& sinogram, int size, double extent, int threads) {
        Array2D s = array2d(sinogram, "sinogram");
        threads = threads_arg(threads);
        const ImageGrid ig = image_grid(size, extent);
        const SinogramGrid sg = SinogramGrid::for_image(ig, static_cast<int>(s.rows()), static_cast<int>(s.cols()));
        Array2D f;
        {
          py::gil_scoped_release release;
          f = rtv::radon_adjoint(s, ig, sg, threads);
        }
        return to_numpy(std::move(f));
      },
      py::arg("sinogram"), py::arg("size"), py::arg("extent") = 1.0, py::arg("threads") = 0,
      "radon_adjoint(sinogram, size, extent=1.0, threads=0) -> size x size image: the exact matrix transpose of\n"
      "radon() (<radon(f), g> = <f, radon_adjoint(g)> to rounding) for the sinogram's A angles and M offsets on the\n"
      "default offset range T of a size x size image.\n\n" RTV_PY_GRID);

  m.def(
      "backproject",
      [](const py::object& sinogram, int size, double extent, int threads) {
        Array2D s = array2d(sinogram, "sinogram");
        threads = threads_arg(threads);
        const ImageGrid ig = image_grid(size, extent);
        const SinogramGrid sg = SinogramGrid::for_image(ig, static_cast<int>(s.rows()), static_cast<int>(s.cols()));
        Array2D f;
        {
          py::gil_scoped_release release;
          f = rtv::backproject(s, sg, ig, threads);
        }
        return to_numpy(std::move(f));
      },
      py::arg("sinogram"), py::arg("size"), py::arg("extent") = 1.0, py::arg("threads") = 0,
      "backproject(sinogram, size, extent=1.0, threads=0) -> size x size image: the continuous backprojection\n"
      "R* g(x) = 2 int_0^pi g(theta, x . gamma) dtheta (rectangle rule, weight 2 pi / A; linear interpolation in t),\n"
      "the backprojector of fbp (THEORY.md s.3).\n\n" RTV_PY_GRID);

  m.def(
      "fbp",
      [](const py::object& sinogram, const std::string& filter, std::optional<int> size, double extent, int threads) {
        Array2D s = array2d(sinogram, "sinogram");
        const Window w = parse_window(filter, "filter");
        threads = threads_arg(threads);
        const int M = static_cast<int>(s.cols());
        int n = size.value_or(0);
        if (n < 0) throw rtv::input_error("size", "must be positive (or None/0 for the default)");
        if (n == 0) n = infer_size(M, extent);
        const ImageGrid ig = image_grid(n, extent);
        const SinogramGrid sg = SinogramGrid::for_image(ig, static_cast<int>(s.rows()), M);
        Array2D f;
        {
          py::gil_scoped_release release;
          f = rtv::fbp(s, sg, ig, w, threads);
        }
        return to_numpy(std::move(f));
      },
      py::arg("sinogram"), py::arg("filter") = "ram-lak", py::arg("size") = py::none(), py::arg("extent") = 1.0,
      py::arg("threads") = 0,
      "fbp(sinogram, filter='ram-lak', size=None, extent=1.0, threads=0) -> n x n float64 image (as `rtv fbp`).\n\n"
      "Filtered backprojection f = c_2 R* Lambda R f, c_2 = 1/(4 pi) (THEORY.md s.3): the band-limited ramp kernel\n"
      "(Ram-Lak) times an optional window (filters()), R* by backproject(). The sinogram's offsets must cover\n"
      "[-T, T] of the default grid of an n x n image, as radon() writes them; size=None infers n from M (at most\n"
      "one n has the default M; ValueError if none). The GIL is released during the transform.\n\n" RTV_PY_GRID);

  m.def(
      "filters", [] { return std::vector<std::string>{"ram-lak", "shepp-logan", "cosine", "hann", "hamming"}; },
      "filters() -> the window names accepted by fbp(), ramp_filter() and seminorm_grid() (rtv/radon/filters.hpp):\n"
      "ram-lak (also 'none': no window), shepp-logan sinc(f/2), cosine cos(pi f/2), hann (1 + cos(pi f))/2,\n"
      "hamming 0.54 + 0.46 cos(pi f), of the normalised frequency f = omega dt / pi in [0, 1].");

  m.def(
      "ramp_filter",
      [](const py::object& sinogram, double dt, const std::string& filter, int d, int power, int threads) {
        Array2D s = array2d(sinogram, "sinogram");
        const Window w = parse_window(filter, "filter");
        threads = threads_arg(threads);
        if (!(std::isfinite(dt) && dt > 0)) throw rtv::input_error("dt", "must be positive and finite");
        if (s.cols() < 1 || s.rows() < 1) throw rtv::input_error("sinogram", "is empty");
        std::unique_ptr<OffsetFilter> f;
        if (power == 0) {
          if (d < 2) throw rtv::input_error("d", "must be at least 2");
          f = rtv::ramp_filter(static_cast<int>(s.cols()), dt, d, w);
        } else {
          if (power < 0) throw rtv::input_error("power", "must be >= 0");
          f = std::make_unique<OffsetFilter>(static_cast<int>(s.cols()), dt, power, 1.0, w);
        }
        Array2D q;
        {
          py::gil_scoped_release release;
          q = f->apply(s, threads);
        }
        return to_numpy(std::move(q));
      },
      py::arg("sinogram"), py::arg("dt"), py::arg("filter") = "ram-lak", py::arg("d") = 2, py::arg("power") = 0,
      py::arg("threads") = 0,
      "ramp_filter(sinogram, dt, filter='ram-lak', d=2, power=0, threads=0) -> the rows filtered by the Fourier\n"
      "multiplier |omega|^k along t (k = d - 1: Lambda^{d-1}; or k = power if > 0), omega in radians per unit of t,\n"
      "as the band-limited spatial kernel h_k(n) = (1/2 pi) int_{-pi/dt}^{pi/dt} |omega|^k exp(i omega n dt) domega\n"
      "applied by zero-padded FFT convolution, times the window `filter` (rtv/radon/filters.hpp, THEORY.md s.3,\n"
      "s.8). Row m of the input is one profile sampled at spacing dt.");

  m.def("band_limited_kernel", &band_limited_kernel, py::arg("k"), py::arg("n"), py::arg("dt"),
        "band_limited_kernel(k, n, dt) -> h_k(n) (see ramp_filter); k = 1 is Ram-Lak: h(0) = pi/(2 dt^2),\n"
        "h(odd n) = -2/(pi n^2 dt^2), h(even n != 0) = 0.");

  m.def(
      "phantom",
      [](const std::string& name, int size, double extent, int supersample) {
        const Phantom p = named_phantom(name);
        const ImageGrid ig = image_grid(size, extent);
        Array2D img;
        {
          py::gil_scoped_release release;
          img = sample_image(p, ig, supersample);
        }
        return to_numpy(std::move(img));
      },
      py::arg("name"), py::arg("size"), py::arg("extent") = 1.0, py::arg("supersample") = 1,
      "phantom(name, size, extent=1.0, supersample=1) -> size x size image (as `rtv phantom`).\n\n"
      "name: 'shepp-logan' (the modified (Toft) Shepp-Logan phantom, ten ellipses on [-1, 1]^2), 'disk' (value 1 on\n"
      "|x| < 0.5) or 'gaussian' (exp(-|x|^2 / (2 0.15^2))). Sampled at pixel centres, or the mean of s x s sub-pixel\n"
      "centres with supersample = s (rtv/radon/phantoms.hpp, THEORY.md s.3).\n\n" RTV_PY_GRID);

  m.def(
      "phantom_sinogram",
      [](const std::string& name, int size, int angles, std::optional<int> offsets, double extent) {
        const Phantom p = named_phantom(name);
        const ImageGrid ig = image_grid(size, extent);
        const int M = offsets.value_or(0);  // for_image checks angles >= 1, M >= 0 and the sizes
        const SinogramGrid sg = SinogramGrid::for_image(ig, angles, M);
        Array2D s;
        {
          py::gil_scoped_release release;
          s = exact_sinogram(p, sg);
        }
        return to_numpy(std::move(s));
      },
      py::arg("name"), py::arg("size"), py::arg("angles"), py::arg("offsets") = py::none(), py::arg("extent") = 1.0,
      "phantom_sinogram(name, size, angles, offsets=None, extent=1.0) -> the exact (closed-form) sinogram of the\n"
      "phantom `name` (see phantom()) on the default sinogram grid of a size x size image (rtv/radon/phantoms.hpp).\n\n"
      RTV_PY_GRID);

  py::class_<GridSeminorm>(m, "GridSeminorm",
                           "The R-TV of a sampled 2D function (seminorm_grid; the fields of `rtv seminorm --grid "
                           "--json`).")
      .def_property_readonly("rtv", [](const GridSeminorm& s) { return s.e.value; },
                             "c_2 int |d_t^2 Lambda R f| dt dgamma, including `tail`")
      .def_property_readonly("tail", [](const GridSeminorm& s) { return s.e.tail; },
                             "estimated mass beyond the padded offset range (included in rtv)")
      .def_property_readonly("offsets", [](const GridSeminorm& s) { return s.e.offsets; }, "offsets after padding")
      .def_property_readonly("dt", [](const GridSeminorm& s) { return s.e.dt; })
      .def_readonly("n", &GridSeminorm::n)
      .def_readonly("extent", &GridSeminorm::extent)
      .def_property_readonly("edge_max", [](const GridSeminorm& s) { return s.e.edge_max; },
                             "max |sample| on the outermost ring of pixels")
      .def_property_readonly("peak", [](const GridSeminorm& s) { return s.e.peak; }, "max |sample|")
      .def_property_readonly("edge_jump", [](const GridSeminorm& s) { return s.e.edge_jump; },
                             "edge_max > edge_threshold: f does not vanish at the square's edge, a jump whose R-TV "
                             "is infinite (the value grows with n)")
      .def_readonly("edge_threshold", &GridSeminorm::edge_threshold)
      .def("to_dict",
           [](const GridSeminorm& s) {
             py::dict d;  // the keys of rtv seminorm --grid --json (without "file")
             d["n"] = s.n;
             d["extent"] = s.extent;
             d["rtv"] = s.e.value;
             d["tail"] = s.e.tail;
             d["offsets"] = s.e.offsets;
             d["dt"] = s.e.dt;
             d["edge_max"] = s.e.edge_max;
             d["edge_jump"] = s.e.edge_jump;
             d["edge_threshold"] = s.edge_threshold;
             return d;
           })
      .def("__repr__", [](const GridSeminorm& s) {
        return "GridSeminorm(rtv=" + g(s.e.value) + ", n=" + std::to_string(s.n) + ", extent=" + g(s.extent) +
               ", tail=" + g(s.e.tail) + ", edge_jump=" + (s.e.edge_jump ? "True" : "False") + ")";
      });

  m.def(
      "seminorm_grid",
      [](const py::object& image, double extent, int angles, int pad, int threads) {
        Array2D img = square(image, "image");
        threads = threads_arg(threads);  // rtv_of_image checks angles, pad, the grid's size and the budget
        const ImageGrid ig = image_grid(static_cast<int>(img.rows()), extent);
        GridSeminorm s;
        s.n = ig.n;
        s.extent = ig.L;
        s.angles = angles;
        s.pad = pad;
        {
          py::gil_scoped_release release;
          s.e = rtv_of_image(img, ig.L, angles, pad, threads);
        }
        s.edge_threshold = edge_jump_tolerance(ig.n) * s.e.peak;
        if (s.e.edge_jump) {  // a numerical outcome (a warning, as the CLI's), not an error
          char msg[400];
          std::snprintf(msg, sizeof msg,
                        "rtv.seminorm_grid: the samples do not vanish at the edge of the square (max |f| on the "
                        "boundary %.3g, %.3g of max |f|): f is taken as 0 outside, so this is a jump, whose R-TV is "
                        "infinite; the value grows with n",
                        s.e.edge_max, s.e.peak > 0 ? s.e.edge_max / s.e.peak : 0.0);
          if (PyErr_WarnEx(PyExc_RuntimeWarning, msg, 1) != 0) throw py::error_already_set();
        }
        return s;
      },
      py::arg("image"), py::arg("extent"), py::arg("angles") = 0, py::arg("pad") = 8, py::arg("threads") = 0,
      "seminorm_grid(image, extent, angles=0, pad=8, threads=0) -> GridSeminorm (as `rtv seminorm --grid`).\n\n"
      "RTV(f) = c_2 || d_t^2 Lambda R f ||_M (THEORY.md s.3, s.8) of f on [-L, L]^2 (L = extent) sampled as an\n"
      "n x n image (n >= 16): line sampling of each row's cubic B-spline interpolant at `angles` angles (0: 2n),\n"
      "dt = h, the filter -|omega|^3 with a Hann window, offsets zero-padded `pad` times (rtv/radon/seminorm.hpp).\n"
      "f is taken as 0 outside the square: samples that do not vanish at its edge are a jump (infinite R-TV):\n"
      "edge_jump is then True and a RuntimeWarning is issued. The GIL is released during the computation.\n\n"
      RTV_PY_GRID);

  py::class_<NetSeminorm>(m, "NetworkSeminorm",
                          "The R-TV of a network on a ball (seminorm; the fields of `rtv seminorm NETWORK --json`).")
      .def_readonly("dimension", &NetSeminorm::dimension)
      .def_readonly("radius", &NetSeminorm::radius)
      .def_readonly("rtv_exact", &NetSeminorm::exact,
                    "exact R-TV on B_r from the parameters: distinct hyperplanes meeting the ball (rtv_exact_ball)")
      .def_property_readonly("rtv", [](const NetSeminorm& s) { return s.res.value; },
                             "numerical R-TV from the Gaussian-windowed Radon transform (Richardson R, 2R)")
      .def_property_readonly("rtv_window_R", [](const NetSeminorm& s) { return s.res.value_R; })
      .def_property_readonly("rtv_window_2R", [](const NetSeminorm& s) { return s.res.value_2R; })
      .def_property_readonly("window", [](const NetSeminorm& s) { return s.res.window; }, "R (absolute units)")
      .def_property_readonly("relative_difference", &NetSeminorm::relative_difference,
                             "(rtv - rtv_exact) / rtv_exact (rtv itself if rtv_exact = 0)")
      .def_property_readonly("neurons", [](const NetSeminorm& s) { return spikes_list(s.neurons); },
                             "recovered hyperplanes with |a| > 1% of rtv: dicts gamma, t, a")
      .def_property_readonly("unresolved", [](const NetSeminorm& s) { return unresolved_list(s.res.unresolved); },
                             "opposite-sign pairs closer than the boxes separate (rtv then underestimates)")
      .def_property_readonly("status", &NetSeminorm::status)
      .def("to_dict",
           [](const NetSeminorm& s) {
             py::dict d;  // the keys of rtv seminorm NETWORK --json (without file and activation)
             d["dimension"] = s.dimension;
             d["radius"] = s.radius;
             d["rtv_exact"] = s.exact;
             d["rtv"] = s.res.value;
             d["rtv_window_R"] = s.res.value_R;
             d["rtv_window_2R"] = s.res.value_2R;
             d["window"] = s.res.window;
             d["relative_difference"] = s.relative_difference();
             d["neurons"] = spikes_list(s.neurons);
             d["unresolved"] = unresolved_list(s.res.unresolved);
             d["status"] = s.status();
             return d;
           })
      .def("__repr__", [](const NetSeminorm& s) {
        return "NetworkSeminorm(radius=" + g(s.radius) + ", rtv=" + g(s.res.value) + ", rtv_exact=" + g(s.exact) +
               ", neurons=" + std::to_string(s.neurons.size()) + ", status='" + s.status() + "')";
      });

  m.def(
      "seminorm",
      [](const py::object& net_obj, double radius, double window, int resolution, int threads) {
        if (!py::isinstance<ShallowNet>(net_obj))
          throw py::type_error("net: expected an rtv.ShallowNet, got " + type_name(net_obj));
        const ShallowNet& net = net_obj.cast<const ShallowNet&>();
        threads = threads_arg(threads);
        if (net.dim() != 2 && net.dim() != 3)
          throw rtv::input_error("net", "input dimension " + std::to_string(net.dim()) +
                                            ": the Radon-domain R-TV is implemented for d = 2 and 3 (use "
                                            "ShallowNet.rtv_ball for the exact value in any d)");
        // window is in units of r and must be > 0 (the library's 0 means its default, 32 r), as --window.
        if (!(window > 0)) throw rtv::input_error("window", "must be > 0");
        const ShallowNet copy = net;  // the GIL is released below: work on our own copy
        NetSeminorm s;
        s.dimension = net.dim();
        s.radius = radius;
        {
          py::gil_scoped_release release;
          RadonRtvOptions o;
          o.threads = threads;
          o.window = window * radius;
          o.angles = resolution;
          try {
            s.res = radon_rtv_ball(RidgeSum::from_network(copy), radius, o);  // validates radius and resolution
          } catch (const rtv::InputError& e) {
            // The library names the detection grid "angles"; here it is the argument `resolution` (the CLI's flag).
            const std::string msg = e.what();
            if (msg.rfind("angles: ", 0) == 0) throw rtv::input_error("resolution", msg.substr(8));
            throw;
          }
          s.exact = rtv_exact_ball(copy, radius);
        }
        for (const auto& sp : s.res.spikes)
          if (std::abs(sp.a) > 1e-2 * s.res.value) s.neurons.push_back(sp);
        return s;
      },
      py::arg("net"), py::arg("radius"), py::arg("window") = 32.0, py::arg("resolution") = 0, py::arg("threads") = 0,
      "seminorm(net, radius, window=32.0, resolution=0, threads=0) -> NetworkSeminorm (as `rtv seminorm NETWORK\n"
      "--radius r`).\n\n"
      "The numerical Radon-domain R-TV of a ShallowNet (d = 2 or 3) on the ball B_r (THEORY.md s.3, s.8): the\n"
      "measure mu = c_d d_t^2 Lambda^{d-1} R f of the Gaussian-windowed network, measured on boxes around its\n"
      "spikes at windows R = window * r and 2R and Richardson-extrapolated (rtv/radon/radon_measure.hpp), next to\n"
      "the exact value rtv_exact from the parameters (ShallowNet.rtv_ball). resolution: detection grid (d = 2:\n"
      "angles in [0, pi), default 256, at least 64; d = 3: Gauss-Legendre nodes, default 40, at least 16). The GIL\n"
      "is released during the computation.");
}

}  // namespace rtv::py
