#include "runner/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace redial::runner {

struct CurlHttpClient::Transfer {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  std::string request_body;
  std::string response_body;
  std::map<std::string, std::string> response_headers;
  Done done;
  std::int64_t started = 0;
};

namespace {
std::size_t on_write(char* data, std::size_t size, std::size_t n, void* userp) {
  static_cast<std::string*>(userp)->append(data, size * n);
  return size * n;
}

// One header line ("Name: value\r\n"); a new status line (redirect, 100) starts over.
std::size_t on_header(char* data, std::size_t size, std::size_t n, void* userp) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(userp);
  std::string line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();
    return size * n;
  }
  auto colon = line.find(':');
  if (colon == std::string::npos) return size * n;
  std::string name = line.substr(0, colon);
  for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string value = line.substr(colon + 1);
  auto b = value.find_first_not_of(" \t");
  auto e = value.find_last_not_of(" \t\r\n");
  (*headers)[name] = b == std::string::npos ? "" : value.substr(b, e - b + 1);
  return size * n;
}

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};
}  // namespace

CurlHttpClient::CurlHttpClient(EventLoop& loop) : loop_(loop) {
  static CurlGlobal global;
  multi_ = curl_multi_init();
  if (multi_ == nullptr) throw std::runtime_error("curl_multi_init failed");
  curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &CurlHttpClient::on_socket);
  curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &CurlHttpClient::on_timer);
  curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
}

CurlHttpClient::~CurlHttpClient() {
  loop_.cancel_timer(timer_);
  for (auto& [easy, t] : transfers_) {
    curl_multi_remove_handle(multi_, easy);
    curl_easy_cleanup(easy);
    curl_slist_free_all(t->headers);
    delete t;
  }
  curl_multi_cleanup(multi_);
}

void CurlHttpClient::send(const HttpCall& call, Done done) {
  auto* t = new Transfer();
  t->easy = curl_easy_init();
  t->done = std::move(done);
  t->request_body = call.body;
  t->started = EventLoop::steady_ms();
  CURL* e = t->easy;
  curl_easy_setopt(e, CURLOPT_URL, call.url.c_str());
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(call.timeout_ms));
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(call.timeout_ms));
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &on_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &t->response_body);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &t->response_headers);
  curl_easy_setopt(e, CURLOPT_PRIVATE, t);
  for (const auto& h : call.headers) t->headers = curl_slist_append(t->headers, h.c_str());
  if (call.method == "POST") {
    t->headers = curl_slist_append(t->headers, "Content-Type: application/json");
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->request_body.c_str());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(t->request_body.size()));
  }
  t->headers = curl_slist_append(t->headers, "Expect:");
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
  transfers_[e] = t;
  curl_multi_add_handle(multi_, e);
}

int CurlHttpClient::on_socket(CURL*, int fd, int what, void* userp, void*) {
  auto* self = static_cast<CurlHttpClient*>(userp);
  if (what == CURL_POLL_REMOVE) {
    self->loop_.unwatch(fd);
    return 0;
  }
  short events = 0;
  if (what & CURL_POLL_IN) events |= POLLIN;
  if (what & CURL_POLL_OUT) events |= POLLOUT;
  self->loop_.watch(fd, events, [self](int f, short rev) {
    int flags = 0;
    if (rev & (POLLIN | POLLHUP)) flags |= CURL_CSELECT_IN;
    if (rev & POLLOUT) flags |= CURL_CSELECT_OUT;
    if (rev & (POLLERR | POLLNVAL)) flags |= CURL_CSELECT_ERR;
    self->action(f, flags);
  });
  return 0;
}

int CurlHttpClient::on_timer(CURLM*, long timeout_ms, void* userp) {
  auto* self = static_cast<CurlHttpClient*>(userp);
  self->loop_.cancel_timer(self->timer_);
  self->timer_ = 0;
  if (timeout_ms >= 0) {
    self->timer_ = self->loop_.add_steady_timer(timeout_ms, [self] {
      self->timer_ = 0;
      self->action(CURL_SOCKET_TIMEOUT, 0);
    });
  }
  return 0;
}

void CurlHttpClient::action(int fd, int flags) {
  int running = 0;
  curl_multi_socket_action(multi_, fd, flags, &running);
  collect();
}

void CurlHttpClient::collect() {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(multi_, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    CURL* e = msg->easy_handle;
    CURLcode code = msg->data.result;
    auto it = transfers_.find(e);
    if (it == transfers_.end()) continue;
    Transfer* t = it->second;
    transfers_.erase(it);
    HttpReply reply;
    if (code == CURLE_OK) {
      curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &reply.status);
    } else {
      reply.error = curl_easy_strerror(code);
      reply.curl_code = static_cast<int>(code);
      reply.request_sent_unknown = code != CURLE_COULDNT_CONNECT &&
                                   code != CURLE_COULDNT_RESOLVE_HOST &&
                                   code != CURLE_COULDNT_RESOLVE_PROXY;
    }
    reply.body = std::move(t->response_body);
    reply.headers = std::move(t->response_headers);
    reply.elapsed_ms = EventLoop::steady_ms() - t->started;
    curl_multi_remove_handle(multi_, e);
    curl_easy_cleanup(e);
    curl_slist_free_all(t->headers);
    Done done = std::move(t->done);
    delete t;
    done(reply);  // may send() again
  }
}

}  // namespace redial::runner
