// The JavaScript thread's side of the event-loop doorbell (loop_bell.h): Node's event loop
// watches this rank's socket, and when a peer rings it, receives from MPI itself and calls
// onMessages at once. A message then costs one wake-up (the event loop's) instead of two (the
// progress thread's, then the event loop's). The progress thread still runs: it completes sends,
// polls for ranks on other nodes, and receives whenever the event loop is busy (not armed).
#pragma once

#include <napi.h>

namespace parafit {

// Starts watching; false where this rank has no event-loop doorbell. Call on the JavaScript
// thread, with the progress thread's onMessages.
bool startLoopReceiver(Napi::Env env, Napi::Function onMessages);

// Stops watching and disarms; with `loopAlive` false (at exit) it only disarms.
void stopLoopReceiver(bool loopAlive);

// Arms the doorbell again after JavaScript took arrivals some other way (the thread's delivery).
void rearmLoopReceiver();

// Adds the event loop's counters to the progress thread's.
void addLoopReceiverStats(Napi::Object stats);

}  // namespace parafit
