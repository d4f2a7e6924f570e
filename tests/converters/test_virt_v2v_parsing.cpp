// The virt-v2v converter's readers on their own: its output as progress (fed
// through the same line splitter as a real run, in pieces and with '\r'),
// the domain XML it writes, and the OVF disk order it follows.
#include <gtest/gtest.h>

#include <hypersdk/process/subprocess.hpp>

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "domain_xml.hpp"
#include "ovf_disk_order.hpp"
#include "temp_dir.hpp"
#include "test_images.hpp"
#include "virt_v2v_progress.hpp"

namespace fs = std::filesystem;
using namespace hypersdk::virt_v2v;

namespace {

// Feeds `chunks` as a pipe would deliver them; returns the fraction after each line.
std::vector<double> feed_chunks(ProgressParser& parser, const std::vector<std::string>& chunks) {
    hypersdk::process::LineSplitter splitter;
    std::vector<double> fractions;
    const auto emit = [&](std::string_view line) {
        parser.feed(line);
        fractions.push_back(parser.fraction());
    };
    for (const auto& chunk : chunks) splitter.feed(chunk, emit);
    splitter.finish(emit);
    return fractions;
}

}  // namespace

TEST(VirtV2vProgress, StagesSplitAcrossReadsAndTheCopyBarMoveTheFraction) {
    ProgressParser p;
    const auto fractions = feed_chunks(
        p, {"[   0.0] Setting up the source: -i ova /exp\n[   1.5] Opening the so", "urce\n[  12.3] Insp",
            "ecting the source\n", "[ 600.1] Converting Debian GNU/Linux 12 (bookworm) to run on KVM\n",
            "virt-v2v: This guest has virtio drivers installed.\n[ 640.0] Setting up the destination: -o "
            "local\n",
            "[ 700.0] Copying disk 1/2\n", "\xe2\xa0\x8b   0% [----------]\r\xe2\xa0\x99  50% [*****-----]\r",
            "\xe2\xa0\xb9 100% [**********]\n[ 760.0] Copying disk 2/2\n\xe2\xa0\x8b  50% [*****-----]\r",
            "[ 800.0] Creating output metadata\n[ 801.0] Finishing off\n"});
    EXPECT_EQ(p.stage(), "Finishing off");
    EXPECT_EQ(p.product(), "Debian GNU/Linux 12 (bookworm)");
    ASSERT_EQ(p.stages().size(), 9u);
    EXPECT_EQ(p.stages()[2].name, "Inspecting the source");
    EXPECT_DOUBLE_EQ(p.stages()[2].started_at, 12.3);
    EXPECT_EQ(p.phase(), Phase::convert);
    EXPECT_DOUBLE_EQ(*p.phase_started_at(Phase::inspect), 0.0);
    EXPECT_DOUBLE_EQ(*p.phase_started_at(Phase::fix), 600.1);
    EXPECT_DOUBLE_EQ(*p.phase_started_at(Phase::convert), 640.0);
    for (size_t i = 1; i < fractions.size(); ++i) EXPECT_GE(fractions[i], fractions[i - 1]) << i;
    // Disk 1 at 50%: a quarter of the copy's share (0.80-0.97); disk 2 at 50%: three quarters.
    EXPECT_TRUE(std::any_of(fractions.begin(), fractions.end(),
                            [](double f) { return std::abs(f - (0.80 + 0.17 * 0.25)) < 1e-9; }));
    EXPECT_TRUE(std::any_of(fractions.begin(), fractions.end(),
                            [](double f) { return std::abs(f - (0.80 + 0.17 * 0.75)) < 1e-9; }));
    EXPECT_DOUBLE_EQ(p.fraction(), 0.99);
}

