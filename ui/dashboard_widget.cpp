#include "dashboard_widget.h"

#include "format.h"

#include <QFile>
#include <QFileDialog>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLocale>
#include <QMessageBox>
#include <QTableView>
#include <QTextStream>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "time_series_chart.h"

namespace tierscope::ui {
namespace {

// The charts are redrawn a few at a time on a fast tick rather than all nine at once on a
// slow one: each tick then costs the GUI thread a few milliseconds, never tens.
constexpr int kRedrawIntervalMs = 100;
constexpr int kChartsPerTick = 2;
constexpr int kDebounceMs = 200;
constexpr int kMinDiskLog2 = 24;  // 16 MiB
constexpr int kMaxDiskLog2 = 39;  // 512 GiB


QString ttlText(double s) {
  if (s <= 0) return QObject::tr("no expiry");
  if (s < 120) return QObject::tr("%1 s").arg(s, 0, 'f', 0);
  if (s < 7200) return QObject::tr("%1 min").arg(s / 60, 0, 'f', s < 600 ? 1 : 0);
  if (s < 172800) return QObject::tr("%1 h").arg(s / 3600, 0, 'f', s < 36000 ? 1 : 0);
  return QObject::tr("%1 days").arg(s / 86400, 0, 'f', 1);
}

// Whether any of the widget is inside every ancestor's rectangle (a scroll area's
// viewport included) and shown: what a user could see of it.
bool onScreen(const QWidget* widget) {
  if (!widget->isVisible()) return false;
  QRect r = widget->rect();
  for (const QWidget* w = widget; w->parentWidget(); w = w->parentWidget()) {
    r = r.translated(w->pos()).intersected(w->parentWidget()->rect());
    if (r.isEmpty()) return false;
  }
  return true;
}

// The stop a slider at `position` stands on; out-of-range positions take the nearest end.
template <typename T, size_t N>
T stepAt(const std::array<T, N>& steps, int position) {
  return steps[std::clamp<size_t>(static_cast<size_t>(std::max(position, 0)), 0, N - 1)];
}

QString adaptiveText(int max_multiplier) {
  return max_multiplier > 1 ? QObject::tr("reads extend, up to %1× TTL").arg(max_multiplier) : QObject::tr("off");
}

QString percent(double share) { return QStringLiteral("%1 %").arg(share * 100.0, 0, 'f', 1); }

// Two significant digits: 12,000 rather than 12,023.
double twoSignificantDigits(double raw) {
  if (raw <= 0) return 0;
  const double unit = std::pow(10.0, std::floor(std::log10(raw)) - 1);
  return std::round(raw / unit) * unit;
}

}  // namespace

quint64 DashboardWidget::entriesForSlider(int position) {
  const double exponent = 2.0 + 4.0 * std::clamp(position, 0, kSliderSteps) / kSliderSteps;
  return static_cast<quint64>(std::llround(twoSignificantDigits(std::pow(10.0, exponent))));
}

int DashboardWidget::sliderForEntries(quint64 entries) {
  const double e = std::log10(std::max<double>(100.0, static_cast<double>(entries)));
  return std::clamp(static_cast<int>(std::lround((e - 2.0) / 4.0 * kSliderSteps)), 0, kSliderSteps);
}

quint64 DashboardWidget::mebibytesForSlider(int position) {
  const double exponent = 12.0 * std::clamp(position, 0, kSliderSteps) / kSliderSteps;
  return std::max<quint64>(1, static_cast<quint64>(std::llround(std::pow(2.0, exponent))));
}

int DashboardWidget::sliderForMebibytes(quint64 mebibytes) {
  const double e = std::log2(std::max<double>(1.0, static_cast<double>(mebibytes)));
  return std::clamp(static_cast<int>(std::lround(e / 12.0 * kSliderSteps)), 0, kSliderSteps);
}

double DashboardWidget::secondsForSlider(int position) {
  return stepAt(kTtlSteps, position);
}

int DashboardWidget::sliderForSeconds(double seconds) {
  if (seconds <= 0) return static_cast<int>(kTtlSteps.size() - 1);  // "no expiry" is the last stop
  int best = 0;
  for (size_t i = 0; i + 1 < kTtlSteps.size(); ++i) {
    if (std::abs(std::log(kTtlSteps[i] / seconds)) < std::abs(std::log(kTtlSteps[best] / seconds))) best = static_cast<int>(i);
  }
  return best;
}

int DashboardWidget::multiplierForSlider(int position) {
  return stepAt(kAdaptiveTtlSteps, position);
}

int DashboardWidget::sliderForMultiplier(int max_multiplier) {
  if (max_multiplier <= 1) return 0;  // a cap of 1x extends nothing: off
  int best = 1;
  for (int i = 1; i < static_cast<int>(kAdaptiveTtlSteps.size()); ++i) {
    if (std::abs(kAdaptiveTtlSteps[i] - max_multiplier) < std::abs(kAdaptiveTtlSteps[best] - max_multiplier)) best = i;
  }
  return best;
}

int DashboardWidget::imageSizeForSlider(int position) {
  return stepAt(kImageSizeSteps, position);
}

int DashboardWidget::sliderForImageSize(int pixels) {
  pixels = std::max(pixels, 1);
  int best = 0;
  for (int i = 1; i < static_cast<int>(kImageSizeSteps.size()); ++i) {
    if (std::abs(std::log(double(kImageSizeSteps[i]) / pixels)) < std::abs(std::log(double(kImageSizeSteps[best]) / pixels))) best = i;
  }
  return best;
}

quint64 DashboardWidget::diskBytesForSlider(int position) {
  const double exponent = kMinDiskLog2 + double(kMaxDiskLog2 - kMinDiskLog2) * std::clamp(position, 0, kSliderSteps) / kSliderSteps;
  const quint64 mebibytes = static_cast<quint64>(std::llround(std::pow(2.0, exponent - 20)));
  return mebibytes << 20;
}

int DashboardWidget::sliderForDiskBytes(quint64 bytes) {
  const double e = std::log2(std::max<double>(double(1ull << kMinDiskLog2), static_cast<double>(bytes)));
  return std::clamp(static_cast<int>(std::lround((e - kMinDiskLog2) / (kMaxDiskLog2 - kMinDiskLog2) * kSliderSteps)), 0,
                    kSliderSteps);
}

DashboardWidget::DashboardWidget(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);

