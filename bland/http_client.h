#pragma once
// Outbound HTTP for the Bland-facing code (issue 21): an interface with one non-blocking call.
// The runner implements it on libcurl's multi interface (runner/http_client.h, CurlHttpClient);
// the simulator answers in virtual time as a simulated Bland (sim/sim_bland.h).
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace redial::bland {

struct HttpCall {
  std::string method = "GET";  // GET or POST
  std::string url;
  std::vector<std::string> headers;  // "name: value"
  std::string body;
  std::int64_t timeout_ms = 15000;
};

struct HttpReply {
  long status = 0;  // 0: no HTTP answer (see error)
  std::string body;
  std::string error;                  // transport error (connect refused, time-out ...)
  int curl_code = 0;                  // CURLcode; 0 when an HTTP answer came
  bool request_sent_unknown = false;  // the request may have reached the server
  std::int64_t elapsed_ms = 0;
  // Response headers, names lower-cased (the last value wins): e.g. "retry-after".
  std::map<std::string, std::string> headers;
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// A Retry-After value (RFC 9110: delay-seconds or an HTTP-date) as a wait from `now_ms` (epoch
// ms). nullopt when absent or unreadable; a date in the past is a wait of 0.
std::optional<std::int64_t> parse_retry_after_ms(const std::string& value, std::int64_t now_ms);

class HttpClient {
 public:
  using Done = std::function<void(const HttpReply&)>;
  // Sends `call`; `done` runs exactly once, later (never inside send), with the reply.
  virtual void send(const HttpCall& call, Done done) = 0;

 protected:
  ~HttpClient() = default;
};

}  // namespace redial::bland
