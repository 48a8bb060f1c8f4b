// DashboardWidget: the live view of the engine — tiles with the SPEC 1.1 figures (since
// start and per second, tooltips explaining each); charts of requests by how they were
// served, requests/s, latency per tier over a sliding window, the chosen namespace's L1
// use against its own limits, memory and RSS against the budget, disk against its limit,
// stampedes prevented (an axis of their own), evictions by cause and load problems, and
// inference; a table of every namespace; markers where a setting changed; a 1 min /
// 10 min / 1 h window, pause, CSV export; and the tuning controls (namespace, policy, L1
// capacity and memory, TTL, adaptive TTL, disk limit and watermarks, image size,
// concurrency, reset to profile defaults) that change the engine while it serves.
//
// Samples arrive through addSample() (from EngineWorker over a queued connection) and
// go into a ring buffer; a fixed-rate timer redraws the charts from it with
// QXYSeries::replace(), so redraw cost does not depend on how fast samples come.
// Changes leave as signals; the widget never touches the engine itself.
//
// Ownership: a QWidget owned by its Qt parent; it owns its charts and controls.
// Thread safety: GUI thread only.
#pragma once

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QSpinBox>
#include <QMap>
#include <QPushButton>
#include <array>
#include <QLabel>
#include <QLineSeries>
#include <QSlider>
#include <QTimer>
#include <QWidget>

#include "engine_sample.h"
#include "namespace_table_model.h"
#include "ring_buffer.h"
#include "time_series_chart.h"

class QGridLayout;

namespace tierscope::ui {

class DashboardWidget : public QWidget {
  Q_OBJECT

 public:
  explicit DashboardWidget(QWidget* parent = nullptr);

  // Slider positions <-> values. All sliders are logarithmic: operators move between
  // 1k and 100k entries, or 1 min and 1 day, far more than within one decade.
  static constexpr int kSliderSteps = 1000;
  static quint64 entriesForSlider(int position);  // 100 .. 1,000,000
  static int sliderForEntries(quint64 entries);
  static quint64 mebibytesForSlider(int position);  // 1 .. 4096 MiB
  static int sliderForMebibytes(quint64 mebibytes);
  // The TTL slider stops at round durations, from 1 s to 7 days, then "no expiry" (0).
  static constexpr std::array<double, 21> kTtlSteps = {1,     5,     10,    30,     60,     120,    300,
                                                       600,   900,   1800,  3600,   7200,   10800,  21600,
                                                       43200, 86400, 172800, 259200, 432000, 604800, 0};
  static double secondsForSlider(int position);
  static int sliderForSeconds(double seconds);  // the nearest stop
  // Adaptive TTL: the longest lifetime in base TTLs that reads can earn; 0 = off.
  static constexpr std::array<int, 6> kAdaptiveTtlSteps = {0, 2, 3, 4, 6, 8};
  static int multiplierForSlider(int position);
  static int sliderForMultiplier(int max_multiplier);  // the nearest stop
  // MAX_IMAGE_SIZE stops; the classifier works at 280 px at most, so the small ones matter.
  static constexpr std::array<int, 8> kImageSizeSteps = {32, 64, 128, 280, 512, 1024, 2048, 4096};
  static int imageSizeForSlider(int position);
  static int sliderForImageSize(int pixels);  // the nearest stop
  static constexpr int kMaxConcurrencySlider = 16;
  static quint64 diskBytesForSlider(int position);  // 16 MiB .. 512 GiB, whole MiB
  static int sliderForDiskBytes(quint64 bytes);

