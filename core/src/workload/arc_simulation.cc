// ARC (Megiddo & Modha, "ARC: A Self-Tuning, Low Overhead Replacement Cache", FAST 2003),
// as a reference policy for replays: T1/T2 hold the cache (seen once / at least twice),
// B1/B2 remember what each recently dropped, and a hit in a ghost list moves the target
// size p of T1 towards the list that would have hit.
#include <list>
#include <unordered_map>

#include "tierscope/workload/simulation.h"

namespace tierscope {

namespace {

class Arc {
 public:
  explicit Arc(size_t capacity) : c_(double(capacity)) {}

  // Returns whether the request hit.
  bool request(uint64_t key) {
    auto it = where_.find(key);
    if (it != where_.end() && (it->second.list == kT1 || it->second.list == kT2)) {
      move_to(it, kT2);  // Case I
      return true;
    }
    if (it != where_.end() && it->second.list == kB1) {  // Case II
      p_ = std::min(c_, p_ + std::max(1.0, double(size(kB2)) / double(size(kB1))));
      replace(false);
      move_to(it, kT2);
      return false;
    }
    if (it != where_.end() && it->second.list == kB2) {  // Case III
      p_ = std::max(0.0, p_ - std::max(1.0, double(size(kB1)) / double(size(kB2))));
      replace(true);
      move_to(it, kT2);
      return false;
    }
    // Case IV: not seen recently.
    const size_t l1 = size(kT1) + size(kB1);
    const size_t total = l1 + size(kT2) + size(kB2);
    if (double(l1) >= c_) {
      if (double(size(kT1)) < c_) {
        drop_lru(kB1);
        replace(false);
      } else {
        drop_lru(kT1);
      }
    } else if (double(total) >= c_) {
      if (double(total) >= 2 * c_) drop_lru(kB2);
      replace(false);
    }
    lists_[kT1].push_front(key);
    where_[key] = {kT1, lists_[kT1].begin()};
    return false;
  }

 private:
  enum List { kT1, kT2, kB1, kB2 };
  struct Place {
    List list;
    std::list<uint64_t>::iterator at;
  };
  using Map = std::unordered_map<uint64_t, Place>;

  size_t size(List l) const { return lists_[l].size(); }

  void move_to(Map::iterator it, List to) {
    lists_[to].splice(lists_[to].begin(), lists_[it->second.list], it->second.at);
    it->second = {to, lists_[to].begin()};
  }

  void drop_lru(List l) {
    if (lists_[l].empty()) return;
    where_.erase(lists_[l].back());
    lists_[l].pop_back();
  }

  // REPLACE: evict from T1 into B1 when T1 is over its target (or at it, for a B2 hit),
  // otherwise from T2 into B2.
  void replace(bool hit_in_b2) {
    const double t1 = double(size(kT1));
    if (t1 >= 1 && ((hit_in_b2 && t1 == p_) || t1 > p_)) {
      demote(kT1, kB1);
    } else if (!lists_[kT2].empty()) {
      demote(kT2, kB2);
    } else if (!lists_[kT1].empty()) {
      demote(kT1, kB1);
    }
  }

  void demote(List from, List to) {
    const uint64_t key = lists_[from].back();
    move_to(where_.find(key), to);
  }

  const double c_;
  double p_ = 0;
  std::list<uint64_t> lists_[4];
  Map where_;
};

}  // namespace

SimulationResult simulate_arc(const std::vector<uint64_t>& trace, size_t capacity) {
  SimulationResult r;
  if (capacity == 0) {
    r.requests = trace.size();
    return r;
  }
  Arc arc(capacity);
  for (uint64_t key : trace) {
    ++r.requests;
    if (arc.request(key)) ++r.hits;
  }
  return r;
}

}  // namespace tierscope
