// cli/common.hpp: what the rtv commands share (cli/commands/*.cpp): option parsing, the usage error, number
// formatting, JSON helpers, the data and image readers, and the map from library option fields to the flags
// that set them (error messages name the flag the user typed).
//
// Errors (rtv/core/error.hpp): a UsageError is a bad command line ("<command>: <problem>"); the library's
// InputError names a file or an option field ("<field>: <problem>"). main() prints either as one line on stderr
// and exits 2; an option field is printed as its flag (field_flag below).
#pragma once

#include <boost/program_options.hpp>
#include <Eigen/Core>
#include <filesystem>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "rtv/core/error.hpp"
#include "rtv/radon/radon2d.hpp"

namespace rtv::cli {

namespace po = boost::program_options;
namespace fs = std::filesystem;

/// A bad command line: "<command>: <problem>". main() adds "(see 'rtv <command> --help')".
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Parse `args` against `desc`/`pos`; program_options' errors become a UsageError naming `cmd`.
po::variables_map parse(const std::string& cmd, const po::options_description& desc,
                        const po::positional_options_description& pos, const std::vector<std::string>& args);

/// x with 17 significant digits (round-trips a double).
std::string g17(double x);

/// The activation fields of every command's JSON that reads a network file: ReLU is assumed for a PyTorch .npz or
/// .safetensors (a state_dict stores no activation; README "File formats"), and named by rtv's own JSON formats.
void put_activation(nlohmann::ordered_json& j, const std::string& path);

/// The image and sinogram grid conventions (radon2d.hpp), part of the help of phantom, radon, fbp, seminorm.
extern const char* const kGrid;

/// The n x n image grid on [-L, L]^2; InputError naming --size/--extent if n < 1 or L is not positive finite.
rtv::ImageGrid image_grid(int n, double L);

/// An n x n array (image or grid) from .npy/.csv; InputError naming the file otherwise.
rtv::Array2D read_square(const std::string& path, const char* what);

/// The --threads option (0: all cores); a UsageError if negative.
int threads_option(const po::variables_map& vm);

/// Library errors read "<source>: <problem>" with the library's name for the input ("data", "network", a solver's
/// name). Re-throw naming the user's file instead: `files` maps a source to its file; the source "*" matches any.
[[noreturn]] void rethrow_naming_files(const rtv::InputError& e,
                                       std::initializer_list<std::pair<std::string, std::string>> files);

/// DATA.csv (or .npy): N rows x1..xd, y (one header line allowed): X (N x d), y (N). d + 2 points at least.
/// cmd_1d: the command needs d = 1 (a UsageError naming it otherwise).
void read_training_data(const std::string& path, Eigen::MatrixXd& X, Eigen::VectorXd& y,
                        const char* cmd_1d = nullptr);

/// An output file of a command: the flag that names it, the path ("" if not given: skipped) and the extensions
/// its writer takes (e.g. {".json"}, {".npy", ".csv"}; empty: any).
struct OutputFile {
  std::string flag, path;
  std::vector<std::string> extensions;
};

/// Check a command's outputs BEFORE anything is computed or written (issue 20: "-o" equal to the training CSV
/// replaced it; a bad second output left the first written): each output's folder exists and is writable, the
/// output is not a folder, its extension is one its writer takes, it is not one of `inputs` (the same file, also
/// through a link or another spelling), and no two outputs are the same file. An InputError naming the output.
void check_outputs(const std::vector<std::string>& inputs, const std::vector<OutputFile>& outputs);

/// Print a command's JSON result (indent 2) on stdout. JSON has no inf or NaN (nlohmann writes null, which reads
/// back as "missing"), so a non-finite number is refused: rtv::InternalError naming its key (issue 20: --json
/// printed an infinite path norm as null). Inputs are validated so that results are finite.
void print_json(const nlohmann::ordered_json& j);

/// The flag of `command` that sets the library option field `field` (e.g. train: "learning_rate" -> "--lr"),
/// or "" if the command has none. One table, in common.cpp.
std::string field_flag(const std::string& command, const std::string& field);

}  // namespace rtv::cli
