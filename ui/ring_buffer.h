// RingBuffer: a fixed-capacity FIFO that overwrites its oldest element when full —
// the history behind each chart, so memory stays flat however long the app runs.
//
// Ownership: owns its elements. Thread safety: none; use it from one thread (the GUI's).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <vector>

namespace tierscope::ui {

template <typename T>
class RingBuffer {
 public:
  explicit RingBuffer(size_t capacity) : slots_(capacity) {
    if (capacity == 0) throw std::invalid_argument("RingBuffer capacity must be positive");
  }

  void push(const T& value) {
    slots_[(start_ + size_) % slots_.size()] = value;
    if (size_ < slots_.size()) {
      ++size_;
    } else {
      start_ = (start_ + 1) % slots_.size();
    }
  }

  // i = 0 is the oldest element still held.
  const T& operator[](size_t i) const { return slots_[(start_ + i) % slots_.size()]; }
  const T& back() const { return (*this)[size_ - 1]; }
  size_t size() const { return size_; }
  size_t capacity() const { return slots_.size(); }
  bool empty() const { return size_ == 0; }
  void clear() { start_ = size_ = 0; }

 private:
  std::vector<T> slots_;
  size_t start_ = 0;
  size_t size_ = 0;
};

}  // namespace tierscope::ui
