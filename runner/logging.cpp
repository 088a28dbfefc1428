#include "runner/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

namespace redial::runner {
namespace {

// %* : the message as a JSON string literal; a message ending in a JSON object (the core's and
// the runner's "Text {\"key\":...}" style) becomes "msg":"Text","fields":{...}.
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    using nlohmann::json;
    std::string text(msg.payload.data(), msg.payload.size());
    std::string out;
    std::size_t brace = text.find(" {");
    if (brace != std::string::npos && !text.empty() && text.back() == '}') {
      json fields = json::parse(text.substr(brace + 1), nullptr, false);
      if (fields.is_object()) {
        out = json(text.substr(0, brace)).dump(-1, ' ', false, json::error_handler_t::replace) +
              ",\"fields\":" + fields.dump(-1, ' ', false, json::error_handler_t::replace);
      }
    }
    if (out.empty()) out = json(text).dump(-1, ' ', false, json::error_handler_t::replace);
    dest.append(out.data(), out.data() + out.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

std::unique_ptr<spdlog::formatter> make_formatter(const Settings& s) {
  auto f = std::make_unique<spdlog::pattern_formatter>();
  if (s.log_format == LogFormat::kJson) {
    f->add_flag<JsonMessageFlag>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l","logger":"%n","msg":%*})");
  } else {
    f->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
  }
  return f;
}

spdlog::sink_ptr make_sink(const Settings& s) {
  if (s.log_file.empty()) return std::make_shared<spdlog::sinks::stderr_sink_mt>();
  return std::make_shared<spdlog::sinks::basic_file_sink_mt>(s.log_file, false);
}

}  // namespace

std::shared_ptr<spdlog::logger> setup_logging(const Settings& s) {
  auto logger = std::make_shared<spdlog::logger>("redial", make_sink(s));
  logger->set_formatter(make_formatter(s));
  logger->set_level(spdlog::level::from_str(s.log_level));
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
  return logger;
}

void reopen_log(spdlog::logger& logger, const Settings& s) {
  if (s.log_file.empty()) return;
  auto sink = make_sink(s);
  sink->set_formatter(make_formatter(s));
  logger.sinks().clear();
  logger.sinks().push_back(sink);
  logger.info("Log file reopened");
}

}  // namespace redial::runner
