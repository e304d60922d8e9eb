#include "progress_thread.h"

#include <pthread.h>
#include <sched.h>
#include <time.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

#include "arrivals.h"
#include "doorbell.h"
#include "loop_receiver.h"
#include "mpi_state.h"

namespace parafit {

namespace {

using Clock = std::chrono::steady_clock;

void callJs(Napi::Env env, Napi::Function onMessages, std::nullptr_t* context, std::nullptr_t* data);
using Delivery = Napi::TypedThreadSafeFunction<std::nullptr_t, std::nullptr_t, callJs>;

std::thread* thread = nullptr;  // never destroyed: a joinable std::thread must not reach exit()
Delivery delivery;
std::atomic<bool> stopping{false};
std::atomic<bool> running{false};

// The thread's arrivals wait in the inbox (arrivals.h) for JavaScript. `notified` is true while
// a delivery call is queued, so a burst of arrivals costs one call; the JavaScript side clears it
// before taking the inbox.
std::atomic<bool> notified{false};

// Back-off. Where every peer rings this rank's doorbell (the job is on one node), a message
// wakes the thread, so once a poll after traffic finds nothing the thread sleeps the full cap:
// a waiting rank wakes only for its messages. A peer without a doorbell (another node) is only
// found by polling, so there the thread sleeps quiet/quietDivisor within [min, max], and a
// reply's latency stays near 1/quietDivisor of the wait.
std::atomic<double> backoffMinUs{5};
std::atomic<double> backoffMaxUs{50000};
std::atomic<double> quietDivisor{32};
// After traffic the thread may first poll without sleeping for this long: a reply that comes
// soon is then seen in microseconds instead of after a wake-up. It costs a core while it lasts,
// so by default only where this node has a spare core per rank (see defaultSpinUs()).
std::atomic<double> spinUs{0};
// With sends in flight a large message may need progress on this side (a rendezvous).
constexpr double kSendingMaxUs = 100;
constexpr size_t kMaxBatch = 1024;

// Counters for stats(): statistics, written by the thread (latencies by the JavaScript thread)
// and read by JavaScript at any time.
std::atomic<uint64_t> polls{0}, sleeps{0}, rung{0}, received{0}, batches{0}, maxBatch{0};
std::atomic<int64_t> finalCpuNs{-1};
constexpr int kLatencyBuckets = 24;  // bucket i: latencies below 2^i microseconds
std::atomic<uint64_t> latency[kLatencyBuckets];
std::atomic<uint64_t> latencyMaxNs{0}, latencySumNs{0};

int64_t threadCpuNs(clockid_t clock) {
  timespec now{};
  if (clock_gettime(clock, &now) != 0) return -1;
  return static_cast<int64_t>(now.tv_sec) * 1000000000 + now.tv_nsec;
}

void recordLatency(Clock::duration waited) {
  auto ns = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(waited).count());
  uint64_t us = ns / 1000;
  int bucket = 0;
  while (bucket < kLatencyBuckets - 1 && (uint64_t{1} << bucket) <= us) bucket++;
  latency[bucket]++;
  latencySumNs += ns;
  uint64_t seen = latencyMaxNs.load();
  while (ns > seen && !latencyMaxNs.compare_exchange_weak(seen, ns)) {
  }
}

// Runs on the JavaScript thread: takes the whole inbox and calls onMessages once.
void callJs(Napi::Env env, Napi::Function onMessages, std::nullptr_t*, std::nullptr_t*) {
  notified.store(false);  // before taking the inbox, so that no arrival goes unannounced
  InboxContents taken = takeInbox();
  rearmLoopReceiver();  // JavaScript has looked: the next ring may go to the event loop again
  if (env == nullptr) {  // Node is tearing down: nobody to deliver to
    dropArrivals(&taken.arrivals);
    return;
  }
  if (taken.arrivals.empty() && taken.error.empty()) return;  // the event loop took them first
  recordLatency(Clock::now() - taken.oldest);
  batches++;
  Napi::Array triples = arrivalsToJs(env, &taken.arrivals);
  onMessages.Call({triples, taken.error.empty() ? env.Undefined() : Napi::String::New(env, taken.error)});
}

// Called with the MPI lock held: see arrivals.h for why.
void deliver(std::vector<Arrival>* arrivals, const std::string& error) {
  received += arrivals->size();
  maxBatch = std::max<uint64_t>(maxBatch.load(), arrivals->size());
  putInInbox(arrivals, error);
  if (!notified.exchange(true)) delivery.NonBlockingCall();
}

// One poll under the MPI lock: complete sends, receive, and put what came in the inbox.
// Returns whether anything happened; an MPI failure is delivered and sets `failed`.
bool pollOnce(std::vector<Arrival>* arrivals, bool* failed) {
  std::lock_guard<std::mutex> guard(mpiState().lock);
  MPI_Comm comm = mpiState().comm;
  if (comm == MPI_COMM_NULL) return false;
  polls++;
  std::string error;
  int completed = completeSends(&error);
  if (completed >= 0) receiveArrivals(comm, kMaxBatch, arrivals, &error);
  *failed = !error.empty();
  if (arrivals->empty() && !*failed) return completed > 0;
  deliver(arrivals, error);
  return true;
}

void run() {
#ifdef __linux__
  // Sleeps of a few microseconds need the kernel's default 50 us timer slack turned down.
  prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
  pthread_setname_np(pthread_self(), "parafit-mpi");
#endif
  std::vector<Arrival> arrivals;
  auto lastTraffic = Clock::now();
  while (!stopping.load()) {
    uint32_t bell = readOwnDoorbell();
    bool failed = false;
    bool active = pollOnce(&arrivals, &failed);
    if (failed) break;  // the library is in trouble; JavaScript reports it
    if (active) {
      lastTraffic = Clock::now();
      continue;
    }
    double quietUs = std::chrono::duration<double, std::micro>(Clock::now() - lastTraffic).count();
    double minUs = backoffMinUs.load();
    double maxUs = backoffMaxUs.load();
    double capUs = std::max(minUs, sendsInFlight() > 0 ? std::min(kSendingMaxUs, maxUs) : maxUs);
    if (quietUs < spinUs.load()) {
      std::this_thread::yield();
      continue;
    }
    double sleepUs = everyPeerHasDoorbell() ? (quietUs < 2 * minUs ? minUs : capUs)
                                            : std::clamp(quietUs / quietDivisor.load(), minUs, capUs);
    sleeps++;
    sleepOnOwnDoorbell(bell, sleepUs);
    if (readOwnDoorbell() != bell) {
      // A peer's message, a send from JavaScript, or stop(): poll at once, back-off afresh.
      rung++;
      lastTraffic = Clock::now();
    }
  }
  finalCpuNs = threadCpuNs(CLOCK_THREAD_CPUTIME_ID);
}

// Stops and joins the thread; the thread-safe function is released only while Node still runs.
void stopThread(bool releaseDelivery) {
  stopLoopReceiver(releaseDelivery);
  if (!running.exchange(false)) return;
  stopping = true;
  kickProgressThread();
  if (thread->joinable()) thread->join();
  delete thread;
  thread = nullptr;
  if (releaseDelivery) delivery.Release();
}

}  // namespace