  // Tiles: the SPEC 1.1 figures, since start with the last interval's rate beneath.
  auto* tiles = new QGridLayout;
  tiles->setSpacing(4);
  QLabel* unused = nullptr;
  addTile(tiles, 0, 0, tr("Requests/s"), "requests", tr("Requests that ended in the last interval, per second (total_requests)"), &unused);
  addTile(tiles, 0, 1, tr("L1 hit rate"), "l1", tr("Share of the interval's requests answered from memory (l1_hit_rate)"), &unused);
  addTile(tiles, 0, 2, tr("L2 hit rate"), "l2", tr("Share answered from the local disk tier (l2_hit_rate)"), &unused);
  addTile(tiles, 0, 3, tr("From origin"), "origin", tr("Share answered by loading from the origin (l3_hits), waiters of that load included"), &unused);
  addTile(tiles, 0, 4, tr("Failed"), "failed", tr("Share of requests that ended in a load error or an overload refusal"), &unused);
  addTile(tiles, 0, 5, tr("L1 memory"), "memory", tr("Memory charged by every namespace's L1, against CACHE_MEMORY_LIMIT_MB"), &unused);
  addTile(tiles, 0, 6, tr("Process RSS"), "rss", tr("Resident memory of this process: models, images, caches and the rest. The memory budget "
                                                "(CACHE_MEMORY_LIMIT_MB) caps the L1 caches alone, not the process"), &unused);
  addTile(tiles, 1, 0, tr("L2 disk"), "disk", tr("Disk the L2 tier takes in whole blocks (l2_disk_usage_gb) against its limit (l2_disk_limit_gb)"), &unused);
  addTile(tiles, 1, 1, tr("Stampedes prevented"), "stampedes", tr("Requests that waited for a load already under way instead of starting their own (stampede_prevented)"), &unused);
  addTile(tiles, 1, 2, tr("Evictions"), "evictions", tr("Entries removed for space, L1 and L2 (evictions); TTL expiries and invalidations are counted apart"), &unused);
  addTile(tiles, 1, 3, tr("Load errors"), "errors", tr("Origin loads that failed, and requests that gave up waiting (load timeouts)"), &unused);
  addTile(tiles, 1, 4, tr("Inference p95"), "inference", tr("95th percentile of whole classifications over the latency window: decode, preprocess, model or cache, as callers waited; the model alone beneath"), &unused);
  addTile(tiles, 1, 5, tr("Try-on p95"), "tryon", tr("95th percentile of try-on requests over the latency window, cached or computed"), &unused);
  addTile(tiles, 1, 6, tr("Prediction cache"), "prediction", tr("Share of classifications answered from the prediction cache (cache_hit_rate_percent)"), &unused);
  layout->addLayout(tiles);

  // The view's own controls.
  window_box_ = new QComboBox;
  window_box_->addItem(tr("1 min"), 60.0);
  window_box_->addItem(tr("10 min"), 600.0);
  window_box_->addItem(tr("1 h"), 3600.0);
  window_box_->setToolTip(tr("How much history the charts show"));
  latency_window_box_ = new QComboBox;
  latency_window_box_->addItem(tr("last 10 s"), 10.0);
  latency_window_box_->addItem(tr("last 1 min"), 60.0);
  latency_window_box_->setToolTip(tr("Latency percentiles are over this sliding window, not since start"));
  pause_button_ = new QPushButton(tr("Pause"));
  pause_button_->setCheckable(true);
  pause_button_->setToolTip(tr("Freeze the charts (samples keep arriving and show on resume)"));
  export_button_ = new QPushButton(tr("Export CSV…"));
  export_button_->setToolTip(tr("Save the visible window's series, one row per sample"));
  auto* view_bar = new QHBoxLayout;
  view_bar->addWidget(new QLabel(tr("Window")));
  view_bar->addWidget(window_box_);
  view_bar->addSpacing(12);
  view_bar->addWidget(new QLabel(tr("Latency")));
  view_bar->addWidget(latency_window_box_);
  view_bar->addStretch(1);
  view_bar->addWidget(pause_button_);
  view_bar->addWidget(export_button_);
  layout->addLayout(view_bar);

  rates_chart_ = new TimeSeriesChart(tr("Requests by how they were served (%)"), tr("%"));
  rates_chart_->setFixedRange(false, 0, 100);
  l1_rate_series_ = rates_chart_->addSeries(tr("L1 memory"));
  l2_rate_series_ = rates_chart_->addSeries(tr("L2 disk"));
  redis_rate_series_ = rates_chart_->addSeries(tr("Redis (shared)"));
  origin_rate_series_ = rates_chart_->addSeries(tr("origin"));
  failed_rate_series_ = rates_chart_->addSeries(tr("failed"));

  requests_chart_ = new TimeSeriesChart(tr("Requests per second"), tr("req/s"));
  requests_series_ = requests_chart_->addSeries(tr("requests/s"));

  latency_chart_ = new TimeSeriesChart(tr("Latency p99 by tier (window)"), tr("ms"));
  l1_p99_series_ = latency_chart_->addSeries(tr("L1 hit"));
  l2_p99_series_ = latency_chart_->addSeries(tr("L2 read"));
  origin_p99_series_ = latency_chart_->addSeries(tr("origin load"));
  miss_p99_series_ = latency_chart_->addSeries(tr("whole miss"));
  tryon_p95_series_ = latency_chart_->addSeries(tr("try-on p95"));

  usage_chart_ = new TimeSeriesChart(tr("L1 of the chosen namespace"), tr("entries"), tr("MiB"));
  entries_series_ = usage_chart_->addSeries(tr("entries"));
  bytes_series_ = usage_chart_->addSeries(tr("memory"), true);
  entries_limit_series_ = usage_chart_->addSeries(tr("entry limit"), false, entries_series_);
  bytes_limit_series_ = usage_chart_->addSeries(tr("memory limit"), true, bytes_series_);

