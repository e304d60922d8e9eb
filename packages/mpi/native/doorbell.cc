#include "doorbell.h"

#ifdef __linux__
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <chrono>
#include <numeric>
#include <thread>
#include <vector>

#include "loop_bell.h"

namespace parafit {

namespace {

// One cache line per rank, so that ringing one rank does not disturb another's line.
struct alignas(64) Bell {
  uint32_t seq;         // bumped by every ring
  uint32_t sleeping;    // set while the owner's thread sleeps, so that a ring without sleeper is a plain add
  uint32_t loopArmed;   // set while the owner's event loop waits on its socket (loop_bell.h)
};

Bell localBell{0, 0, 0};     // this rank's bell when there is no shared window
std::vector<Bell*> bells;    // by rank; nullptr for ranks on other nodes
Bell* own = &localBell;
MPI_Win window = MPI_WIN_NULL;
MPI_Comm nodeComm = MPI_COMM_NULL;
bool allPeers = false;
bool loopBells = false;  // this node's ranks have event-loop doorbells (loop_bell.h)

#ifdef __linux__
// Not FUTEX_PRIVATE: the bell may live in memory shared between processes.
void futexWake(uint32_t* word) { syscall(SYS_futex, word, FUTEX_WAKE, 1, nullptr, nullptr, 0); }

void futexWait(uint32_t* word, uint32_t seen, double timeoutUs) {
  auto ns = static_cast<long long>(timeoutUs * 1000);
  timespec timeout{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
  syscall(SYS_futex, word, FUTEX_WAIT, seen, &timeout, nullptr, 0);
}
#endif

void attachSharedWindow(MPI_Comm comm, int rank, int size) {
#ifdef __linux__
  if (MPI_Comm_split_type(comm, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &nodeComm) != MPI_SUCCESS) {
    nodeComm = MPI_COMM_NULL;
    return;
  }
  MPI_Comm_set_errhandler(nodeComm, MPI_ERRORS_RETURN);
  void* base = nullptr;
  if (MPI_Win_allocate_shared(sizeof(Bell), sizeof(Bell), MPI_INFO_NULL, nodeComm, &base, &window) != MPI_SUCCESS) {
    window = MPI_WIN_NULL;
    MPI_Comm_free(&nodeComm);
    return;
  }
  MPI_Win_set_errhandler(window, MPI_ERRORS_RETURN);
  MPI_Group worldGroup, nodeGroup;
  MPI_Comm_group(comm, &worldGroup);
  MPI_Comm_group(nodeComm, &nodeGroup);
  std::vector<int> worldRanks(size), nodeRanks(size);
  std::iota(worldRanks.begin(), worldRanks.end(), 0);
  MPI_Group_translate_ranks(worldGroup, size, worldRanks.data(), nodeGroup, nodeRanks.data());
  MPI_Group_free(&worldGroup);
  MPI_Group_free(&nodeGroup);
  for (int peer = 0; peer < size; peer++) {
    if (nodeRanks[peer] == MPI_UNDEFINED) continue;
    MPI_Aint bytes = 0;
    int unit = 0;
    void* at = nullptr;
    if (MPI_Win_shared_query(window, nodeRanks[peer], &bytes, &unit, &at) == MPI_SUCCESS && at != nullptr) {
      bells[peer] = static_cast<Bell*>(at);
    }
  }
  if (bells[rank] != nullptr) own = bells[rank];
  // A peer that rings before these stores only causes one spurious wake-up.
  __atomic_store_n(&own->sleeping, 0, __ATOMIC_SEQ_CST);
  __atomic_store_n(&own->loopArmed, 0, __ATOMIC_SEQ_CST);
  allPeers = std::all_of(bells.begin(), bells.end(), [](Bell* bell) { return bell != nullptr; });
  // Collective like the window: every rank of the node takes part, whatever it finds.
  loopBells = openLoopBells(nodeComm, nodeRanks) && own != &localBell;
#else
  (void)comm;
  (void)rank;
  (void)size;
#endif
}

}  // namespace

void createDoorbells(MPI_Comm comm, int rank, int size) {
  bells.assign(static_cast<size_t>(size), nullptr);
  if (comm != MPI_COMM_NULL) attachSharedWindow(comm, rank, size);
  bells[rank] = own;
}

void freeDoorbells() {
  closeLoopBells();
  loopBells = false;
  if (window != MPI_WIN_NULL) MPI_Win_free(&window);
  if (nodeComm != MPI_COMM_NULL) MPI_Comm_free(&nodeComm);
  window = MPI_WIN_NULL;
  nodeComm = MPI_COMM_NULL;
  own = &localBell;
  bells.clear();
  allPeers = false;
}

bool everyPeerHasDoorbell() { return allPeers; }

int ranksOnThisNode() {
  if (nodeComm == MPI_COMM_NULL) return 0;
  int size = 0;
  MPI_Comm_size(nodeComm, &size);
  return size;
}

namespace {

void ringThread(Bell* bell) {
  __atomic_fetch_add(&bell->seq, 1, __ATOMIC_SEQ_CST);
#ifdef __linux__
  if (__atomic_load_n(&bell->sleeping, __ATOMIC_SEQ_CST) != 0) futexWake(&bell->seq);
#endif
}

}  // namespace

void ringDoorbell(int rank) {
  if (rank < 0 || static_cast<size_t>(rank) >= bells.size()) return;
  Bell* bell = bells[rank];
  if (bell == nullptr) return;
  // An armed event loop takes the wake-up (one datagram per arming: the exchange disarms it),
  // and the thread sleeps on. A loop that is not armed is busy or has no socket: wake the thread.
  if (loopBells && __atomic_exchange_n(&bell->loopArmed, 0, __ATOMIC_SEQ_CST) != 0 && sendLoopBell(rank)) return;
  ringThread(bell);
}

void wakeOwnThread() { ringThread(own); }

bool ownLoopBellReady() { return loopBells; }

void armOwnLoopBell(bool armed) {
  if (loopBells) __atomic_store_n(&own->loopArmed, armed ? 1 : 0, __ATOMIC_SEQ_CST);
}

uint32_t readOwnDoorbell() { return __atomic_load_n(&own->seq, __ATOMIC_SEQ_CST); }

void sleepOnOwnDoorbell(uint32_t seen, double timeoutUs) {
#ifdef __linux__
  // Announce the sleep, then look once more: a ring after `seen` was read either changed the
  // word (the wait returns at once) or saw `sleeping` and wakes us.
  __atomic_store_n(&own->sleeping, 1, __ATOMIC_SEQ_CST);
  if (__atomic_load_n(&own->seq, __ATOMIC_SEQ_CST) == seen) futexWait(&own->seq, seen, timeoutUs);
  __atomic_store_n(&own->sleeping, 0, __ATOMIC_SEQ_CST);
#else
  // Without futexes nothing can wake the thread early: sleep briefly and poll.
  (void)seen;
  std::this_thread::sleep_for(std::chrono::duration<double, std::micro>(std::min(timeoutUs, 1000.0)));
#endif
}

}  // namespace parafit
