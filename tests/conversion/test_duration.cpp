#include <gtest/gtest.h>

#include <hypersdk/core/duration.hpp>

using hypersdk::core::parse_duration;
using std::chrono::seconds;

TEST(Duration, AcceptsUnitsAndCombinations) {
    EXPECT_EQ(parse_duration("2h"), seconds(7200));
    EXPECT_EQ(parse_duration("90m"), seconds(5400));
    EXPECT_EQ(parse_duration("45s"), seconds(45));
    EXPECT_EQ(parse_duration("4h30m"), seconds(16200));
    EXPECT_EQ(parse_duration("1h0m5s"), seconds(3605));
    EXPECT_EQ(parse_duration("3600"), seconds(3600));
}

TEST(Duration, RefusesNonsense) {
    for (const char* bad : {"", "h", "2x", "-5m", "0", "0s", "4h30", "1.5h", "2 h", "99999999999999999999"})
        EXPECT_FALSE(parse_duration(bad)) << bad;
}
