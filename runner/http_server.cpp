#include "runner/http_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "runner/event_loop.h"

namespace redial::runner {

struct HttpServer::State {
  HttpRequest request;
  bool too_large = false;
  bool headers_too_large = false;
  bool resumed = false;
  bool ok = true;
  HttpResponse prepared;
};

std::string HttpRequest::header(const char* name) const {
  const char* v = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, name);
  return v ? v : "";
}

std::string HttpRequest::query(const char* name) const {
  const char* v = MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND, name);
  return v ? v : "";
}

bool HttpRequest::has_query(const char* name) const {
  return MHD_lookup_connection_value(connection, MHD_GET_ARGUMENT_KIND, name) != nullptr;
}

HttpResponse json_error(int status, const std::string& message) {
  return HttpResponse{status, nlohmann::json{{"error", message}}.dump() + "\n", "application/json",
                      false};
}

bool is_loopback(const sockaddr* addr) {
  if (addr == nullptr) return false;
  if (addr->sa_family == AF_INET) {
    auto ip = ntohl(reinterpret_cast<const sockaddr_in*>(addr)->sin_addr.s_addr);
    return (ip >> 24) == 127;
  }
  if (addr->sa_family == AF_INET6) {
    const in6_addr& a = reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr;
    if (IN6_IS_ADDR_LOOPBACK(&a)) return true;
    return IN6_IS_ADDR_V4MAPPED(&a) && a.s6_addr[12] == 127;
  }
  return false;
}

namespace {

std::string address_text(const sockaddr* addr) {
  char buf[INET6_ADDRSTRLEN] = "?";
  if (addr == nullptr) return buf;
  if (addr->sa_family == AF_INET)
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(addr)->sin_addr, buf, sizeof buf);
  else if (addr->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(addr)->sin6_addr, buf, sizeof buf);
  return buf;
}

const sockaddr* peer_of(MHD_Connection* c) {
  const MHD_ConnectionInfo* info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  return info ? info->client_addr : nullptr;
}

// `keep_alive` tells clients how long an idle connection stays open ("timeout=N"): Node's
// fetch keeps one for 4 s by default, longer than MHD's idle time-out, and then sends its next
// request on a socket the server is closing ("fetch failed"); with the hint it stops sooner.
MHD_Result send(MHD_Connection* c, const std::string& keep_alive, const HttpResponse& r) {
  MHD_Response* resp =
      MHD_create_response_from_buffer(r.body.size(), (void*)r.body.data(), MHD_RESPMEM_MUST_COPY);
  MHD_add_response_header(resp, "Content-Type", r.content_type.c_str());
  MHD_add_response_header(resp, "Keep-Alive", keep_alive.c_str());
  for (const auto& [name, value] : r.headers)
    MHD_add_response_header(resp, name.c_str(), value.c_str());
  MHD_Result ret = MHD_queue_response(c, static_cast<unsigned>(r.status), resp);
  MHD_destroy_response(resp);
  return ret;
}

}  // namespace

// Trampolines with libmicrohttpd's exact callback types.
MHD_Result HttpServer_on_request(void* cls, MHD_Connection* c, const char* url, const char* method,
                                 const char* version, const char* upload_data,
                                 std::size_t* upload_size, void** con_cls) {
  return static_cast<MHD_Result>(
      HttpServer::on_request(cls, c, url, method, version, upload_data, upload_size, con_cls));
}

void HttpServer_on_completed(void* cls, MHD_Connection* c, void** con_cls,
                             MHD_RequestTerminationCode toe) {
  HttpServer::on_completed(cls, c, con_cls, static_cast<int>(toe));
}

MHD_Result HttpServer_on_accept(void* cls, const sockaddr* addr, socklen_t) {
  return HttpServer::on_accept(cls, addr) ? MHD_YES : MHD_NO;
}

void HttpServer_on_connection(void* cls, MHD_Connection* c, void**,
                              MHD_ConnectionNotificationCode toe) {
  HttpServer::on_connection(cls, c, toe == MHD_CONNECTION_NOTIFY_STARTED);
}

