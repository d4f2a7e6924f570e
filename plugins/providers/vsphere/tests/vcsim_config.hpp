// A client Config that trusts the fixture's vcsim through its CA file.
#pragma once

#include "config.hpp"
#include "vcsim_fixture.hpp"

namespace hypersdk::vsphere::test {

inline Config config_for(const hypersdk::test::Vcsim& sim) {
    Config c;
    c.url = sim.url();
    c.username = sim.username();
    c.password = sim.password();
    c.ca_file = sim.ca_file().string();
    c.connect_timeout = std::chrono::seconds(10);
    c.soap_timeout = std::chrono::seconds(60);
    c.stall_timeout = std::chrono::seconds(30);
    return c;
}

}  // namespace hypersdk::vsphere::test
