// What the two ways of receiving share: the progress thread (progress_thread.h), which hands
// its arrivals to JavaScript through an inbox, and the event loop woken by its own doorbell
// (loop_receiver.h), which receives itself. Both receive with receiveArrivals() under the MPI
// lock, and the thread fills the inbox before it lets go of that lock, so that a message the
// thread took from MPI is always in the inbox before the event loop can take a later one: the
// event loop delivers the inbox first, and messages from one rank reach JavaScript in order.
#pragma once

#include <mpi.h>
#include <napi.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

namespace parafit {

struct Arrival {
  int source;
  int tag;
  std::vector<char>* bytes;  // owned; handed to a Buffer on delivery
};

// Receives until two probes in a row miss (a probe that misses runs the library's progress
// engine, which can pull in a message the next probe finds), or `max` arrivals. The caller
// holds mpiState().lock. Sets `error` when MPI fails. With `maxBytes`, stops before a larger
// message and returns true: one whose receive may wait for the sender's progress (beyond the
// eager limit), which the JavaScript thread must leave to the progress thread.
bool receiveArrivals(MPI_Comm comm, size_t max, std::vector<Arrival>* arrivals, std::string* error,
                     size_t maxBytes = SIZE_MAX);

// Adds the thread's arrivals (and an error) to the inbox; clears `arrivals`.
void putInInbox(std::vector<Arrival>* arrivals, const std::string& error);

struct InboxContents {
  std::deque<Arrival> arrivals;
  std::string error;
  std::chrono::steady_clock::time_point oldest;  // when the first of them was put in
};

// Takes everything in the inbox.
InboxContents takeInbox();

// Takes the oldest arrival in the inbox from `source` with `tag` (for the exit handlers' blocking
// receives, after stopProgressThread()).
bool takeFromInbox(int source, int tag, std::vector<char>* bytes);

// [source, tag, Buffer] triples for JavaScript; the Buffers take over the bytes.
Napi::Array arrivalsToJs(Napi::Env env, std::deque<Arrival>* arrivals);

// Frees arrivals nobody will see (Node is tearing down).
void dropArrivals(std::deque<Arrival>* arrivals);

}  // namespace parafit