TEST(VirtV2vProgress, OtherLinesAndLookAlikesChangeNothing) {
    ProgressParser p;
    EXPECT_EQ(p.feed("[   3.0] Inspecting the source"), LineKind::stage);
    const double before = p.fraction();
    for (const char* line : {"virt-v2v: warning: the guest uses 90% [of its disk]",
                             "libguestfs: trace: v2v: 64% [*x*]", "[ abc] not a stage", "[12] no decimals",
                             "50% [*****-----]",  // a bar, but not while copying
                             "", "[   9.0] "}) {
        p.feed(line);
        EXPECT_EQ(p.fraction(), before) << line;
    }
    EXPECT_EQ(p.stage(), "Inspecting the source");
    // An unknown stage is named but does not move the bar; a later bar cannot move it back.
    EXPECT_EQ(p.feed("[  20.0] Something new in virt-v2v 2.9"), LineKind::stage);
    EXPECT_EQ(p.stage(), "Something new in virt-v2v 2.9");
    EXPECT_EQ(p.fraction(), before);
    p.feed("[  30.0] Creating output metadata");
    p.feed("[  31.0] Copying disk 1/1");
    p.feed("\xe2\xa0\x8b  10% [*---------]");
    EXPECT_DOUBLE_EQ(p.fraction(), 0.97);
    EXPECT_EQ(p.product(), "");
}

TEST(VirtV2vProgress, AnUnknownGuestHasNoProduct) {
    ProgressParser p;
    p.feed("[ 100.0] Converting the guest to run on KVM");
    EXPECT_EQ(p.product(), "");
    EXPECT_EQ(p.phase(), Phase::fix);
    EXPECT_DOUBLE_EQ(p.fraction(), 0.10);
}

TEST(VirtV2vDomainXml, RewritesTheRenamedDisksAndReadsTheGuest) {
    const std::string xml = R"(<?xml version='1.0' encoding='utf-8'?>
<domain type='kvm'>
  <name>web</name>
  <metadata>
    <libosinfo:libosinfo xmlns:libosinfo='http://libosinfo.org/xmlns/libvirt/domain/1.0'>
      <libosinfo:os id='http://debian.org/debian/12'/>
    </libosinfo:libosinfo>
  </metadata>
  <os firmware='efi'><type arch='x86_64' machine='q35'>hvm</type></os>
  <devices>
    <disk type='file' device='disk'><source file='/out/.virt-v2v-a/web-sda'/><target dev='vda'/></disk>
    <disk type='file' device='disk'><source file='/elsewhere/other.img'/><target dev='vdb'/></disk>
    <disk device='cdrom' type='file'><target dev='sda' bus='sata'/></disk>
  </devices>
</domain>)";
    const auto r = rewrite_domain_xml(xml, {{"/out/.virt-v2v-a/web-sda", "/out/disk-0.qcow2"}}, "web.xml");
    EXPECT_EQ(r.sources_rewritten, 1);
    EXPECT_EQ(r.sources_left, std::vector<std::string>{"/elsewhere/other.img"});
    EXPECT_NE(r.text.find("<source file=\"/out/disk-0.qcow2\" />"), std::string::npos) << r.text;
    EXPECT_EQ(r.text.find("web-sda"), std::string::npos) << r.text;
    EXPECT_EQ(r.guest.distro, "debian");
    EXPECT_EQ(r.guest.version, "12");
    EXPECT_EQ(r.guest.firmware, "uefi");
}

TEST(VirtV2vDomainXml, OsinfoIds) {
    EXPECT_EQ(guest_os_from_osinfo_id("http://microsoft.com/win/10").distro, "win");
    EXPECT_EQ(guest_os_from_osinfo_id("http://redhat.com/rhel/9.2").version, "9.2");
    EXPECT_EQ(guest_os_from_osinfo_id("http://ubuntu.com/ubuntu/22.04/").version, "22.04");
    EXPECT_EQ(guest_os_from_osinfo_id("http://example.com/only").distro, "");
    EXPECT_EQ(guest_os_from_osinfo_id("").version, "");
}

