#pragma once
// An HTTP server on GNU libmicrohttpd, driven by the EventLoop: MHD runs in external epoll mode
// (no thread of its own) and the loop polls MHD's epoll descriptor.
//
// A handler answers at once, or asks for the answer to wait for durability (needs_sync): the
// connection is then suspended until release_deferred() — after the owner's one group commit.
//
// Limits (issue 6), each rejection reported through the RejectCounter by kind:
//   body_too_large      413 JSON: the body is read and dropped past max_body_bytes
//   headers_too_large   431 JSON: request line + headers above max_header_bytes (beyond MHD's
//                       memory pool, 2 x that + 16 KiB, MHD itself answers a plain 431 first)
//   connection_limit    total connections above max_connections: the socket is closed at accept
//   per_ip_limit        one address above max_connections_per_ip: closed at accept
//   request_timeout     a request not complete (received and answered) within request_timeout
//                       of its connection's start or previous answer: the socket is shut down,
//                       so a slow client cannot hold a connection.
//   header_timeout      (issue 15) request line + headers not complete within header_timeout of
//                       the connection's start or previous answer: shut down
//   body_timeout        the body not complete within body_timeout of the end of the headers
// Idle keep-alive connections are closed silently by MHD after half the shorter of the header
// and request time-outs. An early check (set_early_check) sees each request once its headers
// are in, before any of the body is read, and may answer it at once (the webhook credential).
// Suspended requests (waiting for the group commit) are exempt from the time-out.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct sockaddr;
struct MHD_Daemon;
struct MHD_Connection;

namespace redial::runner {

class EventLoop;

struct HttpRequest {
  std::string method;
  std::string path;
  std::string body;
  MHD_Connection* connection = nullptr;
  bool from_loopback = false;  // the peer is 127.0.0.0/8 (or ::1)
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
  // Extra headers (e.g. Retry-After).
  std::vector<std::pair<std::string, std::string>> headers = {};
};

HttpResponse json_error(int status, const std::string& message);

struct HttpLimits {
  std::size_t max_body_bytes = 1 << 20;
  std::size_t max_header_bytes = 8 << 10;
  unsigned max_connections = 256;
  unsigned max_connections_per_ip = 32;
  std::int64_t request_timeout_ms = 30000;
  // Each acts only when shorter than the request time-out.
  std::int64_t header_timeout_ms = 30000;
  std::int64_t body_timeout_ms = 30000;
};

// True for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104.
bool is_loopback(const struct sockaddr* addr);

class HttpServer {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  // Called once per rejected request or connection with its kind (see the limits above).
  using RejectCounter = std::function<void(const char* kind)>;
  // Sees a request whose headers are in, before its body is read; a response it returns is sent
  // at once (the body is never read) and the handler is not called.
  using EarlyCheck = std::function<std::optional<HttpResponse>(const HttpRequest&)>;

  // Throws std::runtime_error when the address cannot be bound.
  HttpServer(EventLoop& loop, const std::string& address, int port, Handler handler,
             HttpLimits limits = {}, RejectCounter on_reject = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const { return port_; }
  // Runs MHD's work (called by the loop; also after resuming connections).
  void run();
  // Milliseconds until MHD needs run() again, -1 for no limit.
  std::int64_t timeout_ms() const;

  std::size_t deferred_count() const { return deferred_.size(); }
  void set_early_check(EarlyCheck check) { early_ = std::move(check); }
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
  static bool on_accept(void* cls, const struct sockaddr* addr);
  static void on_connection(void* cls, MHD_Connection* c, bool started);

 private:
  struct State;
  struct Conn {
    std::string ip;
    int fd = -1;
    std::int64_t deadline = 0;                 // steady ms
    std::int64_t headers_by = 0, body_by = 0;  // steady ms
    bool headers_in = false, body_in = false;
    bool suspended = false;
    bool timed_out = false;
  };

  void reject(const char* kind, const std::string& detail);
  std::string keep_alive_;  // the Keep-Alive header's value: MHD's idle time-out
  void check_deadlines();
  // The time-out a connection is past at `now` (kind nullptr: none).
  struct Overdue {
    const char* kind = nullptr;
    const char* what = nullptr;
    const char* setting = nullptr;
    std::int64_t ms = 0;
  };
  Overdue overdue(const Conn& conn, std::int64_t now) const;
  // A new request on the connection (its start, or after an answer on keep-alive).
  void start_request(Conn& conn, std::int64_t now) const;
  // The first and the last access-handler calls of a request.
  void on_headers_in(MHD_Connection* c);
  void on_body_in(MHD_Connection* c);

  EventLoop& loop_;
  Handler handler_;
  HttpLimits limits_;
  RejectCounter on_reject_;
  EarlyCheck early_;
  std::map<MHD_Connection*, Conn> conns_;
  std::map<std::string, unsigned> per_ip_;
  MHD_Daemon* daemon_ = nullptr;
  int epoll_fd_ = -1;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::vector<State*> deferred_;
  std::size_t active_ = 0;
  std::uint64_t deadline_timer_ = 0;
};

}  // namespace redial::runner
