// python/src/bind_io.cpp: network files and arrays (rtv/io/network_json.hpp, torch_import.hpp, arrays.hpp; README
// "File formats"): rtv.read_network / write_network / read_deep_network / network_file_kind, PyTorch state_dicts
// held in memory (network_from_state_dict: the same importer, key rules and errors as the .npz and .safetensors
// files), and the array readers (read_array, write_array, read_npz, read_training_data).
// The sign convention of the import (THEORY.md s.1): PyTorch's Linear computes W x + b, rtv's neuron relu(w . x - b),
// so b_rtv = -"0.bias" (torch_import.hpp).
#include <map>
#include <string>

#include "bindings.hpp"
#include "rtv/core/error.hpp"
#include "rtv/io/arrays.hpp"
#include "rtv/io/network_json.hpp"
#include "rtv/io/torch_import.hpp"

namespace rtv::py {

namespace {

// os.fspath(obj): str and os.PathLike; TypeError otherwise (os.fspath's own message).
std::string fspath(const py::handle& obj) {
  return py::str(py::module_::import("os").attr("fspath")(obj));
}

// NumPy's dtype of `a` as the descr the file readers record ("<f8", "<f4", ...): only informative here (the
// importer converts every array to double; unit roundoff is not derived from in-memory arrays).
std::string descr(const py::handle& a) {
  if (!py::isinstance<py::array>(a)) return "<f8";
  return py::str(py::reinterpret_borrow<py::array>(a).dtype().attr("str"));
}

// A mapping name -> array (a state_dict with NumPy arrays, lists or anything NumPy converts) as the importer's map.
// TypeError for a non-mapping, a non-string key or a value that is not an array of numbers.
std::map<std::string, NpyArray> state_dict_arrays(const py::handle& obj, const std::string& source) {
  if (!py::isinstance<py::dict>(obj) && !py::hasattr(obj, "items"))
    throw py::type_error(source + ": expected a mapping of names to arrays (a state_dict), got " + type_name(obj));
  std::map<std::string, NpyArray> arrays;
  for (const py::handle item : obj.attr("items")()) {
    const py::tuple kv = py::reinterpret_borrow<py::tuple>(item);
    if (!py::isinstance<py::str>(kv[0]))
      throw py::type_error(source + ": keys must be strings (parameter names), got " + type_name(kv[0]));
    const std::string key = py::str(kv[0]);
    using CArray = py::array_t<double, py::array::c_style | py::array::forcecast>;
    const bool numeric = !py::isinstance<py::str>(kv[1]) &&
                         (py::isinstance<py::array>(kv[1]) || py::isinstance<py::sequence>(kv[1]) ||
                          PyNumber_Check(kv[1].ptr()));
    CArray a = numeric ? CArray::ensure(kv[1]) : CArray();  // ensure: a null handle when NumPy cannot convert
    if (!numeric || !a)
      throw py::type_error(source + ": '" + key + "' is " + type_name(kv[1]) + ", not an array of numbers");
    NpyArray arr;
    arr.dtype = descr(kv[1]);
    for (py::ssize_t i = 0; i < a.ndim(); ++i) arr.shape.push_back(static_cast<std::int64_t>(a.shape(i)));
    arr.data.assign(a.data(), a.data() + a.size());
    arrays.emplace(key, std::move(arr));
  }
  return arrays;
}

py::array_t<double> row_matrix_to_numpy(const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>& a) {
  py::array_t<double> out({a.rows(), a.cols()});
  std::copy(a.data(), a.data() + a.size(), out.mutable_data());
  return out;
}

py::array_t<double> npy_to_numpy(const NpyArray& a) {
  std::vector<py::ssize_t> shape(a.shape.begin(), a.shape.end());
  py::array_t<double> out(shape);
  std::copy(a.data.begin(), a.data.end(), out.mutable_data());
  return out;
}

void require_json(const std::string& path) {
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext != ".json")
    throw rtv::input_error(path, "rtv writes networks as .json files (the formats rtv.shallow-relu and rtv.deep-relu), got '" +
                                     ext + "'");
}

}  // namespace

