#include "hypersdk/core/export_profile.hpp"

#include <hypersdk/files/directory.hpp>

#include "hypersdk/core/duration.hpp"
#include "hypersdk/core/manifest_validator.hpp"

#include <rapidjson/document.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <hypersdk/manifest/json_limits.hpp>

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace hypersdk::core {

namespace {

namespace fs = std::filesystem;
using rapidjson::Value;

// A profile is a dozen short options; anything larger is not one.
constexpr uintmax_t kMaxProfileBytes = 1u << 20;
// Leaves room for ".json.part" under NAME_MAX (255).
constexpr size_t kMaxNameLength = 200;

// One entry per key, in the order profile_to_json writes them. The member
// pointers let parse and serialise share the table, so a new field is one line.
using StringField = std::optional<std::string> ExportProfile::*;
using BoolField = std::optional<bool> ExportProfile::*;

enum class Kind { name, string, boolean, integer };

struct KeySpec {
    const char* key;
    Kind kind;
    StringField string_field = nullptr;
    BoolField bool_field = nullptr;
};

const std::vector<KeySpec>& key_specs() {
    static const std::vector<KeySpec> specs = {
        {"name", Kind::name},
        {"description", Kind::string, &ExportProfile::description},
        {"provider", Kind::string, &ExportProfile::provider},
        {"format", Kind::string, &ExportProfile::format},
        {"compress", Kind::boolean, nullptr, &ExportProfile::compress},
        {"fix", Kind::boolean, nullptr, &ExportProfile::fix},
        {"output", Kind::string, &ExportProfile::output},
        {"parallel", Kind::integer},
        {"power_off", Kind::boolean, nullptr, &ExportProfile::power_off},
        {"generate_manifest", Kind::boolean, nullptr, &ExportProfile::generate_manifest},
        {"verify_manifest", Kind::boolean, nullptr, &ExportProfile::verify_manifest},
        {"manifest_checksum", Kind::boolean, nullptr, &ExportProfile::manifest_checksum},
        {"manifest_target_format", Kind::string, &ExportProfile::manifest_target_format},
        {"auto_convert", Kind::boolean, nullptr, &ExportProfile::auto_convert},
        {"converter", Kind::string, &ExportProfile::converter},
        {"conversion_timeout", Kind::string, &ExportProfile::conversion_timeout},
        {"stream_conversion", Kind::boolean, nullptr, &ExportProfile::stream_conversion},
    };
    return specs;
}

std::string known_keys() {
    std::string out;
    for (const auto& spec : key_specs()) {
        if (!out.empty()) out += ", ";
        out += spec.key;
    }
    return out;
}

[[noreturn]] void fail(const std::string& source, const std::string& message) {
    throw ProfileError("profile " + source + ": " + message);
}

bool valid_name(std::string_view name) {
    if (name.empty() || name.size() > kMaxNameLength || name == ".") return false;
    if (name.find("..") != std::string_view::npos) return false;
    return std::all_of(name.begin(), name.end(),
                       [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '.' || c == '-'; });
}

std::string name_rule() {
    return "letters, digits, '_', '.', '-', at most 200, no \"..\"";
}

void require_valid_name(const std::string& name) {
    if (!valid_name(name))
        throw ProfileError("invalid profile name " + quote_for_message(name) + " (use " + name_rule() + ")");
}

fs::path path_for_name(const std::string& name) {
    require_valid_name(name);
    return profiles_dir() / (name + ".json");
}

bool loose_key_name(std::string_view key) {
    if (key.empty() || key.front() < 'a' || key.front() > 'z') return false;
    return std::all_of(key.begin(), key.end(),
                       [](unsigned char c) { return std::islower(c) || std::isdigit(c) || c == '_'; });
}

bool option_section_name(std::string_view key) {
    if (key.empty() || key.front() < 'a' || key.front() > 'z') return false;
    return std::all_of(key.begin(), key.end(),
                       [](unsigned char c) { return std::islower(c) || std::isdigit(c) || c == '-'; });
}

// A plugin option's value in command-line spelling; nullopt for JSON kinds
// no option type has (objects, nested arrays, null, fractions).
std::optional<ProfileOptionValue> option_value(const Value& value) {
    if (value.IsBool()) return ProfileOptionValue{value.GetBool() ? "true" : "false"};
    if (value.IsInt64()) return ProfileOptionValue{std::to_string(value.GetInt64())};
    if (value.IsString()) return ProfileOptionValue{std::string(value.GetString(), value.GetStringLength())};
    if (value.IsArray()) {
        ProfileOptionValue items;
        for (const auto& item : value.GetArray()) {
            if (!item.IsString()) return std::nullopt;
            items.emplace_back(item.GetString(), item.GetStringLength());
        }
        return items;
    }
    return std::nullopt;
}

void write_option_value(rapidjson::PrettyWriter<rapidjson::StringBuffer>& writer,
                        const ProfileOptionValue& value, bool as_list) {
    if (as_list || value.size() != 1) {
        writer.StartArray();
        for (const auto& item : value) writer.String(item);
        writer.EndArray();
        return;
    }
    const std::string& text = value.front();
    if (text == "true" || text == "false") {
        writer.Bool(text == "true");
        return;
    }
    const bool digits = !text.empty() && text.size() < 19 &&
                        std::all_of(text.begin() + (text[0] == '-' ? 1 : 0), text.end(),
                                    [](unsigned char c) { return std::isdigit(c); }) &&
                        text != "-";
    if (digits)
        writer.Int64(std::stoll(text));
    else
        writer.String(text);
}

// Value rules beyond the JSON type. Shared by parse (and therefore save).
void check_value(const std::string& source, const std::string& key, const std::string& value) {
    const auto quoted = quote_for_message(value);
    if (key == "format") {
        // Which formats exist depends on the provider; the export checks.
        const bool word = !value.empty() && std::all_of(value.begin(), value.end(), [](unsigned char c) {
            return std::islower(c) || std::isdigit(c) || c == '-';
        });
        if (!word)
            fail(source, "\"format\" must be an export format such as \"ovf\" or \"ova\", not " + quoted);
    } else if (key == "manifest_target_format") {
        if (value != "qcow2" && value != "raw" && value != "vdi")
            fail(source, "\"manifest_target_format\" must be \"qcow2\", \"raw\" or \"vdi\", not " + quoted);
    } else if (key == "conversion_timeout") {
        // The same grammar as --conversion-timeout, so a profile value always
        // means what the flag would.
        if (!parse_duration(value))
            fail(source,
                 "\"conversion_timeout\" must be a duration like 2h, 90m, 4h30m or 3600 (seconds), not " +
                     quoted);
    } else if (key != "description" && value.empty()) {
        fail(source, "\"" + key + "\" must not be empty");
    }
}

std::string read_file(const fs::path& path) {
    const std::string source = path.string();
    std::error_code ec;
    const auto status = fs::status(path, ec);
    if (ec || !fs::exists(status)) fail(source, "does not exist");
    if (!fs::is_regular_file(status)) fail(source, "is not a regular file");
    const auto size = fs::file_size(path, ec);
    if (ec) fail(source, ec.message());
    if (size > kMaxProfileBytes) fail(source, "larger than 1 MiB, not a profile");
    std::ifstream in(path, std::ios::binary);
    if (!in) fail(source, std::string("cannot open: ") + std::strerror(errno));
    std::ostringstream buffer;
    buffer << in.rdbuf();
    if (in.bad()) fail(source, "read error");
    return buffer.str();
}

}  // namespace

fs::path profiles_dir() {
    if (const char* dir = std::getenv("HYPEREXPORT_PROFILE_DIR"); dir && *dir) return fs::path(dir);
    const char* home = std::getenv("HOME");
    if (!home || !*home) {
        const passwd* pw = ::getpwuid(::getuid());
        if (!pw || !pw->pw_dir || !*pw->pw_dir)
            throw ProfileError("cannot find the profile directory: set HOME or HYPEREXPORT_PROFILE_DIR");
        home = pw->pw_dir;
    }
    return fs::path(home) / ".hyperexport" / "profiles";
}

ExportProfile parse_profile_json(std::string_view json, const std::string& source,
                                 const ProfileKeyClaim& claim) {
    rapidjson::Document document;
    // Bounded and iterative: a hostile, deeply nested file cannot exhaust the stack.
    if (std::string reason = manifest::parse_json_into(document, json); !reason.empty()) fail(source, reason);
    if (!document.IsObject()) fail(source, "must be a JSON object");

    ExportProfile profile;
    std::set<std::string> seen;
    for (const auto& member : document.GetObject()) {
        const std::string key(member.name.GetString(), member.name.GetStringLength());
        const Value& value = member.value;
        const auto spec = std::find_if(key_specs().begin(), key_specs().end(),
                                       [&](const KeySpec& s) { return key == s.key; });
        if (!seen.insert(key).second) fail(source, "duplicate key " + quote_for_message(key));
        if (key == "plugin_options") {
            if (!value.IsObject()) fail(source, "\"plugin_options\" must be an object of plugin names");
            for (const auto& section : value.GetObject()) {
                const std::string plugin(section.name.GetString(), section.name.GetStringLength());
                if (!option_section_name(plugin) || !section.value.IsObject())
                    fail(source, "\"plugin_options\" key " + quote_for_message(plugin) +
                                     " must be a plugin name ([a-z][a-z0-9-]*) holding an object of options");
                auto& options = profile.plugin_options[plugin];
                for (const auto& option : section.value.GetObject()) {
                    const std::string option_name(option.name.GetString(), option.name.GetStringLength());
                    const auto option_text = option_value(option.value);
                    if (!option_text)
                        fail(source, "\"plugin_options." + plugin + "." + option_name +
                                         "\" must be a string, integer, boolean or array of strings");
                    options[option_name] = *option_text;
                }
            }
            continue;
        }
        if (spec == key_specs().end()) {
            // Perhaps a loaded plugin's option in its flat spelling.
            const bool claimed = claim && loose_key_name(key) && claim(key);
            const auto loose = claimed ? option_value(value) : std::nullopt;
            if (!claimed)
                fail(source, "unknown key " + quote_for_message(key) + " (known: " + known_keys() +
                                 "; plugin options go under \"plugin_options\")");
            if (!loose)
                fail(source,
                     quote_for_message(key) + " must be a string, integer, boolean or array of strings");
            profile.loose_keys[key] = *loose;
            continue;
        }
        const std::string quoted_key = "\"" + key + "\"";
        switch (spec->kind) {
            case Kind::name: {
                if (!value.IsString()) fail(source, "\"name\" must be a string");
                std::string name(value.GetString(), value.GetStringLength());
                if (!valid_name(name))
                    fail(source, "\"name\" must be a profile name (" + name_rule() + "), not " +
                                     quote_for_message(name));
                profile.name = std::move(name);
                break;
            }
            case Kind::string: {
                if (!value.IsString()) fail(source, quoted_key + " must be a string");
                std::string text(value.GetString(), value.GetStringLength());
                check_value(source, key, text);
                profile.*(spec->string_field) = std::move(text);
                break;
            }
            case Kind::boolean:
                if (!value.IsBool()) fail(source, quoted_key + " must be true or false");
                profile.*(spec->bool_field) = value.GetBool();
                break;
            case Kind::integer:
                if (!value.IsInt() || value.GetInt() < 1 || value.GetInt() > 64)
                    fail(source, quoted_key + " must be an integer from 1 to 64");
                profile.parallel = value.GetInt();
                break;
        }
    }
    return profile;
}

std::string profile_to_json(const ExportProfile& profile) {
    rapidjson::StringBuffer buffer;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> writer(buffer);
    writer.SetIndent(' ', 2);
    writer.StartObject();
    for (const auto& spec : key_specs()) {
        switch (spec.kind) {
            case Kind::name:
                writer.Key(spec.key);
                writer.String(profile.name);
                break;
            case Kind::string:
                if (const auto& value = profile.*(spec.string_field)) {
                    writer.Key(spec.key);
                    writer.String(*value);
                }
                break;
            case Kind::boolean:
                if (const auto& value = profile.*(spec.bool_field)) {
                    writer.Key(spec.key);
                    writer.Bool(*value);
                }
                break;
            case Kind::integer:
                if (profile.parallel) {
                    writer.Key(spec.key);
                    writer.Int(*profile.parallel);
                }
                break;
        }
    }
    for (const auto& [key, value] : profile.loose_keys) {
        writer.Key(key);
        write_option_value(writer, value, false);
    }
    if (!profile.plugin_options.empty()) {
        writer.Key("plugin_options");
        writer.StartObject();
        for (const auto& [plugin, options] : profile.plugin_options) {
            writer.Key(plugin);
            writer.StartObject();
            for (const auto& [option, value] : options) {
                writer.Key(option);
                write_option_value(writer, value, false);
            }
            writer.EndObject();
        }
        writer.EndObject();
    }
    writer.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

ExportProfile load_profile(const std::string& name_or_path, const ProfileKeyClaim& claim) {
    const bool is_path = name_or_path.find('/') != std::string::npos;
    const fs::path path = is_path ? fs::path(name_or_path) : path_for_name(name_or_path);
    ExportProfile profile = parse_profile_json(read_file(path), path.string(), claim);
    // A profile file need not repeat its name; the file name says it.
    if (profile.name.empty()) profile.name = is_path ? path.stem().string() : name_or_path;
    return profile;
}

void save_profile(const ExportProfile& profile, bool overwrite) {
    const fs::path path = path_for_name(profile.name);
    const std::string source = path.string();
    const std::string json = profile_to_json(profile);
    // Refuse now what load would refuse later (a --set format=vm x, say); the
    // flat plugin keys it holds were claimed when they were read.
    parse_profile_json(json, source,
                       [&profile](const std::string& key) { return profile.loose_keys.count(key) != 0; });

    try {
        // A profile directory holds host names and paths: private.
        files::create_directories(path.parent_path(), 0700);
    } catch (const files::Error& e) {
        throw ProfileError(std::string("cannot create the profile directory: ") + e.what());
    }
    std::error_code ec;
    if (!overwrite && fs::exists(fs::symlink_status(path, ec)))
        fail(source, "already exists (use --force to replace it)");

    // Write beside the target and rename, so a reader (or a crash) never sees
    // half a profile; never through a symlink planted at either name.
    try {
        files::Directory(path.parent_path()).write_atomically(path.filename().string(), json, 0600);
    } catch (const files::Error& e) {
        fail(source, e.what());
    }
}

std::vector<std::string> list_profiles() {
    std::vector<std::string> names;
    const fs::path dir = profiles_dir();
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return names;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const fs::path& entry = it->path();
        if (entry.extension() != ".json" || !it->is_regular_file(ec)) continue;
        std::string name = entry.stem().string();
        // Skip files load_profile could not reach by name.
        if (valid_name(name)) names.push_back(std::move(name));
    }
    if (ec) throw ProfileError("cannot list profile directory " + dir.string() + ": " + ec.message());
    std::sort(names.begin(), names.end());
    return names;
}

bool delete_profile(const std::string& name) {
    const fs::path path = path_for_name(name);
    if (::unlink(path.c_str()) == 0) return true;
    if (errno == ENOENT) return false;
    fail(path.string(), std::string("cannot delete: ") + std::strerror(errno));
}

}  // namespace hypersdk::core
