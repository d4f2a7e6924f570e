#include <hypersdk/core/job.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <thread>
#include <vector>

using hypersdk::core::CancelReason;
using hypersdk::core::Job;
using namespace std::chrono_literals;

TEST(Job, StartsUncancelledWithoutError) {
    Job job("describe");
    EXPECT_EQ(job.description(), "describe");
    EXPECT_FALSE(job.is_cancelled());
    EXPECT_EQ(job.cancel_reason(), CancelReason::none);
    EXPECT_FALSE(job.error().has_value());
    EXPECT_TRUE(job.warnings().empty());
}

TEST(Job, UserCancelIsReported) {
    Job job;
    job.cancel();
    EXPECT_TRUE(job.is_cancelled());
    EXPECT_EQ(job.cancel_reason(), CancelReason::user);
}

TEST(Job, FirstCancelReasonWins) {
    Job job;
    job.cancel(CancelReason::user);
    job.cancel(CancelReason::deadline);
    EXPECT_EQ(job.cancel_reason(), CancelReason::user);
}

TEST(Job, PassedDeadlineCancelsWithReasonDeadline) {
    Job job;
    job.set_deadline(std::chrono::steady_clock::now() - 1ms);
    EXPECT_TRUE(job.is_cancelled());
    EXPECT_EQ(job.cancel_reason(), CancelReason::deadline);
    job.cancel(CancelReason::user);  // too late to change the reason
    EXPECT_EQ(job.cancel_reason(), CancelReason::deadline);
}

TEST(Job, FutureDeadlineFiresOnlyOnceItPasses) {
    Job job;
    const auto deadline = std::chrono::steady_clock::now() + 50ms;
    job.set_deadline(deadline);
    EXPECT_FALSE(job.is_cancelled());
    // Bounded wait: 5 s at most, polled as a plugin would.
    const auto give_up = std::chrono::steady_clock::now() + 5s;
    while (!job.is_cancelled() && std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(5ms);
    EXPECT_TRUE(job.is_cancelled());
    EXPECT_GE(std::chrono::steady_clock::now(), deadline);
    EXPECT_EQ(job.cancel_reason(), CancelReason::deadline);
}

TEST(Job, LastErrorWinsAndWarningsAccumulate) {
    Job job;
    job.set_error(HYPERSDK_ERR_AUTH, "first");
    job.set_error(HYPERSDK_ERR_NETWORK, "second");
    ASSERT_TRUE(job.error().has_value());
    EXPECT_EQ(job.error()->status, HYPERSDK_ERR_NETWORK);
    EXPECT_EQ(job.error()->message, "second");
    job.add_warning("export", "slow");
    job.add_warning("convert", "odd");
    ASSERT_EQ(job.warnings().size(), 2u);
    EXPECT_EQ(job.warnings()[1].stage, "convert");
}

TEST(Job, HandleRoundTrips) {
    Job job;
    EXPECT_EQ(Job::from_handle(job.handle()), &job);
}
