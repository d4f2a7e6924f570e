// A Job backs one hypersdk_job handle: progress, cancellation (by the user or
// a deadline), the error message, warnings, streamed tool output, and the
// sinks a provider writes into. Every method is thread-safe.
#pragma once

#include <hypersdk/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hypersdk::core {

struct JobWarning {
    std::string stage;
    std::string message;
};

struct JobError {
    int32_t status = HYPERSDK_ERR_GENERIC;
    std::string message;
};

enum class CancelReason { none, user, deadline };

// A file the host writes for a plugin; see hypersdk_host.sink_* in host.h.
class Sink {
public:
    virtual ~Sink() = default;
    virtual uint64_t offset() const = 0;
    virtual int32_t write(const void* data, size_t length) = 0;
    // Appends `length` zero bytes (hypersdk_host.sink_write_zeros). This
    // default writes them; a file sink leaves a hole instead.
    virtual int32_t write_zeros(uint64_t length);
    virtual int32_t rewind() = 0;
    // Called exactly once; the sink is destroyed right after.
    virtual int32_t close(int32_t status) = 0;
};

class Job;

// Opens sinks for a job (the export code installs one; jobs without one
// refuse sink_open with a clear error).
class SinkFactory {
public:
    virtual ~SinkFactory() = default;
    // On failure: return a negative status and set job.set_error(...).
    virtual int32_t open(Job& job, std::string_view artifact_json, std::unique_ptr<Sink>& out) = 0;
};

class Job {
public:
    using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;
    using OutputFn = std::function<void(std::string_view line)>;

    explicit Job(std::string description = {});
    Job(const Job&) = delete;
    Job& operator=(const Job&) = delete;

    const std::string& description() const { return description_; }

    // The handle plugins see. Valid as long as this Job lives.
    hypersdk_job* handle() { return reinterpret_cast<hypersdk_job*>(this); }
    static Job* from_handle(hypersdk_job* handle) { return reinterpret_cast<Job*>(handle); }

    // Callbacks are set before the job is handed to a plugin; they may be
    // called from any thread.
    void on_progress(ProgressFn fn) { progress_fn_ = std::move(fn); }
    void on_output(OutputFn fn) { output_fn_ = std::move(fn); }
    void set_sink_factory(SinkFactory* factory) { sink_factory_ = factory; }
    SinkFactory* sink_factory() const { return sink_factory_; }

    void cancel(CancelReason reason = CancelReason::user);
    void set_deadline(std::chrono::steady_clock::time_point deadline);
    bool is_cancelled();
    CancelReason cancel_reason() const { return cancel_reason_.load(); }

    void report_progress(uint64_t done, uint64_t total);
    void output_line(std::string_view line);

    void set_error(int32_t status, std::string message);
    std::optional<JobError> error() const;

    void add_warning(std::string stage, std::string message);
    std::vector<JobWarning> warnings() const;

private:
    std::string description_;
    ProgressFn progress_fn_;
    OutputFn output_fn_;
    SinkFactory* sink_factory_ = nullptr;
    std::atomic<CancelReason> cancel_reason_{CancelReason::none};
    std::atomic<int64_t> deadline_ns_{0};  // steady_clock ticks; 0 = none
    mutable std::mutex mutex_;
    std::optional<JobError> error_;
    std::vector<JobWarning> warnings_;
};

// The host-owned buffer behind hypersdk_buffer.
class TextBuffer {
public:
    hypersdk_buffer* handle() { return reinterpret_cast<hypersdk_buffer*>(this); }
    static TextBuffer* from_handle(hypersdk_buffer* handle) { return reinterpret_cast<TextBuffer*>(handle); }

    void append(std::string_view text);
    std::string text() const;

private:
    mutable std::mutex mutex_;
    std::string text_;
};

}  // namespace hypersdk::core
