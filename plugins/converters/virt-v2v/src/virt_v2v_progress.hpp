// virt-v2v's output read as progress. virt-v2v 2.x prints one line per stage,
// "[  12.3] Inspecting the source" (seconds since it started), and while it
// copies a disk, nbdcopy --progress redraws a bar, "⠏  64% [*****----]", with
// '\r'. From those lines this gives the stage virt-v2v is in, an overall
// fraction that never goes back, the product its inspection found ("Converting
// Debian GNU/Linux 12 (bookworm) to run on KVM") and when each of our pipeline
// stages (inspect, fix, convert) began on virt-v2v's clock.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hypersdk::virt_v2v {

enum class LineKind { stage, copy_progress, other };

// The report's stages, in order: inspection, the guest's conversion (FIX:
// drivers, initramfs, bootloader), then copying the disks out (CONVERT).
enum class Phase { inspect = 0, fix = 1, convert = 2 };
inline constexpr const char* kPhaseNames[] = {"inspect", "fix", "convert"};

struct ToolStage {
    std::string name;       // "Inspecting the source"
    double started_at = 0;  // virt-v2v's own timestamp, seconds
    Phase phase = Phase::inspect;
};

class ProgressParser {
public:
    // One line of output, already split at '\n' and '\r'.
    LineKind feed(std::string_view line);

    double fraction() const { return fraction_; }
    // The current stage's text ("Copying disk 1/2"); empty before the first.
    const std::string& stage() const { return stage_; }
    const std::vector<ToolStage>& stages() const { return stages_; }
    // From "Converting <product> to run on KVM"; empty when not (yet) seen.
    const std::string& product() const { return product_; }
    Phase phase() const { return phase_; }
    // When `phase` began on virt-v2v's clock; nullopt when it has not begun.
    std::optional<double> phase_started_at(Phase phase) const;

private:
    void enter_stage(std::string name, double at);
    void advance_to(double fraction);

    double fraction_ = 0;
    std::string stage_;
    std::vector<ToolStage> stages_;
    std::string product_;
    Phase phase_ = Phase::inspect;
    std::optional<double> phase_start_[3];
    // Copying disk `copy_disk_` of `copy_disks_` (1-based); 0 = not copying.
    int copy_disk_ = 0, copy_disks_ = 0;
};

}  // namespace hypersdk::virt_v2v