  memory_chart_ = new TimeSeriesChart(tr("Memory against the L1 budget"), tr("MiB"));
  l1_memory_series_ = memory_chart_->addSeries(tr("L1, all namespaces"));
  rss_series_ = memory_chart_->addSeries(tr("process RSS"));
  budget_series_ = memory_chart_->addSeries(tr("L1 budget"), false, l1_memory_series_);

  disk_chart_ = new TimeSeriesChart(tr("L2 disk usage"), tr("MiB"));
  disk_series_ = disk_chart_->addSeries(tr("used"));
  disk_limit_series_ = disk_chart_->addSeries(tr("limit"), false, disk_series_);

  stampede_chart_ = new TimeSeriesChart(tr("Stampedes prevented"), tr("per second"));
  stampede_series_ = stampede_chart_->addSeries(tr("waited for a load under way/s"));

  events_chart_ = new TimeSeriesChart(tr("Evictions by cause, load problems"), tr("per second"));
  size_eviction_series_ = events_chart_->addSeries(tr("size"));
  ttl_series_ = events_chart_->addSeries(tr("TTL"));
  invalidation_series_ = events_chart_->addSeries(tr("invalidation"));
  load_error_series_ = events_chart_->addSeries(tr("load errors"));
  timeout_series_ = events_chart_->addSeries(tr("timeouts"));

  inference_chart_ = new TimeSeriesChart(tr("Inference end to end (window)"), tr("ms"), tr("hit %"));
  p50_series_ = inference_chart_->addSeries(tr("p50"));
  p95_series_ = inference_chart_->addSeries(tr("p95"));
  p99_series_ = inference_chart_->addSeries(tr("p99"));
  model_p95_series_ = inference_chart_->addSeries(tr("model p95"));
  prediction_hit_series_ = inference_chart_->addSeries(tr("cache hit %"), true);
  inference_chart_->setFixedRange(true, 0, 100);

  auto* charts = new QGridLayout;
  const QList<TimeSeriesChart*> all = this->charts();
  for (int i = 0; i < all.size(); ++i) charts->addWidget(all[i], i / 3, i % 3);
  layout->addLayout(charts, 1);

  auto* table = new QTableView;
  table->setModel(&namespace_model_);
  table->horizontalHeader()->setStretchLastSection(true);
  table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  table->verticalHeader()->hide();
  table->setSelectionBehavior(QAbstractItemView::SelectRows);
  table->setMinimumHeight(140);
  table->setToolTip(tr("Every namespace: click one to tune it below"));
  connect(table, &QTableView::clicked, this, [this](const QModelIndex& index) {
    const QString name = namespace_model_.data(namespace_model_.index(index.row(), NamespaceTableModel::kName)).toString();
    if (name.isEmpty()) return;
    namespace_box_->setCurrentText(name);
    shown_namespace_ = name;
    Q_EMIT focusNamespaceRequested(name);
  });
  auto* table_box = new QGroupBox(tr("Namespaces"));
  auto* table_layout = new QVBoxLayout(table_box);
  table_layout->addWidget(table);
  layout->addWidget(table_box);

