// hypersdk.h and the C++ wrapper in one C++ translation unit, compiled with
// -pedantic -Wall -Wextra -Werror as C++17 and C++20. The wrapper's templates
// are instantiated here, so their bodies are checked too. Compiled only.
#include <hypersdk/hypersdk.h>
#include <hypersdk/cxx/plugin.hpp>
#include <hypersdk/cxx/plugin.hpp>  // the include guard holds

#include <string>

namespace {

int32_t returns_status(hypersdk_job* job) {
    return hypersdk::cxx::guard(job, [] { return HYPERSDK_ERR_UNSUPPORTED; });
}

int32_t returns_void(hypersdk_job* job, hypersdk_buffer* out) {
    return hypersdk::cxx::guard(job, [&] {
        const hypersdk::cxx::Job j(job);
        j.throw_if_cancelled();
        j.progress(1, 2);
        j.warning("test", "a warning");
        j.output("a line");
        hypersdk::cxx::Buffer(out).append("{}");
        hypersdk::cxx::Sink sink(j, R"({"kind":"disk","id":"disk-0","file_name":"d.vmdk","format":"vmdk"})");
        const char bytes[4] = {1, 2, 3, 4};
        if (sink.offset() > 0) sink.rewind();
        sink.write(bytes, sizeof bytes);
        sink.write_zeros(4096);
        sink.commit();
        throw hypersdk::cxx::Error(HYPERSDK_ERR_IO, "disk full");
    });
}

int32_t init(const hypersdk_host* host) {
    hypersdk::cxx::set_host(host);
    hypersdk::cxx::log(HYPERSDK_LOG_DEBUG, std::string("init ") + (HYPERSDK_HOST_HAS(host, log) ? "y" : "n"));
    return HYPERSDK_OK;
}

const void* get_interface(const char*) {
    (void)&returns_status;
    (void)&returns_void;
    return nullptr;
}

const hypersdk_plugin_descriptor descriptor = {
    sizeof(hypersdk_plugin_descriptor),
    HYPERSDK_ABI_MAJOR,
    HYPERSDK_ABI_MINOR,
    "org.hypersdk.test.cxx-headers",
    "cxx-headers",
    "0.0.0",
    HYPERSDK_PLUGIN_KIND_CONVERTER,
    HYPERSDK_THREAD_MODEL_SERIALIZE,
    &init,
    nullptr,
    &get_interface,
    "compile test",
    nullptr,
    "Apache-2.0",
};

}  // namespace

HYPERSDK_CXX_ENTRY(descriptor)