// Spin only where the CPUs this process may use outnumber the threads that want one: each rank on
// this node has a JavaScript thread and a progress thread.
static double defaultSpinUs() {
#ifdef __linux__
  cpu_set_t allowed;
  int ranks = ranksOnThisNode();
  if (ranks > 0 && sched_getaffinity(0, sizeof(allowed), &allowed) == 0 && CPU_COUNT(&allowed) >= 2 * ranks)
    return 50;
#endif
  return 0;
}

bool startProgressThread(Napi::Env env, Napi::Function onMessages, bool wakeEventLoop) {
  if (running.load()) return false;
  spinUs = defaultSpinUs();
  delivery = Delivery::New(env, onMessages, "parafit-mpi-progress", 0, 1);
  delivery.Unref(env);  // the transport holds the loop open only while it has reason to
  stopping = false;
  finalCpuNs = -1;
  thread = new std::thread(run);
  running = true;
  if (wakeEventLoop) startLoopReceiver(env, onMessages);
  // Node tearing down without finalize() (a fatal error): stop the thread before the TSFN goes.
  env.AddCleanupHook([] { stopProgressThread(); });
  // exit() without either (an unsettled top-level await, a native exit): stop it before the MPI
  // library's own exit handlers (registered earlier, so run later) tear MPI down under it.
  static bool atExitRegistered = false;
  if (!atExitRegistered) std::atexit([] { stopThread(false); });
  atExitRegistered = true;
  return true;
}

bool progressThreadRunning() { return running.load(); }

void kickProgressThread() { wakeOwnThread(); }

void stopProgressThread() { stopThread(true); }

void holdEventLoop(Napi::Env env, bool hold) {
  if (!running.load()) return;
  if (hold) {
    delivery.Ref(env);
  } else {
    delivery.Unref(env);
  }
}

Napi::Object progressStats(Napi::Env env) {
  Napi::Object stats = Napi::Object::New(env);
  int64_t cpuNs = finalCpuNs.load();
  if (running.load() && thread != nullptr) {
    clockid_t clock;
    if (pthread_getcpuclockid(thread->native_handle(), &clock) == 0) cpuNs = threadCpuNs(clock);
  }
  stats.Set("running", running.load());
  stats.Set("spinUs", spinUs.load());
  stats.Set("threadCpuMs", cpuNs < 0 ? 0.0 : static_cast<double>(cpuNs) / 1e6);
  stats.Set("polls", static_cast<double>(polls.load()));
  stats.Set("sleeps", static_cast<double>(sleeps.load()));
  stats.Set("rung", static_cast<double>(rung.load()));
  stats.Set("messagesIn", static_cast<double>(received.load()));
  stats.Set("batches", static_cast<double>(batches.load()));
  stats.Set("maxBatch", static_cast<double>(maxBatch.load()));
  Napi::Array buckets = Napi::Array::New(env, kLatencyBuckets);
  for (int i = 0; i < kLatencyBuckets; i++) buckets.Set(static_cast<uint32_t>(i), static_cast<double>(latency[i].load()));
  stats.Set("deliveryLatencyBuckets", buckets);
  stats.Set("deliveryLatencyMaxUs", static_cast<double>(latencyMaxNs.load()) / 1e3);
  uint64_t count = batches.load();
  stats.Set("deliveryLatencyMeanUs", count == 0 ? 0.0 : static_cast<double>(latencySumNs.load()) / 1e3 / count);
  addLoopReceiverStats(stats);
  return stats;
}

void setBackoff(double minUs, double maxUs, double divisor, double spin) {
  spinUs = spin;
  backoffMinUs = minUs;
  backoffMaxUs = maxUs;
  quietDivisor = divisor;
}

}  // namespace parafit
