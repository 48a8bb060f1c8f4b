// EngineSample: one reading of the engine, taken on the engine worker thread and sent
// to the GUI thread by value over a queued signal.
//
// A plain value type: copy freely, no thread-safety concerns.
#pragma once

#include <QMetaType>
#include <QtGlobal>

namespace tierscope::ui {

struct EngineSample {
  double seconds_since_start = 0;  // x coordinate of the charts
  double requests_per_second = 0;  // L1 lookups per second over the last interval
  double l1_hit_rate = 0;          // L1 hits / lookups over the last interval, 0..1
  double l1_hit_rate_total = 0;    // since start
  quint64 l1_entries = 0;
  quint64 l1_bytes = 0;
  quint64 l1_max_entries = 0;  // 0 = unlimited
  quint64 l1_max_bytes = 0;    // 0 = unlimited
  quint64 l1_evictions = 0;    // since start
  quint64 l1_expirations = 0;  // since start
  quint64 origin_loads = 0;    // since start
};

}  // namespace tierscope::ui

Q_DECLARE_METATYPE(tierscope::ui::EngineSample)
