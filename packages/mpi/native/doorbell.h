// Doorbells: one 32-bit word per rank in node-local shared memory (an MPI shared window), on
// which that rank's progress thread sleeps with a futex. A rank that sends to a peer on the same
// node rings the peer's bell after the MPI_Isend, so the peer's thread wakes at once instead of
// finding the message at its next poll; JavaScript rings its own rank's bell to wake its thread.
// Where the peer's event loop waits on its own doorbell (loop_bell.h), the ring goes there
// instead, and the event loop receives the message without the thread.
// Data still travels only over MPI: a bell only says "poll now". Peers on other nodes have no
// bell, and their messages are found by polling with back-off.
#pragma once

#include <mpi.h>

#include <cstdint>

namespace parafit {

// Creates the shared window (collective over `comm`; call once, from init). Without one (comm
// is MPI_COMM_NULL, the library refused, or not Linux) the rank still has a process-local bell
// for its own thread, and messages from peers are found by polling.
void createDoorbells(MPI_Comm comm, int rank, int size);

// Frees the window (collective; from finalize, after the progress thread stopped).
void freeDoorbells();

// Whether every rank of the job has a bell this rank can ring (the job runs on one node).
bool everyPeerHasDoorbell();

// How many ranks of the job share this node (0 when unknown: no shared window).
int ranksOnThisNode();

// Rings `rank`'s bell; a no-op for a rank on another node. It wakes the rank's event loop where
// that waits on its socket (armed, loop_bell.h), else the rank's progress thread.
void ringDoorbell(int rank);

// Wakes this rank's own progress thread (after a send from JavaScript), never its event loop.
void wakeOwnThread();

// Whether this rank has an event-loop doorbell (a socket, on a node whose ranks all have one).
bool ownLoopBellReady();

// Armed, the next ring from a peer goes to this rank's event loop rather than its thread. The
// event loop arms it each time it has looked at MPI, and disarms it when it stops watching.
void armOwnLoopBell(bool armed);

// This rank's bell, for its progress thread: read it, announce sleep, sleep until it changes
// or `timeoutUs` passes.
uint32_t readOwnDoorbell();
void sleepOnOwnDoorbell(uint32_t seen, double timeoutUs);

}  // namespace parafit
