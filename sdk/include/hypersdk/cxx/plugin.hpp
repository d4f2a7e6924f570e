// hypersdk: a thin, header-only C++17 wrapper for writing plugins in C++.
//
// It changes nothing about the ABI: a C++ plugin still exports the same C
// entry symbol and still hands out the same C tables. What it adds:
//   * hypersdk::cxx::guard(job, fn): runs fn, turns every exception into a
//     negative status plus a job error, so no exception ever crosses into the
//     host;
//   * Job, Buffer, Sink: small value types over the host's C functions
//     (Sink::write_zeros uses the 1.1 hole slot when the host has it);
//   * HYPERSDK_CXX_ENTRY(descriptor): defines the exported entry symbol.
//
// Everything here is inline and lives in the plugin's own shared object, so
// host and plugin never share a C++ type, allocator or exception.
#ifndef HYPERSDK_CXX_PLUGIN_HPP
#define HYPERSDK_CXX_PLUGIN_HPP

#include <hypersdk/hypersdk.h>

#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace hypersdk::cxx {

// The host table given to this plugin's init. One per shared object.
inline const hypersdk_host*& host_slot() noexcept {
    static const hypersdk_host* host = nullptr;
    return host;
}

inline const hypersdk_host* host() noexcept {
    return host_slot();
}

// Store the host table; call from the descriptor's init.
inline void set_host(const hypersdk_host* new_host) noexcept {
    host_slot() = new_host;
}

// Ready-made descriptor init/deinit for a plugin whose init only keeps the
// host table (most plugins): `init_keep_host, deinit_forget_host`.
inline int32_t init_keep_host(const hypersdk_host* new_host) noexcept {
    set_host(new_host);
    return HYPERSDK_OK;
}
inline void deinit_forget_host() noexcept {
    set_host(nullptr);
}

inline void log(int32_t level, const std::string& message) noexcept {
    if (const hypersdk_host* h = host(); h != nullptr && h->log != nullptr) h->log(h, level, message.c_str());
}

// One entry of an option table (options.h), for a static table:
//   const hypersdk_option kRegion = hypersdk::cxx::option(
//       "region", HYPERSDK_OPTION_STRING, "REGION", "the region", "AWS_REGION,AWS_DEFAULT_REGION");
//   const hypersdk_option* const kOptions[] = {&kRegion, nullptr};
constexpr hypersdk_option option(const char* name, uint32_t type, const char* value_name, const char* help,
                                 const char* env = nullptr, uint32_t flags = 0,
                                 const char* default_value = nullptr, int64_t min_value = 0,
                                 int64_t max_value = 0) noexcept {
    return {sizeof(hypersdk_option), type,  name,     value_name, help, default_value,
            env,                     flags, min_value, max_value};
}

// An error with an SDK status code. Throw it from plugin code; guard() turns
// it into the status and the job error message.
class Error : public std::runtime_error {
public:
    Error(int32_t status, const std::string& message) : std::runtime_error(message), status_(status) {}
    int32_t status() const noexcept { return status_; }

private:
    int32_t status_;
};

class Job {
public:
    explicit Job(hypersdk_job* job) noexcept : job_(job) {}

    hypersdk_job* get() const noexcept { return job_; }

    void progress(uint64_t done, uint64_t total) const noexcept {
        if (job_ != nullptr) host()->job_progress(job_, done, total);
    }
    bool cancelled() const noexcept { return job_ != nullptr && host()->job_is_cancelled(job_); }
    // Throws Error(HYPERSDK_ERR_CANCELLED) when the job was cancelled.
    void throw_if_cancelled() const {
        if (cancelled()) throw Error(HYPERSDK_ERR_CANCELLED, "cancelled");
    }
    void error(int32_t status, const std::string& message) const noexcept {
        if (job_ != nullptr) host()->job_error(job_, status, message.c_str());
    }
    void warning(const std::string& stage, const std::string& message) const noexcept {
        if (job_ != nullptr) host()->job_warning(job_, stage.c_str(), message.c_str());
    }
    void output(const std::string& line) const noexcept {
        if (job_ != nullptr) host()->job_output(job_, line.c_str());
    }

private:
    hypersdk_job* job_;
};

