// The native half of @parafit/mpi: a deliberately small binding to the system's MPI library
// (Open MPI or MPICH). It exposes non-blocking point-to-point messaging of byte buffers on a
// duplicated communicator, delivered to JavaScript by a native progress thread
// (progress_thread.cc), plus the few blocking calls that are only safe at exit. Everything else
// (protocol, scheduling, serialization) lives in TypeScript.
//
// MPI is initialised MPI_THREAD_SERIALIZED: the JavaScript thread and the progress thread both
// call MPI, never at once (mpiState().lock). Where the library offers less (a host program that
// initialised MPI itself with FUNNELED), there is no thread and JavaScript polls with poll().
// Errors are returned (MPI_ERRORS_RETURN), never fatal, and become JavaScript exceptions.

#include <dlfcn.h>
#include <mpi.h>
#include <napi.h>

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <string>
#include <vector>

#include "arrivals.h"
#include "doorbell.h"
#include "mpi_state.h"
#include "progress_thread.h"

namespace {

using parafit::mpiErrorText;
using parafit::mpiState;

bool failed(Napi::Env env, int code, const char* call) {
  if (code == MPI_SUCCESS) return false;
  Napi::Error::New(env, std::string(call) + " failed: " + mpiErrorText(code)).ThrowAsJavaScriptException();
  return true;
}

bool requireComm(Napi::Env env) {
  if (mpiState().comm != MPI_COMM_NULL) return true;
  Napi::Error::New(env, "MPI is not initialized (call init() first) or was already finalized")
      .ThrowAsJavaScriptException();
  return false;
}

bool isFinalized() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  return finalized != 0;
}

// Open MPI loads its transport plugins with dlopen, and they expect libmpi's symbols to be
// global; Node loads addons (and so libmpi) with local scope. Promote the already-loaded libmpi
// to global scope before MPI_Init, as mpi4py does. Harmless where it is not needed.
void promoteLibmpiToGlobal() {
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&MPI_Init), &info) != 0 && info.dli_fname != nullptr) {
    dlopen(info.dli_fname, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD);
  }
}

Napi::Object info(Napi::Env env) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("rank", mpiState().rank);
  result.Set("size", mpiState().size);
  result.Set("threadLevel", mpiState().threadLevel);
  char version[MPI_MAX_LIBRARY_VERSION_STRING];
  int length = 0;
  MPI_Get_library_version(version, &length);
  // Open MPI counts the terminating NUL in `length`; MPICH does not.
  result.Set("library", std::string(version, strnlen(version, static_cast<size_t>(length))));
  char host[MPI_MAX_PROCESSOR_NAME];
  length = 0;
  MPI_Get_processor_name(host, &length);
  result.Set("host", std::string(host, strnlen(host, static_cast<size_t>(length))));
  return result;
}

// Ends the process when MPI's start-up does not finish within `timeoutMs`: MPI_Init waits for
// every rank of the job, and a rank that never calls it (another program, a crash before it)
// would otherwise hold this one inside MPI forever. mpirun then ends the job.
class InitWatchdog {
 public:
  InitWatchdog(double timeoutMs, std::string message) {
    if (timeoutMs <= 0) return;
    thread_ = std::thread([this, timeoutMs, message] {
      std::unique_lock<std::mutex> guard(lock_);
      if (done_.wait_for(guard, std::chrono::duration<double, std::milli>(timeoutMs), [this] { return finished_; }))
        return;
      std::string line = message + "\n";
      ssize_t written = write(2, line.data(), line.size());
      (void)written;
      _exit(1);
    });
  }
  ~InitWatchdog() {
    if (!thread_.joinable()) return;
    {
      std::lock_guard<std::mutex> guard(lock_);
      finished_ = true;
    }
    done_.notify_one();
    thread_.join();
  }

 private:
  std::mutex lock_;
  std::condition_variable done_;
  bool finished_ = false;
  std::thread thread_;
};

