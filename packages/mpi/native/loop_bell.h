// The event loop's doorbell: one datagram socket per rank in Linux's abstract socket namespace,
// which the rank's Node event loop watches (progress_thread.cc). A peer on the same node whose
// receiver waits on its event loop sends one empty datagram after its MPI send, and the event
// loop wakes and receives the message itself: one wake-up, where the futex doorbell
// (doorbell.h) wakes the progress thread, which then wakes the event loop. Only a wake-up
// travels over the socket; data stays in MPI. No file descriptor is passed between processes:
// every rank binds a name made of a token its node shares (broadcast over MPI) and its node rank.
#pragma once

#include <mpi.h>

#include <vector>

namespace parafit {

// Opens this rank's socket and learns its node peers' names. Collective over `nodeComm`;
// `nodeRankOf[r]` is world rank r's rank in `nodeComm`, or MPI_UNDEFINED. Returns whether every
// rank of the node bound its socket and reached its neighbour's (else none keeps one).
bool openLoopBells(MPI_Comm nodeComm, const std::vector<int>& nodeRankOf);

// Closes the socket (at finalize).
void closeLoopBells();

// This rank's socket, for its event loop; -1 when there is none.
int ownLoopBellFd();

// Sends `rank`'s event loop a wake-up; false when it cannot be reached (the caller then wakes
// the rank's progress thread instead).
bool sendLoopBell(int rank);

// Reads every wake-up waiting on this rank's socket, so that the event loop sleeps again.
void drainOwnLoopBell();

}  // namespace parafit
