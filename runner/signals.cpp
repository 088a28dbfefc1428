#include "runner/signals.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <system_error>

namespace redial::runner {
namespace {

int g_write_fd = -1;

extern "C" void on_signal(int signo) {
  int saved = errno;
  unsigned char b = static_cast<unsigned char>(signo);
  if (g_write_fd >= 0) (void)!::write(g_write_fd, &b, 1);
  errno = saved;
}

}  // namespace

SignalPipe::SignalPipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
    throw std::system_error(errno, std::generic_category(), "pipe2");
  read_fd_ = fds[0];
  g_write_fd = fds[1];
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaction(s, &sa, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
}

SignalPipe::~SignalPipe() {
  for (int s : {SIGTERM, SIGINT, SIGHUP}) std::signal(s, SIG_DFL);
  if (g_write_fd >= 0) ::close(g_write_fd);
  g_write_fd = -1;
  if (read_fd_ >= 0) ::close(read_fd_);
}

int SignalPipe::next() {
  unsigned char b = 0;
  return ::read(read_fd_, &b, 1) == 1 ? b : 0;
}

}  // namespace redial::runner