HttpServer::HttpServer(EventLoop& loop, const std::string& address, int port, Handler handler,
                       HttpLimits limits, RejectCounter on_reject)
    : loop_(loop), handler_(std::move(handler)), limits_(limits), on_reject_(std::move(on_reject)) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  if (inet_pton(AF_INET, address.c_str(), &sa.sin_addr) != 1)
    throw std::runtime_error("listen-address: '" + address + "' is not an IPv4 address");
  unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
  // MHD's idle time-out is half the shorter of the header and request time-outs: an idle
  // keep-alive connection is closed by MHD (not counted) before a deadline would count it as a
  // slow client.
  const std::int64_t first_ms = std::min(limits_.request_timeout_ms, limits_.header_timeout_ms);
  auto idle_s = static_cast<unsigned>(std::max<std::int64_t>(1, first_ms / 2000));
  keep_alive_ = "timeout=" + std::to_string(idle_s);
  std::size_t pool = std::max<std::size_t>(32 << 10, 2 * limits_.max_header_bytes + (16 << 10));
  daemon_ = MHD_start_daemon(
      flags, static_cast<std::uint16_t>(port), &HttpServer_on_accept, this, &HttpServer_on_request,
      this, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_NOTIFY_COMPLETED, &HttpServer_on_completed, this,
      MHD_OPTION_NOTIFY_CONNECTION, &HttpServer_on_connection, this, MHD_OPTION_CONNECTION_TIMEOUT,
      idle_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT, pool, MHD_OPTION_END);
  if (daemon_ == nullptr)
    throw std::runtime_error("cannot listen on " + address + ":" + std::to_string(port) +
                             " (address in use or not available)");
  epoll_fd_ = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_EPOLL_FD)->epoll_fd;
  listen_fd_ = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_LISTEN_FD)->listen_fd;
  port_ = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT)->port;
  loop_.watch(epoll_fd_, POLLIN, [this](int, short) { run(); });
  check_deadlines();
}

HttpServer::~HttpServer() {
  loop_.cancel_timer(deadline_timer_);
  loop_.unwatch(epoll_fd_);
  release_deferred(false);
  MHD_stop_daemon(daemon_);
}

void HttpServer::run() { MHD_run(daemon_); }

std::int64_t HttpServer::timeout_ms() const {
  MHD_UNSIGNED_LONG_LONG t = 0;
  if (MHD_get_timeout(daemon_, &t) != MHD_YES) return -1;
  return static_cast<std::int64_t>(t);
}

void HttpServer::release_deferred(bool ok) {
  if (deferred_.empty()) return;
  std::vector<State*> list;
  list.swap(deferred_);
  for (State* s : list) {
    s->resumed = true;
    s->ok = ok;
    if (auto it = conns_.find(s->request.connection); it != conns_.end()) {
      it->second.suspended = false;
      it->second.deadline = EventLoop::steady_ms() + limits_.request_timeout_ms;
    }
    MHD_resume_connection(s->request.connection);
  }
  run();  // let MHD call the handlers again and send the answers now
}

void HttpServer::stop_accepting() {
  if (listen_fd_ < 0) return;
  MHD_socket fd = MHD_quiesce_daemon(daemon_);
  if (fd != MHD_INVALID_SOCKET) ::close(fd);
  listen_fd_ = -1;
}

int HttpServer::on_request(void* cls, MHD_Connection* c, const char* url, const char* method,
                           const char*, const char* upload_data, std::size_t* upload_size,
                           void** con_cls) {
  auto* self = static_cast<HttpServer*>(cls);
  auto* st = static_cast<State*>(*con_cls);
  if (st == nullptr) {
    st = new State();
    st->request.method = method;
    st->request.path = url;
    st->request.connection = c;
    st->request.from_loopback = is_loopback(peer_of(c));
    const MHD_ConnectionInfo* hs =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    st->headers_too_large = hs != nullptr && hs->header_size > self->limits_.max_header_bytes;
    *con_cls = st;
    ++self->active_;
    self->on_headers_in(c);
    if (self->early_ && !st->headers_too_large) {
      // Before the body: a request without the right credential never gets to send it.
      std::optional<HttpResponse> early;
      try {
        early = self->early_(st->request);
      } catch (const std::exception& e) {
        early = json_error(500, e.what());
      }
      if (early) {
        self->on_body_in(c);
        return send(c, self->keep_alive_, *early);
      }
    }
    return MHD_YES;
  }
  if (*upload_size > 0) {
    // Past the cap the rest is read and dropped (answering before the body is read would
    // make most clients see a reset instead of the 413); the request deadline bounds it.
    if (st->too_large || st->headers_too_large ||
        st->request.body.size() + *upload_size > self->limits_.max_body_bytes) {
      st->too_large = true;
    } else {
      st->request.body.append(upload_data, *upload_size);
    }
    *upload_size = 0;
    return MHD_YES;
  }
  self->on_body_in(c);
  if (st->resumed) {
    if (!st->ok)
      return send(c, self->keep_alive_,
                  json_error(503, "the store could not be written; try again"));
    return send(c, self->keep_alive_, st->prepared);
  }
  if (st->headers_too_large) {
    self->reject("headers_too_large", st->request.method + " " + st->request.path);
    return send(c, self->keep_alive_,
                json_error(431, "request headers larger than " +
                                    std::to_string(self->limits_.max_header_bytes) +
                                    " bytes (--max-header-bytes)"));
  }
  if (st->too_large) {
    self->reject("body_too_large", st->request.method + " " + st->request.path);
    return send(
        c, self->keep_alive_,
        json_error(413, "request body larger than " + std::to_string(self->limits_.max_body_bytes) +
                            " bytes (--max-body-bytes)"));
  }
  HttpResponse r;
  try {
    r = self->handler_(st->request);
  } catch (const std::exception& e) {
    r = json_error(500, e.what());
  }
  if (r.needs_sync) {
    st->prepared = std::move(r);
    self->deferred_.push_back(st);
    if (auto it = self->conns_.find(c); it != self->conns_.end()) it->second.suspended = true;
    MHD_suspend_connection(c);
    return MHD_YES;
  }
  return send(c, self->keep_alive_, r);
}