  // For tests and screenshots.
  QLineSeries* hitRateSeries() const { return l1_rate_series_; }
  QLineSeries* l2HitRateSeries() const { return l2_rate_series_; }
  QLineSeries* redisRateSeries() const { return redis_rate_series_; }
  QLineSeries* originRateSeries() const { return origin_rate_series_; }
  QLineSeries* failedRateSeries() const { return failed_rate_series_; }
  QLineSeries* requestsSeries() const { return requests_series_; }
  QLineSeries* entriesSeries() const { return entries_series_; }
  QLineSeries* entriesLimitSeries() const { return entries_limit_series_; }
  QLineSeries* diskSeries() const { return disk_series_; }
  QLineSeries* rssSeries() const { return rss_series_; }
  QLineSeries* stampedeSeries() const { return stampede_series_; }
  QLineSeries* evictionSeries() const { return size_eviction_series_; }
  QLineSeries* ttlExpirySeries() const { return ttl_series_; }
  QLineSeries* invalidationSeries() const { return invalidation_series_; }
  QLineSeries* originP99Series() const { return origin_p99_series_; }
  QLineSeries* inferenceP95Series() const { return p95_series_; }
  QLineSeries* predictionHitSeries() const { return prediction_hit_series_; }
  QList<TimeSeriesChart*> charts() const;
  QSlider* entriesSlider() const { return entries_slider_; }
  QSlider* memorySlider() const { return memory_slider_; }
  QSlider* ttlSlider() const { return ttl_slider_; }
  QSlider* diskSlider() const { return disk_slider_; }
  QSlider* highWatermarkSlider() const { return high_watermark_slider_; }
  QSlider* lowWatermarkSlider() const { return low_watermark_slider_; }
  QSlider* adaptiveTtlSlider() const { return adaptive_slider_; }
  QSlider* imageSizeSlider() const { return image_size_slider_; }
  QSlider* concurrencySlider() const { return concurrency_slider_; }
  QComboBox* policyBox() const { return policy_box_; }
  QComboBox* namespaceBox() const { return namespace_box_; }
  QComboBox* windowBox() const { return window_box_; }
  QComboBox* latencyWindowBox() const { return latency_window_box_; }
  QPushButton* pauseButton() const { return pause_button_; }
  QPushButton* resetButton() const { return reset_button_; }
  QPushButton* workloadButton() const { return workload_button_; }
  // What the Workload panel's fields ask for now.
  WorkloadRequest workloadRequest() const;
  NamespaceTableModel* namespaceModel() { return &namespace_model_; }
  QLabel* tile(const QString& object_name) const;
  int samplesReceived() const { return samples_received_; }
  const EngineSample* lastSample() const { return history_.empty() ? nullptr : &history_.back(); }

  // Seconds of history the charts show (60, 600 or 3600).
  void setVisibleSeconds(double seconds);
  double visibleSeconds() const { return visible_seconds_; }
  // Paused charts keep their picture; samples keep arriving and are drawn on resume.
  void setPaused(bool paused);
  bool paused() const { return paused_; }
  // A vertical line on every chart at the newest sample's time (a setting changed).
  void addMarker(const QString& label);
  // The same at a given time on the charts' axis (seconds since start).
  void addMarkerAt(double seconds, const QString& label);
  const QList<TimeSeriesChart::Marker>& markers() const { return markers_; }
  // The series of the visible window as CSV (one row per sample); false and a message
  // on the status bar's errorOccurred when the file cannot be written.
  bool exportCsv(const QString& path, QString* error = nullptr) const;

 public Q_SLOTS:
  void addSample(const tierscope::ui::EngineSample& sample);

 Q_SIGNALS:
  void focusNamespaceRequested(const QString& ns);
  void l1CapacityRequested(const QString& ns, quint64 max_entries, quint64 max_bytes);
  void ttlRequested(const QString& ns, double seconds);
  void adaptiveTtlRequested(int max_multiplier);  // 0 = off
  void maxImageSizeRequested(int pixels);
  void maxConcurrentInferencesRequested(int limit);
  void policyRequested(const QString& policy);
  void diskLimitRequested(quint64 max_bytes);
  void diskWatermarksRequested(double high, double low);
  void latencyWindowRequested(double seconds);
  // "Reset to profile defaults".
  void resetRequested();
  void startWorkloadRequested(const tierscope::ui::WorkloadRequest& request);
  void stopWorkloadRequested();
  // A combination the engine would refuse; nothing was sent.
  void settingRefused(const QString& message);

