// The Boost.Beast server of `subsidy serve` (see server.hpp).
#include "http/server.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>
#include <sys/stat.h>
#include <unistd.h>
#include <spdlog/logger.h>

#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "http/metrics.hpp"

namespace subsidy::http {

namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;
using local = net::local::stream_protocol;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kIdleTimeout = std::chrono::seconds(60);   // a keep-alive connection without a request
constexpr auto kWriteTimeout = std::chrono::seconds(300);  // writing a response read whole
constexpr auto kDrainTimeout = std::chrono::seconds(2);    // reading the rest of a refused request
constexpr std::uint32_t kHeaderLimit = 64 * 1024;
constexpr std::size_t kReadBuffer = 256 * 1024;  // per connection: large bodies arrive in reads of this size
constexpr std::string_view kLastChunk = "0\r\n\r\n";
constexpr int kStreamSocketBuffer = 4 << 20;  // bytes, each way, for a streamed body

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

// "2026-12-02T01:10:00.123Z"
std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 40> buf{};
  const std::size_t n = std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%S", &tm);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::snprintf(buf.data() + n, buf.size() - n, ".%03dZ", static_cast<int>(ms));
  return buf.data();
}

class Connection {
 public:
  virtual ~Connection() = default;
  // Shutdown: an idle connection closes now; a busy one after its response.
  virtual void close_if_idle() = 0;
};

// What every session shares: the handlers, the limits, the live sessions (for shutdown) and the
// threads of streamed bodies.
struct Shared {
  Shared(const Handlers& h, const ServerOptions& o, net::io_context& i, net::thread_pool& s)
      : handlers(h), options(o), metrics(*h.services().metrics), ioc(i), stream_threads(s) {}
  const Handlers& handlers;
  ServerOptions options;
  Metrics& metrics;
  net::io_context& ioc;
  net::thread_pool& stream_threads;
  std::atomic<bool> stopping{false};
  std::atomic<unsigned> streams{0};
  std::mutex mutex;
  std::unordered_map<const Connection*, std::weak_ptr<Connection>> sessions;
};

// Where a streamed body's thread and its session meet: the thread asks for bytes or hands bytes
// over and waits; the session (on its strand) does the I/O and answers. Once the connection failed
// every read gives 0 bytes and every write false, so that the stream ends.
struct Bridge {
  std::mutex mutex;
  std::condition_variable cv;
  bool reading = false, writing = false;  // a request of the thread that the session has not answered
  std::size_t got = 0;                    // bytes the last read gave
  bool body_done = false;                 // the whole request body was read
  bool failed = false;
  std::string error;
};

// An exchange being answered, for the metrics and the access log.
struct Exchange {
  Clock::time_point start;
  std::string id, method, route, user;
  unsigned status = 0;
  std::uint64_t bytes = 0;  // response body bytes sent
  bool aborted = false;     // the response did not end (a stream whose client went away or stalled)
  bool open = false;        // not yet recorded
};

// The socket under a session's stream: TCP (plain or TLS) or a Unix domain socket (--listen unix:PATH).
template <class Stream>
using SocketOf = typename beast::lowest_layer_type<Stream>::socket_type;
using unix_stream = beast::basic_stream<local>;

// The client's address for the log and the login throttle: its IP address over TCP; "unix" over a
// Unix domain socket, whose clients (a reverse proxy on the same host) have no address.
template <class Socket>
std::string remote_address(Socket& socket) {
  beast::error_code ignored;
  if constexpr (std::is_same_v<typename Socket::protocol_type, tcp>)
    return socket.remote_endpoint(ignored).address().to_string(ignored);
  else
    return "unix";
}

