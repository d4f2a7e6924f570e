#include "virt_v2v_tool.hpp"

#include <fcntl.h>
#include <glob.h>
#include <unistd.h>

#include <hypersdk/cxx/plugin.hpp>

#include <cerrno>
#include <cstdlib>
#include <cstring>

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
    auto dirs = pc::default_extra_dirs();
    dirs.push_back("/usr/sbin");
    if (!pc::find_executable("nbdkit", "", dirs).found())
        problems.push_back(
            "nbdkit not found on PATH (virt-v2v streams disks through it; install with: apt-get "
            "install nbdkit)");
    // virt-v2v 2.x copies every disk with nbdcopy and opens non-raw inputs
    // with qemu-nbd; Debian's virt-v2v only recommends them, so a
    // --no-install-recommends install lacks them and fails after the
    // ten-minute FIX stage. Found missing here, it fails in a second.
    if (!pc::find_executable("nbdcopy", "", dirs).found())
        problems.push_back(
            "nbdcopy not found on PATH (virt-v2v copies the disks with it; install with: apt-get install "
            "libnbd-bin)");
    if (!pc::find_executable("qemu-nbd", "", dirs).found())
        problems.push_back(
            "qemu-nbd not found on PATH (virt-v2v opens non-raw disks with it; install with: apt-get install "
            "qemu-utils)");
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
