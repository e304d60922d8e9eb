// The native half of @parafit/mpi: a deliberately small binding to the system's MPI library
// (Open MPI or MPICH). It exposes non-blocking point-to-point messaging of byte buffers on a
// duplicated communicator, polled from JavaScript, plus the few blocking calls that are only
// safe at exit. Everything else (protocol, scheduling, serialization) lives in TypeScript.
//
// All MPI calls happen on Node's main thread, so MPI_THREAD_FUNNELED is all we ask for. Errors
// are returned (MPI_ERRORS_RETURN), never fatal, and become JavaScript exceptions.

#include <dlfcn.h>
#include <mpi.h>
#include <napi.h>

#include <cstring>
#include <string>
#include <vector>

namespace {

MPI_Comm comm = MPI_COMM_NULL;
int worldRank = -1;
int worldSize = 0;
int threadLevel = -1;
bool initializedHere = false;

// A send in flight owns a copy of its bytes until MPI reports it complete.
struct PendingSend {
  std::vector<char> bytes;
};
std::vector<MPI_Request> sendRequests;
std::vector<PendingSend*> sendBuffers;

std::string mpiErrorText(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) return "MPI error " + std::to_string(code);
  return std::string(text, length);
}

bool failed(Napi::Env env, int code, const char* call) {
  if (code == MPI_SUCCESS) return false;
  Napi::Error::New(env, std::string(call) + " failed: " + mpiErrorText(code)).ThrowAsJavaScriptException();
  return true;
}

