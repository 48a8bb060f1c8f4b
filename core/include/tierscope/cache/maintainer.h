// Maintainer: one background thread that catches caches' eviction policies up with the
// reads they buffered (Caffeine's maintenance executor). With one, a reader whose read
// buffer is full never applies the batch itself: it flags its shard and moves on, and
// the records that arrive before the maintainer's next pass are dropped (the policy then
// works from a sample of the reads, as Caffeine's does). While caches are busy it passes
// over them every millisecond — readers never wait for the kernel to wake it — and after
// 50 ms without work it sleeps until asked. Without one, such a reader drains the
// buffer itself when it can take the shard's lock — exact on one thread, which is what
// simulations and replays want.
//
// Ownership: the application owns the Maintainer; every MemoryTier given it must be
// destroyed before it (a tier unregisters itself on destruction).
// Thread safety: every method may be called from any thread. Not copyable.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace tierscope {

class Maintainer {
 public:
  // Work the maintainer runs on its thread; run() must not block for long.
  class Client {
   public:
    virtual ~Client() = default;
    virtual void run_maintenance_now() = 0;
  };

  Maintainer();
  ~Maintainer();
  Maintainer(const Maintainer&) = delete;
  Maintainer& operator=(const Maintainer&) = delete;

  void add(Client* client);
  // Returns once the client is not running and will not run again.
  void remove(Client* client);
  // Asks for a pass over every client soon; cheap when one is already pending.
  void wake();

 private:
  void loop();

  std::mutex clients_mu_;  // held while clients run, so remove() waits for a pass to end
  std::vector<Client*> clients_;
  std::atomic<bool> pending_{false};
  std::atomic<bool> sleeping_{false};
  std::atomic<bool> stop_{false};
  std::mutex sleep_mu_;
  std::condition_variable wakeup_;
  std::thread thread_;
};

}  // namespace tierscope
