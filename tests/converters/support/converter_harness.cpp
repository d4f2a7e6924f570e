#include "converter_harness.hpp"

#include <dlfcn.h>

#include <stdexcept>

namespace hypersdk::test {

LoadedConverter::LoadedConverter(const std::string& so_path) {
    handle_ = ::dlopen(so_path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle_ == nullptr) throw std::runtime_error(std::string("dlopen: ") + ::dlerror());
    auto entry = reinterpret_cast<hypersdk_plugin_entry_fn>(::dlsym(handle_, HYPERSDK_PLUGIN_ENTRY_SYMBOL));
    if (entry == nullptr) throw std::runtime_error("no entry symbol in " + so_path);
    descriptor_ = entry();
    if (descriptor_ == nullptr || descriptor_->abi_major != HYPERSDK_ABI_MAJOR)
        throw std::runtime_error("bad descriptor in " + so_path);
    host_ = std::make_unique<core::HostTable>(descriptor_->id, so_path);
    if (descriptor_->init != nullptr && descriptor_->init(host_->get()) != HYPERSDK_OK)
        throw std::runtime_error("init failed for " + so_path);
    initialized_ = true;
    converter_ =
        static_cast<const hypersdk_converter*>(descriptor_->get_interface(HYPERSDK_CONVERTER_INTERFACE_ID));
    if (converter_ == nullptr) throw std::runtime_error("no converter interface in " + so_path);
}

LoadedConverter::~LoadedConverter() {
    if (initialized_ && descriptor_->deinit != nullptr) descriptor_->deinit();
    if (handle_ != nullptr) ::dlclose(handle_);
}

namespace {

void watch(core::Job& job, CallResult& r, const LoadedConverter::Hooks& hooks) {
    job.on_output([&job, &r, &hooks](std::string_view line) {
        r.output.emplace_back(line);
        if (hooks.on_output) hooks.on_output(job, line);
    });
    job.on_progress([&job, &r, &hooks](uint64_t done, uint64_t total) {
        r.progress.emplace_back(done, total);
        if (hooks.on_progress) hooks.on_progress(job, done, total);
    });
    if (hooks.setup) hooks.setup(job);
}

void collect(core::Job& job, CallResult& r) {
    if (const auto e = job.error()) r.error = e->message;
    r.warnings = job.warnings();
}

}  // namespace

CallResult LoadedConverter::validate(const std::string& config_json, const JobSetup& setup) {
    CallResult r;
    core::Job job("validate");
    watch(job, r, setup);
    r.status = converter_->validate(config_json.c_str(), job.handle());
    collect(job, r);
    return r;
}

CallResult LoadedConverter::version(const std::string& config_json) {
    CallResult r;
    core::Job job("version");
    core::TextBuffer buffer;
    r.status = converter_->version(config_json.c_str(), job.handle(), buffer.handle());
    r.text = buffer.text();
    collect(job, r);
    return r;
}

CallResult LoadedConverter::convert(const std::string& config_json, const std::string& manifest_path,
                                    const std::string& options_json, const JobSetup& setup) {
    CallResult r;
    core::Job job("convert");
    core::TextBuffer buffer;
    watch(job, r, setup);
    r.status = converter_->convert(config_json.c_str(), manifest_path.c_str(), options_json.c_str(),
                                   job.handle(), buffer.handle());
    r.text = buffer.text();
    collect(job, r);
    r.result.Parse(r.text.c_str());
    if (r.result.HasParseError()) r.result.SetNull();
    return r;
}

}  // namespace hypersdk::test