  // The built-in load: so a slider's effect shows within seconds.
  auto* load_box = new QGroupBox(tr("Workload"));
  auto* load = new QGridLayout(load_box);
  workload_keys_ = new QSpinBox;
  workload_keys_->setRange(1, 100'000'000);
  workload_keys_->setValue(50'000);
  workload_keys_->setToolTip(tr("Distinct keys the load asks for"));
  workload_zipf_ = new QDoubleSpinBox;
  workload_zipf_->setRange(0.0, 3.0);
  workload_zipf_->setSingleStep(0.05);
  workload_zipf_->setValue(0.9);
  workload_zipf_->setToolTip(tr("Zipf exponent: 0 is uniform; higher concentrates requests on fewer keys"));
  workload_rate_ = new QDoubleSpinBox;
  workload_rate_->setRange(0, 10'000'000);
  workload_rate_->setDecimals(0);
  workload_rate_->setValue(5'000);
  workload_rate_->setToolTip(tr("Requests per second; 0 runs as fast as the cache answers"));
  workload_threads_ = new QSpinBox;
  workload_threads_->setRange(1, 64);
  workload_threads_->setValue(4);
  workload_latency_ = new QDoubleSpinBox;
  workload_latency_->setRange(0, 10'000);
  workload_latency_->setValue(0.5);
  workload_latency_->setSuffix(tr(" ms"));
  workload_latency_->setToolTip(tr("How long one origin load takes (the simulated origin)"));
  workload_trace_ = new QLineEdit;
  workload_trace_->setPlaceholderText(tr("or a LIRS/ARC trace file, replayed in a loop"));
  auto* browse = new QPushButton(tr("Trace…"));
  workload_button_ = new QPushButton(tr("Start"));
  workload_button_->setObjectName("workloadButton");
  workload_state_ = new QLabel(tr("stopped"));
  int column = 0;
  for (auto [label, widget] : {std::pair<QString, QWidget*>{tr("Keys"), workload_keys_}, {tr("Zipf s"), workload_zipf_},
                               {tr("Rate/s"), workload_rate_}, {tr("Threads"), workload_threads_},
                               {tr("Origin latency"), workload_latency_}}) {
    load->addWidget(new QLabel(label), 0, column++);
    load->addWidget(widget, 0, column++);
  }
  load->addWidget(workload_trace_, 1, 0, 1, 7);
  load->addWidget(browse, 1, 7);
  load->addWidget(workload_button_, 1, 8);
  load->addWidget(workload_state_, 1, 9);
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Trace to replay"), {}, tr("Traces (*.trace *.trc *.lis *.gz *.zst);;All files (*)"));
    if (!path.isEmpty()) workload_trace_->setText(path);
  });
  connect(workload_button_, &QPushButton::clicked, this, [this] {
    if (workload_running_) {
      addMarker(tr("load stopped"));
      Q_EMIT stopWorkloadRequested();
    } else {
      addMarker(tr("load started"));
      Q_EMIT startWorkloadRequested(workloadRequest());
    }
  });
  layout->addWidget(load_box);

  auto* tuning = new QGroupBox(tr("Tuning (applied live)"));
  auto* grid = new QGridLayout(tuning);
  namespace_box_ = new QComboBox;
  namespace_box_->setObjectName("namespaceBox");
  namespace_box_->setToolTip(tr("The namespace whose L1 capacity, memory and TTL the sliders set"));
  policy_box_ = new QComboBox;
  policy_box_->setObjectName("policyBox");
  policy_box_->addItem(tr("W-TinyLFU"), QStringLiteral("wtinylfu"));
  policy_box_->addItem(tr("LRU"), QStringLiteral("lru"));
  policy_box_->setToolTip(tr("Which entries L1 keeps when full, in every namespace"));
  auto* selectors = new QHBoxLayout;
  selectors->addWidget(new QLabel(tr("Namespace")));
  selectors->addWidget(namespace_box_, 1);
  selectors->addSpacing(24);
  selectors->addWidget(new QLabel(tr("Eviction policy")));
  selectors->addWidget(policy_box_, 1);
  grid->addLayout(selectors, 0, 0, 1, 3);
  entries_slider_ = addSlider(grid, 1, tr("L1 capacity"), tr("Most entries this namespace keeps in memory; lowering it evicts at once"), &entries_value_);
  entries_slider_->setObjectName("l1EntriesSlider");
  memory_slider_ = addSlider(grid, 2, tr("L1 memory"), tr("Most memory this namespace may use, keys and values included"), &memory_value_);
  memory_slider_->setObjectName("l1MemorySlider");
  ttl_slider_ = addSlider(grid, 3, tr("TTL"), tr("Base lifetime of entries stored from now on; often-read entries live longer"), &ttl_value_);
  ttl_slider_->setObjectName("ttlSlider");
  ttl_slider_->setRange(0, static_cast<int>(kTtlSteps.size() - 1));
  ttl_slider_->setPageStep(1);
  adaptive_slider_ = addSlider(grid, 4, tr("Adaptive TTL"), tr("How much longer than the TTL often-read entries may live, in L1 and L2; off: every entry lives its TTL"), &adaptive_value_);
  adaptive_slider_->setObjectName("adaptiveTtlSlider");
  adaptive_slider_->setRange(0, static_cast<int>(kAdaptiveTtlSteps.size() - 1));
  adaptive_slider_->setPageStep(1);
  disk_slider_ = addSlider(grid, 5, tr("Disk limit"), tr("Most disk the L2 tier may use (max_disk_usage_gb); lowering it deletes the least recently used files"), &disk_value_);
  disk_slider_->setObjectName("diskSlider");
  image_size_slider_ = addSlider(grid, 6, tr("Image size"), tr("MAX_IMAGE_SIZE: longest edge kept after decoding an uploaded image; part of the prediction-cache key"), &image_size_value_);
  image_size_slider_->setObjectName("imageSizeSlider");
  image_size_slider_->setRange(0, static_cast<int>(kImageSizeSteps.size() - 1));
  image_size_slider_->setPageStep(1);
  concurrency_slider_ = addSlider(grid, 7, tr("Concurrent inferences"), tr("Forward passes the model runs at once; more callers wait in its bounded queue"), &concurrency_value_);
  concurrency_slider_->setObjectName("concurrencySlider");
  concurrency_slider_->setRange(1, kMaxConcurrencySlider);
  concurrency_slider_->setPageStep(1);
  for (QSlider* s : {image_size_slider_, concurrency_slider_}) s->setEnabled(false);  // until a sample shows a model
  high_watermark_slider_ = addSlider(grid, 8, tr("Cleanup starts at"), tr("L2 cleanup begins when disk use passes this share of the limit"), &high_watermark_value_);
  high_watermark_slider_->setObjectName("highWatermarkSlider");
  high_watermark_slider_->setRange(50, 100);
  low_watermark_slider_ = addSlider(grid, 9, tr("Cleanup down to"), tr("…and removes the least recently used files until use is down to this share; must stay below the start"), &low_watermark_value_);
  low_watermark_slider_->setObjectName("lowWatermarkSlider");
  low_watermark_slider_->setRange(10, 99);
  reset_button_ = new QPushButton(tr("Reset to profile defaults"));
  reset_button_->setToolTip(tr("Every setting back to what the profile (ENVIRONMENT, --config, environment variables) gave at start"));
  grid->addWidget(reset_button_, 10, 2);
  connect(reset_button_, &QPushButton::clicked, this, [this] {
    addMarker(tr("reset"));
    Q_EMIT resetRequested();
  });
  layout->addWidget(tuning);

  for (QTimer* t : {&capacity_debounce_, &ttl_debounce_, &adaptive_debounce_, &disk_debounce_, &image_size_debounce_,
                    &concurrency_debounce_, &watermark_debounce_}) {
    t->setSingleShot(true);
    t->setInterval(kDebounceMs);  // a drag sends one request, not hundreds
  }
  connect(&capacity_debounce_, &QTimer::timeout, this, [this] {
    addMarker(tr("%1 L1").arg(shown_namespace_));
    Q_EMIT l1CapacityRequested(shown_namespace_, entriesForSlider(entries_slider_->value()),
                               mebibytesForSlider(memory_slider_->value()) << 20);
  });
  connect(&ttl_debounce_, &QTimer::timeout, this, [this] {
    addMarker(tr("%1 TTL").arg(shown_namespace_));
    Q_EMIT ttlRequested(shown_namespace_, secondsForSlider(ttl_slider_->value()));
  });
  connect(&image_size_debounce_, &QTimer::timeout, this, [this] {
    addMarker(tr("image size"));
    Q_EMIT maxImageSizeRequested(imageSizeForSlider(image_size_slider_->value()));
  });
  connect(&concurrency_debounce_, &QTimer::timeout, this, [this] {
    addMarker(tr("concurrency"));
    Q_EMIT maxConcurrentInferencesRequested(concurrency_slider_->value());
  });
  connect(&adaptive_debounce_, &QTimer::timeout, this, [this] {
    addMarker(tr("adaptive TTL"));
    Q_EMIT adaptiveTtlRequested(multiplierForSlider(adaptive_slider_->value()));
  });
  connect(&disk_debounce_, &QTimer::timeout, this, [this] {
    addMarker(tr("disk limit"));
    Q_EMIT diskLimitRequested(diskBytesForSlider(disk_slider_->value()));
  });
  connect(&watermark_debounce_, &QTimer::timeout, this, [this] {
    const int high = high_watermark_slider_->value(), low = low_watermark_slider_->value();
    if (low >= high) {
      // Refused whole: the engine keeps the pair it has (the next sample moves the sliders back).
      Q_EMIT settingRefused(tr("Cleanup must go down below where it starts (%1 % is not below %2 %): not applied").arg(low).arg(high));
      return;
    }
    addMarker(tr("watermarks"));
    Q_EMIT diskWatermarksRequested(high / 100.0, low / 100.0);
  });
  // Moving a slider relabels at once and (re)starts its request's debounce.
  const std::pair<QSlider*, QTimer*> debounced[] = {
      {entries_slider_, &capacity_debounce_},       {memory_slider_, &capacity_debounce_},
      {ttl_slider_, &ttl_debounce_},                {adaptive_slider_, &adaptive_debounce_},
      {disk_slider_, &disk_debounce_},              {image_size_slider_, &image_size_debounce_},
      {concurrency_slider_, &concurrency_debounce_}, {high_watermark_slider_, &watermark_debounce_},
      {low_watermark_slider_, &watermark_debounce_}};
  for (auto [slider, timer] : debounced) {
    connect(slider, &QSlider::valueChanged, this, [this, timer = timer] {
      updateSliderLabels();
      timer->start();
    });
  }
  connect(policy_box_, &QComboBox::activated, this, [this] {
    addMarker(policy_box_->currentText());
    Q_EMIT policyRequested(policy_box_->currentData().toString());
  });
  connect(window_box_, &QComboBox::activated, this, [this] { setVisibleSeconds(window_box_->currentData().toDouble()); });
  connect(latency_window_box_, &QComboBox::activated, this,
          [this] { Q_EMIT latencyWindowRequested(latency_window_box_->currentData().toDouble()); });
  connect(pause_button_, &QPushButton::toggled, this, &DashboardWidget::setPaused);
  connect(export_button_, &QPushButton::clicked, this, [this] {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export the visible series"), QStringLiteral("tierscope.csv"),
                                                      tr("CSV (*.csv)"));
    QString error;
    if (!path.isEmpty() && !exportCsv(path, &error)) QMessageBox::warning(this, tr("Export failed"), error);
  });
  connect(namespace_box_, &QComboBox::activated, this, [this] {
    shown_namespace_ = namespace_box_->currentText();
    Q_EMIT focusNamespaceRequested(shown_namespace_);
  });