TEST(VirtV2vDomainXml, HostileDocumentsAreRefusedNotExpanded) {
    const std::string laughs = R"(<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">
<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><domain><name>&b;</name><devices/></domain>)";
    try {
        const auto r = rewrite_domain_xml(laughs, {}, "x.xml");
        EXPECT_EQ(r.text.find("aaaaaaaaaa"), std::string::npos) << "entities must not be expanded";
    } catch (const std::exception&) {
        // refusing is as good
    }
    std::string deep;
    for (int i = 0; i < 1000; ++i) deep += "<a>";
    EXPECT_THROW(rewrite_domain_xml("<domain>" + deep + "</domain>", {}, "x.xml"), std::exception);
    EXPECT_THROW(rewrite_domain_xml("<notdomain/>", {}, "x.xml"), std::exception);
    EXPECT_THROW(rewrite_domain_xml("not xml at all <", {}, "x.xml"), std::exception);
}

namespace {

const char* const kTwoDiskOvf = R"(<?xml version="1.0"?>
<ovf:Envelope xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
  xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData">
  <ovf:References><ovf:File ovf:id="f1" ovf:href="a.vmdk"/><ovf:File ovf:id="f2" ovf:href="b.vmdk"/></ovf:References>
  <ovf:DiskSection><ovf:Disk ovf:diskId="d1" ovf:fileRef="f1"/><ovf:Disk ovf:diskId="d2" ovf:fileRef="f2"/></ovf:DiskSection>
  <ovf:VirtualSystem><ovf:VirtualHardwareSection>
    <ovf:Item><rasd:ResourceType>15</rasd:ResourceType></ovf:Item>
    <ovf:Item><rasd:ResourceType>17</rasd:ResourceType><rasd:HostResource>ovf:/disk/d2</rasd:HostResource></ovf:Item>
    <ovf:Item><rasd:ResourceType> 17 </rasd:ResourceType><rasd:HostResource>/disk/d1</rasd:HostResource></ovf:Item>
  </ovf:VirtualHardwareSection></ovf:VirtualSystem>
</ovf:Envelope>)";

}  // namespace

TEST(VirtV2vOvfOrder, HardDisksInDocumentOrderWhateverThePrefix) {
    EXPECT_EQ(ovf_disk_hrefs(kTwoDiskOvf), (std::vector<std::string>{"b.vmdk", "a.vmdk"}));
    EXPECT_THROW(ovf_disk_hrefs("<Envelope><VirtualSystem><VirtualHardwareSection><Item><ResourceType>17"
                                "</ResourceType><HostResource>ovf:/disk/none</HostResource></Item>"
                                "</VirtualHardwareSection></VirtualSystem></Envelope>"),
                 std::runtime_error);
}

TEST(VirtV2vOvfOrder, ReadsTheDescriptorFromADirectoryOrAnOva) {
    hypersdk::test::TempDir dir;
    fs::create_directories(dir / "export");
    std::ofstream(dir / "export/vm.ovf") << kTwoDiskOvf;
    std::ofstream(dir / "export/a.vmdk") << std::string(1000, 'a');
    EXPECT_EQ(read_ovf_descriptor(dir / "export"), kTwoDiskOvf);
    // An OVA is a tar with the descriptor first; here it comes second.
    ASSERT_EQ(
        hypersdk::test::run_command({"tar", "-C", dir / "export", "-cf", dir / "vm.ova", "a.vmdk", "vm.ovf"}),
        0);
    EXPECT_EQ(read_ovf_descriptor(dir / "vm.ova"), kTwoDiskOvf);
    ASSERT_EQ(hypersdk::test::run_command({"tar", "-C", dir / "export", "-cf", dir / "none.ova", "a.vmdk"}),
              0);
    EXPECT_THROW(read_ovf_descriptor(dir / "none.ova"), std::runtime_error);
    fs::create_directories(dir / "empty");
    EXPECT_THROW(read_ovf_descriptor(dir / "empty"), std::runtime_error);
}
