// The Boost.Beast server of `subsidy serve` (see server.hpp).
#include "http/server.hpp"

#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

namespace subsidy::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(60);  // a keep-alive connection without a request
constexpr auto kIoTimeout = std::chrono::seconds(300);   // reading a request, writing a response
constexpr auto kDrainTimeout = std::chrono::seconds(2);  // reading the rest of a refused request
constexpr std::uint32_t kHeaderLimit = 64 * 1024;
constexpr std::size_t kReadBuffer = 256 * 1024;  // per connection: large bodies arrive in reads of this size

// 128 random bits, hex.
std::string request_id() {
  thread_local std::mt19937_64 gen{std::random_device{}()};
  static constexpr char digits[] = "0123456789abcdef";
  std::string id(32, '0');
  for (int half = 0; half < 2; ++half) {
    std::uint64_t v = gen();
    for (int i = 0; i < 16; ++i, v >>= 4) id[static_cast<std::size_t>(half * 16 + i)] = digits[v & 15];
  }
  return id;
}

class Session;

// What every session shares: the handlers, the limits and the live sessions (for shutdown).
struct Shared {
  Shared(const Handlers& h, const ServerOptions& o) : handlers(h), options(o) {}
  const Handlers& handlers;
  ServerOptions options;
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::unordered_map<const Session*, std::weak_ptr<Session>> sessions;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Shared& shared) : stream_(std::move(socket)), shared_(shared) {
    buffer_.reserve(kReadBuffer);  // Beast reads as much as the buffer's spare capacity (at least 512 bytes)
  }
  ~Session() {
    std::lock_guard lock(shared_.mutex);
    shared_.sessions.erase(this);
  }

  void start() {
    {
      std::lock_guard lock(shared_.mutex);
      shared_.sessions.emplace(this, weak_from_this());
    }
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
  }

  // Shutdown: an idle connection closes now; a busy one after its response.
  void close_if_idle() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) self->close();
    });
  }

 private:
  void read() {
    if (shared_.stopping) return close();
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(shared_.options.max_body);
    stream_.expires_after(kIdleTimeout);
    bhttp::async_read_header(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_header(ec);
    });
  }

  void on_header(beast::error_code ec) {
    if (ec) return failed(ec);
    busy_ = true;
    stream_.expires_after(kIoTimeout);
    if (beast::iequals(parser_->get()[bhttp::field::expect], "100-continue")) {
      // The client waits for this before it sends the body (curl does for bodies over 1 MiB).
      auto go_on = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
      return bhttp::async_write(stream_, *go_on, [self = shared_from_this(), go_on](beast::error_code ec2, std::size_t) {
        if (ec2) return self->close();
        self->read_body();
      });
    }
    read_body();
  }

  void read_body() {
    bhttp::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  // A request that could not be read: answered when it makes sense, then the connection closes.
  void failed(beast::error_code ec) {
    if (ec == bhttp::error::body_limit)
      return reply(error_response(413, "usage", "body_too_large",
                                  "the request body is over the limit of " + std::to_string(shared_.options.max_body) +
                                      " bytes (--max-body)",
                                  {{"limit_bytes", std::to_string(shared_.options.max_body)}}),
                   false);
    if (ec == bhttp::error::header_limit)
      return reply(error_response(431, "usage", "header_too_large", "the request header is over 64 KiB"), false);
    if (ec.category() == beast::error_code(bhttp::error::bad_target).category() && ec != bhttp::error::end_of_stream &&
        ec != bhttp::error::partial_message)
      return reply(error_response(400, "usage", "bad_request", "malformed HTTP request: " + ec.message()), false);
    close();  // the peer went away, timed out, or the server is stopping
  }

  void on_read(beast::error_code ec) {
    if (ec) return failed(ec);
    auto& msg = parser_->get();
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    req.content_type = std::string(msg[bhttp::field::content_type]);
    req.body = std::move(msg.body());
    for (const auto& field : msg) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    beast::error_code ignored;
    req.remote = stream_.socket().remote_endpoint(ignored).address().to_string(ignored);
    Response res;
    try {
      res = shared_.handlers.handle(req);
    } catch (const std::exception& e) {
      res = error_response(500, "internal", "internal", std::string("internal error: ") + e.what());
    }
    reply(std::move(res), msg.keep_alive());
  }

  void reply(Response res, bool keep_alive) {
    busy_ = true;
    auto out = std::make_shared<bhttp::response<bhttp::string_body>>(static_cast<bhttp::status>(res.status), 11);
    out->set(bhttp::field::server, "subsidy");
    out->set(bhttp::field::content_type, res.content_type);
    out->set("X-Request-Id", request_id());
    out->set("X-Ruleset-Hash", shared_.handlers.ruleset_hash());
    for (const auto& [name, value] : res.headers) out->insert(name, value);
    out->keep_alive(keep_alive && !shared_.stopping);
    out->body() = std::move(res.body);
    out->prepare_payload();
    stream_.expires_after(kIoTimeout);
    bhttp::async_write(stream_, *out, [self = shared_from_this(), out](beast::error_code ec, std::size_t) {
      self->busy_ = false;
      if (ec) return self->close();
      if (!out->keep_alive()) return self->drain();
      self->read();
    });
  }

  // After the last response: stop sending and read what the client still sends (the rest of a
  // refused body) until it closes, so that it sees the response rather than a reset.
  void drain() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kDrainTimeout);
    discard();
  }
  void discard() {
    stream_.async_read_some(net::buffer(discard_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      self->discard();
    });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Shared& shared_;
  std::array<char, 4096> discard_;
  bool busy_ = false;  // touched only on the session's strand
};

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& ioc, Shared& shared, const tcp::endpoint& at) : ioc_(ioc), acceptor_(net::make_strand(ioc)), shared_(shared) {
    acceptor_.open(at.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(at);
    acceptor_.listen(net::socket_base::max_listen_connections);
  }
  unsigned short port() const { return acceptor_.local_endpoint().port(); }
  void accept() {
    acceptor_.async_accept(net::make_strand(ioc_), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted || self->shared_.stopping) return;
      if (!ec) std::make_shared<Session>(std::move(socket), self->shared_)->start();
      self->accept();
    });
  }
  void stop() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      self->acceptor_.close(ignored);
    });
  }

 private:
  net::io_context& ioc_;
  tcp::acceptor acceptor_;
  Shared& shared_;
};

