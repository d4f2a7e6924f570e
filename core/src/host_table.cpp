#include "hypersdk/core/host_table.hpp"

#include <hypersdk/version.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string_view>

#include "hypersdk/core/job.hpp"
#include "hypersdk/core/terminal_text.hpp"

namespace hypersdk::core {
namespace {

spdlog::level::level_enum to_spdlog_level(int32_t level) {
    switch (level) {
        case HYPERSDK_LOG_TRACE:
            return spdlog::level::trace;
        case HYPERSDK_LOG_DEBUG:
            return spdlog::level::debug;
        case HYPERSDK_LOG_WARN:
            return spdlog::level::warn;
        case HYPERSDK_LOG_ERROR:
            return spdlog::level::err;
        default:
            return spdlog::level::info;
    }
}

const char* or_empty(const char* text) {
    return text != nullptr ? text : "";
}

// Sinks as the host sees them: the Sink plus the job it belongs to.
struct SinkHandle {
    std::unique_ptr<Sink> sink;
};

SinkHandle* sink_from(hypersdk_sink* handle) {
    return reinterpret_cast<SinkHandle*>(handle);
}

void slot_log(const hypersdk_host* host, int32_t level, const char* message) noexcept {
    try {
        const auto* self = static_cast<const HostTable*>(host->host_data);
        // A plugin's text (a server's fault string, a file name) must not act on the terminal.
        spdlog::log(to_spdlog_level(level), "[{}] {}", escape_for_terminal(self->plugin_id()),
                    escape_for_terminal(or_empty(message)));
    } catch (...) {
    }
}

int32_t slot_buffer_append(hypersdk_buffer* buffer, const char* data, size_t length) noexcept {
    if (buffer == nullptr || (data == nullptr && length != 0)) return HYPERSDK_ERR_INVALID_ARGUMENT;
    try {
        TextBuffer::from_handle(buffer)->append(std::string_view(data, length));
        return HYPERSDK_OK;
    } catch (...) {
        return HYPERSDK_ERR_GENERIC;
    }
}

void slot_job_progress(hypersdk_job* job, uint64_t done, uint64_t total) noexcept {
    if (job == nullptr) return;
    try {
        Job::from_handle(job)->report_progress(done, total);
    } catch (...) {
    }
}

bool slot_job_is_cancelled(hypersdk_job* job) noexcept {
    return job != nullptr && Job::from_handle(job)->is_cancelled();
}

void slot_job_error(hypersdk_job* job, int32_t status, const char* message) noexcept {
    if (job == nullptr) return;
    try {
        Job::from_handle(job)->set_error(status < 0 ? status : HYPERSDK_ERR_GENERIC, or_empty(message));
    } catch (...) {
    }
}

void slot_job_warning(hypersdk_job* job, const char* stage, const char* message) noexcept {
    if (job == nullptr) return;
    try {
        Job::from_handle(job)->add_warning(or_empty(stage), or_empty(message));
    } catch (...) {
    }
}

void slot_job_output(hypersdk_job* job, const char* line) noexcept {
    if (job == nullptr) return;
    try {
        Job::from_handle(job)->output_line(or_empty(line));
    } catch (...) {
    }
}

int32_t slot_sink_open(hypersdk_job* job, const char* artifact_json, hypersdk_sink** out_sink) noexcept {
    if (job == nullptr || artifact_json == nullptr || out_sink == nullptr)
        return HYPERSDK_ERR_INVALID_ARGUMENT;
    *out_sink = nullptr;
    Job* self = Job::from_handle(job);
    try {
        SinkFactory* factory = self->sink_factory();
        if (factory == nullptr) {
            self->set_error(HYPERSDK_ERR_UNSUPPORTED, "this operation does not write output files");
            return HYPERSDK_ERR_UNSUPPORTED;
        }
        auto handle = std::make_unique<SinkHandle>();
        const int32_t status = factory->open(*self, artifact_json, handle->sink);
        if (status != HYPERSDK_OK) return status;
        if (!handle->sink) return HYPERSDK_ERR_INTERNAL;
        *out_sink = reinterpret_cast<hypersdk_sink*>(handle.release());
        return HYPERSDK_OK;
    } catch (const std::exception& e) {
        self->set_error(HYPERSDK_ERR_IO, e.what());
        return HYPERSDK_ERR_IO;
    } catch (...) {
        return HYPERSDK_ERR_INTERNAL;
    }
}

uint64_t slot_sink_offset(hypersdk_sink* sink) noexcept {
    return sink == nullptr ? 0 : sink_from(sink)->sink->offset();
}

int32_t slot_sink_write(hypersdk_sink* sink, const void* data, size_t length) noexcept {
    if (sink == nullptr || (data == nullptr && length != 0)) return HYPERSDK_ERR_INVALID_ARGUMENT;
    try {
        return sink_from(sink)->sink->write(data, length);
    } catch (...) {
        return HYPERSDK_ERR_IO;
    }
}

int32_t slot_sink_write_zeros(hypersdk_sink* sink, uint64_t length) noexcept {
    if (sink == nullptr) return HYPERSDK_ERR_INVALID_ARGUMENT;
    try {
        return sink_from(sink)->sink->write_zeros(length);
    } catch (...) {
        return HYPERSDK_ERR_IO;
    }
}

int32_t slot_sink_rewind(hypersdk_sink* sink) noexcept {
    if (sink == nullptr) return HYPERSDK_ERR_INVALID_ARGUMENT;
    try {
        return sink_from(sink)->sink->rewind();
    } catch (...) {
        return HYPERSDK_ERR_IO;
    }
}

int32_t slot_sink_close(hypersdk_sink* sink, int32_t status) noexcept {
    if (sink == nullptr) return HYPERSDK_ERR_INVALID_ARGUMENT;
    std::unique_ptr<SinkHandle> owned(sink_from(sink));
    try {
        return owned->sink->close(status);
    } catch (...) {
        return HYPERSDK_ERR_IO;
    }
}

}  // namespace

const char* host_program_name() {
    return "hyperexport";
}
const char* host_program_version() {
    return HYPERSDK_VERSION_STRING;
}

HostTable::HostTable(std::string plugin_id, std::string plugin_path)
    : plugin_id_(std::move(plugin_id)), plugin_path_(std::move(plugin_path)) {
    table_.struct_size = sizeof(hypersdk_host);
    table_.abi_major = HYPERSDK_ABI_MAJOR;
    table_.abi_minor = HYPERSDK_ABI_MINOR;
    table_.host_name = host_program_name();
    table_.host_version = host_program_version();
    table_.plugin_path = plugin_path_.c_str();
    table_.host_data = this;
    table_.log = slot_log;
    table_.buffer_append = slot_buffer_append;
    table_.job_progress = slot_job_progress;
    table_.job_is_cancelled = slot_job_is_cancelled;
    table_.job_error = slot_job_error;
    table_.job_warning = slot_job_warning;
    table_.job_output = slot_job_output;
    table_.sink_open = slot_sink_open;
    table_.sink_offset = slot_sink_offset;
    table_.sink_write = slot_sink_write;
    table_.sink_rewind = slot_sink_rewind;
    table_.sink_close = slot_sink_close;
    table_.sink_write_zeros = slot_sink_write_zeros;
}

}  // namespace hypersdk::core
