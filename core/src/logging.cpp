#include "hypersdk/core/logging.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string_view>

namespace hypersdk::core {
namespace {

// %L: the level as the CLI spells it (--log-level warn prints "[warn]", where
// spdlog's own %l would say "warning" and "critical").
class LevelNameFlag : public spdlog::custom_flag_formatter {
public:
    void format(const spdlog::details::log_msg& message, const std::tm&,
                spdlog::memory_buf_t& dest) override {
        const std::string_view name = level_name(message.level);
        dest.append(name.data(), name.data() + name.size());
    }
    std::unique_ptr<custom_flag_formatter> clone() const override {
        return std::make_unique<LevelNameFlag>();
    }

private:
    static std::string_view level_name(spdlog::level::level_enum level) {
        switch (level) {
            case spdlog::level::trace:
                return "trace";
            case spdlog::level::debug:
                return "debug";
            case spdlog::level::info:
                return "info";
            case spdlog::level::warn:
                return "warn";
            default:
                return "error";
        }
    }
};

}  // namespace

std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name) {
    if (name == "trace") return spdlog::level::trace;
    if (name == "debug") return spdlog::level::debug;
    if (name == "info") return spdlog::level::info;
    if (name == "warn") return spdlog::level::warn;
    if (name == "error") return spdlog::level::err;
    if (name == "off") return spdlog::level::off;
    return std::nullopt;
}

bool configure_logging(std::string_view level_name) {
    const auto level = parse_log_level(level_name);
    if (!level) return false;
    // Plain stderr sink, no colours: the output is read by people and by scripts alike.
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto logger = std::make_shared<spdlog::logger>("hypersdk", std::move(sink));
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<LevelNameFlag>('*').set_pattern("[%Y-%m-%d %H:%M:%S] [%*] %v");
    logger->set_formatter(std::move(formatter));
    logger->set_level(*level);
    // Warnings reach the terminal at once, even if the process dies right after.
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(std::move(logger));
    return true;
}

}  // namespace hypersdk::core
