#include "provider_harness.hpp"

#include <dlfcn.h>
#include <rapidjson/document.h>

#include <fstream>
#include <stdexcept>

namespace hypersdk::vsphere::test {
namespace {

class FileSink : public core::Sink {
public:
    FileSink(FileSinkFactory& factory, size_t index, std::filesystem::path final_path)
        : factory_(factory), index_(index), final_(std::move(final_path)), part_(final_.string() + ".part") {
        // Keep an earlier partial file: the plugin resumes from its size.
        out_.open(part_, std::ios::binary | std::ios::app);
        offset_ = std::filesystem::file_size(part_);
    }
    uint64_t offset() const override { return offset_; }
    int32_t write(const void* data, size_t length) override {
        out_.write(static_cast<const char*>(data), static_cast<std::streamsize>(length));
        offset_ += length;
        return out_ ? HYPERSDK_OK : HYPERSDK_ERR_IO;
    }
    int32_t rewind() override {
        out_.close();
        out_.open(part_, std::ios::binary | std::ios::trunc);
        offset_ = 0;
        return out_ ? HYPERSDK_OK : HYPERSDK_ERR_IO;
    }
    int32_t close(int32_t status) override {
        out_.close();
        factory_.record_close(index_, status);
        if (status == HYPERSDK_OK) std::filesystem::rename(part_, final_);
        return HYPERSDK_OK;
    }

private:
    FileSinkFactory& factory_;
    size_t index_;
    std::filesystem::path final_, part_;
    std::ofstream out_;
    uint64_t offset_ = 0;
};

}  // namespace

int32_t FileSinkFactory::open(core::Job& job, std::string_view artifact_json,
                              std::unique_ptr<core::Sink>& out) {
    rapidjson::Document doc;
    doc.Parse(artifact_json.data(), artifact_json.size());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("file_name") ||
        !doc["file_name"].IsString()) {
        job.set_error(HYPERSDK_ERR_INVALID_ARGUMENT, "bad artifact JSON");
        return HYPERSDK_ERR_INVALID_ARGUMENT;
    }
    const std::string name = doc["file_name"].GetString();
    if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
        job.set_error(HYPERSDK_ERR_INVALID_ARGUMENT, "bad file_name " + name);
        return HYPERSDK_ERR_INVALID_ARGUMENT;
    }
    size_t index;
    {
        std::lock_guard lock(mutex_);
        index = records_.size();
        records_.push_back({std::string(artifact_json), name, 1});
    }
    out = std::make_unique<FileSink>(*this, index, dir_ / name);
    return HYPERSDK_OK;
}

std::vector<SinkRecord> FileSinkFactory::records() const {
    std::lock_guard lock(mutex_);
    return records_;
}

void FileSinkFactory::record_close(size_t index, int32_t status) {
    std::lock_guard lock(mutex_);
    records_[index].close_status = status;
}

LoadedProvider::LoadedProvider(const std::string& so_path) {
    handle_ = ::dlopen(so_path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle_ == nullptr) throw std::runtime_error(std::string("dlopen: ") + ::dlerror());
    auto entry = reinterpret_cast<hypersdk_plugin_entry_fn>(::dlsym(handle_, HYPERSDK_PLUGIN_ENTRY_SYMBOL));
    if (entry == nullptr) throw std::runtime_error("no entry symbol in " + so_path);
    descriptor_ = entry();
    if (descriptor_ == nullptr || descriptor_->abi_major != HYPERSDK_ABI_MAJOR)
        throw std::runtime_error("bad descriptor in " + so_path);
    host_ = std::make_unique<core::HostTable>(descriptor_->id, so_path);
    if (descriptor_->init(host_->get()) != HYPERSDK_OK) throw std::runtime_error("init failed");
    initialized_ = true;
    provider_ =
        static_cast<const hypersdk_provider*>(descriptor_->get_interface(HYPERSDK_PROVIDER_INTERFACE_ID));
    if (provider_ == nullptr) throw std::runtime_error("no provider interface in " + so_path);
}

LoadedProvider::~LoadedProvider() {
    if (initialized_) descriptor_->deinit();
    if (handle_ != nullptr) ::dlclose(handle_);
}

namespace {

void collect(core::Job& job, core::TextBuffer& buffer, ProviderCall& r) {
    r.text = buffer.text();
    if (const auto e = job.error()) r.error = e->message;
    r.warnings = job.warnings();
}

}  // namespace

ProviderCall LoadedProvider::open(const std::string& config_json, hypersdk_provider_session** session) {
    ProviderCall r;
    core::Job job("open");
    core::TextBuffer buffer;
    r.status = provider_->open(config_json.c_str(), job.handle(), session);
    collect(job, buffer, r);
    return r;
}

ProviderCall LoadedProvider::list_vms(hypersdk_provider_session* session) {
    ProviderCall r;
    core::Job job("list");
    core::TextBuffer buffer;
    r.status = provider_->list_vms(session, job.handle(), buffer.handle());
    collect(job, buffer, r);
    return r;
}

ProviderCall LoadedProvider::describe_vm(hypersdk_provider_session* session, const std::string& vm_ref) {
    ProviderCall r;
    core::Job job("describe");
    core::TextBuffer buffer;
    r.status = provider_->describe_vm(session, vm_ref.c_str(), job.handle(), buffer.handle());
    collect(job, buffer, r);
    return r;
}

ProviderCall LoadedProvider::export_vm(
    hypersdk_provider_session* session, const std::string& vm_ref, const std::string& options_json,
    core::SinkFactory* sinks, const std::function<void(core::Job&, uint64_t, uint64_t)>& on_progress) {
    ProviderCall r;
    core::Job job("export");
    core::TextBuffer buffer;
    job.set_sink_factory(sinks);
    if (on_progress)
        job.on_progress(
            [&job, &on_progress](uint64_t done, uint64_t total) { on_progress(job, done, total); });
    r.status =
        provider_->export_vm(session, vm_ref.c_str(), options_json.c_str(), job.handle(), buffer.handle());
    collect(job, buffer, r);
    return r;
}

}  // namespace hypersdk::vsphere::test