// Runs ServerOptions::on_hangup on its own thread, so that a reload that takes a second holds up
// no request: each SIGHUP asks for a call; those that arrive during a call make one more.
class Hangups {
 public:
  explicit Hangups(std::function<void()> on_hangup) : on_hangup_(std::move(on_hangup)) {
    if (on_hangup_) thread_ = std::thread([this] { run(); });
  }
  ~Hangups() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
  }
  void request() {
    {
      std::lock_guard lock(mutex_);
      pending_ = true;
    }
    wake_.notify_one();
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return pending_ || done_; });
      if (done_) return;
      pending_ = false;
      lock.unlock();
      try {
        on_hangup_();
      } catch (const std::exception&) {
        // on_hangup reports its own failures; a throw must not end the server.
      }
      lock.lock();
    }
  }

  std::function<void()> on_hangup_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool pending_ = false;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace

void serve(const ServerOptions& options, const Handlers& handlers,
           const std::function<void(const std::string& host, unsigned short port)>& listening) {
  const unsigned threads = std::max(1u, options.threads);
  net::io_context ioc(static_cast<int>(threads));
  Shared shared(handlers, options);
  std::shared_ptr<Listener> listener;
  try {
    tcp::resolver resolver(ioc);
    auto endpoints = resolver.resolve(options.host, std::to_string(options.port), tcp::resolver::numeric_service);
    listener = std::make_shared<Listener>(ioc, shared, endpoints.begin()->endpoint());
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("cannot listen on " + options.host + ":" + std::to_string(options.port) + ": " + e.code().message());
  }
  Hangups hangups(options.on_hangup);
  // One set for every signal, so that its handler never runs on two threads at once.
  net::signal_set signals(ioc, SIGINT, SIGTERM, SIGHUP);
  std::function<void(beast::error_code, int)> on_signal = [&](beast::error_code ec, int signal) {
    if (ec) return;
    if (signal == SIGHUP) {
      hangups.request();
      return signals.async_wait(on_signal);
    }
    shared.stopping = true;
    listener->stop();
    std::vector<std::shared_ptr<Session>> live;
    {
      std::lock_guard lock(shared.mutex);
      for (auto& [_, weak] : shared.sessions)
        if (auto s = weak.lock()) live.push_back(std::move(s));
    }
    for (auto& s : live) s->close_if_idle();
  };
  signals.async_wait(on_signal);
  listener->accept();
  listening(options.host, listener->port());
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
}

}  // namespace subsidy::http
