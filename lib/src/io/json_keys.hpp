// lib/src/io/json_keys.hpp (internal to the io layer): duplicate keys in a JSON text. nlohmann keeps the last of
// two equal keys silently; rtv's network JSON and the safetensors header forbid duplicates (issue 20). Used by
// network_json.cpp and safetensors.cpp as the parser callback: json::parse(text, std::ref(dup)).
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace rtv::io_detail {

// Duplicate keys: nlohmann keeps the last of two equal keys silently; the format forbids duplicates. The parser
// callback sees every key with the object it belongs to (a stack of the keys seen so far, one set per open
// object); the first duplicate is remembered with the tensor it sits in (a key of the outermost object) and
// reported after parsing.
struct DuplicateKeys {
  std::vector<std::set<std::string>> open;
  std::string tensor, duplicate;
  bool found = false;
  bool operator()(int /*depth*/, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    if (event == nlohmann::json::parse_event_t::object_start) {
      open.emplace_back();
    } else if (event == nlohmann::json::parse_event_t::object_end) {
      if (!open.empty()) open.pop_back();
    } else if (event == nlohmann::json::parse_event_t::key && !open.empty()) {
      const std::string key = parsed.get<std::string>();
      const bool outermost = open.size() == 1;
      if (outermost && !found) tensor = key;
      if (!open.back().insert(key).second && !found) {
        found = true;
        duplicate = key;
        if (outermost) tensor.clear();
      }
    }
    return true;
  }
};

}  // namespace rtv::io_detail
