#include "plugin_config.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hypersdk/provider/error.hpp>

namespace hypersdk::azure::plugin {
namespace {

using provider::Error;
using provider::ErrorKind;

[[noreturn]] void bad_option(const std::string& message) {
    throw Error(ErrorKind::config, message);
}

}  // namespace

std::vector<std::string> read_sas_url_file(const std::string& path) {
    // O_NOFOLLOW: the file is named by the user, but a symlink swapped in is not followed.
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0)
        bad_option("cannot open --disk-sas-url-file " + path +
                   ": it must be a regular file (not a symlink) you can read");
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (1 << 20)) {
        ::close(fd);
        bad_option("--disk-sas-url-file " + path + " must be a regular file of at most 1 MiB");
    }
    std::string text(static_cast<size_t>(st.st_size), '\0');
    size_t got = 0;
    while (got < text.size()) {
        const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
        if (n <= 0) break;
        got += static_cast<size_t>(n);
    }
    ::close(fd);
    text.resize(got);
    std::vector<std::string> urls;
    size_t line_no = 0, at = 0;
    while (at < text.size()) {
        size_t end = text.find('\n', at);
        if (end == std::string::npos) end = text.size();
        std::string line = text.substr(at, end - at);
        at = end + 1;
        ++line_no;
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
            line.pop_back();
        size_t first = line.find_first_not_of(" \t");
        if (first == std::string::npos || line[first] == '#') continue;
        line.erase(0, first);
        // The message names the line, never its content (a SAS is a credential).
        if (line.rfind("https://", 0) != 0 || line.find('?') == std::string::npos ||
            line.find_first_of(" \t") != std::string::npos)
            bad_option("--disk-sas-url-file " + path + ", line " + std::to_string(line_no) +
                       ": not an https SAS URL (https://ACCOUNT.blob.core.windows.net/...?sv=...&sig=...)");
        urls.push_back(line);
    }
    if (urls.empty()) bad_option("--disk-sas-url-file " + path + " holds no SAS URL");
    if (urls.size() > 64) bad_option("--disk-sas-url-file " + path + " holds more than 64 URLs");
    return urls;
}

PluginConfig parse_config(const provider::OptionValues& config) {
    PluginConfig c;
    const auto s = [&](const char* key) { return config.string(key).value_or(""); };
    c.azure.tenant_id = s("tenant-id");
    c.azure.client_id = s("client-id");
    c.azure.client_secret = s("client-secret");
    c.azure.subscription_id = s("subscription-id");
    c.azure.authority_host = s("authority-host");
    c.azure.arm_endpoint = s("arm-endpoint");
    c.azure.ca_file = s("ca-file");
    c.resource_group = s("resource-group");
    c.keep_snapshots = config.boolean("keep-snapshots").value_or(false);
    c.no_snapshot = config.boolean("no-snapshot").value_or(false);
    c.azure_format = s("azure-format");
    if (!c.azure_format.empty() && c.azure_format != "vhd" && c.azure_format != "raw")
        bad_option("--azure-format " + c.azure_format +
                   " is not supported: use vhd (the fixed VHD Azure stores) or raw (the disk without its "
                   "512-byte footer)");
    c.access_seconds = config.integer("access-seconds", 60, 7 * 86400).value_or(3600);
    c.range_bytes = static_cast<uint64_t>(config.integer("range-mib", 1, 256).value_or(4)) << 20;
    c.operation_timeout_seconds = config.integer("operation-timeout", 10, 7 * 86400).value_or(3600);
    if (const std::string file = s("disk-sas-url-file"); !file.empty()) c.sas_urls = read_sas_url_file(file);
    c.azure.normalise(c.sas_urls.empty());  // azure::Error(config) naming the option and its variable
    return c;
}

ExportOptions parse_export_options(const provider::OptionValues& options) {
    const provider::CommonExportOptions common = provider::common_export_options(options);
    ExportOptions o;
    o.format = common.format.empty() ? "vhd" : common.format;
    if (o.format != "vhd" && o.format != "raw")
        throw Error(ErrorKind::unsupported,
                    "export format \"" + o.format + "\" is not supported by azure; use vhd or raw");
    o.power_off = common.power_off;
    o.parallel = common.parallel;
    return o;
}

}  // namespace hypersdk::azure::plugin
