// Recognises a disk image's format from its magic numbers, for manifests built
// from files that already exist (`hyperexport manifest create`).
#pragma once

#include <filesystem>
#include <string>

namespace hypersdk::core {

// Returns one of kDiskSourceFormats: "vmdk" (sparse "KDMV" header or a
// "# Disk DescriptorFile" descriptor), "qcow2" ("QFI\xfb"), "vhd" ("conectix"
// at offset 0 or in the 512-byte footer), "vhdx" ("vhdxfile"), "vdi"
// (0xbeda107f at offset 64), otherwise "raw". Throws std::system_error when
// the file cannot be opened or read, manifest::UnreadableFileError when it is
// not a regular file.
std::string detect_disk_format(const std::filesystem::path& path);

}  // namespace hypersdk::core