template <class Stream>
class Session : public Connection, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream> && !std::is_same_v<Stream, unix_stream>;

 public:
  template <class... Args>
  Session(Shared& shared, SocketOf<Stream> socket, Args&... tls)
      : stream_(std::move(socket), tls...), shared_(shared), timer_(stream_.get_executor()) {
    buffer_.reserve(kReadBuffer);  // Beast reads as much as the buffer's spare capacity (at least 512 bytes)
    remote_ = remote_address(lowest().socket());
  }
  ~Session() override {
    std::lock_guard lock(shared_.mutex);
    shared_.sessions.erase(this);
  }

  void start() {
    {
      std::lock_guard lock(shared_.mutex);
      shared_.sessions.emplace(this, this->weak_from_this());
    }
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->arm(Phase::handshake, self->shared_.options.read_timeout);
        self->stream_.async_handshake(ssl::stream_base::server, [self](beast::error_code ec) {
          if (ec) return self->close();
          self->read();
        });
      } else {
        self->read();
      }
    });
  }

  void close_if_idle() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (!self->busy_) self->close();
    });
  }

 private:
  enum class Phase { idle, handshake, request, write, drain, stream };

  beast::lowest_layer_type<Stream>& lowest() { return beast::get_lowest_layer(stream_); }

  // One deadline at a time, for the phase the connection is in (on_deadline says what it does).
  void arm(Phase phase, Clock::duration after) {
    phase_ = phase;
    timer_.expires_after(after);
    timer_.async_wait([self = this->shared_from_this(), gen = ++timer_gen_](beast::error_code ec) {
      if (!ec && gen == self->timer_gen_) self->on_deadline();
    });
  }
  void disarm() {
    ++timer_gen_;
    timer_.cancel();
  }
  void on_deadline() {
    switch (phase_) {
      case Phase::request:  // the read ends with operation_aborted, and failed() answers 408
        timed_out_ = true;
        lowest().cancel();
        return;
      case Phase::stream: return stream_tick();
      default: return close();
    }
  }

  // Waits for the first byte of the next request (idle), then reads it under the read deadline.
  void read() {
    busy_ = false;
    if (shared_.stopping) return close();
    if (buffer_.size() > 0) return begin_request();  // a pipelined request
    arm(Phase::idle, kIdleTimeout);
    stream_.async_read_some(buffer_.prepare(kReadBuffer), [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
      self->buffer_.commit(n);
      if (ec) return self->close();
      self->begin_request();
    });
  }

  void begin_request() {
    busy_ = true;
    timed_out_ = false;
    ex_ = Exchange{Clock::now(), request_id(), {}, {}, {}, 0, 0, false, true};
    arm(Phase::request, shared_.options.read_timeout);
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(boost::none);  // the limit depends on whether the body is streamed: on_header
    bhttp::async_read_header(stream_, buffer_, *parser_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_header(ec);
    });
  }

  void on_header(beast::error_code ec) {
    if (ec) return failed(ec);
    const auto& msg = parser_->get();
    ex_.method = std::string(msg.method_string());
    req_ = Request{};
    req_.method = ex_.method;
    req_.target = std::string(msg.target());
    req_.content_type = std::string(msg[bhttp::field::content_type]);
    for (const auto& field : msg) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req_.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    req_.remote = remote_;
    if (shared_.handlers.router().streams(req_)) return start_stream();
    const auto length = parser_->content_length();
    if (length && *length > shared_.options.max_body) return failed(bhttp::error::body_limit);
    parser_->body_limit(shared_.options.max_body);
    continue_then([self = this->shared_from_this()] {
      bhttp::async_read(self->stream_, self->buffer_, *self->parser_, [self](beast::error_code ec2, std::size_t) {
        self->on_read(ec2);
      });
    });
  }

  // Sends "100 Continue" first when the client waits for it before it sends the body (curl does
  // for bodies over 1 MiB and for chunked uploads).
  template <class Next>
  void continue_then(Next next) {
    if (!beast::iequals(parser_->get()[bhttp::field::expect], "100-continue")) return next();
    auto go_on = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
    bhttp::async_write(stream_, *go_on, [self = this->shared_from_this(), go_on, next](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      next();
    });
  }

  // A request that could not be read: answered when it makes sense, then the connection closes.
  void failed(beast::error_code ec) {
    const auto& o = shared_.options;
    if (timed_out_)
      return reply(error_response(408, "usage", "request_timeout",
                                  "the request did not arrive within " + std::to_string(o.read_timeout.count()) +
                                      " s of its first byte (--read-timeout)",
                                  {{"limit_seconds", std::to_string(o.read_timeout.count())}}),
                   false);
    if (ec == bhttp::error::body_limit)
      return reply(error_response(413, "usage", "body_too_large",
                                  "the request body is over the limit of " + std::to_string(o.max_body) + " bytes (--max-body)",
                                  {{"limit_bytes", std::to_string(o.max_body)}}),
                   false);
    if (ec == bhttp::error::header_limit)
      return reply(error_response(431, "usage", "header_too_large", "the request header is over 64 KiB"), false);
    if (ec.category() == beast::error_code(bhttp::error::bad_target).category() && ec != bhttp::error::end_of_stream &&
        ec != bhttp::error::partial_message)
      return reply(error_response(400, "usage", "bad_request", "malformed HTTP request: " + ec.message()), false);
    close();  // the peer went away, or the server is stopping
  }

  void on_read(beast::error_code ec) {
    if (ec) return failed(ec);
    req_.body = std::move(parser_->get().body());
    reply(handle(), parser_->get().keep_alive());
  }

  Response handle() {
    Response res;
    try {
      res = shared_.handlers.handle(req_);
    } catch (const std::exception& e) {
      res = error_response(500, "internal", "internal", std::string("internal error: ") + e.what());
    }
    ex_.route = req_.route;
    ex_.user = req_.user;
    return res;
  }

  template <class Message>
  void set_headers(Message& out, const Response& res) {
    out.set(bhttp::field::server, "subsidy");
    out.set(bhttp::field::content_type, res.content_type);
    out.set("X-Request-Id", ex_.id);
    bool named = false;  // the handler named the ruleset it decided with
    for (const auto& [name, value] : res.headers) {
      out.insert(name, value);
      named = named || beast::iequals(name, kRulesetHashHeader);
    }
    if (!named) out.set(kRulesetHashHeader, shared_.handlers.ruleset_hash());
  }

  void reply(Response res, bool keep_alive) {
    busy_ = true;
    auto out = std::make_shared<bhttp::response<bhttp::string_body>>(static_cast<bhttp::status>(res.status), 11);
    set_headers(*out, res);
    out->keep_alive(keep_alive && !shared_.stopping);
    out->body() = std::move(res.body);
    out->prepare_payload();
    ex_.status = res.status;
    ex_.bytes = out->body().size();
    arm(Phase::write, kWriteTimeout);
    bhttp::async_write(stream_, *out, [self = this->shared_from_this(), out](beast::error_code ec, std::size_t) {
      self->ex_.aborted = static_cast<bool>(ec);
      self->record();
      if (ec) return self->close();
      if (!out->keep_alive()) return self->drain();
      self->read();
    });
  }

  // The metrics and the access log line of the exchange, once.
  void record() {
    if (!ex_.open) return;
    ex_.open = false;
    const double seconds = std::chrono::duration<double>(Clock::now() - ex_.start).count();
    shared_.metrics.request(ex_.route, ex_.method, ex_.status, seconds);
    if (!shared_.options.access_log) return;
    // Never a header value, a query, a token or a body: what the request was, not what it carried.
    boost::json::object line;
    line["time"] = utc_now();
    line["request_id"] = ex_.id;
    line["remote"] = remote_;
    line["method"] = ex_.method;
    line["route"] = ex_.route;
    line["status"] = ex_.status;
    line["bytes"] = ex_.bytes;
    line["duration_us"] = static_cast<std::uint64_t>(std::llround(seconds * 1e6));
    if (!ex_.user.empty()) line["user"] = ex_.user;
    if (ex_.aborted) line["aborted"] = true;
    shared_.options.access_log->info(boost::json::serialize(line));
  }

  // After the last response: stop sending and read what the client still sends (the rest of a
  // refused body) until it closes, so that it sees the response rather than a reset.
  void drain() {
    beast::error_code ignored;
    lowest().socket().shutdown(net::socket_base::shutdown_send, ignored);
    arm(Phase::drain, kDrainTimeout);
    discard();
  }
  void discard() {
    stream_.async_read_some(net::buffer(discard_), [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      self->discard();
    });
  }

  void close() {
    disarm();
    beast::error_code ignored;
    lowest().socket().shutdown(net::socket_base::shutdown_both, ignored);
    lowest().socket().close(ignored);
  }

  // --- A streamed body (Route::streamed_type): the handler answers from the header; its
  // Response::stream runs on a stream thread, reading the body and writing the response chunked.

  void start_stream() {
    Response res = handle();
    if (!res.stream) return reply(std::move(res), false);  // refused before the body: it is not read
    if (shared_.streams.fetch_add(1) >= shared_.options.max_streams) {
      --shared_.streams;
      auto busy = error_response(503, "internal", "too_many_streams",
                                 "the service is streaming " + std::to_string(shared_.options.max_streams) +
                                     " bodies already (--max-streams); retry later",
                                 {{"limit", std::to_string(shared_.options.max_streams)}});
      busy.headers.emplace_back("Retry-After", "1");
      return reply(std::move(busy), false);
    }
    // Large socket buffers: a stream moves hundreds of MB, in fewer system calls and wake-ups.
    beast::error_code ignored;
    lowest().socket().set_option(net::socket_base::send_buffer_size(kStreamSocketBuffer), ignored);
    lowest().socket().set_option(net::socket_base::receive_buffer_size(kStreamSocketBuffer), ignored);
    const auto& msg = parser_->get();
    chunked_ = msg.version() >= 11;  // HTTP/1.0: the body ends with the connection
    keep_alive_ = msg.keep_alive() && chunked_;
    body_parser_.emplace(std::move(*parser_));
    body_parser_->body_limit(boost::none);
    bridge_ = std::make_shared<Bridge>();
    stream_body_ = std::move(res.stream);
    auto header = std::make_shared<bhttp::response<bhttp::empty_body>>(static_cast<bhttp::status>(res.status), 11);
    set_headers(*header, res);
    header->keep_alive(keep_alive_);
    if (chunked_) header->chunked(true);
    ex_.status = res.status;
    disarm();
    progress_ = false;
    arm(Phase::stream, shared_.options.read_timeout);
    auto go_on = [self = this->shared_from_this(), header] {
      auto sr = std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(*header);
      ++self->pending_io_;
      bhttp::async_write_header(self->stream_, *sr, [self, header, sr](beast::error_code ec, std::size_t) {
        --self->pending_io_;
        if (ec) self->fail("writing the response header: " + ec.message());
        self->run_stream();
      });
    };
    if (beast::iequals(body_parser_->get()[bhttp::field::expect], "100-continue")) {
      auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
      ++pending_io_;
      return bhttp::async_write(stream_, *cont, [self = this->shared_from_this(), cont, go_on](beast::error_code ec, std::size_t) {
        --self->pending_io_;
        if (ec) self->fail("writing 100 Continue: " + ec.message());
        go_on();
      });
    }
    go_on();
  }

  // Hands the stream to a stream thread; it ends with end_stream() back on the strand.
  void run_stream() {
    auto work = net::make_work_guard(shared_.ioc);  // serve() returns only after the stream ended
    net::post(shared_.stream_threads, [self = this->shared_from_this(), work = std::move(work)]() mutable {
      Source in(self);
      Sink out(self);
      std::string error;
      try {
        self->stream_body_(in, out, std::max(1u, self->shared_.options.threads));
      } catch (const std::exception& e) {
        error = std::string("internal error: ") + e.what();
      }
      net::post(self->stream_.get_executor(), [self, error = std::move(error), work = std::move(work)] {
        self->end_stream(error);
      });
    });
  }

  void end_stream(const std::string& error) {
    --shared_.streams;
    stream_body_ = nullptr;
    if (!error.empty()) fail(error);
    bool failed;
    {
      std::lock_guard lock(bridge_->mutex);
      failed = bridge_->failed;
    }
    if (failed || !chunked_) {  // a failed stream ends without its last chunk: the client sees it incomplete
      ex_.aborted = failed;
      record();
      return failed ? close() : drain();
    }
    arm(Phase::write, kWriteTimeout);
    net::async_write(stream_, net::buffer(kLastChunk.data(), kLastChunk.size()),
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       self->ex_.aborted = static_cast<bool>(ec);
                       self->record();
                       const bool again = !ec && self->keep_alive_ && self->body_parser_->is_done();
                       self->body_parser_.reset();
                       self->bridge_.reset();
                       if (ec) return self->close();
                       if (!again) return self->drain();
                       self->read();
                     });
  }

  // The connection failed under a stream (the client went away or stalled, or the stream threw):
  // the stream's reads and writes fail from now on, and the socket closes, which ends the I/O in
  // flight (whose completion answers the thread).
  void fail(const std::string& why) {
    {
      std::lock_guard lock(bridge_->mutex);
      if (bridge_->failed) return;
      bridge_->failed = true;
      bridge_->error = why;
    }
    bridge_->cv.notify_all();
    beast::error_code ignored;
    lowest().socket().shutdown(net::socket_base::shutdown_both, ignored);
    lowest().socket().close(ignored);
  }

  // While the stream waits on the client (a read or a write in flight), bytes must move within
  // --read-timeout; time the stream spends computing does not count.
  void stream_tick() {
    if (pending_io_ > 0 && !progress_)
      return fail("no bytes moved for " + std::to_string(shared_.options.read_timeout.count()) + " s (--read-timeout)");
    progress_ = false;
    arm(Phase::stream, shared_.options.read_timeout);
  }

  bool bridge_failed() {
    std::lock_guard lock(bridge_->mutex);
    return bridge_->failed;
  }

  // On the strand: fill [buf, buf + n) with body bytes, or up to the end of the body.
  void stream_read(char* buf, std::size_t n) {
    rbuf_ = buf;
    rwant_ = n;
    rgot_ = 0;
    if (bridge_failed()) return read_done();
    pump_read();
  }
  void pump_read() {
    if (body_parser_->is_done() || rgot_ == rwant_) return read_done();
    auto& body = body_parser_->get().body();
    body.data = rbuf_ + rgot_;
    body.size = rwant_ - rgot_;
    body.more = true;
    ++pending_io_;
    bhttp::async_read_some(stream_, buffer_, *body_parser_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      --self->pending_io_;
      auto& b = self->body_parser_->get().body();
      const std::size_t consumed = (self->rwant_ - self->rgot_) - b.size;
      b.data = nullptr;
      b.size = 0;
      self->rgot_ += consumed;
      if (consumed) self->progress_ = true;
      if (ec == bhttp::error::need_buffer) ec = {};
      if (ec) {
        self->fail("reading the request body: " + ec.message());
        return self->read_done();
      }
      self->pump_read();
    });
  }
  void read_done() {
    {
      std::lock_guard lock(bridge_->mutex);
      bridge_->got = rgot_;
      bridge_->body_done = body_parser_->is_done();
      bridge_->reading = false;
    }
    bridge_->cv.notify_all();
  }

  // On the strand: send `bytes` as one chunk.
  void stream_write(std::string_view bytes) {
    if (bytes.empty() || bridge_failed()) return write_done();  // an empty chunk would end the body
    auto done = [self = this->shared_from_this(), n = bytes.size()](beast::error_code ec, std::size_t) {
      --self->pending_io_;
      if (ec) {
        self->fail("writing the response: " + ec.message());
      } else {
        self->progress_ = true;
        self->ex_.bytes += n;
      }
      self->write_done();
    };
    ++pending_io_;
    if (chunked_)
      net::async_write(stream_, bhttp::make_chunk(net::const_buffer(bytes.data(), bytes.size())), std::move(done));
    else
      net::async_write(stream_, net::const_buffer(bytes.data(), bytes.size()), std::move(done));
  }
  void write_done() {
    {
      std::lock_guard lock(bridge_->mutex);
      bridge_->writing = false;
    }
    bridge_->cv.notify_all();
  }

  // The request body, for the stream thread.
  class Source final : public service::ByteSource {
   public:
    explicit Source(std::shared_ptr<Session> s) : s_(std::move(s)), b_(*s_->bridge_) {}
    std::size_t read(char* buf, std::size_t n) override {
      std::unique_lock lock(b_.mutex);
      if (b_.failed || b_.body_done || n == 0) return 0;
      b_.reading = true;
      lock.unlock();
      net::post(s_->stream_.get_executor(), [s = s_, buf, n] { s->stream_read(buf, n); });
      lock.lock();
      b_.cv.wait(lock, [this] { return !b_.reading; });
      return b_.got;
    }
    std::string error() const override {
      std::lock_guard lock(b_.mutex);
      return b_.error;
    }

   private:
    std::shared_ptr<Session> s_;
    Bridge& b_;
  };
  // The response body, for the stream thread (or the batch's writer thread).
  class Sink final : public service::ByteSink {
   public:
    explicit Sink(std::shared_ptr<Session> s) : s_(std::move(s)), b_(*s_->bridge_) {}
    bool write(std::string_view bytes) override {
      std::unique_lock lock(b_.mutex);
      if (b_.failed) return false;
      b_.writing = true;
      lock.unlock();
      net::post(s_->stream_.get_executor(), [s = s_, bytes] { s->stream_write(bytes); });
      lock.lock();
      b_.cv.wait(lock, [this] { return !b_.writing; });
      return !b_.failed;
    }
    std::string error() const override {
      std::lock_guard lock(b_.mutex);
      return b_.error;
    }

   private:
    std::shared_ptr<Session> s_;
    Bridge& b_;
  };

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  Shared& shared_;
  net::steady_timer timer_;
  std::string remote_;
  std::array<char, 4096> discard_;
  Request req_;
  Exchange ex_;
  Phase phase_ = Phase::idle;
  unsigned timer_gen_ = 0;
  bool busy_ = false;       // from a request's first byte to its response's last
  bool timed_out_ = false;  // the read deadline cut the request off
  // A streamed body (touched only on the strand, but for the Bridge).
  std::optional<bhttp::request_parser<bhttp::buffer_body>> body_parser_;
  std::shared_ptr<Bridge> bridge_;
  BodyStream stream_body_;
  bool chunked_ = false, keep_alive_ = false, progress_ = false;
  int pending_io_ = 0;
  char* rbuf_ = nullptr;
  std::size_t rwant_ = 0, rgot_ = 0;
};