void HttpServer::on_completed(void* cls, MHD_Connection* c, void** con_cls, int) {
  auto* self = static_cast<HttpServer*>(cls);
  auto* st = static_cast<State*>(*con_cls);
  if (st == nullptr) return;
  auto& d = self->deferred_;
  d.erase(std::remove(d.begin(), d.end(), st), d.end());
  delete st;
  *con_cls = nullptr;
  --self->active_;
  // A keep-alive connection gets fresh deadlines for its next request.
  if (auto it = self->conns_.find(c); it != self->conns_.end())
    self->start_request(it->second, EventLoop::steady_ms());
}

void HttpServer::start_request(Conn& conn, std::int64_t now) const {
  conn.deadline = now + limits_.request_timeout_ms;
  conn.headers_by = now + limits_.header_timeout_ms;
  conn.headers_in = conn.body_in = false;
}

void HttpServer::on_headers_in(MHD_Connection* c) {
  auto it = conns_.find(c);
  if (it == conns_.end()) return;
  it->second.headers_in = true;
  it->second.body_by = EventLoop::steady_ms() + limits_.body_timeout_ms;
}

void HttpServer::on_body_in(MHD_Connection* c) {
  if (auto it = conns_.find(c); it != conns_.end()) it->second.body_in = true;
}

HttpServer::Overdue HttpServer::overdue(const Conn& conn, std::int64_t now) const {
  // The whole-request deadline first: a header or body time-out acts only when it is shorter.
  if (now >= conn.deadline)
    return {"request_timeout", "request", "--request-timeout", limits_.request_timeout_ms};
  if (!conn.headers_in && now >= conn.headers_by)
    return {"header_timeout", "request headers", "--header-timeout", limits_.header_timeout_ms};
  if (conn.headers_in && !conn.body_in && now >= conn.body_by)
    return {"body_timeout", "request body", "--body-timeout", limits_.body_timeout_ms};
  return {};
}

void HttpServer::reject(const char* kind, const std::string& detail) {
  spdlog::warn("HTTP request rejected {}",
               nlohmann::json{{"kind", kind}, {"detail", detail}}.dump());
  if (on_reject_) on_reject_(kind);
}

// Runs before MHD creates the connection: the limits are checked against connections
// counted by on_connection, so a refused one was never counted.
bool HttpServer::on_accept(void* cls, const sockaddr* addr) {
  auto* self = static_cast<HttpServer*>(cls);
  std::string ip = address_text(addr);
  if (self->conns_.size() >= self->limits_.max_connections) {
    self->reject("connection_limit", ip + ": " + std::to_string(self->conns_.size()) +
                                         " connections open (--max-connections)");
    return false;
  }
  auto it = self->per_ip_.find(ip);
  if (it != self->per_ip_.end() && it->second >= self->limits_.max_connections_per_ip) {
    self->reject("per_ip_limit", ip + ": " + std::to_string(it->second) +
                                     " connections open (--max-connections-per-ip)");
    return false;
  }
  return true;
}

void HttpServer::on_connection(void* cls, MHD_Connection* c, bool started) {
  auto* self = static_cast<HttpServer*>(cls);
  if (started) {
    Conn& conn = self->conns_[c];
    conn.ip = address_text(peer_of(c));
    const MHD_ConnectionInfo* fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    conn.fd = fd ? fd->connect_fd : -1;
    self->start_request(conn, EventLoop::steady_ms());
    ++self->per_ip_[conn.ip];
    return;
  }
  auto it = self->conns_.find(c);
  if (it == self->conns_.end()) return;
  auto ip = self->per_ip_.find(it->second.ip);
  if (ip != self->per_ip_.end() && --ip->second == 0) self->per_ip_.erase(ip);
  self->conns_.erase(it);
}

// Every half second: a connection past its deadline is shut down (MHD then sees the socket
// end and closes it). HTTP has no way to answer a request that never finished arriving.
void HttpServer::check_deadlines() {
  std::int64_t now = EventLoop::steady_ms();
  bool any = false;
  for (auto& [c, conn] : conns_) {
    if (conn.suspended || conn.timed_out || conn.fd < 0) continue;
    const Overdue late = overdue(conn, now);
    if (late.kind == nullptr) continue;
    conn.timed_out = true;
    reject(late.kind, conn.ip + ": " + late.what + " not complete within " +
                          std::to_string(late.ms) + " ms (" + late.setting + ")");
    ::shutdown(conn.fd, SHUT_RDWR);
    any = true;
  }
  if (any) run();
  deadline_timer_ = loop_.add_steady_timer(500, [this] { check_deadlines(); });
}

}  // namespace redial::runner
