#include "loop_receiver.h"

#include <uv.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "arrivals.h"
#include "doorbell.h"
#include "loop_bell.h"
#include "mpi_state.h"

namespace parafit {

namespace {

constexpr size_t kMaxBatch = 1024;
// The largest message the event loop receives itself: within every library's eager limit
// (Open MPI's shared memory: 4 KiB), so that MPI_Mrecv finds it whole and never waits for the
// sender. A larger one goes to the progress thread, which may wait; the copy dwarfs its extra hop.
constexpr size_t kMaxBytes = 4096;

bool watching = false;  // touched only on the JavaScript thread
napi_env jsEnv = nullptr;
uv_poll_t* watcher = nullptr;
Napi::FunctionReference onMessagesRef;
std::unique_ptr<Napi::AsyncContext> asyncContext;
std::atomic<uint64_t> wakes{0}, emptyWakes{0}, deliveries{0}, received{0}, largeHandedOver{0};

void onRung(uv_poll_t*, int status, int) {
  if (!watching || status < 0) return;
  wakes++;
  drainOwnLoopBell();
  armOwnLoopBell(true);  // from here on a peer's ring comes back here
  std::vector<Arrival> arrivals;
  std::string error;
  InboxContents taken;
  bool leftLarge = false;
  {
    std::lock_guard<std::mutex> guard(mpiState().lock);
    MPI_Comm comm = mpiState().comm;
    if (comm == MPI_COMM_NULL) return;
    if (completeSends(&error) >= 0) leftLarge = receiveArrivals(comm, kMaxBatch, &arrivals, &error, kMaxBytes);
    // Under the same lock: whatever the thread took from MPI before is in the inbox, and goes first.
    taken = takeInbox();
  }
  // The thread receives the large message, and what follows it, then delivers them in order.
  if (leftLarge) {
    largeHandedOver++;
    wakeOwnThread();
  }
  // More may wait than one batch takes, and their rings were drained: ring once more.
  if (arrivals.size() >= kMaxBatch) ringDoorbell(mpiState().rank);
  received += arrivals.size();
  for (auto& arrival : arrivals) taken.arrivals.push_back(arrival);
  if (!error.empty()) taken.error = error;
  if (taken.arrivals.empty() && taken.error.empty()) {
    emptyWakes++;
    return;
  }
  deliveries++;
  Napi::Env env(jsEnv);
  Napi::HandleScope scope(env);
  Napi::Array triples = arrivalsToJs(env, &taken.arrivals);
  Napi::Value errorText = taken.error.empty() ? env.Undefined() : Napi::String::New(env, taken.error);
  onMessagesRef.Value().MakeCallback(env.Global(), {triples, errorText}, *asyncContext);
  // As for a thread-safe function's call: an exception from onMessages is an uncaught exception.
  if (env.IsExceptionPending()) napi_fatal_exception(env, env.GetAndClearPendingException().Value());
}

}  // namespace

bool startLoopReceiver(Napi::Env env, Napi::Function onMessages) {
  int fd = ownLoopBellFd();
  if (watching || fd < 0 || !ownLoopBellReady()) return false;
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) return false;
  auto* poll = new uv_poll_t;
  if (uv_poll_init(loop, poll, fd) != 0) {
    delete poll;
    return false;
  }
  if (uv_poll_start(poll, UV_READABLE, onRung) != 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(poll), [](uv_handle_t* handle) { delete reinterpret_cast<uv_poll_t*>(handle); });
    return false;
  }
  // Whether the process stays alive is the thread-safe function's business (holdEventLoop).
  uv_unref(reinterpret_cast<uv_handle_t*>(poll));
  watcher = poll;
  jsEnv = env;
  onMessagesRef = Napi::Persistent(onMessages);
  asyncContext = std::make_unique<Napi::AsyncContext>(env, "parafit-mpi-arrivals");
  watching = true;
  drainOwnLoopBell();
  armOwnLoopBell(true);
  return true;
}

void stopLoopReceiver(bool loopAlive) {
  armOwnLoopBell(false);
  if (!watching || !loopAlive) return;
  watching = false;
  uv_poll_stop(watcher);
  uv_close(reinterpret_cast<uv_handle_t*>(watcher), [](uv_handle_t* handle) { delete reinterpret_cast<uv_poll_t*>(handle); });
  watcher = nullptr;
  asyncContext.reset();
  onMessagesRef.Reset();
  jsEnv = nullptr;
}

void rearmLoopReceiver() {
  if (watching) armOwnLoopBell(true);
}

void addLoopReceiverStats(Napi::Object stats) {
  stats.Set("eventLoopDoorbell", watching);
  stats.Set("eventLoopWakes", static_cast<double>(wakes.load()));
  stats.Set("eventLoopEmptyWakes", static_cast<double>(emptyWakes.load()));
  stats.Set("eventLoopDeliveries", static_cast<double>(deliveries.load()));
  stats.Set("eventLoopMessagesIn", static_cast<double>(received.load()));
  stats.Set("eventLoopLargeToThread", static_cast<double>(largeHandedOver.load()));
}

}  // namespace parafit
