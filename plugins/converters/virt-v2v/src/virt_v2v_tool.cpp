#include "virt_v2v_tool.hpp"

#include <fcntl.h>
#include <glob.h>
#include <unistd.h>

#include <hypersdk/cxx/plugin.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>

#include "hypersdk/plugin_common/binary_lookup.hpp"
#include "hypersdk/plugin_common/tool_version.hpp"

namespace hypersdk::virt_v2v {
namespace pc = hypersdk::plugin_common;
namespace {

std::string missing_virt_v2v(const pc::LookupResult& found) {
    if (!found.error.empty())
        return std::string("--virt-v2v-binary ") + found.error + " (install with: " + kInstallHint +
               ", or fix --virt-v2v-binary)";
    return std::string(
               "virt-v2v not found on PATH, /usr/local/bin, /usr/bin or ~/.local/bin (install with: ") +
           kInstallHint + ")";
}

// The appliance kernel: SUPERMIN_KERNEL when set (supermin's own override),
// else any readable /boot/vmlinuz-*. Debian installs them mode 0600.
std::string kernel_problem(const pc::ConverterConfig& config) {
    if (const std::string kernel = effective_env(config, "SUPERMIN_KERNEL"); !kernel.empty()) {
        if (::access(kernel.c_str(), R_OK) == 0) return {};
        return "SUPERMIN_KERNEL=" + kernel + " is not a readable file (" + std::strerror(errno) +
               "): point it at a kernel image the libguestfs appliance can boot";
    }
    glob_t matches{};
    const int rc = ::glob("/boot/vmlinuz-*", 0, nullptr, &matches);
    bool any = false, readable = false;
    for (size_t i = 0; rc == 0 && i < matches.gl_pathc; ++i) {
        any = true;
        if (::access(matches.gl_pathv[i], R_OK) == 0) readable = true;
    }
    ::globfree(&matches);
    if (readable) return {};
    if (any)
        return "no readable kernel for the libguestfs appliance: /boot/vmlinuz-* exist but cannot be read by "
               "this "
               "user (make them readable: chmod 0644 /boot/vmlinuz-*, or set SUPERMIN_KERNEL)";
    return "no kernel for the libguestfs appliance: /boot/vmlinuz-* is missing (install with: apt-get "
           "install "
           "linux-image-amd64, or set SUPERMIN_KERNEL)";
}

// The tools virt-v2v 2.2 runs for -i disk, -i ova and -o local, and the
// nbdkit plugin and filter it probes for exactly as it does
// (lib/nbdkit.ml: "nbdkit PLUGIN --version", "nbdkit null --filter=F --version").
struct HelperTool {
    const char* name;
    const char* what;
    const char* package;
    const char* why;
    std::vector<std::string> probe;  // arguments that must succeed; empty = presence is enough
};
const HelperTool kHelperTools[] = {
    {"nbdkit",
     "nbdkit",
     "nbdkit",
     "virt-v2v serves disks to the appliance and to nbdcopy through it",
     {"--version"}},
    {"nbdkit",
     "nbdkit's file plugin",
     "nbdkit",
     "it serves raw input disks and every -o local output",
     {"file", "--version"}},
    {"nbdkit",
     "nbdkit's cow filter",
     "nbdkit",
     "it keeps -i disk inputs read-only",
     {"null", "--filter=cow", "--version"}},
    {"nbdcopy", "nbdcopy", "libnbd-bin", "virt-v2v copies the disks with it", {}},
    {"qemu-nbd",
     "qemu-nbd",
     "qemu-utils",
     "virt-v2v opens non-raw disks, OVA disks and qcow2 outputs with it",
     {}},
};

// `name` on the PATH the tool will run with (the config's, else ours).
std::string find_on_tool_path(const pc::ConverterConfig& config, const std::string& name) {
    const std::string path = effective_env(config, "PATH");
    for (size_t start = 0; start <= path.size();) {
        const size_t end = std::min(path.find(':', start), path.size());
        const std::string dir = path.substr(start, end - start);
        start = end + 1;
        if (dir.empty()) continue;
        const std::string candidate = dir + "/" + name;
        if (pc::executable_problem(candidate).empty()) return candidate;
    }
    return {};
}

std::string helper_problem(const pc::ConverterConfig& config, const HelperTool& helper) {
    const std::string found = find_on_tool_path(config, helper.name);
    const std::string install = std::string("install with: apt-get install ") + helper.package;
    if (found.empty()) {
        // Present elsewhere (e.g. /usr/sbin, not on a user's PATH) is still
        // missing for virt-v2v, which looks it up by name.
        auto dirs = pc::default_extra_dirs();
        dirs.insert(dirs.end(), {"/usr/sbin", "/sbin"});
        const auto elsewhere = pc::find_executable(helper.name, "", dirs);
        if (elsewhere.found())
            return std::string(helper.name) + " is at " + elsewhere.path +
                   " but not on the PATH virt-v2v runs with (" + helper.why + "; add its directory to PATH)";
        return std::string(helper.name) + " not found on PATH (" + helper.why + "; " + install + ")";
    }
    if (helper.probe.empty()) return {};
    const auto probe = pc::probe_version(found, config, helper.probe, 15);
    if (probe.ok()) return {};
    return std::string(helper.what) + " does not work (" + helper.why + "; " + install +
           "): " + probe.problem;
}

}  // namespace

std::string effective_env(const pc::ConverterConfig& config, const std::string& name) {
    if (const auto it = config.environment.find(name); it != config.environment.end()) return it->second;
    const char* value = std::getenv(name.c_str());
    return value != nullptr ? value : "";
}

std::string kvm_problem() {
    const int fd = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd >= 0) {
        ::close(fd);
        return {};
    }
    return std::string("/dev/kvm: ") + std::strerror(errno);
}