  redraw_timer_.setInterval(kRedrawIntervalMs);
  connect(&redraw_timer_, &QTimer::timeout, this, &DashboardWidget::redrawCharts);
  redraw_timer_.start();
}

QLabel* DashboardWidget::addTile(QGridLayout* grid, int row, int column, const QString& title, const QString& object_name,
                                 const QString& tooltip, QLabel** detail) {
  auto* frame = new QFrame;
  frame->setFrameShape(QFrame::StyledPanel);
  frame->setToolTip(tooltip);
  auto* box = new QVBoxLayout(frame);
  box->setContentsMargins(6, 3, 6, 3);
  box->setSpacing(0);
  auto* caption = new QLabel(title);
  auto* value = new QLabel(QStringLiteral("–"));
  value->setObjectName(object_name);
  QFont big = value->font();
  big.setPointSizeF(big.pointSizeF() * 1.3);
  big.setBold(true);
  value->setFont(big);
  *detail = new QLabel;
  QFont small = (*detail)->font();
  small.setPointSizeF(small.pointSizeF() * 0.85);
  (*detail)->setFont(small);
  box->addWidget(caption);
  box->addWidget(value);
  box->addWidget(*detail);
  grid->addWidget(frame, row, column);
  tiles_[object_name] = value;
  tile_details_[object_name] = *detail;
  return value;
}

QLabel* DashboardWidget::tile(const QString& object_name) const { return tiles_.value(object_name); }

QList<TimeSeriesChart*> DashboardWidget::charts() const {
  return {rates_chart_, requests_chart_, latency_chart_, usage_chart_, memory_chart_, disk_chart_, stampede_chart_, events_chart_,
          inference_chart_};
}

void DashboardWidget::setVisibleSeconds(double seconds) {
  visible_seconds_ = seconds;
  const int index = window_box_->findData(seconds);
  if (index >= 0) window_box_->setCurrentIndex(index);
  dirty_ = true;
  flushCharts();
}

void DashboardWidget::setPaused(bool paused) {
  paused_ = paused;
  if (pause_button_->isChecked() != paused) pause_button_->setChecked(paused);
  pause_button_->setText(paused ? tr("Resume") : tr("Pause"));
  if (!paused) {
    dirty_ = true;
    flushCharts();
  }
}

void DashboardWidget::addMarker(const QString& label) {
  addMarkerAt(history_.empty() ? 0.0 : history_.back().seconds_since_start, label);
}

void DashboardWidget::addMarkerAt(double t, const QString& label) {
  markers_.append({t, label});
  while (markers_.size() > 200) markers_.removeFirst();
  for (TimeSeriesChart* chart : charts()) chart->setMarkers(markers_);
}

