#pragma once
// Outbound HTTP on the libcurl multi interface, driven by the EventLoop through
// curl_multi_socket_action with socket and timer callbacks. Never blocks.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runner/event_loop.h"

typedef void CURLM;
typedef void CURL;

namespace redial::runner {

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
  explicit HttpClient(EventLoop& loop);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  void send(const HttpCall& call, Done done);
  std::size_t in_flight() const { return transfers_.size(); }

 private:
  struct Transfer;
  static int on_socket(CURL* easy, int fd, int what, void* userp, void* socketp);
  static int on_timer(CURLM* multi, long timeout_ms, void* userp);
  void action(int fd, int flags);
  void collect();

  EventLoop& loop_;
  CURLM* multi_;
  EventLoop::TimerId timer_ = 0;
  std::map<CURL*, Transfer*> transfers_;
};

}  // namespace redial::runner
