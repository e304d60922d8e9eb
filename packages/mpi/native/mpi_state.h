// What the binding's two threads share: parafit's communicator, the one lock that serializes
// every MPI call (we initialise MPI_THREAD_SERIALIZED, so two threads may call MPI but never at
// once), and the sends still in flight.
#pragma once

#include <mpi.h>

#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>

namespace parafit {

struct MpiState {
  MPI_Comm comm = MPI_COMM_NULL;
  int rank = -1;
  int size = 0;
  int threadLevel = -1;
  bool initializedHere = false;
  // Held around every MPI call once the progress thread runs; never held across a call that
  // can block, so neither thread waits long for the other.
  std::mutex lock;
};

MpiState& mpiState();

std::string mpiErrorText(int code);

// Starts a non-blocking send of a copy of `bytes`; `left` says whether it already completed
// (the common case for a small message). The caller holds mpiState().lock.
int startSend(const void* bytes, size_t length, int peer, int tag, bool* left);

// Completes the sends that have finished and frees their copies; returns how many completed,
// or -1 with `error` set. The caller holds mpiState().lock.
int completeSends(std::string* error);

// Sends still in flight (readable without the lock).
size_t sendsInFlight();

// Waits for every send in flight (blocking; only at finalize). The caller holds the lock.
void waitForAllSends();

}  // namespace parafit