// Accepts connections and starts a session for each.
class Listener {
 public:
  virtual ~Listener() = default;
  virtual void accept() = 0;
  virtual void stop() = 0;
  virtual unsigned short port() const = 0;  // 0 for a Unix domain socket
};

template <class Protocol>
class ListenerOn : public Listener, public std::enable_shared_from_this<ListenerOn<Protocol>> {
 public:
  ListenerOn(net::io_context& ioc, Shared& shared, const typename Protocol::endpoint& at, ssl::context* tls)
      : ioc_(ioc), acceptor_(net::make_strand(ioc)), shared_(shared), tls_(tls) {
    acceptor_.open(at.protocol());
    if constexpr (std::is_same_v<Protocol, tcp>) acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(at);
    acceptor_.listen(net::socket_base::max_listen_connections);
  }
  unsigned short port() const override {
    if constexpr (std::is_same_v<Protocol, tcp>)
      return acceptor_.local_endpoint().port();
    else
      return 0;
  }
  void accept() override {
    acceptor_.async_accept(net::make_strand(ioc_), [self = this->shared_from_this()](beast::error_code ec,
                                                                                       typename Protocol::socket socket) {
      if (ec == net::error::operation_aborted || self->shared_.stopping) return;
      if (!ec) self->start(std::move(socket));
      self->accept();
    });
  }
  void stop() override {
    net::post(acceptor_.get_executor(), [self = this->shared_from_this()] {
      beast::error_code ignored;
      self->acceptor_.close(ignored);
    });
  }

