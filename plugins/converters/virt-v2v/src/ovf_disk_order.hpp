// Which disk virt-v2v -i ova writes as sda, sdb, ...: it numbers the OVF's
// hard-disk Items (rasd:ResourceType 17) in document order (input/OVF.ml),
// each chased through DiskSection (ovf:fileRef) to its References File
// (ovf:href). Knowing that order up front lets the outputs be named after the
// manifest's disks (disk-0.qcow2, ...) rather than after drive letters.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace hypersdk::virt_v2v {

// The hrefs of the OVF's hard disks in virt-v2v's order. Throws
// std::runtime_error saying why when the descriptor cannot be read so.
std::vector<std::string> ovf_disk_hrefs(std::string_view ovf_text);

// The descriptor virt-v2v -i ova reads from `input`: the one *.ovf in a
// directory, or the first *.ovf member of an .ova (tar) file. Throws
// std::runtime_error naming the file when there is none or it is too large.
std::string read_ovf_descriptor(const std::string& input);

}  // namespace hypersdk::virt_v2v
