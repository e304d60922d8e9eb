#include "loop_bell.h"

#ifdef __linux__
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#endif

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>

namespace parafit {

namespace {

#ifdef __linux__
int fd = -1;
std::vector<sockaddr_un> peers;  // by world rank; sun_family is AF_UNSPEC for ranks on other nodes
std::vector<socklen_t> peerLengths;

// "\0parafit-mpi-<token>-<node rank>": the leading NUL puts the name in the abstract namespace,
// which needs no file and vanishes with the socket.
socklen_t nameFor(const std::string& token, int nodeRank, sockaddr_un* address) {
  std::memset(address, 0, sizeof(*address));
  address->sun_family = AF_UNIX;
  std::string name = "parafit-mpi-" + token + "-" + std::to_string(nodeRank);
  std::memcpy(address->sun_path + 1, name.data(), name.size());
  return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name.size());
}

// A name no other job on the node uses: 128 random bits from node rank 0, shared over MPI.
std::string sharedToken(MPI_Comm nodeComm, int nodeRank) {
  char token[33] = {0};
  if (nodeRank == 0) {
    std::random_device random;
    for (int i = 0; i < 4; i++) std::snprintf(token + 8 * i, 9, "%08x", static_cast<unsigned>(random()));
  }
  MPI_Bcast(token, 32, MPI_CHAR, 0, nodeComm);
  return std::string(token, 32);
}

// Each rank sends its node neighbour one datagram; after a barrier each must have one waiting.
// This fails where ranks of one node do not share a network namespace (some containers).
bool neighbourReached(MPI_Comm nodeComm, int nodeRank, int nodeSize, const std::string& token) {
  sockaddr_un next;
  socklen_t length = nameFor(token, (nodeRank + 1) % nodeSize, &next);
  char byte = 0;
  bool sent = sendto(fd, &byte, 1, MSG_DONTWAIT | MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&next), length) == 1;
  MPI_Barrier(nodeComm);
  bool got = recv(fd, &byte, 1, MSG_DONTWAIT) == 1;
  return sent && got;
}
#endif

}  // namespace

bool openLoopBells(MPI_Comm nodeComm, const std::vector<int>& nodeRankOf) {
#ifdef __linux__
  int nodeRank = 0, nodeSize = 0;
  MPI_Comm_rank(nodeComm, &nodeRank);
  MPI_Comm_size(nodeComm, &nodeSize);
  std::string token = sharedToken(nodeComm, nodeRank);
  sockaddr_un own;
  socklen_t ownLength = nameFor(token, nodeRank, &own);
  fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int bound = fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&own), ownLength) == 0 ? 1 : 0;
  int everyBound = 0;
  MPI_Allreduce(&bound, &everyBound, 1, MPI_INT, MPI_MIN, nodeComm);
  int reached = everyBound && neighbourReached(nodeComm, nodeRank, nodeSize, token) ? 1 : 0;
  int everyReached = 0;
  MPI_Allreduce(&reached, &everyReached, 1, MPI_INT, MPI_MIN, nodeComm);
  if (!everyReached) {
    closeLoopBells();
    return false;
  }
  peers.assign(nodeRankOf.size(), sockaddr_un{});
  peerLengths.assign(nodeRankOf.size(), 0);
  for (size_t rank = 0; rank < nodeRankOf.size(); rank++) {
    if (nodeRankOf[rank] == MPI_UNDEFINED) continue;
    peerLengths[rank] = nameFor(token, nodeRankOf[rank], &peers[rank]);
  }
  drainOwnLoopBell();
  return true;
#else
  (void)nodeComm;
  (void)nodeRankOf;
  return false;
#endif
}

void closeLoopBells() {
#ifdef __linux__
  if (fd >= 0) close(fd);
  fd = -1;
  peers.clear();
  peerLengths.clear();
#endif
}

int ownLoopBellFd() {
#ifdef __linux__
  return fd;
#else
  return -1;
#endif
}

bool sendLoopBell(int rank) {
#ifdef __linux__
  if (fd < 0 || rank < 0 || static_cast<size_t>(rank) >= peers.size() || peerLengths[rank] == 0) return false;
  const auto* address = reinterpret_cast<const sockaddr*>(&peers[rank]);
  if (sendto(fd, nullptr, 0, MSG_DONTWAIT | MSG_NOSIGNAL, address, peerLengths[rank]) == 0) return true;
  // A full queue means wake-ups are already waiting there: the event loop will wake.
  return errno == EAGAIN || errno == EWOULDBLOCK;
#else
  (void)rank;
  return false;
#endif
}

void drainOwnLoopBell() {
#ifdef __linux__
  if (fd < 0) return;
  char byte;
  while (recv(fd, &byte, 1, MSG_DONTWAIT) >= 0) {
  }
#endif
}

}  // namespace parafit
