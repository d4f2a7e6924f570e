#include "hypersdk/core/job.hpp"

#include <algorithm>

namespace hypersdk::core {

int32_t Sink::write_zeros(uint64_t length) {
    static const char kZeros[64 * 1024] = {};
    while (length > 0) {
        const size_t chunk = static_cast<size_t>(std::min<uint64_t>(length, sizeof kZeros));
        if (const int32_t status = write(kZeros, chunk); status != HYPERSDK_OK) return status;
        length -= chunk;
    }
    return HYPERSDK_OK;
}

Job::Job(std::string description) : description_(std::move(description)) {}

void Job::cancel(CancelReason reason) {
    CancelReason expected = CancelReason::none;
    // The first reason wins: a timeout that fires after Ctrl-C stays a Ctrl-C.
    cancel_reason_.compare_exchange_strong(expected, reason);
}

void Job::set_deadline(std::chrono::steady_clock::time_point deadline) {
    deadline_ns_.store(deadline.time_since_epoch().count());
}

bool Job::is_cancelled() {
    if (cancel_reason_.load() != CancelReason::none) return true;
    const int64_t deadline = deadline_ns_.load();
    if (deadline != 0 && std::chrono::steady_clock::now().time_since_epoch().count() >= deadline) {
        cancel(CancelReason::deadline);
        return true;
    }
    return false;
}

void Job::report_progress(uint64_t done, uint64_t total) {
    if (progress_fn_) progress_fn_(done, total);
}

void Job::output_line(std::string_view line) {
    if (output_fn_) output_fn_(line);
}

void Job::set_error(int32_t status, std::string message) {
    std::lock_guard lock(mutex_);
    error_ = JobError{status, std::move(message)};
}

std::optional<JobError> Job::error() const {
    std::lock_guard lock(mutex_);
    return error_;
}

void Job::add_warning(std::string stage, std::string message) {
    std::lock_guard lock(mutex_);
    warnings_.push_back({std::move(stage), std::move(message)});
}

std::vector<JobWarning> Job::warnings() const {
    std::lock_guard lock(mutex_);
    return warnings_;
}

void TextBuffer::append(std::string_view text) {
    std::lock_guard lock(mutex_);
    text_.append(text);
}

std::string TextBuffer::text() const {
    std::lock_guard lock(mutex_);
    return text_;
}

}  // namespace hypersdk::core