// init(doorbells = true, startupTimeoutMs = 0, timeoutMessage = ""): initializes MPI once (unless the host program already did) and
// duplicates COMM_WORLD, so that parafit's messages can never match a user's receives; then
// sets up the node's doorbells (doorbell.h), unless asked not to. Collective, like MPI_Init;
// with a start-up timeout, the process exits with `timeoutMessage` when it does not finish.
Napi::Value Init(const Napi::CallbackInfo& args) {
  Napi::Env env = args.Env();
  auto& state = mpiState();
  if (state.comm != MPI_COMM_NULL) return info(env);
  if (isFinalized()) {
    Napi::Error::New(env, "MPI was already finalized in this process; it cannot be initialized again")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  double timeoutMs = args.Length() > 1 && args[1].IsNumber() ? args[1].As<Napi::Number>().DoubleValue() : 0;
  std::string timeoutMessage = args.Length() > 2 && args[2].IsString() ? args[2].As<Napi::String>().Utf8Value() : "";
  InitWatchdog watchdog(timeoutMs, timeoutMessage);
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    promoteLibmpiToGlobal();
    int provided = 0;
    int code = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
    if (failed(env, code, "MPI_Init_thread")) return env.Undefined();
    state.initializedHere = true;
  }
  MPI_Query_thread(&state.threadLevel);
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  if (failed(env, MPI_Comm_dup(MPI_COMM_WORLD, &state.comm), "MPI_Comm_dup")) return env.Undefined();
  MPI_Comm_set_errhandler(state.comm, MPI_ERRORS_RETURN);
  MPI_Comm_rank(state.comm, &state.rank);
  MPI_Comm_size(state.comm, &state.size);
  bool doorbells = args.Length() < 1 || !args[0].IsBoolean() || args[0].As<Napi::Boolean>().Value();
  if (doorbells) {
    parafit::createDoorbells(state.comm, state.rank, state.size);
  } else {
    parafit::createDoorbells(MPI_COMM_NULL, state.rank, state.size);
  }
  return info(env);
}

