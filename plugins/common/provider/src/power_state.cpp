#include "hypersdk/provider/power_state.hpp"

namespace hypersdk::provider {

const char* to_string(PowerState state) {
    switch (state) {
        case PowerState::on:
            return "poweredOn";
        case PowerState::off:
            return "poweredOff";
        case PowerState::suspended:
            return "suspended";
        case PowerState::unknown:
            break;
    }
    return "unknown";
}

PowerState power_state_from_vsphere(std::string_view state) {
    if (state == "poweredOn") return PowerState::on;
    if (state == "poweredOff") return PowerState::off;
    if (state == "suspended") return PowerState::suspended;
    return PowerState::unknown;
}

PowerState power_state_from_ec2(std::string_view state) {
    if (state == "running") return PowerState::on;
    if (state == "stopped") return PowerState::off;
    return PowerState::unknown;
}

PowerState power_state_from_azure(std::string_view code) {
    constexpr std::string_view prefix = "PowerState/";
    if (code.substr(0, prefix.size()) == prefix) code.remove_prefix(prefix.size());
    if (code == "running") return PowerState::on;
    if (code == "stopped" || code == "deallocated") return PowerState::off;
    return PowerState::unknown;
}

PowerState power_state_from_gce(std::string_view status) {
    if (status == "RUNNING") return PowerState::on;
    if (status == "TERMINATED" || status == "STOPPED") return PowerState::off;
    if (status == "SUSPENDED") return PowerState::suspended;
    return PowerState::unknown;
}

}  // namespace hypersdk::provider
