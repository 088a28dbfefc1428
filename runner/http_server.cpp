#include "runner/http_server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
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

namespace {

MHD_Result send(MHD_Connection* c, const HttpResponse& r) {
  MHD_Response* resp =
      MHD_create_response_from_buffer(r.body.size(), (void*)r.body.data(), MHD_RESPMEM_MUST_COPY);
  MHD_add_response_header(resp, "Content-Type", r.content_type.c_str());
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

HttpServer::HttpServer(EventLoop& loop, const std::string& address, int port, Handler handler,
                       std::size_t max_body_bytes)
    : loop_(loop), handler_(std::move(handler)), max_body_(max_body_bytes) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  if (inet_pton(AF_INET, address.c_str(), &sa.sin_addr) != 1)
    throw std::runtime_error("listen-address: '" + address + "' is not an IPv4 address");
  unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
  daemon_ = MHD_start_daemon(flags, static_cast<std::uint16_t>(port), nullptr, nullptr,
                             &HttpServer_on_request, this, MHD_OPTION_SOCK_ADDR, &sa,
                             MHD_OPTION_NOTIFY_COMPLETED, &HttpServer_on_completed, this,
                             MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_END);
  if (daemon_ == nullptr)
    throw std::runtime_error("cannot listen on " + address + ":" + std::to_string(port) +
                             " (address in use or not available)");
  epoll_fd_ = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_EPOLL_FD)->epoll_fd;
  listen_fd_ = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_LISTEN_FD)->listen_fd;
  port_ = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT)->port;
  loop_.watch(epoll_fd_, POLLIN, [this](int, short) { run(); });
}

HttpServer::~HttpServer() {
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
    *con_cls = st;
    ++self->active_;
    return MHD_YES;
  }
  if (*upload_size > 0) {
    if (st->request.body.size() + *upload_size > self->max_body_) {
      st->too_large = true;
    } else {
      st->request.body.append(upload_data, *upload_size);
    }
    *upload_size = 0;
    return MHD_YES;
  }
  if (st->resumed) {
    if (!st->ok) return send(c, json_error(503, "the store could not be written; try again"));
    return send(c, st->prepared);
  }
  if (st->too_large) return send(c, json_error(413, "body too large"));
  HttpResponse r;
  try {
    r = self->handler_(st->request);
  } catch (const std::exception& e) {
    r = json_error(500, e.what());
  }
  if (r.needs_sync) {
    st->prepared = std::move(r);
    self->deferred_.push_back(st);
    MHD_suspend_connection(c);
    return MHD_YES;
  }
  return send(c, r);
}

void HttpServer::on_completed(void* cls, MHD_Connection*, void** con_cls, int) {
  auto* self = static_cast<HttpServer*>(cls);
  auto* st = static_cast<State*>(*con_cls);
  if (st == nullptr) return;
  auto& d = self->deferred_;
  d.erase(std::remove(d.begin(), d.end(), st), d.end());
  delete st;
  *con_cls = nullptr;
  --self->active_;
}

}  // namespace redial::runner