bool DashboardWidget::exportCsv(const QString& path, QString* error) const {
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text)) {
    if (error) *error = tr("cannot write %1: %2").arg(path, file.errorString());
    return false;
  }
  QTextStream out(&file);
  out << "seconds,requests_per_second,l1_share,l2_share,origin_share,failed_share,l1_p99_ms,l2_p99_ms,origin_p99_ms,"
         "miss_p99_ms,inference_p50_ms,inference_p95_ms,inference_p99_ms,model_p95_ms,tryon_p95_ms,focus_namespace,"
         "focus_entries,focus_max_entries,focus_mib,focus_max_mib,l1_mib,rss_mib,budget_mib,l2_mib,l2_limit_mib,"
         "stampedes_per_second,size_evictions_per_second,ttl_expirations_per_second,invalidations_per_second,"
         "load_errors_per_second,load_timeouts_per_second,prediction_hit_share\n";
  if (!history_.empty()) {
    const double oldest = history_.back().seconds_since_start - visible_seconds_;
    constexpr double kMiB = 1 << 20;
    for (size_t i = 0; i < history_.size(); ++i) {
      const EngineSample& s = history_[i];
      if (s.seconds_since_start < oldest) continue;
      const QList<double> values = {s.seconds_since_start, s.requests_per_second, s.l1_hit_rate, s.l2_hit_rate, s.origin_rate,
                                    s.failed_rate, s.l1_latency.p99_ms, s.l2_latency.p99_ms, s.origin_latency.p99_ms,
                                    s.miss_latency.p99_ms, s.inference_latency.p50_ms, s.inference_latency.p95_ms,
                                    s.inference_latency.p99_ms, s.model_latency.p95_ms, s.tryon_latency.p95_ms};
      QStringList row;
      for (double v : values) row << QString::number(v, 'g', 8);
      row << s.focus_namespace;
      for (double v : {double(s.focus_entries), double(s.focus_max_entries), s.focus_bytes / kMiB, s.focus_max_bytes / kMiB,
                       s.l1_bytes / kMiB, s.process_rss_bytes / kMiB, s.memory_budget_bytes / kMiB, s.l2_bytes / kMiB,
                       s.l2_max_bytes / kMiB, s.stampedes_per_second, s.size_evictions_per_second, s.ttl_expirations_per_second,
                       s.invalidations_per_second, s.load_errors_per_second, s.load_timeouts_per_second,
                       s.prediction_hit_rate}) {
        row << QString::number(v, 'g', 8);
      }
      out << row.join(',') << '\n';
    }
  }
  out.flush();
  if (file.error() != QFileDevice::NoError) {
    if (error) *error = tr("cannot write %1: %2").arg(path, file.errorString());
    return false;
  }
  return true;
}

QSlider* DashboardWidget::addSlider(QGridLayout* grid, int row, const QString& label, const QString& tooltip,
                                    QLabel** value) {
  auto* slider = new QSlider(Qt::Horizontal);
  slider->setRange(0, kSliderSteps);
  slider->setToolTip(tooltip);
  *value = new QLabel;
  (*value)->setMinimumWidth(150);
  grid->addWidget(new QLabel(label), row, 0);
  grid->addWidget(slider, row, 1);
  grid->addWidget(*value, row, 2);
  return slider;
}

void DashboardWidget::updateSliderLabels() {
  entries_value_->setText(tr("%L1 entries").arg(entriesForSlider(entries_slider_->value())));
  memory_value_->setText(tr("%L1 MiB").arg(mebibytesForSlider(memory_slider_->value())));
  ttl_value_->setText(ttlText(secondsForSlider(ttl_slider_->value())));
  adaptive_value_->setText(adaptiveText(multiplierForSlider(adaptive_slider_->value())));
  disk_value_->setText(humanBytes(double(diskBytesForSlider(disk_slider_->value()))));
  image_size_value_->setText(tr("%1 px").arg(imageSizeForSlider(image_size_slider_->value())));
  concurrency_value_->setText(tr("%1 at once").arg(concurrency_slider_->value()));
  high_watermark_value_->setText(tr("%1 % of the limit").arg(high_watermark_slider_->value()));
  low_watermark_value_->setText(tr("%1 % of the limit").arg(low_watermark_slider_->value()));
}

bool DashboardWidget::operatorIsAdjusting() const {
  for (const QTimer* t : {&capacity_debounce_, &ttl_debounce_, &adaptive_debounce_, &disk_debounce_, &image_size_debounce_,
                          &concurrency_debounce_, &watermark_debounce_}) {
    if (t->isActive()) return true;
  }
  for (const QSlider* s : {entries_slider_, memory_slider_, ttl_slider_, adaptive_slider_, disk_slider_, image_size_slider_,
                           concurrency_slider_, high_watermark_slider_, low_watermark_slider_}) {
    if (s->isSliderDown()) return true;
  }
  return false;
}

void DashboardWidget::addSample(const EngineSample& s) {
  history_.push(s);
  dirty_ = true;
  ++samples_received_;
  namespace_model_.setRows(s.namespace_rows);
  showTiles(s);
  showControls(s);
  // Auto-tuning changes are settings changes too: marked where they happened.
  for (const TuningSample& t : s.tuning) {
    if (t.sequence <= last_tuning_sequence_) continue;
    last_tuning_sequence_ = t.sequence;
    addMarkerAt(t.seconds_since_start, tr("auto-tune %1 → %2").arg(t.name, humanBytes(double(t.new_bytes))));
  }
}

WorkloadRequest DashboardWidget::workloadRequest() const {
  WorkloadRequest r;
  r.keys = static_cast<quint64>(workload_keys_->value());
  r.zipf = workload_zipf_->value();
  r.rate = workload_rate_->value();
  r.threads = workload_threads_->value();
  r.origin_latency_ms = workload_latency_->value();
  r.trace_path = workload_trace_->text().trimmed();
  r.cache_namespace = shown_namespace_.isEmpty() ? QStringLiteral("general") : shown_namespace_;
  return r;
}

