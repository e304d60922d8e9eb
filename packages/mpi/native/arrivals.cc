#include "arrivals.h"

#include <mutex>

#include "mpi_state.h"

namespace parafit {

namespace {

std::mutex inboxLock;
InboxContents inbox;

}  // namespace

namespace {

// Matches the next message, or with a size limit only one within it (sets `tooLarge` otherwise).
// A limited probe looks first without matching, then matches that very message (same source and
// tag, under the same lock: nothing can come between).
int matchNext(MPI_Comm comm, size_t maxBytes, int* found, MPI_Message* message, MPI_Status* status, bool* tooLarge) {
  if (maxBytes == SIZE_MAX) return MPI_Improbe(MPI_ANY_SOURCE, MPI_ANY_TAG, comm, found, message, status);
  MPI_Status peek;
  int code = MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, comm, found, &peek);
  if (code != MPI_SUCCESS || !*found) return code;
  int count = 0;
  MPI_Get_count(&peek, MPI_BYTE, &count);
  if (static_cast<size_t>(count) > maxBytes) {
    *tooLarge = true;
    *found = 0;
    return MPI_SUCCESS;
  }
  return MPI_Improbe(peek.MPI_SOURCE, peek.MPI_TAG, comm, found, message, status);
}

}  // namespace

bool receiveArrivals(MPI_Comm comm, size_t max, std::vector<Arrival>* arrivals, std::string* error,
                     size_t maxBytes) {
  int misses = 0;
  bool tooLarge = false;
  while (misses < 2 && arrivals->size() < max && !tooLarge) {
    int found = 0;
    MPI_Message message;
    MPI_Status status;
    int code = matchNext(comm, maxBytes, &found, &message, &status, &tooLarge);
    if (code != MPI_SUCCESS) {
      *error = "MPI_Improbe failed: " + mpiErrorText(code);
      return false;
    }
    if (!found) {
      misses++;
      continue;
    }
    misses = 0;
    int count = 0;
    MPI_Get_count(&status, MPI_BYTE, &count);
    auto* bytes = new std::vector<char>(static_cast<size_t>(count));
    code = MPI_Mrecv(bytes->data(), count, MPI_BYTE, &message, MPI_STATUS_IGNORE);
    if (code != MPI_SUCCESS) {
      delete bytes;
      *error = "MPI_Mrecv failed: " + mpiErrorText(code);
      return false;
    }
    arrivals->push_back({status.MPI_SOURCE, status.MPI_TAG, bytes});
  }
  return tooLarge;
}

void putInInbox(std::vector<Arrival>* arrivals, const std::string& error) {
  std::lock_guard<std::mutex> guard(inboxLock);
  if (inbox.arrivals.empty() && inbox.error.empty()) inbox.oldest = std::chrono::steady_clock::now();
  for (auto& arrival : *arrivals) inbox.arrivals.push_back(arrival);
  if (!error.empty()) inbox.error = error;
  arrivals->clear();
}

InboxContents takeInbox() {
  InboxContents taken;
  std::lock_guard<std::mutex> guard(inboxLock);
  taken.arrivals.swap(inbox.arrivals);
  taken.error.swap(inbox.error);
  taken.oldest = inbox.oldest;
  return taken;
}

bool takeFromInbox(int source, int tag, std::vector<char>* bytes) {
  std::lock_guard<std::mutex> guard(inboxLock);
  for (auto it = inbox.arrivals.begin(); it != inbox.arrivals.end(); ++it) {
    if (it->source != source || it->tag != tag) continue;
    bytes->swap(*it->bytes);
    delete it->bytes;
    inbox.arrivals.erase(it);
    return true;
  }
  return false;
}

Napi::Array arrivalsToJs(Napi::Env env, std::deque<Arrival>* arrivals) {
  Napi::Array triples = Napi::Array::New(env, arrivals->size());
  uint32_t index = 0;
  for (auto& arrival : *arrivals) {
    auto* bytes = arrival.bytes;
    Napi::Array triple = Napi::Array::New(env, 3);
    triple.Set(0u, arrival.source);
    triple.Set(1u, arrival.tag);
    if (bytes->empty()) {
      delete bytes;
      triple.Set(2u, Napi::Buffer<char>::New(env, 0));
    } else {
      // The received bytes become the Buffer's memory: no copy on the JavaScript thread.
      triple.Set(2u, Napi::Buffer<char>::New(env, bytes->data(), bytes->size(),
                                             [bytes](Napi::Env, char*) { delete bytes; }));
    }
    triples.Set(index++, triple);
  }
  arrivals->clear();
  return triples;
}

void dropArrivals(std::deque<Arrival>* arrivals) {
  for (auto& arrival : *arrivals) delete arrival.bytes;
  arrivals->clear();
}

}  // namespace parafit
