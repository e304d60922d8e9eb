// One native thread that makes MPI progress for this rank, so that the JavaScript thread never
// polls and never waits inside MPI (every blocking MPI wait spins a core, in Open MPI and MPICH
// alike). It only ever calls non-blocking MPI (Testsome, Improbe, Mrecv) under the MPI lock,
// sleeps on its rank's doorbell (doorbell.h) between polls with a back-off that grows with the
// quiet time, is woken at once by a peer's message on the same node or a send from JavaScript,
// and hands arrivals to JavaScript in batches, one thread-safe-function call per batch.
#pragma once

#include <napi.h>

namespace parafit {

// Starts the thread; `onMessages(batch, error)` receives [source, tag, Buffer] triples. With
// `wakeEventLoop`, peers on this node wake the event loop directly where they can
// (loop_receiver.h), and it receives without the thread. Returns false when it is already running.
bool startProgressThread(Napi::Env env, Napi::Function onMessages, bool wakeEventLoop);

bool progressThreadRunning();

// Resets the back-off and wakes the thread (after a send: a reply is likely soon).
void kickProgressThread();

// Stops and joins the thread; idempotent. Arrivals not yet delivered stay in the inbox.
void stopProgressThread();

// Whether the thread keeps Node's event loop alive (a worker rank serving, a batch in flight).
void holdEventLoop(Napi::Env env, bool hold);

// Counters: polls, sleeps, doorbell wake-ups, messages, batches, thread CPU time, delivery latencies.
Napi::Object progressStats(Napi::Env env);

// Back-off tuning (microseconds), for benchmarks and tests: sleeps within [minUs, maxUs] (of
// quiet time / quietDivisor where some peer has no doorbell), after `spinUs` of polling.
void setBackoff(double minUs, double maxUs, double quietDivisor, double spinUs);

}  // namespace parafit
