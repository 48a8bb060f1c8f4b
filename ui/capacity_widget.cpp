#include "capacity_widget.h"

#include <QChart>
#include <QChartView>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QScatterSeries>
#include <QSignalBlocker>
#include <QValueAxis>
#include <QVBoxLayout>
#include <cmath>

#include "format.h"
#include "table_setup.h"

namespace tierscope::ui {

CapacityWidget::CapacityWidget(QWidget* parent) : QWidget(parent), model_(new CurveTableModel(this)) {
  headline_ = new QLabel(tr("Curves appear once the namespaces have traffic."));
  headline_->setObjectName("capacityHeadline");
  headline_->setWordWrap(true);
  QFont big = headline_->font();
  big.setPointSizeF(big.pointSizeF() * 1.15);
  headline_->setFont(big);

  table_ = new QTableView;
  table_->setModel(model_);
  setUpRowTable(table_, CurveTableModel::kName);
  table_->setMinimumHeight(160);
  connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
    if (const CurveSample* c = model_->curve(current.row())) showNamespace(c->name);
  });

  auto* chart = new QChart;
  chart->setTitle(tr("Live hit-ratio curve"));
  chart->legend()->setAlignment(Qt::AlignBottom);
  curve_ = new QLineSeries;
  curve_->setName(tr("estimated hit ratio (LRU, from live traffic)"));
  now_line_ = new QLineSeries;
  now_line_->setName(tr("size now"));
  QPen dashed(QColor("#c0392b"));
  dashed.setStyle(Qt::DashLine);
  dashed.setWidth(2);
  now_line_->setPen(dashed);
  now_point_ = new QScatterSeries;
  now_point_->setName(tr("now"));
  now_point_->setMarkerSize(10);
  now_point_->setColor(QColor("#c0392b"));
  chart->addSeries(curve_);
  chart->addSeries(now_line_);
  chart->addSeries(now_point_);
  x_ = new QLogValueAxis;
  x_->setTitleText(tr("L1 size"));
  x_->setLabelFormat("%g");
  x_->setBase(10);
  y_ = new QValueAxis;
  y_->setRange(0, 100);
  y_->setTitleText(tr("hit ratio %"));
  y_->setLabelFormat("%.0f");
  chart->addAxis(x_, Qt::AlignBottom);
  chart->addAxis(y_, Qt::AlignLeft);
  for (QAbstractSeries* s : {static_cast<QAbstractSeries*>(curve_), static_cast<QAbstractSeries*>(now_line_),
                             static_cast<QAbstractSeries*>(now_point_)}) {
    s->attachAxis(x_);
    s->attachAxis(y_);
  }
  chart_view_ = new QChartView(chart);
  chart_view_->setRenderHint(QPainter::Antialiasing);
  chart_view_->setMinimumHeight(260);

  auto_tuning_ = new QCheckBox(tr("Auto-tuning (AUTO_TUNING_ENABLED)"));
  auto_tuning_->setObjectName("autoTuningSwitch");
  auto_tuning_->setToolTip(tr("Every 30 s, split the memory budget across the namespaces so that the expected hits "
                              "per second — request rate × the curve's hit ratio — are highest. Each change is "
                              "logged and marked on the dashboard's charts."));
  connect(auto_tuning_, &QCheckBox::toggled, this, &CapacityWidget::autoTuningToggled);
  tune_now_ = new QPushButton(tr("Tune now"));
  tune_now_->setToolTip(tr("Split the budget by the curves once, now"));
  connect(tune_now_, &QPushButton::clicked, this, &CapacityWidget::tuneNowRequested);
  budget_ = new QLabel;
  tuning_log_ = new QListWidget;
  tuning_log_->setMaximumHeight(120);
  tuning_log_->setToolTip(tr("Changes the auto-tuner made, newest first (also in the Logs tab and as dashboard markers)"));
  auto* tuning = new QGroupBox(tr("Auto-tuning"));
  auto* tl = new QVBoxLayout(tuning);
  auto* row = new QHBoxLayout;
  row->addWidget(auto_tuning_);
  row->addWidget(tune_now_);
  row->addStretch();
  row->addWidget(budget_);
  tl->addLayout(row);
  tl->addWidget(tuning_log_);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(headline_);
  layout->addWidget(chart_view_, 3);
  layout->addWidget(table_, 2);
  layout->addWidget(tuning);
}

void CapacityWidget::showNamespace(const QString& name) {
  shown_ = name;
  redraw();
}

