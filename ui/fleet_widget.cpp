#include "fleet_widget.h"

#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QPushButton>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

#include "table_setup.h"
#include "time_series_chart.h"

namespace tierscope::ui {
namespace {
constexpr double kVisibleSeconds = 300;
}

FleetWidget::FleetWidget(FleetTableModel* model, QWidget* parent) : QWidget(parent), model_(model) {
  auto* layout = new QVBoxLayout(this);
  summary_ = new QLabel;
  summary_->setObjectName("fleetSummary");
  layout->addWidget(summary_);

  table_ = new QTableView;
  table_->setModel(model_);
  setUpRowTable(table_, FleetTableModel::kInstance);
  table_->setToolTip(tr("Double-click an instance to open its dashboard"));
  table_->setMinimumHeight(150);
  connect(table_, &QTableView::doubleClicked, this, [this](const QModelIndex& index) { Q_EMIT instanceActivated(index.row()); });
  layout->addWidget(table_, 1);

  auto* charts = new QHBoxLayout;
  requests_chart_ = new TimeSeriesChart(tr("Fleet requests per second"), tr("req/s"));
  requests_series_ = requests_chart_->addSeries(tr("all instances"));
  shares_chart_ = new TimeSeriesChart(tr("Fleet requests by how they were served (%)"), tr("%"));
  shares_chart_->setFixedRange(false, 0, 100);
  l1_series_ = shares_chart_->addSeries(tr("L1 memory"));
  l2_series_ = shares_chart_->addSeries(tr("L2 disk"));
  redis_series_ = shares_chart_->addSeries(tr("Redis (shared)"));
  origin_series_ = shares_chart_->addSeries(tr("origin"));
  failed_series_ = shares_chart_->addSeries(tr("failed"));
  for (TimeSeriesChart* c : {requests_chart_, shares_chart_}) {
    c->setMinimumHeight(260);
    charts->addWidget(c);
  }
  layout->addLayout(charts, 4);

  auto* invalidation = new QGroupBox(tr("Invalidate across the fleet"));
  auto* form = new QHBoxLayout(invalidation);
  namespace_edit_ = new QLineEdit;
  namespace_edit_->setPlaceholderText(tr("every namespace"));
  pattern_edit_ = new QLineEdit;
  pattern_edit_->setPlaceholderText(tr("glob, e.g. persona:*"));
  invalidate_button_ = new QPushButton(tr("Invalidate"));
  invalidate_button_->setEnabled(false);
  connect(pattern_edit_, &QLineEdit::textChanged, this,
          [this](const QString& text) { invalidate_button_->setEnabled(!text.trimmed().isEmpty()); });
  connect(invalidate_button_, &QPushButton::clicked, this, [this] {
    Q_EMIT invalidateRequested(namespace_edit_->text().trimmed(), pattern_edit_->text().trimmed());
  });
  form->addWidget(new QLabel(tr("Namespace")));
  form->addWidget(namespace_edit_, 1);
  form->addWidget(new QLabel(tr("Keys matching")));
  form->addWidget(pattern_edit_, 2);
  form->addWidget(invalidate_button_);
  layout->addWidget(invalidation);

  timer_ = new QTimer(this);
  connect(timer_, &QTimer::timeout, this, &FleetWidget::sampleAggregate);
  timer_->start(1000);
  sampleAggregate();
}

void FleetWidget::sampleAggregate() {
  const FleetAggregate a = model_->aggregate();
  history_.push({seconds_, a});
  seconds_ += 1;
  QString redis;
  if (a.redis_enabled == 0) {
    redis = tr("no shared Redis tier");
  } else {
    redis = tr("Redis available on %1 of %2").arg(a.redis_available).arg(a.redis_enabled);
    if (a.share_one_redis) redis += tr(" (one shared Redis: invalidation is broadcast)");
  }
  summary_->setText(tr("%1 of %2 instances up · %3 requests/s · L1 %4 % · Redis %5 % · origin %6 % · %7")
                        .arg(a.connected)
                        .arg(a.instances)
                        .arg(a.requests_per_second, 0, 'f', 0)
                        .arg(a.l1 * 100, 0, 'f', 1)
                        .arg(a.redis * 100, 0, 'f', 1)
                        .arg(a.origin * 100, 0, 'f', 1)
                        .arg(redis));
  QList<QPointF> requests, l1, l2, shared, origin, failed;
  for (size_t i = 0; i < history_.size(); ++i) {
    const Point& p = history_[i];
    if (p.fleet.connected == 0) continue;
    requests.append({p.seconds, p.fleet.requests_per_second});
    if (p.fleet.requests_per_second <= 0) continue;
    l1.append({p.seconds, p.fleet.l1 * 100});
    l2.append({p.seconds, p.fleet.l2 * 100});
    shared.append({p.seconds, p.fleet.redis * 100});
    origin.append({p.seconds, p.fleet.origin * 100});
    failed.append({p.seconds, p.fleet.failed * 100});
  }
  requests_series_->replace(requests);
  l1_series_->replace(l1);
  l2_series_->replace(l2);
  redis_series_->replace(shared);
  origin_series_->replace(origin);
  failed_series_->replace(failed);
  const double newest = history_.back().seconds;
  requests_chart_->showWindow(newest, kVisibleSeconds);
  shares_chart_->showWindow(newest, kVisibleSeconds);
}

}  // namespace tierscope::ui