void DashboardWidget::showTiles(const EngineSample& s) {
  workload_running_ = s.workload_running;
  workload_button_->setText(s.workload_running ? tr("Stop") : tr("Start"));
  workload_state_->setText(s.workload_running ? tr("running: %1, %2/s").arg(s.workload_description).arg(s.workload_target_rate, 0, 'f', 0)
                                              : tr("stopped"));
  const QLocale locale;
  auto set = [this](const char* name, const QString& value, const QString& detail) {
    tiles_[name]->setText(value);
    tile_details_[name]->setText(detail);
  };
  const QString window = tr("last %1 s").arg(s.latency_window_seconds, 0, 'f', 0);
  set("requests", locale.toString(s.requests_per_second, 'f', 0), tr("%L1 since start").arg(s.requests_completed));
  set("l1", percent(s.l1_hit_rate), tr("%1 since start").arg(percent(s.l1_hit_rate_total)));
  set("l2", s.l2_enabled ? percent(s.l2_hit_rate) : tr("off"), s.l2_enabled ? tr("p99 %1 ms").arg(s.l2_latency.p99_ms, 0, 'f', 2) : QString());
  set("origin", percent(s.origin_rate), tr("%L1 loads, p99 %2 ms").arg(s.origin_loads).arg(s.origin_latency.p99_ms, 0, 'f', 1));
  set("failed", percent(s.failed_rate), tr("%L1 load errors").arg(s.load_errors));
  set("memory", humanBytes(double(s.l1_bytes)),
      s.memory_budget_bytes ? tr("of %1 budget").arg(humanBytes(double(s.memory_budget_bytes))) : tr("no budget set"));
  set("rss", humanBytes(double(s.process_rss_bytes)),
      s.memory_budget_bytes ? tr("L1 budget %1").arg(humanBytes(double(s.memory_budget_bytes))) : QString());
  set("disk", s.l2_enabled ? humanBytes(double(s.l2_bytes)) : tr("off"),
      s.l2_enabled ? tr("of %1, %L2 entries").arg(humanBytes(double(s.l2_max_bytes))).arg(s.l2_entries) : QString());
  set("stampedes", locale.toString(s.stampede_prevented), tr("%1/s").arg(s.stampedes_per_second, 0, 'f', 1));
  set("evictions", locale.toString(s.size_evictions),
      tr("%1/s; TTL %L2, invalidated %L3").arg(s.size_evictions_per_second, 0, 'f', 1).arg(s.ttl_expirations).arg(s.invalidations));
  set("errors", locale.toString(s.load_errors), tr("%L1 timeouts").arg(s.load_timeouts));
  if (!s.inference_enabled) {
    set("inference", tr("off"), QString());
    set("prediction", tr("off"), QString());
  } else if (!s.model_loaded) {
    set("inference", tr("not loaded"), QString());
    set("prediction", percent(s.prediction_hit_rate_total), tr("%L1 requests").arg(s.predictions));
  } else {
    set("inference", s.inference_latency.count ? tr("%1 ms").arg(s.inference_latency.p95_ms, 0, 'f', 1) : tr("idle"),
        s.model_latency.count ? tr("model %1 ms, %2").arg(s.model_latency.p95_ms, 0, 'f', 1).arg(window) : window);
    set("prediction", percent(s.prediction_hit_rate_total), tr("%L1 requests").arg(s.predictions));
  }
  set("tryon", !s.tryon_enabled ? tr("off") : s.tryon_latency.count ? tr("%1 ms").arg(s.tryon_latency.p95_ms, 0, 'f', 0) : tr("idle"),
      s.tryon_enabled ? tr("%L1 requests").arg(s.tryon_requests) : QString());
}

void DashboardWidget::showControls(const EngineSample& s) {
  if (namespace_box_->count() != s.namespaces.size()) {
    const QSignalBlocker block(namespace_box_);
    namespace_box_->clear();
    namespace_box_->addItems(s.namespaces);
  }
  // A change the operator is still making wins over the state the engine reports.
  if (operatorIsAdjusting() || s.focus_namespace != (shown_namespace_.isEmpty() ? s.focus_namespace : shown_namespace_)) {
    return;
  }
  shown_namespace_ = s.focus_namespace;
  const QSignalBlocker b1(namespace_box_), b2(policy_box_), b3(entries_slider_), b4(memory_slider_), b5(ttl_slider_),
      b6(disk_slider_), b7(adaptive_slider_), b8(image_size_slider_), b9(concurrency_slider_);
  namespace_box_->setCurrentText(s.focus_namespace);
  policy_box_->setCurrentIndex(std::max(0, policy_box_->findData(s.policy)));
  entries_slider_->setValue(sliderForEntries(s.focus_max_entries));
  memory_slider_->setValue(sliderForMebibytes(s.focus_max_bytes >> 20));
  ttl_slider_->setValue(sliderForSeconds(s.focus_ttl_seconds));
  disk_slider_->setEnabled(s.l2_enabled);
  if (s.l2_enabled) disk_slider_->setValue(sliderForDiskBytes(s.l2_max_bytes));
  high_watermark_slider_->setEnabled(s.l2_enabled);
  low_watermark_slider_->setEnabled(s.l2_enabled);
  if (s.l2_enabled) {
    const QSignalBlocker w1(high_watermark_slider_), w2(low_watermark_slider_);
    high_watermark_slider_->setValue(static_cast<int>(std::lround(s.l2_high_watermark * 100)));
    low_watermark_slider_->setValue(static_cast<int>(std::lround(s.l2_low_watermark * 100)));
    high_watermark_value_->setText(tr("%1 % of the limit").arg(high_watermark_slider_->value()));
    low_watermark_value_->setText(tr("%1 % of the limit").arg(low_watermark_slider_->value()));
  }
  entries_value_->setText(s.focus_max_entries ? tr("%L1 entries").arg(s.focus_max_entries) : tr("unlimited"));
  memory_value_->setText(s.focus_max_bytes ? tr("%L1 MiB").arg(s.focus_max_bytes >> 20) : tr("unlimited"));
  ttl_value_->setText(ttlText(s.focus_ttl_seconds));
  adaptive_slider_->setValue(sliderForMultiplier(s.adaptive_ttl_max_multiplier));
  adaptive_value_->setText(adaptiveText(s.adaptive_ttl_max_multiplier));
  disk_value_->setText(s.l2_enabled ? humanBytes(double(s.l2_max_bytes)) : tr("no L2"));
  image_size_slider_->setEnabled(s.inference_enabled);
  concurrency_slider_->setEnabled(s.inference_enabled);
  if (s.inference_enabled) {
    image_size_slider_->setValue(sliderForImageSize(s.max_image_size));
    concurrency_slider_->setValue(s.max_concurrent_inferences);
    image_size_value_->setText(tr("%1 px").arg(s.max_image_size));
    concurrency_value_->setText(tr("%1 at once").arg(s.max_concurrent_inferences));
  } else {
    image_size_value_->setText(tr("no model"));
    concurrency_value_->setText(tr("no model"));
  }
}

