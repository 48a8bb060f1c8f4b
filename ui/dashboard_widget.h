// DashboardWidget: the live view of the engine — tiles with current numbers, charts of
// L1 hit rate and of entries/memory over time, and sliders that resize L1 live.
//
// Samples arrive through addSample() (from EngineWorker over a queued connection) and
// go into ring buffers; a fixed-rate timer redraws the charts from them with
// QXYSeries::replace(), so redraw cost does not depend on how fast samples come.
// Capacity changes leave as the l1CapacityRequested signal; the widget never touches
// the engine itself.
//
// Ownership: a QWidget owned by its Qt parent; it owns its charts and series.
// Thread safety: GUI thread only.
#pragma once

#include <QChartView>
#include <QLabel>
#include <QLineSeries>
#include <QSlider>
#include <QTimer>
#include <QValueAxis>
#include <QWidget>

#include "engine_sample.h"
#include "ring_buffer.h"

class QGridLayout;

namespace tierscope::ui {

class DashboardWidget : public QWidget {
  Q_OBJECT

 public:
  explicit DashboardWidget(QWidget* parent = nullptr);

  // Slider positions <-> capacities. Both sliders are logarithmic: operators move
  // between 1k and 100k entries far more than between 51k and 52k.
  static constexpr int kSliderSteps = 1000;
  static quint64 entriesForSlider(int position);  // 100 .. 1,000,000
  static int sliderForEntries(quint64 entries);
  static quint64 mebibytesForSlider(int position);  // 1 .. 4096 MiB
  static int sliderForMebibytes(quint64 mebibytes);

  // For tests and screenshots.
  QLineSeries* hitRateSeries() const { return hit_rate_series_; }
  QLineSeries* entriesSeries() const { return entries_series_; }
  QSlider* entriesSlider() const { return entries_slider_; }
  QSlider* memorySlider() const { return memory_slider_; }
  int samplesReceived() const { return samples_received_; }

 public Q_SLOTS:
  void addSample(const tierscope::ui::EngineSample& sample);
  // The engine has applied new limits (0 = unlimited).
  void showCapacity(quint64 max_entries, quint64 max_bytes);

 Q_SIGNALS:
  void l1CapacityRequested(quint64 max_entries, quint64 max_bytes);

 private:
  QLabel* addTile(QGridLayout* grid, int column, const QString& title);
  void redrawCharts();
  void requestCapacity();

  RingBuffer<EngineSample> history_{600};
  bool dirty_ = false;
  int samples_received_ = 0;
  bool sliders_initialised_ = false;

  QLabel* requests_tile_;
  QLabel* hit_rate_tile_;
  QLabel* entries_tile_;
  QLabel* memory_tile_;
  QLabel* evictions_tile_;
  QLabel* origin_tile_;

  QLineSeries* hit_rate_series_;
  QLineSeries* entries_series_;
  QLineSeries* bytes_series_;
  QLineSeries* entries_limit_series_;
  QLineSeries* bytes_limit_series_;
  QValueAxis* hit_rate_x_;
  QValueAxis* usage_x_;
  QValueAxis* entries_y_;
  QValueAxis* bytes_y_;

  QSlider* entries_slider_;
  QSlider* memory_slider_;
  QLabel* entries_value_;
  QLabel* memory_value_;
  QTimer redraw_timer_;
  QTimer capacity_debounce_;
};

}  // namespace tierscope::ui
