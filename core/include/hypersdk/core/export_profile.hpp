// Export profiles: named, reusable sets of export/conversion options kept as
// JSON files (~/.hyperexport/profiles/NAME.json). Options given on the command
// line override the profile, so every field is optional: unset means "not
// said by the profile". Profiles never hold credentials: the host refuses a
// plugin's secret option in one.
//
// Plugin options (ABI 1.1) live in a per-plugin section, keyed by the
// provider's or converter's name: "plugin_options": {"vsphere":
// {"datacenter": "DC0"}}. Core does not know the plugins, so it keeps that
// section as text for the host to check against the loaded plugins' option
// tables. The older flat spelling of a plugin option ("insecure",
// "<converter>_<option>") is read when the caller's ProfileKeyClaim says a
// loaded plugin declares it; every other unknown key is an error.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace hypersdk::core {

// An option value as a command line would spell it: bool "true"/"false",
// integer digits, a string, or a list's items.
using ProfileOptionValue = std::vector<std::string>;

struct ExportProfile {
    std::string name;
    std::optional<std::string> description, provider, format, manifest_target_format, converter, output,
        conversion_timeout;
    std::optional<bool> compress, fix, generate_manifest, verify_manifest, manifest_checksum, auto_convert,
        stream_conversion, power_off;
    std::optional<int> parallel;
    // plugin name -> option name -> value ("plugin_options").
    std::map<std::string, std::map<std::string, ProfileOptionValue>> plugin_options;
    // Other top-level keys ([a-z][a-z0-9_]*, scalar or string array) for the
    // host to match against plugin options: the flat spellings "<option>" (the
    // profile's provider) and "<converter>_<option>" ('-' written '_').
    std::map<std::string, ProfileOptionValue> loose_keys;
};

// Every problem with a profile: the message names the file and the key, e.g.
// `profile /x/p.json: unknown key "formt" (known: ...)`.
class ProfileError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// $HYPEREXPORT_PROFILE_DIR, else $HOME/.hyperexport/profiles.
std::filesystem::path profiles_dir();

// Says whether an unknown top-level key is the flat spelling of a loaded
// plugin's option (the host builds it from the option tables).
using ProfileKeyClaim = std::function<bool(const std::string& key)>;

// A name (^[A-Za-z0-9_.-]+$, no "..") -> profiles_dir()/NAME.json; a value
// containing '/' -> that file. Throws ProfileError (missing file names the path).
ExportProfile load_profile(const std::string& name_or_path, const ProfileKeyClaim& claim = {});

// Writes profiles_dir()/NAME.json atomically (NAME.json.part + rename); the
// directory is created 0700. Throws ProfileError when the name is invalid or
// the profile exists and !overwrite.
void save_profile(const ExportProfile& profile, bool overwrite);

// Names of the *.json files in profiles_dir(), sorted; empty when the
// directory does not exist.
std::vector<std::string> list_profiles();

// False when there was no such profile. Throws ProfileError on a bad name.
bool delete_profile(const std::string& name);

// Set fields only, in a fixed order, 2-space pretty JSON with a final newline.
std::string profile_to_json(const ExportProfile& profile);

// Strict: unknown keys, wrong types and bad values throw ProfileError naming
// source_for_errors and the key.
ExportProfile parse_profile_json(std::string_view json, const std::string& source_for_errors,
                                 const ProfileKeyClaim& claim = {});

}  // namespace hypersdk::core
