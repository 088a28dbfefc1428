#pragma once
// Outbound HTTP on the libcurl multi interface, driven by the EventLoop through
// curl_multi_socket_action with socket and timer callbacks. Never blocks. The interface and the
// request/reply types are the Bland library's (bland/http_client.h).
#include <map>

#include "bland/http_client.h"
#include "runner/event_loop.h"

typedef void CURLM;
typedef void CURL;

namespace redial::runner {

using bland::HttpCall;
using bland::HttpReply;
using bland::parse_retry_after_ms;

class CurlHttpClient final : public bland::HttpClient {
 public:
  explicit CurlHttpClient(EventLoop& loop);
  ~CurlHttpClient();
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  void send(const HttpCall& call, Done done) override;
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
