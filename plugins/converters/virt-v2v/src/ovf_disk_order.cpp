#include "ovf_disk_order.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <hypersdk/files/directory.hpp>
#include <hypersdk/xml/xml_limits.hpp>

#include <cstring>
#include <filesystem>
#include <pugixml.hpp>
#include <stdexcept>

namespace hypersdk::virt_v2v {
namespace {

namespace fs = std::filesystem;

// Real descriptors are kilobytes (the vSphere client reads them with the same limits).
constexpr xml::XmlLimits kOvfLimits{16u << 20, 1u << 20, 128};
constexpr size_t kMaxDescriptorBytes = kOvfLimits.max_bytes;
constexpr int kMaxTarMembers = 4096;

std::string_view local_name(const pugi::xml_node& node) {
    std::string_view name = node.name();
    const size_t colon = name.find(':');
    return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

// An attribute by local name (ovf:href, ovf:id ... whatever the prefix).
std::string attribute(const pugi::xml_node& node, std::string_view name) {
    for (const pugi::xml_attribute a : node.attributes()) {
        std::string_view n = a.name();
        const size_t colon = n.find(':');
        if ((colon == std::string_view::npos ? n : n.substr(colon + 1)) == name) return a.value();
    }
    return {};
}

pugi::xml_node child(const pugi::xml_node& node, std::string_view name) {
    for (const pugi::xml_node c : node.children())
        if (local_name(c) == name) return c;
    return {};
}

std::string child_text(const pugi::xml_node& node, std::string_view name) {
    std::string text = child(node, name).text().get();
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.erase(0, 1);
    return text;
}

std::string read_regular(const fs::path& path, size_t max_bytes) {
    const files::Directory dir(path.parent_path());
    const files::UniqueFd fd = dir.open_regular(path.filename().string(), O_RDONLY, false);
    if (!fd) throw std::runtime_error(path.string() + " does not exist");
    auto text = files::read_all(fd.get(), max_bytes, path);
    if (!text)
        throw std::runtime_error(path.string() + " is larger than " + std::to_string(max_bytes) + " bytes");
    return *text;
}

bool read_exactly(int fd, char* data, size_t size, off_t offset) {
    size_t done = 0;
    while (done < size) {
        const ssize_t n = ::pread(fd, data + done, size - done, offset + static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<size_t>(n);
    }
    return true;
}

// The first *.ovf member of a tar (ustar or GNU) archive.
std::string ovf_from_tar(const fs::path& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) throw std::runtime_error("cannot open " + path.string() + ": " + std::strerror(errno));
    const files::UniqueFd owner(fd);
    off_t offset = 0;
    for (int member = 0; member < kMaxTarMembers; ++member) {
        char header[512];
        if (!read_exactly(fd, header, sizeof header, offset) || header[0] == '\0') break;
        const std::string name(header, strnlen(header, 100));
        const std::string size_field(header + 124, strnlen(header + 124, 12));
        uint64_t size = 0;
        for (char c : size_field)
            if (c >= '0' && c <= '7') size = size * 8 + static_cast<uint64_t>(c - '0');
        const char type = header[156];
        offset += 512;
        if ((type == '0' || type == '\0') && name.size() > 4 && name.substr(name.size() - 4) == ".ovf") {
            if (size > kMaxDescriptorBytes)
                throw std::runtime_error("the OVF member " + name + " of " + path.string() + " is too large");
            std::string text(size, '\0');
            if (!read_exactly(fd, text.data(), size, offset))
                throw std::runtime_error("the OVF member " + name + " of " + path.string() + " is truncated");
            return text;
        }
        offset += static_cast<off_t>((size + 511) / 512 * 512);
    }
    throw std::runtime_error(path.string() + " holds no *.ovf member");
}

}  // namespace

std::vector<std::string> ovf_disk_hrefs(std::string_view ovf_text) {
    pugi::xml_document document;
    if (const std::string reason = xml::parse_xml_limited(document, ovf_text, kOvfLimits); !reason.empty())
        throw std::runtime_error("the OVF descriptor is " + reason);
    const pugi::xml_node envelope = document.document_element();
    if (local_name(envelope) != "Envelope") throw std::runtime_error("the OVF descriptor has no Envelope");
    const pugi::xml_node hardware = child(child(envelope, "VirtualSystem"), "VirtualHardwareSection");
    std::vector<std::string> hrefs;
    for (const pugi::xml_node item : hardware.children()) {
        if (local_name(item) != "Item" || child_text(item, "ResourceType") != "17") continue;
        std::string resource = child_text(item, "HostResource");
        for (const std::string_view prefix : {"ovf:/disk/", "/disk/"})
            if (resource.rfind(prefix, 0) == 0) resource.erase(0, prefix.size());
        std::string file_ref;
        for (const pugi::xml_node disk : child(envelope, "DiskSection").children())
            if (local_name(disk) == "Disk" && attribute(disk, "diskId") == resource)
                file_ref = attribute(disk, "fileRef");
        std::string href;
        for (const pugi::xml_node file : child(envelope, "References").children())
            if (local_name(file) == "File" && !file_ref.empty() && attribute(file, "id") == file_ref)
                href = attribute(file, "href");
        if (href.empty())
            throw std::runtime_error("the OVF hard disk '" + resource + "' leads to no References/File href");
        hrefs.push_back(href);
    }
    return hrefs;
}

std::string read_ovf_descriptor(const std::string& input) {
    std::error_code ec;
    if (!fs::is_directory(input, ec)) return ovf_from_tar(input);
    for (const auto& entry : fs::directory_iterator(input, ec))
        if (entry.path().extension() == ".ovf") return read_regular(entry.path(), kMaxDescriptorBytes);
    throw std::runtime_error("no *.ovf file in " + input);
}

}  // namespace hypersdk::virt_v2v