bool tcg_forced(const pc::ConverterConfig& config) {
    return effective_env(config, "LIBGUESTFS_BACKEND_SETTINGS").find("force_tcg") != std::string::npos;
}

std::vector<std::string> prerequisite_problems(const pc::ConverterConfig& config) {
    std::vector<std::string> problems;
    const auto v2v = pc::find_executable("virt-v2v", config.binary_path);
    if (!v2v.found()) problems.push_back(missing_virt_v2v(v2v));
    // virt-v2v starts these itself, by name, on its own PATH. Debian's
    // virt-v2v only recommends nbdcopy and qemu-nbd, so a
    // --no-install-recommends install lacks them and failed after the
    // ten-minute FIX stage; found missing here, it fails in a second.
    std::set<std::string> failed;  // one message per missing binary, not per probe
    for (const auto& helper : kHelperTools) {
        if (failed.count(helper.name) != 0) continue;
        const std::string problem = helper_problem(config, helper);
        if (problem.empty()) continue;
        problems.push_back(problem);
        failed.insert(helper.name);
    }
    if (std::string kernel = kernel_problem(config); !kernel.empty()) problems.push_back(std::move(kernel));
    if (const std::string kvm = kvm_problem(); !kvm.empty() && !tcg_forced(config))
        problems.push_back("KVM is not available (" + kvm + "): set " + kForceTcg +
                           " in the converter environment so the appliance runs under TCG");
    if (!problems.empty() && !tcg_forced(config) && kvm_problem().empty())
        problems.push_back(
            std::string("note: where KVM is present but unusable (containers, nested CI), also set ") +
            kForceTcg);
    return problems;
}

std::string find_virt_v2v(const pc::ConverterConfig& config) {
    const auto found = pc::find_executable("virt-v2v", config.binary_path);
    if (!found.found()) throw cxx::Error(HYPERSDK_ERR_TOOL_MISSING, missing_virt_v2v(found));
    return found.path;
}

std::string virt_v2v_version(const std::string& binary, const pc::ConverterConfig& config) {
    const auto probe = pc::probe_version(binary, config);
    if (!probe.ok())
        throw cxx::Error(HYPERSDK_ERR_TOOL_FAILED,
                         "virt-v2v at " + binary + " is not usable: " + probe.problem);
    return probe.version;
}

}  // namespace hypersdk::virt_v2v