void CapacityWidget::addSample(const EngineSample& sample) {
  ++samples_received_;
  model_->setCurves(sample.curves);
  if (shown_.isEmpty()) shown_ = sample.focus_namespace;
  {
    const QSignalBlocker block(auto_tuning_);
    auto_tuning_->setChecked(sample.auto_tuning);
  }
  budget_->setText(sample.memory_budget_bytes
                       ? tr("Memory budget %1, L1 uses %2").arg(humanBytes(double(sample.memory_budget_bytes)),
                                                                 humanBytes(double(sample.l1_bytes)))
                       : tr("No memory budget set (CACHE_MEMORY_LIMIT_MB): nothing to split"));
  tune_now_->setEnabled(sample.memory_budget_bytes > 0);
  for (const TuningSample& t : sample.tuning) {
    if (t.sequence <= last_tuning_sequence_) continue;
    last_tuning_sequence_ = t.sequence;
    // A server's changes from before the console connected have negative times.
    const QString when = t.seconds_since_start >= 0 ? tr("%1 s").arg(t.seconds_since_start, 0, 'f', 0)
                                                    : tr("%1 s before connecting").arg(-t.seconds_since_start, 0, 'f', 0);
    tuning_log_->insertItem(0, tr("%1: %2 L1 %3 → %4 (estimated hit ratio %5 % → %6 %)")
                                   .arg(when)
                                   .arg(t.name, humanBytes(double(t.old_bytes)), humanBytes(double(t.new_bytes)))
                                   .arg(100 * t.old_hit_ratio, 0, 'f', 1)
                                   .arg(100 * t.new_hit_ratio, 0, 'f', 1));
  }
  while (tuning_log_->count() > 100) delete tuning_log_->takeItem(tuning_log_->count() - 1);
  // Keep the table's selection on the namespace shown.
  for (int r = 0; r < model_->rowCount(); ++r) {
    if (model_->curve(r)->name == shown_ && table_->currentIndex().row() != r) {
      const QSignalBlocker block(table_->selectionModel());
      table_->selectRow(r);
    }
  }
  redraw();
}

void CapacityWidget::redraw() {
  const CurveSample* c = nullptr;
  for (int r = 0; r < model_->rowCount(); ++r) {
    if (model_->curve(r)->name == shown_) c = model_->curve(r);
  }
  if (!c || c->points.empty() || c->samples == 0) {
    curve_->clear();
    now_line_->clear();
    now_point_->clear();
    headline_->setText(c ? tr("%1: no requests seen yet.").arg(c->name) : tr("Curves appear once the namespaces have traffic."));
    return;
  }
  const bool in_bytes = c->mean_entry_bytes > 0;
  const double unit = in_bytes ? c->mean_entry_bytes / 1048576.0 : 1.0;  // x in MiB or entries
  x_->setTitleText(in_bytes ? tr("L1 size, MiB (at %1 per entry)").arg(humanBytes(c->mean_entry_bytes))
                            : tr("L1 size, entries"));
  QList<QPointF> pts;
  pts.reserve(qsizetype(c->points.size()));
  double max_x = 0;
  for (const CurvePoint& p : c->points) {
    pts.append(QPointF(p.size_entries * unit, 100 * p.hit_ratio));
    max_x = std::max(max_x, p.size_entries * unit);
  }
  curve_->replace(pts);
  const double now_x = std::max(c->current_entries * unit, pts.front().x());
  now_line_->replace({QPointF(now_x, 0), QPointF(now_x, 100)});
  now_point_->replace({QPointF(now_x, 100 * c->hit_ratio_now)});
  x_->setRange(pts.front().x(), std::max(max_x, now_x * 1.5));

  const double doubled = curveHitRatio(*c, c->current_entries * 2);
  const double gain = 100 * (doubled - c->hit_ratio_now);
  const QString more = in_bytes ? humanBytes(c->current_entries * c->mean_entry_bytes)
                                : tr("%L1 entries").arg(c->current_entries, 0, 'f', 0);
  QString text = tr("<b>%1</b>: at its size now the traffic would hit <b>%2 %</b>; %3 more would give "
                    "<b>%4%5 points</b> of hits.")
                     .arg(c->name)
                     .arg(100 * c->hit_ratio_now, 0, 'f', 1)
                     .arg(more, gain >= 0 ? "+" : "")
                     .arg(gain, 0, 'f', 1);
  if (c->samples < 1000) text += tr(" (learning: %L1 requests seen)").arg(c->samples);
  text += tr("<br><small>Estimated from %L1 sampled requests (share of keys sampled %2, working set ≈ %L3 keys); "
             "the curve is LRU's — W-TinyLFU usually does as well or better.</small>")
              .arg(c->samples)
              .arg(c->sampling_rate, 0, 'g', 3)
              .arg(c->distinct_keys, 0, 'f', 0);
  headline_->setText(text);
}

}  // namespace tierscope::ui