class Buffer {
public:
    explicit Buffer(hypersdk_buffer* buffer) noexcept : buffer_(buffer) {}
    void append(std::string_view text) const {
        if (buffer_ == nullptr) throw Error(HYPERSDK_ERR_INVALID_ARGUMENT, "no output buffer given");
        if (host()->buffer_append(buffer_, text.data(), text.size()) != HYPERSDK_OK)
            throw Error(HYPERSDK_ERR_GENERIC, "the host could not grow the output buffer");
    }

private:
    hypersdk_buffer* buffer_;
};

// A host sink with RAII: if it is destroyed without commit(), it is closed
// with a failure status so the host keeps the ".part" file and never renames it.
class Sink {
public:
    Sink(const Job& job, const std::string& artifact_json) {
        const int32_t status = host()->sink_open(job.get(), artifact_json.c_str(), &sink_);
        if (status != HYPERSDK_OK) throw Error(status, "the host refused to open the output file");
    }
    Sink(const Sink&) = delete;
    Sink& operator=(const Sink&) = delete;
    ~Sink() {
        if (sink_ != nullptr) host()->sink_close(sink_, HYPERSDK_ERR_GENERIC);
    }

    uint64_t offset() const noexcept { return host()->sink_offset(sink_); }
    void write(const void* data, size_t length) {
        const int32_t status = host()->sink_write(sink_, data, length);
        if (status != HYPERSDK_OK) throw Error(status, "writing the output file failed");
    }
    // Appends `length` zero bytes: a hole the host leaves where the file
    // system can (ABI 1.1 sink_write_zeros), or, on an older host without
    // that slot, zeros written with sink_write.
    void write_zeros(uint64_t length) {
        const hypersdk_host* h = host();
        if (HYPERSDK_HOST_HAS(h, sink_write_zeros)) {
            const int32_t status = h->sink_write_zeros(sink_, length);
            if (status != HYPERSDK_OK) throw Error(status, "writing zeros to the output file failed");
            return;
        }
        static const char zeros[64 * 1024] = {};
        while (length > 0) {
            const size_t chunk = length < sizeof zeros ? static_cast<size_t>(length) : sizeof zeros;
            write(zeros, chunk);
            length -= chunk;
        }
    }
    void rewind() {
        const int32_t status = host()->sink_rewind(sink_);
        if (status != HYPERSDK_OK) throw Error(status, "restarting the output file failed");
    }
    void commit() {
        hypersdk_sink* sink = std::exchange(sink_, nullptr);
        const int32_t status = host()->sink_close(sink, HYPERSDK_OK);
        if (status != HYPERSDK_OK) throw Error(status, "finishing the output file failed");
    }

private:
    hypersdk_sink* sink_ = nullptr;
};

// Run fn() and return its status; every exception becomes a status and a job
// error. fn returns int32_t, or void for "success unless it throws".
template <typename Fn>
int32_t guard(hypersdk_job* job, Fn&& fn) noexcept {
    const Job j(job);
    try {
        if constexpr (std::is_void_v<decltype(fn())>) {
            fn();
            return HYPERSDK_OK;
        } else {
            return static_cast<int32_t>(fn());
        }
    } catch (const Error& e) {
        j.error(e.status(), e.what());
        return e.status() < 0 ? e.status() : HYPERSDK_ERR_GENERIC;
    } catch (const std::exception& e) {
        j.error(HYPERSDK_ERR_INTERNAL, std::string("internal error in plugin: ") + e.what());
        return HYPERSDK_ERR_INTERNAL;
    } catch (...) {
        j.error(HYPERSDK_ERR_INTERNAL, "internal error in plugin: unknown exception");
        return HYPERSDK_ERR_INTERNAL;
    }
}

}  // namespace hypersdk::cxx

// Define the exported entry symbol returning the given descriptor (an object
// with static storage duration).
#define HYPERSDK_CXX_ENTRY(descriptor)                                                                   \
    extern "C" HYPERSDK_PLUGIN_EXPORT const hypersdk_plugin_descriptor* hypersdk_plugin_entry_v1(void) { \
        return &(descriptor);                                                                            \
    }

#endif  // HYPERSDK_CXX_PLUGIN_HPP
