#pragma once
// An HTTP server on GNU libmicrohttpd, driven by the EventLoop: MHD runs in external epoll mode
// (no thread of its own) and the loop polls MHD's epoll descriptor.
//
// A handler answers at once, or asks for the answer to wait for durability (needs_sync): the
// connection is then suspended until release_deferred() — after the owner's one group commit.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

struct MHD_Daemon;
struct MHD_Connection;

namespace redial::runner {

class EventLoop;

struct HttpRequest {
  std::string method;
  std::string path;
  std::string body;
  MHD_Connection* connection = nullptr;
  // Header (case-insensitive) or query argument; "" when absent.
  std::string header(const char* name) const;
  std::string query(const char* name) const;
  bool has_query(const char* name) const;
};

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  bool needs_sync = false;  // answer only after release_deferred()
};

HttpResponse json_error(int status, const std::string& message);

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  // Throws std::runtime_error when the address cannot be bound.
  HttpServer(EventLoop& loop, const std::string& address, int port, Handler handler,
             std::size_t max_body_bytes = 1 << 20);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const { return port_; }
  // Runs MHD's work (called by the loop; also after resuming connections).
  void run();
  // Milliseconds until MHD needs run() again, -1 for no limit.
  std::int64_t timeout_ms() const;

  std::size_t deferred_count() const { return deferred_.size(); }
  // Answers every deferred request: with its prepared response when ok, else 503.
  void release_deferred(bool ok);
  // Stops accepting new connections (closes the listening socket).
  void stop_accepting();
  // Requests received and not yet fully answered.
  std::size_t active_requests() const { return active_; }

  // libmicrohttpd's callbacks (through trampolines in the .cpp); not for callers.
  static int on_request(void* cls, MHD_Connection* c, const char* url, const char* method,
                        const char* version, const char* upload_data, std::size_t* upload_size,
                        void** con_cls);
  static void on_completed(void* cls, MHD_Connection* c, void** con_cls, int toe);

 private:
  struct State;

  EventLoop& loop_;
  Handler handler_;
  std::size_t max_body_;
  MHD_Daemon* daemon_ = nullptr;
  int epoll_fd_ = -1;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::vector<State*> deferred_;
  std::size_t active_ = 0;
};

}  // namespace redial::runner