 private:
  QLabel* addTile(QGridLayout* grid, int row, int column, const QString& title, const QString& object_name,
                  const QString& tooltip, QLabel** detail);
  QSlider* addSlider(QGridLayout* grid, int row, const QString& label, const QString& tooltip, QLabel** value);
  // Every tick: draws the next few charts of the staged round (staging a new round from
  // the history when the last one is done and samples arrived).
  void redrawCharts();
  // Stages a round if needed and draws every chart of it now (window or pause changes).
  void flushCharts();
  void stageCharts();
  void drawStagedCharts(int how_many);
  void showTiles(const EngineSample& sample);
  void showControls(const EngineSample& sample);
  void updateSliderLabels();
  bool operatorIsAdjusting() const;

  RingBuffer<EngineSample> history_{7200};  // one hour at two samples a second
  bool dirty_ = false;
  QList<std::pair<QLineSeries*, QList<QPointF>>> staged_points_;
  QList<TimeSeriesChart*> pending_charts_;
  double staged_newest_ = 0;
  bool paused_ = false;
  double visible_seconds_ = 60;
  int samples_received_ = 0;
  QString shown_namespace_;
  QList<TimeSeriesChart::Marker> markers_;
  quint64 last_tuning_sequence_ = 0;
  NamespaceTableModel namespace_model_;

  QMap<QString, QLabel*> tiles_;
  QMap<QString, QLabel*> tile_details_;
  TimeSeriesChart *rates_chart_, *requests_chart_, *latency_chart_, *usage_chart_, *memory_chart_, *disk_chart_,
      *stampede_chart_, *events_chart_, *inference_chart_;
  QLineSeries *l1_rate_series_, *l2_rate_series_, *redis_rate_series_, *origin_rate_series_, *failed_rate_series_, *requests_series_;
  QLineSeries *l1_p99_series_, *l2_p99_series_, *origin_p99_series_, *miss_p99_series_, *tryon_p95_series_;
  QLineSeries *entries_series_, *bytes_series_, *entries_limit_series_, *bytes_limit_series_;
  QLineSeries *l1_memory_series_, *rss_series_, *budget_series_;
  QLineSeries *disk_series_, *disk_limit_series_;
  QLineSeries *stampede_series_, *size_eviction_series_, *ttl_series_, *invalidation_series_, *load_error_series_,
      *timeout_series_;
  QLineSeries *p50_series_, *p95_series_, *p99_series_, *model_p95_series_, *prediction_hit_series_;

  QComboBox* window_box_;
  QComboBox* latency_window_box_;
  QPushButton* pause_button_;
  QPushButton* export_button_;
  QPushButton* reset_button_;
  QPushButton* workload_button_;
  QLabel* workload_state_;
  QSpinBox *workload_keys_, *workload_threads_;
  QDoubleSpinBox *workload_zipf_, *workload_rate_, *workload_latency_;
  QLineEdit* workload_trace_;
  bool workload_running_ = false;
  QComboBox* namespace_box_;
  QComboBox* policy_box_;
  QSlider *entries_slider_, *memory_slider_, *ttl_slider_, *adaptive_slider_, *disk_slider_, *image_size_slider_,
      *concurrency_slider_;
  QSlider *high_watermark_slider_, *low_watermark_slider_;
  QLabel *high_watermark_value_, *low_watermark_value_;
  QTimer watermark_debounce_;
  QLabel *entries_value_, *memory_value_, *ttl_value_, *adaptive_value_, *disk_value_, *image_size_value_,
      *concurrency_value_;
  QTimer redraw_timer_;
  QTimer capacity_debounce_, ttl_debounce_, adaptive_debounce_, disk_debounce_, image_size_debounce_, concurrency_debounce_;
};

}  // namespace tierscope::ui
