#pragma once
// SIGTERM, SIGINT and SIGHUP through a self-pipe, so the poll loop sees them as a readable fd.
// SIGPIPE is ignored (a peer closing a socket is an error code, not a death).
namespace redial::runner {

class SignalPipe {
 public:
  SignalPipe();  // installs the handlers; one instance per process
  ~SignalPipe();
  int fd() const { return read_fd_; }
  // Reads one pending signal number, or 0 when none is pending.
  int next();

 private:
  int read_fd_ = -1;
};

}  // namespace redial::runner