void DashboardWidget::redrawCharts() {
  if (paused_ || history_.empty()) return;
  if (pending_charts_.isEmpty()) {
    if (!dirty_) return;
    stageCharts();
  }
  drawStagedCharts(kChartsPerTick);
}

void DashboardWidget::flushCharts() {
  if (paused_ || history_.empty()) return;
  if (dirty_) stageCharts();
  drawStagedCharts(int(pending_charts_.size()));
}

void DashboardWidget::drawStagedCharts(int how_many) {
  for (int drawn = 0; drawn < how_many && !pending_charts_.isEmpty();) {
    TimeSeriesChart* chart = pending_charts_.takeFirst();
    // A chart scrolled out of view (or on a hidden tab) of a shown window waits for the
    // next round; it costs nothing until it can be seen.
    if (window()->isVisible() && !onScreen(chart)) continue;
    for (const auto& [series, points] : staged_points_) {
      if (series->chart() == chart->chart()) series->replace(points);
    }
    chart->showWindow(staged_newest_, visible_seconds_);
    ++drawn;
  }
}

void DashboardWidget::stageCharts() {
  dirty_ = false;
  const double newest = history_.back().seconds_since_start;
  const double oldest = newest - visible_seconds_;
  // Long windows are thinned to about 600 points a series: the chart cannot show more.
  size_t first = 0;
  while (first < history_.size() && history_[first].seconds_since_start < oldest) ++first;
  const size_t step = std::max<size_t>(1, (history_.size() - first) / 600);
  constexpr double kMiB = 1 << 20;

  QList<QPointF> l1, l2, redis, origin, failed, requests, l1_p99, l2_p99, origin_p99, miss_p99, tryon_p95;
  QList<QPointF> entries, mebibytes, entries_limit, mebibytes_limit, l1_memory, rss, budget, disk, disk_limit;
  QList<QPointF> stampedes, size, ttl, invalidated, errors, timeouts, p50, p95, p99, model_p95, prediction_hits;
  for (size_t i = first; i < history_.size(); i += step) {
    const EngineSample& s = history_[i];
    const double t = s.seconds_since_start;
    l1.append({t, s.l1_hit_rate * 100.0});
    l2.append({t, s.l2_hit_rate * 100.0});
    if (s.redis_enabled) redis.append({t, s.redis_rate * 100.0});
    origin.append({t, s.origin_rate * 100.0});
    failed.append({t, s.failed_rate * 100.0});
    requests.append({t, s.requests_per_second});
    l1_p99.append({t, s.l1_latency.p99_ms});
    if (s.l2_enabled) l2_p99.append({t, s.l2_latency.p99_ms});
    origin_p99.append({t, s.origin_latency.p99_ms});
    miss_p99.append({t, s.miss_latency.p99_ms});
    if (s.tryon_enabled) tryon_p95.append({t, s.tryon_latency.p95_ms});
    entries.append({t, double(s.focus_entries)});
    mebibytes.append({t, s.focus_bytes / kMiB});
    // Limits change only when an operator moves a slider: draw them as steps.
    appendStep(entries_limit, t, double(s.focus_max_entries));
    appendStep(mebibytes_limit, t, s.focus_max_bytes / kMiB);
    l1_memory.append({t, s.l1_bytes / kMiB});
    rss.append({t, s.process_rss_bytes / kMiB});
    appendStep(budget, t, s.memory_budget_bytes / kMiB);
    if (s.l2_enabled) {
      disk.append({t, s.l2_bytes / kMiB});
      appendStep(disk_limit, t, s.l2_max_bytes / kMiB);
    }
    stampedes.append({t, s.stampedes_per_second});
    size.append({t, s.size_evictions_per_second});
    ttl.append({t, s.ttl_expirations_per_second});
    invalidated.append({t, s.invalidations_per_second});
    errors.append({t, s.load_errors_per_second});
    timeouts.append({t, s.load_timeouts_per_second});
    if (s.inference_enabled) {
      p50.append({t, s.inference_latency.p50_ms});
      p95.append({t, s.inference_latency.p95_ms});
      p99.append({t, s.inference_latency.p99_ms});
      model_p95.append({t, s.model_latency.p95_ms});
      prediction_hits.append({t, s.prediction_hit_rate_total * 100.0});
    }
  }
  for (QList<QPointF>* steps : {&entries_limit, &mebibytes_limit, &disk_limit, &budget}) {
    if (!steps->isEmpty()) steps->append({newest, steps->back().y()});  // end the step at the newest sample
  }
  const std::pair<QLineSeries*, const QList<QPointF>*> fills[] = {
      {l1_rate_series_, &l1},         {l2_rate_series_, &l2},           {redis_rate_series_, &redis},
      {origin_rate_series_, &origin},
      {failed_rate_series_, &failed}, {requests_series_, &requests},    {l1_p99_series_, &l1_p99},
      {l2_p99_series_, &l2_p99},      {origin_p99_series_, &origin_p99}, {miss_p99_series_, &miss_p99},
      {tryon_p95_series_, &tryon_p95}, {entries_series_, &entries},      {bytes_series_, &mebibytes},
      {entries_limit_series_, &entries_limit}, {bytes_limit_series_, &mebibytes_limit}, {l1_memory_series_, &l1_memory},
      {rss_series_, &rss},            {budget_series_, &budget},        {disk_series_, &disk},
      {disk_limit_series_, &disk_limit}, {stampede_series_, &stampedes}, {size_eviction_series_, &size},
      {ttl_series_, &ttl},            {invalidation_series_, &invalidated}, {load_error_series_, &errors},
      {timeout_series_, &timeouts},   {p50_series_, &p50},              {p95_series_, &p95},
      {p99_series_, &p99},            {model_p95_series_, &model_p95},  {prediction_hit_series_, &prediction_hits}};
  staged_points_.clear();
  for (const auto& [series, points] : fills) staged_points_.append({series, *points});
  staged_newest_ = newest;
  pending_charts_ = charts();
}

}  // namespace tierscope::ui
