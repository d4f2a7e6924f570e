#include "provider_harness.hpp"

#include <stdexcept>

namespace hypersdk::test {

class RecordingSink final : public core::Sink {
public:
    RecordingSink(RecordingSinkFactory& factory, size_t index, std::unique_ptr<core::Sink> inner)
        : factory_(factory), index_(index), inner_(std::move(inner)) {}
    uint64_t offset() const override { return inner_->offset(); }
    int32_t write(const void* data, size_t length) override { return inner_->write(data, length); }
    int32_t write_zeros(uint64_t length) override { return inner_->write_zeros(length); }
    int32_t rewind() override { return inner_->rewind(); }
    int32_t close(int32_t status) override {
        const int32_t result = inner_->close(status);
        factory_.record_close(index_, status == HYPERSDK_OK ? result : status);
        return result;
    }

private:
    RecordingSinkFactory& factory_;
    size_t index_;
    std::unique_ptr<core::Sink> inner_;
};

RecordingSinkFactory::RecordingSinkFactory(std::filesystem::path dir, core::FileSinkOptions options)
    : files_(std::move(dir), std::move(options)) {}

int32_t RecordingSinkFactory::open(core::Job& job, std::string_view artifact_json,
                                   std::unique_ptr<core::Sink>& out) {
    std::unique_ptr<core::Sink> inner;
    const int32_t status = files_.open(job, artifact_json, inner);
    if (status != HYPERSDK_OK) return status;
    std::string error;
    const auto artifact = core::parse_sink_artifact(artifact_json, error);
    size_t index;
    {
        std::lock_guard lock(mutex_);
        index = opens_.size();
        opens_.push_back({std::string(artifact_json), artifact ? artifact->file_name : std::string()});
    }
    out = std::make_unique<RecordingSink>(*this, index, std::move(inner));
    return HYPERSDK_OK;
}

std::vector<SinkOpen> RecordingSinkFactory::opens() const {
    std::lock_guard lock(mutex_);
    return opens_;
}

void RecordingSinkFactory::record_close(size_t index, int32_t status) {
    std::lock_guard lock(mutex_);
    opens_[index].close_status = status;
}

namespace {

ProviderCall finish(core::Job& job, const core::TextBuffer& buffer, int32_t status) {
    ProviderCall r;
    r.status = status;
    r.text = buffer.text();
    if (const auto e = job.error()) r.error = e->message;
    r.warnings = job.warnings();
    return r;
}

}  // namespace

ProviderHarness::ProviderHarness(const std::filesystem::path& plugin_dir, const std::string& provider_name)
    : provider_name_(provider_name), runner_(registry_) {
    registry_.discover(std::vector<std::filesystem::path>{plugin_dir});
    for (const core::LoadedPlugin* p : registry_.providers()) {
        const auto* caps = p->provider_capabilities();
        if (caps != nullptr && caps->provider_name != nullptr && provider_name == caps->provider_name)
            plugin_ = p;
    }
    if (plugin_ == nullptr) {
        std::string why = "no provider \"" + provider_name + "\" in " + plugin_dir.string() + "; loaded:";
        for (const auto* p : registry_.plugins()) why += " " + p->id();
        for (const auto& e : registry_.load_errors())
            why += "; refused " + e.path.string() + ": " + e.message;
        throw std::runtime_error(why);
    }
}

ProviderHarness::~ProviderHarness() = default;

ProviderCall ProviderHarness::open(const std::string& config_json, hypersdk_provider_session** session) {
    core::Job job("open");
    core::TextBuffer buffer;
    const auto lock = plugin_->lock_for_call();
    const int32_t status = provider().open(config_json.c_str(), job.handle(), session);
    return finish(job, buffer, status);
}

void ProviderHarness::close(hypersdk_provider_session* session) {
    const auto lock = plugin_->lock_for_call();
    provider().close(session);
}

ProviderCall ProviderHarness::list_vms(hypersdk_provider_session* session) {
    core::Job job("list");
    core::TextBuffer buffer;
    const auto lock = plugin_->lock_for_call();
    const int32_t status = provider().list_vms(session, job.handle(), buffer.handle());
    return finish(job, buffer, status);
}

ProviderCall ProviderHarness::describe_vm(hypersdk_provider_session* session, const std::string& vm_ref) {
    core::Job job("describe");
    core::TextBuffer buffer;
    const auto lock = plugin_->lock_for_call();
    const int32_t status = provider().describe_vm(session, vm_ref.c_str(), job.handle(), buffer.handle());
    return finish(job, buffer, status);
}

ProviderCall ProviderHarness::export_vm(
    hypersdk_provider_session* session, const std::string& vm_ref, const std::string& options_json,
    core::SinkFactory* sinks, const std::function<void(core::Job&, uint64_t, uint64_t)>& on_progress) {
    core::Job job("export");
    core::TextBuffer buffer;
    job.set_sink_factory(sinks);
    if (on_progress)
        job.on_progress(
            [&job, &on_progress](uint64_t done, uint64_t total) { on_progress(job, done, total); });
    const auto lock = plugin_->lock_for_call();
    const int32_t status =
        provider().export_vm(session, vm_ref.c_str(), options_json.c_str(), job.handle(), buffer.handle());
    return finish(job, buffer, status);
}

core::ExportOutcome ProviderHarness::run_export(
    core::ExportRequest request, const std::function<void(core::Job&, uint64_t, uint64_t)>& on_progress) {
    request.provider = provider_name_;
    core::Job job("export");
    if (on_progress)
        job.on_progress(
            [&job, &on_progress](uint64_t done, uint64_t total) { on_progress(job, done, total); });
    return runner_.run(request, job);
}

}  // namespace hypersdk::test
