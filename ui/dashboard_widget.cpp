#include "dashboard_widget.h"

#include <QChart>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLocale>
#include <QPainter>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

namespace tierscope::ui {
namespace {

constexpr int kRedrawIntervalMs = 500;
constexpr double kVisibleSeconds = 120.0;
constexpr int kCapacityDebounceMs = 200;

QString humanBytes(double bytes) {
  return QLocale().formattedDataSize(static_cast<qint64>(bytes), 1, QLocale::DataSizeIecFormat);
}

// Appends a point of a step line that holds `y` from `x` on; 0 (= no limit) draws nothing.
void appendStep(QList<QPointF>& line, double x, double y) {
  if (y <= 0) return;
  if (line.isEmpty()) {
    line.append({x, y});
  } else if (line.back().y() != y) {
    line.append({x, line.back().y()});
    line.append({x, y});
  }
}

QChartView* makeChartView(QChart* chart) {
  chart->legend()->setAlignment(Qt::AlignBottom);
  chart->setMargins(QMargins(4, 4, 4, 4));
  auto* view = new QChartView(chart);
  view->setRenderHint(QPainter::Antialiasing);
  view->setMinimumHeight(220);
  return view;
}

}  // namespace

quint64 DashboardWidget::entriesForSlider(int position) {
  const double exponent = 2.0 + 4.0 * std::clamp(position, 0, kSliderSteps) / kSliderSteps;
  const double raw = std::pow(10.0, exponent);
  // Two significant digits: 12,000 rather than 12,023.
  const double unit = std::pow(10.0, std::floor(std::log10(raw)) - 1);
  return static_cast<quint64>(std::llround(std::round(raw / unit) * unit));
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

DashboardWidget::DashboardWidget(QWidget* parent) : QWidget(parent) {
  auto* layout = new QVBoxLayout(this);

  auto* tiles = new QGridLayout;
  requests_tile_ = addTile(tiles, 0, tr("Requests/s"));
  hit_rate_tile_ = addTile(tiles, 1, tr("L1 hit rate"));
  entries_tile_ = addTile(tiles, 2, tr("L1 entries"));
  memory_tile_ = addTile(tiles, 3, tr("L1 memory"));
  evictions_tile_ = addTile(tiles, 4, tr("Evictions"));
  origin_tile_ = addTile(tiles, 5, tr("Origin loads"));
  layout->addLayout(tiles);

  // Hit rate chart.
  auto* hit_chart = new QChart;
  hit_chart->setTitle(tr("L1 hit rate (%)"));
  hit_rate_series_ = new QLineSeries;
  hit_rate_series_->setName(tr("L1 hit rate, last interval"));
  hit_chart->addSeries(hit_rate_series_);
  hit_rate_x_ = new QValueAxis;
  hit_rate_x_->setTitleText(tr("seconds"));
  hit_rate_x_->setLabelFormat("%.0f");
  auto* hit_rate_y = new QValueAxis;
  hit_rate_y->setRange(0, 100);
  hit_rate_y->setLabelFormat("%.0f");
  hit_chart->addAxis(hit_rate_x_, Qt::AlignBottom);
  hit_chart->addAxis(hit_rate_y, Qt::AlignLeft);
  hit_rate_series_->attachAxis(hit_rate_x_);
  hit_rate_series_->attachAxis(hit_rate_y);

  // Entries and memory chart, two y axes.
  auto* usage_chart = new QChart;
  usage_chart->setTitle(tr("L1 entries and memory"));
  entries_series_ = new QLineSeries;
  entries_series_->setName(tr("entries"));
  bytes_series_ = new QLineSeries;
  bytes_series_->setName(tr("memory (MiB)"));
  // Dashed lines at the limits, so usage reads against capacity at a glance.
  entries_limit_series_ = new QLineSeries;
  entries_limit_series_->setName(tr("entry limit"));
  bytes_limit_series_ = new QLineSeries;
  bytes_limit_series_->setName(tr("memory limit"));
  usage_chart->addSeries(entries_series_);
  usage_chart->addSeries(bytes_series_);
  usage_chart->addSeries(entries_limit_series_);
  usage_chart->addSeries(bytes_limit_series_);
  for (auto [limit, of] : {std::pair{entries_limit_series_, entries_series_}, std::pair{bytes_limit_series_, bytes_series_}}) {
    QPen pen(of->pen().color());
    pen.setStyle(Qt::DashLine);
    pen.setWidthF(1.5);
    limit->setPen(pen);
  }
  usage_x_ = new QValueAxis;
  usage_x_->setTitleText(tr("seconds"));
  usage_x_->setLabelFormat("%.0f");
  entries_y_ = new QValueAxis;
  entries_y_->setLabelFormat("%.0f");
  bytes_y_ = new QValueAxis;
  bytes_y_->setLabelFormat("%.1f");
  usage_chart->addAxis(usage_x_, Qt::AlignBottom);
  usage_chart->addAxis(entries_y_, Qt::AlignLeft);
  usage_chart->addAxis(bytes_y_, Qt::AlignRight);
  entries_series_->attachAxis(usage_x_);
  entries_series_->attachAxis(entries_y_);
  bytes_series_->attachAxis(usage_x_);
  bytes_series_->attachAxis(bytes_y_);
  entries_limit_series_->attachAxis(usage_x_);
  entries_limit_series_->attachAxis(entries_y_);
  bytes_limit_series_->attachAxis(usage_x_);
  bytes_limit_series_->attachAxis(bytes_y_);

  auto* charts = new QHBoxLayout;
  charts->addWidget(makeChartView(hit_chart), 1);
  charts->addWidget(makeChartView(usage_chart), 1);
  layout->addLayout(charts, 1);

  // Tuning sliders.
  auto* tuning = new QGroupBox(tr("L1 memory tier"));
  auto* tuning_layout = new QGridLayout(tuning);
  entries_slider_ = new QSlider(Qt::Horizontal);
  entries_slider_->setObjectName("l1EntriesSlider");
  entries_slider_->setRange(0, kSliderSteps);
  entries_slider_->setToolTip(tr("Most entries L1 may hold; lowering it evicts at once"));
  entries_value_ = new QLabel;
  memory_slider_ = new QSlider(Qt::Horizontal);
  memory_slider_->setObjectName("l1MemorySlider");
  memory_slider_->setRange(0, kSliderSteps);
  memory_slider_->setToolTip(tr("Most memory L1 may use, keys and values included"));
  memory_value_ = new QLabel;
  entries_value_->setMinimumWidth(140);
  memory_value_->setMinimumWidth(140);
  tuning_layout->addWidget(new QLabel(tr("Capacity (entries)")), 0, 0);
  tuning_layout->addWidget(entries_slider_, 0, 1);
  tuning_layout->addWidget(entries_value_, 0, 2);
  tuning_layout->addWidget(new QLabel(tr("Memory budget")), 1, 0);
  tuning_layout->addWidget(memory_slider_, 1, 1);
  tuning_layout->addWidget(memory_value_, 1, 2);
  layout->addWidget(tuning);

  capacity_debounce_.setSingleShot(true);
  capacity_debounce_.setInterval(kCapacityDebounceMs);
  connect(&capacity_debounce_, &QTimer::timeout, this, &DashboardWidget::requestCapacity);
  auto on_slider_moved = [this] {
    entries_value_->setText(tr("%L1 entries").arg(entriesForSlider(entries_slider_->value())));
    memory_value_->setText(tr("%L1 MiB").arg(mebibytesForSlider(memory_slider_->value())));
    capacity_debounce_.start();  // a drag sends one request, not hundreds
  };
  connect(entries_slider_, &QSlider::valueChanged, this, on_slider_moved);
  connect(memory_slider_, &QSlider::valueChanged, this, on_slider_moved);

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
  big.setPointSizeF(big.pointSizeF() * 1.6);
  big.setBold(true);
  value->setFont(big);
  box->addWidget(caption);
  box->addWidget(value);
  grid->addWidget(frame, 0, column);
  return value;
}

void DashboardWidget::addSample(const EngineSample& sample) {
  history_.push(sample);
  dirty_ = true;
  ++samples_received_;

  requests_tile_->setText(QLocale().toString(sample.requests_per_second, 'f', 0));
  hit_rate_tile_->setText(QStringLiteral("%1 %").arg(sample.l1_hit_rate * 100.0, 0, 'f', 1));
  entries_tile_->setText(sample.l1_max_entries ? tr("%L1 / %L2").arg(sample.l1_entries).arg(sample.l1_max_entries)
                                               : QLocale().toString(sample.l1_entries));
  memory_tile_->setText(sample.l1_max_bytes ? tr("%1 / %2").arg(humanBytes(sample.l1_bytes), humanBytes(sample.l1_max_bytes))
                                            : humanBytes(sample.l1_bytes));
  evictions_tile_->setText(QLocale().toString(sample.l1_evictions));
  origin_tile_->setText(QLocale().toString(sample.origin_loads));

  if (!sliders_initialised_) {
    sliders_initialised_ = true;
    showCapacity(sample.l1_max_entries, sample.l1_max_bytes);
  }
}

void DashboardWidget::showCapacity(quint64 max_entries, quint64 max_bytes) {
  // A change the operator is still making wins over the one the engine reports.
  if (capacity_debounce_.isActive() || entries_slider_->isSliderDown() || memory_slider_->isSliderDown()) return;
  // Move the sliders without sending the value back as a new request.
  const QSignalBlocker block_entries(entries_slider_);
  const QSignalBlocker block_memory(memory_slider_);
  entries_slider_->setValue(sliderForEntries(max_entries));
  memory_slider_->setValue(sliderForMebibytes(max_bytes >> 20));
  entries_value_->setText(max_entries ? tr("%L1 entries").arg(max_entries) : tr("unlimited"));
  memory_value_->setText(max_bytes ? tr("%L1 MiB").arg(max_bytes >> 20) : tr("unlimited"));
}

void DashboardWidget::requestCapacity() {
  Q_EMIT l1CapacityRequested(entriesForSlider(entries_slider_->value()),
                             mebibytesForSlider(memory_slider_->value()) << 20);
}

void DashboardWidget::redrawCharts() {
  if (!dirty_ || history_.empty()) return;
  dirty_ = false;

  QList<QPointF> hit_rate, entries, mebibytes, entries_limit, mebibytes_limit;
  hit_rate.reserve(history_.size());
  entries.reserve(history_.size());
  mebibytes.reserve(history_.size());
  double max_entries = 1, max_mebibytes = 1;
  for (size_t i = 0; i < history_.size(); ++i) {
    const EngineSample& s = history_[i];
    hit_rate.append({s.seconds_since_start, s.l1_hit_rate * 100.0});
    entries.append({s.seconds_since_start, double(s.l1_entries)});
    mebibytes.append({s.seconds_since_start, double(s.l1_bytes) / (1 << 20)});
    // Limits change only when an operator moves a slider: draw them as steps.
    appendStep(entries_limit, s.seconds_since_start, double(s.l1_max_entries));
    appendStep(mebibytes_limit, s.seconds_since_start, double(s.l1_max_bytes) / (1 << 20));
    max_entries = std::max({max_entries, double(s.l1_entries), double(s.l1_max_entries)});
    max_mebibytes = std::max({max_mebibytes, double(s.l1_bytes) / (1 << 20), double(s.l1_max_bytes) / (1 << 20)});
  }
  // End the limit steps at the newest sample.
  const double newest = history_.back().seconds_since_start;
  if (!entries_limit.isEmpty()) entries_limit.append({newest, entries_limit.back().y()});
  if (!mebibytes_limit.isEmpty()) mebibytes_limit.append({newest, mebibytes_limit.back().y()});
  hit_rate_series_->replace(hit_rate);
  entries_series_->replace(entries);
  bytes_series_->replace(mebibytes);
  entries_limit_series_->replace(entries_limit);
  bytes_limit_series_->replace(mebibytes_limit);

  const double oldest = std::max(0.0, newest - kVisibleSeconds);
  const double right = std::max(newest, oldest + 10.0);
  for (QValueAxis* x : {hit_rate_x_, usage_x_}) {
    x->setRange(oldest, right);
    x->setTickType(QValueAxis::TicksDynamic);
    x->setTickAnchor(0);
    x->setTickInterval(right - oldest <= 30 ? 5 : right - oldest <= 60 ? 10 : 20);
  }
  entries_y_->setRange(0, max_entries * 1.05);
  entries_y_->applyNiceNumbers();
  bytes_y_->setRange(0, max_mebibytes * 1.05);
  bytes_y_->applyNiceNumbers();
}

}  // namespace tierscope::ui
