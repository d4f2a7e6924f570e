#include "images.hpp"

#include <openssl/evp.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "process.hpp"

namespace hypersdk::test {

std::vector<ImageVariant> all_source_variants() {
    return {
        {"vmdk-monolithicSparse", "vmdk", "vmdk", {"-o", "subformat=monolithicSparse"}, "vmdk"},
        {"vmdk-streamOptimized", "vmdk", "vmdk", {"-o", "subformat=streamOptimized"}, "vmdk"},
        {"vhd-dynamic", "vhd", "vpc", {"-o", "subformat=dynamic,force_size=on"}, "vhd"},
        // A fixed VHD is raw data plus a footer: read as raw it would be one
        // sector too long, which is exactly the bug `-f vpc` avoids.
        {"vhd-fixed", "vhd", "vpc", {"-o", "subformat=fixed,force_size=on"}, "vhd"},
        {"vhdx", "vhdx", "vhdx", {}, "vhdx"},
        {"raw", "raw", "raw", {}, "img"},
        {"qcow2", "qcow2", "qcow2", {}, "qcow2"},
    };
}

void write_patterned_raw(const std::filesystem::path& path, uint64_t bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot create " + path.string());
    out.seekp(static_cast<std::streamoff>(bytes - 1));
    out.put('\0');
    const uint64_t mib = 1024 * 1024;
    const uint64_t offsets[] = {0, bytes / 2, bytes / 3 + 4097, bytes - mib};
    uint32_t seed = 0x9e3779b9u;
    for (const uint64_t offset : offsets) {
        std::string block(256 * 1024, '\0');
        for (auto& c : block) {
            seed = seed * 1664525u + 1013904223u;  // deterministic, incompressible enough
            c = static_cast<char>(seed >> 24);
        }
        out.seekp(static_cast<std::streamoff>(offset));
        out.write(block.data(), static_cast<std::streamsize>(block.size()));
    }
    if (!out) throw std::runtime_error("writing " + path.string() + " failed");
}

void convert_raw_to(const std::filesystem::path& raw, const ImageVariant& variant,
                    const std::filesystem::path& out) {
    std::vector<std::string> argv{"qemu-img", "convert", "-f", "raw", "-O", variant.qemu_format};
    argv.insert(argv.end(), variant.create_options.begin(), variant.create_options.end());
    argv.push_back(raw.string());
    argv.push_back(out.string());
    const ProcessResult result = run_process(argv);
    if (result.exit_code != 0)
        throw std::runtime_error("qemu-img convert to " + variant.name + " failed: " + result.err);
}

bool images_identical(const std::filesystem::path& a, const std::string& format_a,
                      const std::filesystem::path& b, const std::string& format_b, std::string* detail) {
    const ProcessResult result =
        run_process({"qemu-img", "compare", "-f", format_a, "-F", format_b, a.string(), b.string()});
    if (detail != nullptr) *detail = result.out + result.err;
    return result.exit_code == 0;
}

std::string sha256_of_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + path.string());
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
    std::vector<char> buffer(1 << 20);
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        if (in.gcount() > 0) EVP_DigestUpdate(ctx.get(), buffer.data(), static_cast<size_t>(in.gcount()));
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx.get(), digest, &length);
    std::string hex = "sha256:";
    char byte[3];
    for (unsigned int i = 0; i < length; ++i) {
        std::snprintf(byte, sizeof byte, "%02x", digest[i]);
        hex += byte;
    }
    return hex;
}

}  // namespace hypersdk::test