 private:
  void start(typename Protocol::socket socket) {
    if constexpr (std::is_same_v<Protocol, tcp>) {
      if (tls_)
        return std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(shared_, std::move(socket), *tls_)->start();
      std::make_shared<Session<beast::tcp_stream>>(shared_, std::move(socket))->start();
    } else {
      std::make_shared<Session<unix_stream>>(shared_, std::move(socket))->start();
    }
  }

  net::io_context& ioc_;
  typename Protocol::acceptor acceptor_;
  Shared& shared_;
  ssl::context* tls_;
};

// A Unix domain socket at `path`: a socket file left by a server that is gone is replaced; one a
// server still answers on, or a file that is no socket, is refused (std::runtime_error).
std::shared_ptr<Listener> listen_unix(net::io_context& ioc, Shared& shared, const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) throw std::runtime_error("cannot listen on unix:" + path + ": the file exists and is no socket");
    local::socket probe(ioc);
    beast::error_code ec;
    probe.connect(local::endpoint(path), ec);
    if (!ec) throw std::runtime_error("cannot listen on unix:" + path + ": a server is listening there already");
    ::unlink(path.c_str());
  }
  try {
    return std::make_shared<ListenerOn<local>>(ioc, shared, local::endpoint(path), nullptr);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("cannot listen on unix:" + path + ": " + e.code().message());
  }
}