// startProgress(onMessages, wakeEventLoop = true): starts the progress thread, which calls
// onMessages(batch, error) with [source, tag, Buffer] triples; with wakeEventLoop, the event loop
// receives itself when a peer on this node rings it (loop_receiver.h). Returns false where MPI
// offers less than SERIALIZED (then JavaScript polls with poll()).
Napi::Value StartProgress(const Napi::CallbackInfo& args) {
  Napi::Env env = args.Env();
  if (!requireComm(env)) return env.Undefined();
  if (args.Length() < 1 || !args[0].IsFunction()) {
    Napi::TypeError::New(env, "expected startProgress(onMessages: function)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (mpiState().threadLevel < MPI_THREAD_SERIALIZED) {
    return Napi::Boolean::New(env, false);
  }
  bool wakeEventLoop = args.Length() < 2 || !args[1].IsBoolean() || args[1].As<Napi::Boolean>().Value();
  return Napi::Boolean::New(env, parafit::startProgressThread(env, args[0].As<Napi::Function>(), wakeEventLoop));
}

bool readTarget(const Napi::CallbackInfo& args, int* peer, int* tag) {
  Napi::Env env = args.Env();
  if (args.Length() < 2 || !args[0].IsNumber() || !args[1].IsNumber()) {
    Napi::TypeError::New(env, "expected (rank: number, tag: number, ...)").ThrowAsJavaScriptException();
    return false;
  }
  *peer = args[0].As<Napi::Number>().Int32Value();
  *tag = args[1].As<Napi::Number>().Int32Value();
  int size = mpiState().size;
  if (*peer < 0 || *peer >= size) {
    Napi::RangeError::New(env, "rank " + std::to_string(*peer) + " is outside 0.." + std::to_string(size - 1))
        .ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

bool readBytes(const Napi::CallbackInfo& args, Napi::Uint8Array* bytes) {
  if (args.Length() < 3 || !args[2].IsTypedArray() ||
      args[2].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    Napi::TypeError::New(args.Env(), "expected a Uint8Array of bytes to send").ThrowAsJavaScriptException();
    return false;
  }
  *bytes = args[2].As<Napi::Uint8Array>();
  if (bytes->ByteLength() > static_cast<size_t>(INT32_MAX)) {
    Napi::RangeError::New(args.Env(), "a single MPI message is limited to 2 GiB").ThrowAsJavaScriptException();
    return false;
  }
  return true;
}

// isend(rank, tag, bytes): starts a non-blocking send of a copy of `bytes`; returns the number
// of sends still in flight. The progress thread (or poll()) completes them.
Napi::Value Isend(const Napi::CallbackInfo& args) {
  Napi::Env env = args.Env();
  int peer = 0, tag = 0;
  Napi::Uint8Array bytes;
  if (!requireComm(env) || !readTarget(args, &peer, &tag) || !readBytes(args, &bytes)) return env.Undefined();
  std::string error;
  bool left = false;
  {
    std::lock_guard<std::mutex> guard(mpiState().lock);
    int code = parafit::startSend(bytes.Data(), bytes.ByteLength(), peer, tag, &left);
    if (failed(env, code, "MPI_Isend")) return env.Undefined();
    if (!parafit::progressThreadRunning() && parafit::completeSends(&error) < 0) {
      Napi::Error::New(env, error).ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }
  parafit::ringDoorbell(peer);
  // This rank's thread must take part when the send has not left yet (a large message's
  // rendezvous, a full queue) or when replies are found only by polling (a peer without a
  // doorbell): wake it to poll at once and start its back-off afresh. A send that left needs
  // nothing more from this rank, and its reply will ring.
  bool needsThread = !left || !parafit::everyPeerHasDoorbell();
  if (needsThread && parafit::progressThreadRunning()) parafit::kickProgressThread();
  return Napi::Number::New(env, static_cast<double>(parafit::sendsInFlight()));
}

// poll(max): without the progress thread, progresses sends and receives up to `max` messages
// that have arrived, as [source, tag, Buffer] triples. Never blocks.
Napi::Value Poll(const Napi::CallbackInfo& args) {
  Napi::Env env = args.Env();
  if (!requireComm(env)) return env.Undefined();
  int max = args.Length() > 0 && args[0].IsNumber() ? args[0].As<Napi::Number>().Int32Value() : 64;
  std::lock_guard<std::mutex> guard(mpiState().lock);
  std::string error;
  if (parafit::completeSends(&error) < 0) {
    Napi::Error::New(env, error).ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Array received = Napi::Array::New(env);
  for (int n = 0; n < max; n++) {
    int found = 0;
    MPI_Message message;
    MPI_Status status;
    int code = MPI_Improbe(MPI_ANY_SOURCE, MPI_ANY_TAG, mpiState().comm, &found, &message, &status);
    if (failed(env, code, "MPI_Improbe")) return env.Undefined();
    if (!found) break;
    int count = 0;
    MPI_Get_count(&status, MPI_BYTE, &count);
    Napi::Buffer<char> buffer = Napi::Buffer<char>::New(env, static_cast<size_t>(count));
    code = MPI_Mrecv(buffer.Data(), count, MPI_BYTE, &message, MPI_STATUS_IGNORE);
    if (failed(env, code, "MPI_Mrecv")) return env.Undefined();
    Napi::Array triple = Napi::Array::New(env, 3);
    triple.Set(0u, status.MPI_SOURCE);
    triple.Set(1u, status.MPI_TAG);
    triple.Set(2u, buffer);
    received.Set(static_cast<uint32_t>(n), triple);
  }
  return received;
}

// pendingSends(): sends still in flight. Someone waits for them (a flush): have the thread
// complete them now rather than at its next scheduled poll.
Napi::Value PendingSends(const Napi::CallbackInfo& args) {
  Napi::Env env = args.Env();
  if (mpiState().comm == MPI_COMM_NULL) return Napi::Number::New(env, 0);
  if (parafit::progressThreadRunning() && parafit::sendsInFlight() > 0) parafit::kickProgressThread();
  if (!parafit::progressThreadRunning()) {
    std::lock_guard<std::mutex> guard(mpiState().lock);
    std::string error;
    if (parafit::completeSends(&error) < 0) {
      Napi::Error::New(env, error).ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }
  return Napi::Number::New(env, static_cast<double>(parafit::sendsInFlight()));
}

// sendSync(rank, tag, bytes): a blocking send, for exit handlers where the event loop is gone.
// Stops the progress thread first: a blocking call must not hold the MPI lock against it.
Napi::Value SendSync(const Napi::CallbackInfo& args) {
  Napi::Env env = args.Env();
  int peer = 0, tag = 0;
  Napi::Uint8Array bytes;
  if (!requireComm(env) || !readTarget(args, &peer, &tag) || !readBytes(args, &bytes)) return env.Undefined();
  parafit::stopProgressThread();
  std::lock_guard<std::mutex> guard(mpiState().lock);
  parafit::ringDoorbell(peer);  // a large message needs the peer's progress to complete the send
  int code = MPI_Send(bytes.Data(), static_cast<int>(bytes.ByteLength()), MPI_BYTE, peer, tag, mpiState().comm);
  parafit::ringDoorbell(peer);
  failed(env, code, "MPI_Send");
  return env.Undefined();
}

// recvSync(rank, tag): a blocking receive from one rank, for exit handlers. A message the
// progress thread received but JavaScript never saw comes first.
Napi::Value RecvSync(const Napi::CallbackInfo& args) {
  Napi::Env env = args.Env();
  int peer = 0, tag = 0;
  if (!requireComm(env) || !readTarget(args, &peer, &tag)) return env.Undefined();
  parafit::stopProgressThread();
  std::vector<char> kept;
  if (parafit::takeFromInbox(peer, tag, &kept)) return Napi::Buffer<char>::Copy(env, kept.data(), kept.size());
  std::lock_guard<std::mutex> guard(mpiState().lock);
  MPI_Message message;
  MPI_Status status;
  if (failed(env, MPI_Mprobe(peer, tag, mpiState().comm, &message, &status), "MPI_Mprobe")) return env.Undefined();
  int count = 0;
  MPI_Get_count(&status, MPI_BYTE, &count);
  Napi::Buffer<char> buffer = Napi::Buffer<char>::New(env, static_cast<size_t>(count));
  if (failed(env, MPI_Mrecv(buffer.Data(), count, MPI_BYTE, &message, MPI_STATUS_IGNORE), "MPI_Mrecv"))
    return env.Undefined();
  return buffer;
}

// finalize(): stops the progress thread, waits for the sends still in flight, frees the
// communicator, and finalizes MPI if this addon initialized it. Only call it when every rank is
// done talking to this one.
Napi::Value Finalize(const Napi::CallbackInfo& args) {
  Napi::Env env = args.Env();
  auto& state = mpiState();
  if (state.comm == MPI_COMM_NULL || isFinalized()) return env.Undefined();
  parafit::stopProgressThread();
  std::lock_guard<std::mutex> guard(state.lock);
  parafit::waitForAllSends();
  parafit::freeDoorbells();
  MPI_Comm_free(&state.comm);
  state.comm = MPI_COMM_NULL;
  if (state.initializedHere && failed(env, MPI_Finalize(), "MPI_Finalize")) return env.Undefined();
  return env.Undefined();
}

// abort(code): ends every rank of the job (MPI_Abort on COMM_WORLD); does not return.
Napi::Value Abort(const Napi::CallbackInfo& args) {
  int code = args.Length() > 0 && args[0].IsNumber() ? args[0].As<Napi::Number>().Int32Value() : 1;
  std::lock_guard<std::mutex> guard(mpiState().lock);
  MPI_Abort(MPI_COMM_WORLD, code);
  return args.Env().Undefined();
}

Napi::Value State(const Napi::CallbackInfo& args) {
  Napi::Env env = args.Env();
  int initialized = 0;
  MPI_Initialized(&initialized);
  Napi::Object result = Napi::Object::New(env);
  result.Set("initialized", initialized != 0);
  result.Set("finalized", isFinalized());
  result.Set("active", mpiState().comm != MPI_COMM_NULL);
  result.Set("progressThread", parafit::progressThreadRunning());
  result.Set("doorbellsEverywhere", parafit::everyPeerHasDoorbell());
  return result;
}

// holdEventLoop(hold): whether the progress thread keeps the process alive.
Napi::Value HoldEventLoop(const Napi::CallbackInfo& args) {
  parafit::holdEventLoop(args.Env(), args.Length() > 0 && args[0].ToBoolean().Value());
  return args.Env().Undefined();
}

Napi::Value ProgressStats(const Napi::CallbackInfo& args) { return parafit::progressStats(args.Env()); }

// setBackoff(minUs, maxUs, quietDivisor, spinUs): tunes the progress thread's sleeps.
Napi::Value SetBackoff(const Napi::CallbackInfo& args) {
  Napi::Env env = args.Env();
  if (args.Length() < 4 || !args[0].IsNumber() || !args[1].IsNumber() || !args[2].IsNumber() ||
      !args[3].IsNumber()) {
    Napi::TypeError::New(env, "expected setBackoff(minUs, maxUs, quietDivisor, spinUs)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  parafit::setBackoff(args[0].As<Napi::Number>().DoubleValue(), args[1].As<Napi::Number>().DoubleValue(),
                      args[2].As<Napi::Number>().DoubleValue(), args[3].As<Napi::Number>().DoubleValue());
  return env.Undefined();
}

Napi::Object Module(Napi::Env env, Napi::Object exports) {
  exports.Set("init", Napi::Function::New(env, Init));
  exports.Set("startProgress", Napi::Function::New(env, StartProgress));
  exports.Set("holdEventLoop", Napi::Function::New(env, HoldEventLoop));
  exports.Set("progressStats", Napi::Function::New(env, ProgressStats));
  exports.Set("setBackoff", Napi::Function::New(env, SetBackoff));
  exports.Set("isend", Napi::Function::New(env, Isend));
  exports.Set("poll", Napi::Function::New(env, Poll));
  exports.Set("pendingSends", Napi::Function::New(env, PendingSends));
  exports.Set("sendSync", Napi::Function::New(env, SendSync));
  exports.Set("recvSync", Napi::Function::New(env, RecvSync));
  exports.Set("finalize", Napi::Function::New(env, Finalize));
  exports.Set("abort", Napi::Function::New(env, Abort));
  exports.Set("state", Napi::Function::New(env, State));
  return exports;
}

}  // namespace

NODE_API_MODULE(parafit_mpi, Module)