bool requireComm(Napi::Env env) {
  if (comm != MPI_COMM_NULL) return true;
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
  result.Set("rank", worldRank);
  result.Set("size", worldSize);
  result.Set("threadLevel", threadLevel);
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

// init(): initializes MPI once (unless the host program already did) and duplicates
// COMM_WORLD, so that parafit's messages can never match a user's receives.
Napi::Value Init(const Napi::CallbackInfo& args) {
  Napi::Env env = args.Env();
  if (comm != MPI_COMM_NULL) return info(env);
  if (isFinalized()) {
    Napi::Error::New(env, "MPI was already finalized in this process; it cannot be initialized again")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    promoteLibmpiToGlobal();
    int provided = 0;
    int code = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
    if (failed(env, code, "MPI_Init_thread")) return env.Undefined();
    initializedHere = true;
  }
  MPI_Query_thread(&threadLevel);
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  if (failed(env, MPI_Comm_dup(MPI_COMM_WORLD, &comm), "MPI_Comm_dup")) return env.Undefined();
  MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
  MPI_Comm_rank(comm, &worldRank);
  MPI_Comm_size(comm, &worldSize);
  return info(env);
}

// Completes whatever sends have finished and frees their buffers; returns how many remain.
int progressSends(Napi::Env env) {
  if (sendRequests.empty()) return 0;
  int count = static_cast<int>(sendRequests.size());
  std::vector<int> indices(count);
  int done = 0;
  int code = MPI_Testsome(count, sendRequests.data(), &done, indices.data(), MPI_STATUSES_IGNORE);
  if (failed(env, code, "MPI_Testsome")) return -1;
  if (done == MPI_UNDEFINED || done == 0) return count;
  for (int i = 0; i < done; i++) {
    delete sendBuffers[indices[i]];
    sendBuffers[indices[i]] = nullptr;
  }
  size_t kept = 0;
  for (size_t i = 0; i < sendRequests.size(); i++) {
    if (sendBuffers[i] == nullptr) continue;
    sendRequests[kept] = sendRequests[i];
    sendBuffers[kept] = sendBuffers[i];
    kept++;
  }
  sendRequests.resize(kept);
  sendBuffers.resize(kept);
  return static_cast<int>(kept);
}

bool readTarget(const Napi::CallbackInfo& args, int* peer, int* tag) {
  Napi::Env env = args.Env();
  if (args.Length() < 2 || !args[0].IsNumber() || !args[1].IsNumber()) {
    Napi::TypeError::New(env, "expected (rank: number, tag: number, ...)").ThrowAsJavaScriptException();
    return false;
  }
  *peer = args[0].As<Napi::Number>().Int32Value();
  *tag = args[1].As<Napi::Number>().Int32Value();
  if (*peer < 0 || *peer >= worldSize) {
    Napi::RangeError::New(env, "rank " + std::to_string(*peer) + " is outside 0.." + std::to_string(worldSize - 1))
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
// of sends still in flight. poll() completes them.
Napi::Value Isend(const Napi::CallbackInfo& args) {
  Napi::Env env = args.Env();
  int peer = 0, tag = 0;
  Napi::Uint8Array bytes;
  if (!requireComm(env) || !readTarget(args, &peer, &tag) || !readBytes(args, &bytes)) return env.Undefined();
  auto* pending = new PendingSend{std::vector<char>(bytes.ByteLength())};
  if (bytes.ByteLength() > 0) std::memcpy(pending->bytes.data(), bytes.Data(), bytes.ByteLength());
  MPI_Request request;
  int code = MPI_Isend(pending->bytes.data(), static_cast<int>(pending->bytes.size()), MPI_BYTE, peer, tag, comm,
                       &request);
  if (failed(env, code, "MPI_Isend")) {
    delete pending;
    return env.Undefined();
  }
  sendRequests.push_back(request);
  sendBuffers.push_back(pending);
  return Napi::Number::New(env, progressSends(env));
}

// poll(max): progresses sends, then receives up to `max` messages that have arrived, as
// [source, tag, Buffer] triples. Never blocks.
Napi::Value Poll(const Napi::CallbackInfo& args) {
  Napi::Env env = args.Env();
  if (!requireComm(env)) return env.Undefined();
  int max = args.Length() > 0 && args[0].IsNumber() ? args[0].As<Napi::Number>().Int32Value() : 64;
  if (progressSends(env) < 0) return env.Undefined();
  Napi::Array received = Napi::Array::New(env);
  for (int n = 0; n < max; n++) {
    int found = 0;
    MPI_Message message;
    MPI_Status status;
    int code = MPI_Improbe(MPI_ANY_SOURCE, MPI_ANY_TAG, comm, &found, &message, &status);
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

Napi::Value PendingSends(const Napi::CallbackInfo& args) {
  if (comm == MPI_COMM_NULL) return Napi::Number::New(args.Env(), 0);
  return Napi::Number::New(args.Env(), progressSends(args.Env()));
}

// sendSync(rank, tag, bytes): a blocking send, for exit handlers where the event loop is gone.
Napi::Value SendSync(const Napi::CallbackInfo& args) {
  Napi::Env env = args.Env();
  int peer = 0, tag = 0;
  Napi::Uint8Array bytes;
  if (!requireComm(env) || !readTarget(args, &peer, &tag) || !readBytes(args, &bytes)) return env.Undefined();
  int code = MPI_Send(bytes.Data(), static_cast<int>(bytes.ByteLength()), MPI_BYTE, peer, tag, comm);
  failed(env, code, "MPI_Send");
  return env.Undefined();
}

// recvSync(rank, tag): a blocking receive from one rank, for exit handlers.
Napi::Value RecvSync(const Napi::CallbackInfo& args) {
  Napi::Env env = args.Env();
  int peer = 0, tag = 0;
  if (!requireComm(env) || !readTarget(args, &peer, &tag)) return env.Undefined();
  MPI_Message message;
  MPI_Status status;
  if (failed(env, MPI_Mprobe(peer, tag, comm, &message, &status), "MPI_Mprobe")) return env.Undefined();
  int count = 0;
  MPI_Get_count(&status, MPI_BYTE, &count);
  Napi::Buffer<char> buffer = Napi::Buffer<char>::New(env, static_cast<size_t>(count));
  if (failed(env, MPI_Mrecv(buffer.Data(), count, MPI_BYTE, &message, MPI_STATUS_IGNORE), "MPI_Mrecv"))
    return env.Undefined();
  return buffer;
}

// finalize(): waits for the sends still in flight, frees the communicator, and finalizes MPI
// if this addon initialized it. Only call it when every rank is done talking to this one.
Napi::Value Finalize(const Napi::CallbackInfo& args) {
  Napi::Env env = args.Env();
  if (comm == MPI_COMM_NULL || isFinalized()) return env.Undefined();
  if (!sendRequests.empty()) {
    MPI_Waitall(static_cast<int>(sendRequests.size()), sendRequests.data(), MPI_STATUSES_IGNORE);
    for (auto* pending : sendBuffers) delete pending;
    sendRequests.clear();
    sendBuffers.clear();
  }
  MPI_Comm_free(&comm);
  comm = MPI_COMM_NULL;
  if (initializedHere && failed(env, MPI_Finalize(), "MPI_Finalize")) return env.Undefined();
  return env.Undefined();
}

// abort(code): ends every rank of the job (MPI_Abort on COMM_WORLD); does not return.
Napi::Value Abort(const Napi::CallbackInfo& args) {
  int code = args.Length() > 0 && args[0].IsNumber() ? args[0].As<Napi::Number>().Int32Value() : 1;
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
  result.Set("active", comm != MPI_COMM_NULL);
  return result;
}

Napi::Object Module(Napi::Env env, Napi::Object exports) {
  exports.Set("init", Napi::Function::New(env, Init));
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
