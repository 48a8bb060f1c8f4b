#include "dashboard_widget.h"

#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLocale>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "time_series_chart.h"

namespace tierscope::ui {
namespace {

constexpr int kRedrawIntervalMs = 500;
constexpr double kVisibleSeconds = 120.0;
constexpr int kDebounceMs = 200;
constexpr int kMinDiskLog2 = 24;  // 16 MiB
constexpr int kMaxDiskLog2 = 39;  // 512 GiB

QString humanBytes(double bytes) {
  return QLocale().formattedDataSize(static_cast<qint64>(bytes), 1, QLocale::DataSizeIecFormat);
}

QString humanSeconds(double s) {
  if (s <= 0) return QObject::tr("no expiry");
  if (s < 120) return QObject::tr("%1 s").arg(s, 0, 'f', 0);
  if (s < 7200) return QObject::tr("%1 min").arg(s / 60, 0, 'f', s < 600 ? 1 : 0);
  if (s < 172800) return QObject::tr("%1 h").arg(s / 3600, 0, 'f', s < 36000 ? 1 : 0);
  return QObject::tr("%1 days").arg(s / 86400, 0, 'f', 1);
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

  auto* tiles = new QGridLayout;
  requests_tile_ = addTile(tiles, 0, tr("Requests/s"));
  l1_tile_ = addTile(tiles, 1, tr("L1 hit rate"));
  l2_tile_ = addTile(tiles, 2, tr("L2 hit rate"));
  origin_tile_ = addTile(tiles, 3, tr("From origin"));
  memory_tile_ = addTile(tiles, 4, tr("L1 memory"));
  disk_tile_ = addTile(tiles, 5, tr("L2 disk"));
  stampede_tile_ = addTile(tiles, 6, tr("Stampedes prevented"));
  eviction_tile_ = addTile(tiles, 7, tr("Evictions"));
  inference_tile_ = addTile(tiles, 8, tr("Inference p95"));
  prediction_tile_ = addTile(tiles, 9, tr("Prediction cache"));
  layout->addLayout(tiles);

  rates_chart_ = new TimeSeriesChart(tr("Requests served by tier (%)"), tr("%"));
  rates_chart_->setFixedRange(false, 0, 100);
  l1_rate_series_ = rates_chart_->addSeries(tr("L1 memory"));
  l2_rate_series_ = rates_chart_->addSeries(tr("L2 disk"));
  origin_rate_series_ = rates_chart_->addSeries(tr("origin"));

  usage_chart_ = new TimeSeriesChart(tr("L1 entries and memory"), tr("entries"), tr("MiB"));
  entries_series_ = usage_chart_->addSeries(tr("entries"));
  bytes_series_ = usage_chart_->addSeries(tr("memory"), true);
  entries_limit_series_ = usage_chart_->addSeries(tr("entry limit"), false, entries_series_);
  bytes_limit_series_ = usage_chart_->addSeries(tr("memory limit"), true, bytes_series_);

  disk_chart_ = new TimeSeriesChart(tr("L2 disk usage"), tr("MiB"));
  disk_series_ = disk_chart_->addSeries(tr("used"));
  disk_limit_series_ = disk_chart_->addSeries(tr("limit"), false, disk_series_);

  events_chart_ = new TimeSeriesChart(tr("Stampedes prevented and evictions"), tr("per second"));
  stampede_series_ = events_chart_->addSeries(tr("stampedes prevented/s"));
  eviction_series_ = events_chart_->addSeries(tr("evictions/s"));

  inference_chart_ = new TimeSeriesChart(tr("Inference latency and prediction cache"), tr("ms"), tr("hit %"));
  p50_series_ = inference_chart_->addSeries(tr("p50"));
  p95_series_ = inference_chart_->addSeries(tr("p95"));
  p99_series_ = inference_chart_->addSeries(tr("p99"));
  prediction_hit_series_ = inference_chart_->addSeries(tr("cache hit %"), true);
  inference_chart_->setFixedRange(true, 0, 100);

  auto* charts = new QGridLayout;
  charts->addWidget(rates_chart_, 0, 0);
  charts->addWidget(usage_chart_, 0, 1);
  charts->addWidget(inference_chart_, 0, 2);
  charts->addWidget(disk_chart_, 1, 0);
  charts->addWidget(events_chart_, 1, 1, 1, 2);
  layout->addLayout(charts, 1);

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
  layout->addWidget(tuning);

  for (QTimer* t : {&capacity_debounce_, &ttl_debounce_, &adaptive_debounce_, &disk_debounce_, &image_size_debounce_,
                    &concurrency_debounce_}) {
    t->setSingleShot(true);
    t->setInterval(kDebounceMs);  // a drag sends one request, not hundreds
  }
  connect(&capacity_debounce_, &QTimer::timeout, this, [this] {
    Q_EMIT l1CapacityRequested(shown_namespace_, entriesForSlider(entries_slider_->value()),
                               mebibytesForSlider(memory_slider_->value()) << 20);
  });
  connect(&ttl_debounce_, &QTimer::timeout, this,
          [this] { Q_EMIT ttlRequested(shown_namespace_, secondsForSlider(ttl_slider_->value())); });
  connect(&image_size_debounce_, &QTimer::timeout, this,
          [this] { Q_EMIT maxImageSizeRequested(imageSizeForSlider(image_size_slider_->value())); });
  connect(&concurrency_debounce_, &QTimer::timeout, this,
          [this] { Q_EMIT maxConcurrentInferencesRequested(concurrency_slider_->value()); });
  connect(&adaptive_debounce_, &QTimer::timeout, this,
          [this] { Q_EMIT adaptiveTtlRequested(multiplierForSlider(adaptive_slider_->value())); });
  connect(&disk_debounce_, &QTimer::timeout, this, [this] { Q_EMIT diskLimitRequested(diskBytesForSlider(disk_slider_->value())); });
  // Moving a slider relabels at once and (re)starts its request's debounce.
  const std::pair<QSlider*, QTimer*> debounced[] = {
      {entries_slider_, &capacity_debounce_},       {memory_slider_, &capacity_debounce_},
      {ttl_slider_, &ttl_debounce_},                {adaptive_slider_, &adaptive_debounce_},
      {disk_slider_, &disk_debounce_},              {image_size_slider_, &image_size_debounce_},
      {concurrency_slider_, &concurrency_debounce_}};
  for (auto [slider, timer] : debounced) {
    connect(slider, &QSlider::valueChanged, this, [this, timer = timer] {
      updateSliderLabels();
      timer->start();
    });
  }
  connect(policy_box_, &QComboBox::activated, this, [this] { Q_EMIT policyRequested(policy_box_->currentData().toString()); });
  connect(namespace_box_, &QComboBox::activated, this, [this] {
    shown_namespace_ = namespace_box_->currentText();
    Q_EMIT focusNamespaceRequested(shown_namespace_);
  });

  redraw_timer_.setInterval(kRedrawIntervalMs);
  connect(&redraw_timer_, &QTimer::timeout, this, &DashboardWidget::redrawCharts);
  redraw_timer_.start();
}

QLabel* DashboardWidget::addTile(QGridLayout* grid, int column, const QString& title) {
  auto* frame = new QFrame;
  frame->setFrameShape(QFrame::StyledPanel);
  auto* box = new QVBoxLayout(frame);
  auto* caption = new QLabel(title);
  auto* value = new QLabel(QStringLiteral("–"));
  QFont big = value->font();
  big.setPointSizeF(big.pointSizeF() * 1.4);
  big.setBold(true);
  value->setFont(big);
  box->addWidget(caption);
  box->addWidget(value);
  grid->addWidget(frame, 0, column);
  return value;
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
  ttl_value_->setText(humanSeconds(secondsForSlider(ttl_slider_->value())));
  adaptive_value_->setText(adaptiveText(multiplierForSlider(adaptive_slider_->value())));
  disk_value_->setText(humanBytes(double(diskBytesForSlider(disk_slider_->value()))));
  image_size_value_->setText(tr("%1 px").arg(imageSizeForSlider(image_size_slider_->value())));
  concurrency_value_->setText(tr("%1 at once").arg(concurrency_slider_->value()));
}

bool DashboardWidget::operatorIsAdjusting() const {
  for (const QTimer* t : {&capacity_debounce_, &ttl_debounce_, &adaptive_debounce_, &disk_debounce_, &image_size_debounce_,
                    &concurrency_debounce_}) {
    if (t->isActive()) return true;
  }
  for (const QSlider* s : {entries_slider_, memory_slider_, ttl_slider_, adaptive_slider_, disk_slider_, image_size_slider_,
                           concurrency_slider_}) {
    if (s->isSliderDown()) return true;
  }
  return false;
}

void DashboardWidget::addSample(const EngineSample& s) {
  history_.push(s);
  dirty_ = true;
  ++samples_received_;

  requests_tile_->setText(QLocale().toString(s.requests_per_second, 'f', 0));
  l1_tile_->setText(percent(s.l1_hit_rate));
  l2_tile_->setText(s.l2_enabled ? percent(s.l2_hit_rate) : tr("off"));
  origin_tile_->setText(percent(s.origin_rate));
  memory_tile_->setText(humanBytes(double(s.l1_bytes)));
  disk_tile_->setText(s.l2_enabled ? tr("%1 / %2").arg(humanBytes(double(s.l2_bytes)), humanBytes(double(s.l2_max_bytes)))
                                   : tr("off"));
  stampede_tile_->setText(QLocale().toString(s.stampede_prevented));
  eviction_tile_->setText(QLocale().toString(s.evictions));
  inference_tile_->setText(!s.inference_enabled ? tr("off")
                           : s.model_loaded     ? tr("%1 ms").arg(s.inference_p95_ms, 0, 'f', 1)
                                                : tr("not loaded"));
  prediction_tile_->setText(s.inference_enabled ? percent(s.prediction_hit_rate_total) : tr("off"));
  showControls(s);
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
  entries_value_->setText(s.focus_max_entries ? tr("%L1 entries").arg(s.focus_max_entries) : tr("unlimited"));
  memory_value_->setText(s.focus_max_bytes ? tr("%L1 MiB").arg(s.focus_max_bytes >> 20) : tr("unlimited"));
  ttl_value_->setText(humanSeconds(s.focus_ttl_seconds));
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
  if (!dirty_ || history_.empty()) return;
  dirty_ = false;

  QList<QPointF> l1, l2, origin, entries, mebibytes, entries_limit, mebibytes_limit, disk, disk_limit, stampedes, evictions;
  QList<QPointF> p50, p95, p99, prediction_hits;
  for (size_t i = 0; i < history_.size(); ++i) {
    const EngineSample& s = history_[i];
    const double t = s.seconds_since_start;
    l1.append({t, s.l1_hit_rate * 100.0});
    l2.append({t, s.l2_hit_rate * 100.0});
    origin.append({t, s.origin_rate * 100.0});
    entries.append({t, double(s.l1_entries)});
    mebibytes.append({t, double(s.l1_bytes) / (1 << 20)});
    // Limits change only when an operator moves a slider: draw them as steps.
    appendStep(entries_limit, t, double(s.l1_max_entries));
    appendStep(mebibytes_limit, t, double(s.l1_max_bytes) / (1 << 20));
    if (s.l2_enabled) {
      disk.append({t, double(s.l2_bytes) / (1 << 20)});
      appendStep(disk_limit, t, double(s.l2_max_bytes) / (1 << 20));
    }
    stampedes.append({t, s.stampedes_per_second});
    evictions.append({t, s.evictions_per_second});
    if (s.inference_enabled) {
      p50.append({t, s.inference_p50_ms});
      p95.append({t, s.inference_p95_ms});
      p99.append({t, s.inference_p99_ms});
      prediction_hits.append({t, s.prediction_hit_rate_total * 100.0});
    }
  }
  const double newest = history_.back().seconds_since_start;
  for (QList<QPointF>* steps : {&entries_limit, &mebibytes_limit, &disk_limit}) {
    if (!steps->isEmpty()) steps->append({newest, steps->back().y()});  // end the step at the newest sample
  }
  l1_rate_series_->replace(l1);
  l2_rate_series_->replace(l2);
  origin_rate_series_->replace(origin);
  entries_series_->replace(entries);
  bytes_series_->replace(mebibytes);
  entries_limit_series_->replace(entries_limit);
  bytes_limit_series_->replace(mebibytes_limit);
  disk_series_->replace(disk);
  disk_limit_series_->replace(disk_limit);
  stampede_series_->replace(stampedes);
  eviction_series_->replace(evictions);
  p50_series_->replace(p50);
  p95_series_->replace(p95);
  p99_series_->replace(p99);
  prediction_hit_series_->replace(prediction_hits);
  for (TimeSeriesChart* chart : {rates_chart_, usage_chart_, disk_chart_, events_chart_, inference_chart_}) {
    chart->showWindow(newest, kVisibleSeconds);
  }
}

}  // namespace tierscope::ui
