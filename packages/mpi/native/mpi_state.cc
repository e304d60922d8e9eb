#include "mpi_state.h"

#include "doorbell.h"

#include <cstring>
#include <vector>

namespace parafit {

namespace {

// A send in flight owns a copy of its bytes until MPI reports it complete.
std::vector<MPI_Request> sendRequests;
std::vector<std::vector<char>*> sendBuffers;
std::vector<int> sendPeers;
std::atomic<size_t> inFlight{0};

}  // namespace

MpiState& mpiState() {
  static MpiState state;
  return state;
}

std::string mpiErrorText(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS) return "MPI error " + std::to_string(code);
  return std::string(text, length);
}

int startSend(const void* bytes, size_t length, int peer, int tag, bool* left) {
  auto* copy = new std::vector<char>(length);
  if (length > 0) std::memcpy(copy->data(), bytes, length);
  MPI_Request request;
  int code = MPI_Isend(copy->data(), static_cast<int>(length), MPI_BYTE, peer, tag, mpiState().comm, &request);
  if (code != MPI_SUCCESS) {
    delete copy;
    return code;
  }
  // Most small sends leave inside MPI_Isend; those need no progress from this rank later.
  int done = 0;
  if (MPI_Test(&request, &done, MPI_STATUS_IGNORE) == MPI_SUCCESS && done) {
    delete copy;
    if (left != nullptr) *left = true;
    return MPI_SUCCESS;
  }
  if (left != nullptr) *left = false;
  sendRequests.push_back(request);
  sendBuffers.push_back(copy);
  sendPeers.push_back(peer);
  inFlight.store(sendRequests.size());
  return MPI_SUCCESS;
}

int completeSends(std::string* error) {
  if (sendRequests.empty()) return 0;
  int count = static_cast<int>(sendRequests.size());
  std::vector<int> indices(count);
  int done = 0;
  int code = MPI_Testsome(count, sendRequests.data(), &done, indices.data(), MPI_STATUSES_IGNORE);
  if (code != MPI_SUCCESS) {
    *error = "MPI_Testsome failed: " + mpiErrorText(code);
    return -1;
  }
  if (done == MPI_UNDEFINED || done == 0) {
    // A send still in flight is a large one, whose rendezvous needs the peer's progress too:
    // keep the peer awake while it lasts (this rank polls every 100 us meanwhile).
    int last = -1;
    for (int peer : sendPeers) {
      if (peer != last) ringDoorbell(peer);
      last = peer;
    }
    return 0;
  }
  for (int i = 0; i < done; i++) {
    delete sendBuffers[indices[i]];
    sendBuffers[indices[i]] = nullptr;
    // The bytes have left (over TCP the send may have waited for this rank's progress): ring
    // again, so that a peer that looked too early and went back to sleep looks once more.
    ringDoorbell(sendPeers[indices[i]]);
  }
  size_t kept = 0;
  for (size_t i = 0; i < sendRequests.size(); i++) {
    if (sendBuffers[i] == nullptr) continue;
    sendRequests[kept] = sendRequests[i];
    sendBuffers[kept] = sendBuffers[i];
    sendPeers[kept] = sendPeers[i];
    kept++;
  }
  sendRequests.resize(kept);
  sendBuffers.resize(kept);
  sendPeers.resize(kept);
  inFlight.store(kept);
  return done;
}

size_t sendsInFlight() { return inFlight.load(); }

void waitForAllSends() {
  if (sendRequests.empty()) return;
  MPI_Waitall(static_cast<int>(sendRequests.size()), sendRequests.data(), MPI_STATUSES_IGNORE);
  for (auto* buffer : sendBuffers) delete buffer;
  sendRequests.clear();
  sendBuffers.clear();
  sendPeers.clear();
  inFlight.store(0);
}

}  // namespace parafit
