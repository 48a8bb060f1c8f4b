#include "time_series_chart.h"

#include <QChart>
#include <QPainter>
#include <algorithm>

namespace tierscope::ui {

void appendStep(QList<QPointF>& line, double x, double y) {
  if (y <= 0) return;
  if (line.isEmpty()) {
    line.append({x, y});
  } else if (line.back().y() != y) {
    line.append({x, line.back().y()});
    line.append({x, y});
  }
}

TimeSeriesChart::TimeSeriesChart(const QString& title, const QString& left_unit, const QString& right_unit,
                                 QWidget* parent)
    : QChartView(parent) {
  auto* chart = new QChart;
  chart->setTitle(title);
  chart->legend()->setAlignment(Qt::AlignBottom);
  chart->setMargins(QMargins(4, 4, 4, 4));
  x_ = new QValueAxis;
  x_->setTitleText(tr("seconds"));
  x_->setLabelFormat("%.0f");
  left_ = new QValueAxis;
  left_->setTitleText(left_unit);
  left_->setLabelFormat("%.0f");
  chart->addAxis(x_, Qt::AlignBottom);
  chart->addAxis(left_, Qt::AlignLeft);
  if (!right_unit.isEmpty()) {
    right_ = new QValueAxis;
    right_->setTitleText(right_unit);
    right_->setLabelFormat("%.0f");
    chart->addAxis(right_, Qt::AlignRight);
  }
  // QChartView starts with a chart of its own and setChart() releases it without deleting it.
  QChart* default_chart = QChartView::chart();
  setChart(chart);
  delete default_chart;
  setRenderHint(QPainter::Antialiasing);
  setMinimumHeight(200);
}

QLineSeries* TimeSeriesChart::addSeries(const QString& name, bool right_axis, QLineSeries* dashed_like) {
  auto* series = new QLineSeries;
  series->setName(name);
  chart()->addSeries(series);
  series->attachAxis(x_);
  series->attachAxis(right_axis && right_ ? right_ : left_);
  (right_axis && right_ ? right_series_ : left_series_).append(series);
  if (dashed_like) {
    QPen pen(dashed_like->pen().color());
    pen.setStyle(Qt::DashLine);
    pen.setWidthF(1.5);
    series->setPen(pen);
  }
  return series;
}

void TimeSeriesChart::setFixedRange(bool right_axis, double low, double high) {
  QValueAxis* axis = right_axis && right_ ? right_ : left_;
  axis->setRange(low, high);
  (right_axis ? right_fixed_ : left_fixed_) = true;
}

void TimeSeriesChart::showWindow(double newest, double seconds) {
  const double oldest = std::max(0.0, newest - seconds);
  const double right = std::max(newest, oldest + 10.0);
  x_->setRange(oldest, right);
  x_->setTickType(QValueAxis::TicksDynamic);
  x_->setTickAnchor(0);
  x_->setTickInterval(right - oldest <= 30 ? 5 : right - oldest <= 60 ? 10 : 20);
  auto rescale = [](QValueAxis* axis, const QList<QLineSeries*>& series) {
    double high = 0;
    for (QLineSeries* s : series) {
      for (const QPointF& p : s->points()) high = std::max(high, p.y());
    }
    axis->setRange(0, high > 0 ? high * 1.05 : 1.0);
    axis->applyNiceNumbers();
    axis->setLabelFormat(axis->max() >= 20 ? "%.0f" : "%.1f");  // never 8e+03
  };
  if (!left_fixed_) rescale(left_, left_series_);
  if (right_ && !right_fixed_) rescale(right_, right_series_);
}

}  // namespace tierscope::ui
