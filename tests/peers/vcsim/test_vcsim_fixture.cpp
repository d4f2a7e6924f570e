// The vcsim fixture itself: it comes up on loopback with TLS and our
// certificate, serves the datastore, and leaves no process behind.
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <string>

#include "vcsim_fixture.hpp"

namespace {

using hypersdk::test::Vcsim;

size_t collect(char* data, size_t size, size_t count, void* out) {
    static_cast<std::string*>(out)->append(data, size * count);
    return size * count;
}

// GET with the fixture's CA file (verification on); returns the HTTP status.
long https_get(const Vcsim& sim, const std::string& url, std::string& body) {
    CURL* curl = curl_easy_init();
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_CAINFO, sim.ca_file().c_str());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    long status = 0;
    if (curl_easy_perform(curl) == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(curl);
    return status;
}

TEST(VcsimFixture, StartsOnLoopbackWithTlsAndStops) {
    pid_t pid;
    {
        Vcsim sim;
        pid = sim.pid();
        EXPECT_EQ(sim.url().rfind("https://127.0.0.1:", 0), 0u) << sim.url();
        EXPECT_EQ(sim.url().substr(sim.url().size() - 4), "/sdk");
        EXPECT_TRUE(std::filesystem::exists(sim.ca_file()));
        EXPECT_EQ(sim.thumbprint_sha1().size(), 20u * 3 - 1);
        EXPECT_EQ(sim.thumbprint_sha256().size(), 32u * 3 - 1);
        std::string body;
        EXPECT_EQ(https_get(sim, "https://" + sim.host() + "/about", body), 200);
        // Our harness adds ExportVm to 0.24.2's simulator.
        EXPECT_NE(body.find("\"ExportVm\""), std::string::npos) << body;
    }
    EXPECT_NE(kill(pid, 0), 0) << "vcsim still running after the fixture was destroyed";
}

TEST(VcsimFixture, UploadsIntoTheDatastore) {
    Vcsim sim;
    const auto local = std::filesystem::temp_directory_path() / ("vcsim-upload-" + std::to_string(getpid()));
    { std::ofstream(local, std::ios::binary) << "not really a disk\n"; }
    sim.upload_file(local, "DC0_H0_VM0/disk1.vmdk");
    std::string body;
    EXPECT_EQ(
        https_get(sim, "https://" + sim.host() + "/folder/DC0_H0_VM0/disk1.vmdk?dcPath=DC0&dsName=LocalDS_0",
                  body),
        200);
    EXPECT_EQ(body, "not really a disk\n");
    std::filesystem::remove(local);
}

TEST(VcsimFixture, TwoRunAtOnceOnDifferentPorts) {
    Vcsim a, b;
    EXPECT_NE(a.host(), b.host());
}

}  // namespace