// The TLS context of --tls-cert/--tls-key; std::runtime_error naming the file that does not load.
std::unique_ptr<ssl::context> tls_context(const ServerOptions& o) {
  if (o.tls_cert.empty() && o.tls_key.empty()) return nullptr;
  if (o.tls_cert.empty() || o.tls_key.empty()) throw std::runtime_error("--tls-cert and --tls-key go together");
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  try {
    ctx->use_certificate_chain_file(o.tls_cert);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("cannot load the TLS certificate `" + o.tls_cert + "` (--tls-cert, PEM): " + e.code().message());
  }
  try {
    ctx->use_private_key_file(o.tls_key, ssl::context::pem);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("cannot load the TLS key `" + o.tls_key + "` (--tls-key, PEM, matching the certificate): " +
                             e.code().message());
  }
  return ctx;
}

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
  if (!options.unix_path.empty() && (!options.tls_cert.empty() || !options.tls_key.empty()))
    throw std::runtime_error("--tls-cert/--tls-key serve HTTPS over TCP; a Unix domain socket is guarded by its file's permissions");
  auto tls = tls_context(options);
  net::io_context ioc(static_cast<int>(threads));
  net::thread_pool stream_threads(std::max(1u, options.max_streams));
  Shared shared(handlers, options, ioc, stream_threads);
  std::shared_ptr<Listener> listener;
  if (!options.unix_path.empty()) {
    listener = listen_unix(ioc, shared, options.unix_path);
  } else {
    try {
      tcp::resolver resolver(ioc);
      auto endpoints = resolver.resolve(options.host, std::to_string(options.port), tcp::resolver::numeric_service);
      listener = std::make_shared<ListenerOn<tcp>>(ioc, shared, endpoints.begin()->endpoint(), tls.get());
    } catch (const boost::system::system_error& e) {
      throw std::runtime_error("cannot listen on " + options.host + ":" + std::to_string(options.port) + ": " + e.code().message());
    }
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
    std::vector<std::shared_ptr<Connection>> live;
    {
      std::lock_guard lock(shared.mutex);
      for (auto& [_, weak] : shared.sessions)
        if (auto s = weak.lock()) live.push_back(std::move(s));
    }
    for (auto& s : live) s->close_if_idle();
  };
  signals.async_wait(on_signal);
  listener->accept();
  listening(options.unix_path.empty() ? options.host : "unix:" + options.unix_path, listener->port());
  std::vector<std::thread> pool;
  pool.reserve(threads - 1);
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  stream_threads.join();
  if (!options.unix_path.empty()) ::unlink(options.unix_path.c_str());
}

}  // namespace subsidy::http