void bind_io(py::module_& m) {
  m.def(
      "read_network",
      [](const py::object& path) {
        const std::string p = fspath(path);
        py::gil_scoped_release release;
        return rtv::read_network(p);
      },
      py::arg("path"), R"doc(
A shallow network from a file, by extension (README "File formats"): .json (format rtv.shallow-relu), .npz or
.safetensors (a PyTorch state_dict of nn.Sequential(Linear(d, K), ReLU(), Linear(K, 1)) with an optional skip
Linear(d, 1); b = -"0.bias", c0 = "2.bias" + "skip.bias", THEORY.md s.1). The same reader as every rtv command:
ValueError with the command's message ("<file>: <problem>") for a bad file. A state_dict stores no activation:
.npz/.safetensors are read as ReLU networks (activation_is_assumed).)doc");
  m.def(
      "read_deep_network",
      [](const py::object& path) {
        const std::string p = fspath(path);
        py::gil_scoped_release release;
        return rtv::read_deep_network(p);
      },
      py::arg("path"),
      "Any network file as a DeepNet (deep JSON rtv.deep-relu, a deep .npz/.safetensors state_dict, or a shallow file "
      "converted exactly; THEORY.md s.6). ValueError with the command's message for a bad file.");
  m.def(
      "network_file_kind",
      [](const py::object& path) {
        return rtv::network_file_kind(fspath(path)) == NetworkKind::kShallow ? "shallow" : "deep";
      },
      py::arg("path"),
      "'shallow' (readable by read_network) or 'deep' (only by read_deep_network): .json by its format, .npz and "
      ".safetensors by their keys. Looks at the format and keys only.");
  m.def("activation_is_assumed", [](const py::object& path) { return rtv::activation_is_assumed(fspath(path)); },
        py::arg("path"),
        "True for PyTorch files (.npz, .safetensors), whose state_dict does not record the activation (ReLU is assumed).");
  m.def("network_file_unit_roundoff", [](const py::object& path) { return rtv::network_file_unit_roundoff(fspath(path)); },
        py::arg("path"),
        "Unit roundoff of the weights as the file stores them (2^-24 for float32, 2^-53 for JSON/float64; bf16 2^-8, "
        "f16 2^-11): pass it to rtv.check(unit_roundoff=...) as `rtv check` does.");
  m.def(
      "write_network",
      [](const ShallowNet& net, const py::object& path) {
        const std::string p = fspath(path);
        require_json(p);
        py::gil_scoped_release release;
        rtv::write_network_json(net, p);
      },
      py::arg("net"), py::arg("path"),
      "Write a ShallowNet as rtv.shallow-relu JSON (17 significant digits: doubles round-trip exactly), atomically. "
      "Only .json (rtv writes no PyTorch files).");
  m.def(
      "write_network",
      [](const DeepNet& net, const py::object& path) {
        const std::string p = fspath(path);
        require_json(p);
        py::gil_scoped_release release;
        rtv::write_deep_network_json(net, p);
      },
      py::arg("net"), py::arg("path"), "Write a DeepNet as rtv.deep-relu JSON, atomically.");
  m.def("network_to_json", [](const ShallowNet& net) { return rtv::network_to_json(net); }, py::arg("net"),
        "The rtv.shallow-relu JSON text of a network (17 significant digits).");
  m.def("network_to_json", [](const DeepNet& net) { return rtv::deep_network_to_json(net); }, py::arg("net"),
        "The rtv.deep-relu JSON text of a deep network.");
  m.def(
      "parse_network_json",
      [](const std::string& text, const std::string& source) { return rtv::parse_network_json(text, source); },
      py::arg("text"), py::arg("source") = "network", "A ShallowNet from rtv.shallow-relu JSON text.");

  m.def(
      "network_from_state_dict",
      [](const py::object& sd, const std::string& source) {
        const auto arrays = state_dict_arrays(sd, source);
        return rtv::network_from_state_dict(arrays, source);
      },
      py::arg("state_dict"), py::arg("source") = "state_dict", R"doc(
A ShallowNet from a mapping name -> array holding a PyTorch state_dict (NumPy arrays of any float dtype, or lists):
the importer of the .npz files (torch_import.hpp), same keys and errors: "0.weight" (K x d), optional "0.bias" (K),
"2.weight" (1 x K), "2.bias" (1), optional "skip.weight" (1 x d) and "skip.bias" (1), a common prefix such as
"net." allowed. PyTorch computes W x + b: b = -"0.bias", c0 = "2.bias" + "skip.bias" (THEORY.md s.1). ValueError
"<source>: <problem>" naming the key; TypeError for a non-mapping or a value that is not an array.
For torch modules and tensors use rtv.ShallowNet.from_torch.)doc");
  m.def(
      "deep_network_from_state_dict",
      [](const py::object& sd, const std::string& source) {
        const auto arrays = state_dict_arrays(sd, source);
        return rtv::deep_network_from_state_dict(arrays, source);
      },
      py::arg("state_dict"), py::arg("source") = "state_dict",
      "A DeepNet from the state_dict of an nn.Sequential of Linear and ReLU modules (keys '<i>.weight', optional "
      "'<i>.bias'; the rules of torch_import.hpp, THEORY.md s.6; biases of the ReLU layers flipped, middle linear "
      "biases folded). ValueError naming the key or the module indices.");
  m.def(
      "is_shallow_state_dict",
      [](const py::object& sd) { return rtv::is_shallow_state_dict(state_dict_arrays(sd, "state_dict")); },
      py::arg("state_dict"), "Whether the keys have the shallow pattern (read by network_from_state_dict).");

  m.def(
      "read_array",
      [](const py::object& path) {
        const std::string p = fspath(path);
        Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> a;
        {
          py::gil_scoped_release release;
          a = rtv::read_array(p);
        }
        return row_matrix_to_numpy(a);
      },
      py::arg("path"),
      "A 2-D float64 array from .npy or .csv (one header line of non-numbers skipped), as the commands read images, "
      "sinograms and data. ValueError '<file>: <problem>'.");
  m.def(
      "write_array",
      [](const py::object& path, const py::object& a) {
        const std::string p = fspath(path);
        const Eigen::MatrixXd M = points(a, "array");
        const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> R = M;
        py::gil_scoped_release release;
        rtv::write_array(p, R);
      },
      py::arg("path"), py::arg("array"),
      "Write a 2-D array as .npy (float64) or .csv (17 significant digits) by extension, atomically (a 1-D array is "
      "one column).");
  m.def(
      "read_npz",
      [](const py::object& path) {
        const std::string p = fspath(path);
        std::map<std::string, NpyArray> arrays;
        {
          py::gil_scoped_release release;
          arrays = rtv::read_npz(p);
        }
        py::dict d;
        for (const auto& [k, a] : arrays) d[py::str(k)] = npy_to_numpy(a);
        return d;
      },
      py::arg("path"),
      "Every member of a .npz archive as float64 arrays (the reader of the PyTorch network files: dtypes <f8, <f4, <i8, "
      "<i4, C order).");
  m.def(
      "read_training_data",
      [](const py::object& path) {
        // The commands' reader of DATA (rtv/io/arrays.hpp read_training_data): the same checks and messages.
        Eigen::MatrixXd X;
        Eigen::VectorXd y;
        rtv::read_training_data(fspath(path), X, y);
        return py::make_tuple(numpy_matrix(X), numpy_vector(y));
      },
      py::arg("path"),
      "(X, y) from a data file as the commands read DATA (.csv with an optional header line, or .npy): columns "
      "x1..xd, y; X is N x d, y has N entries. ValueError with the commands' message.");
}

}  // namespace rtv::py
