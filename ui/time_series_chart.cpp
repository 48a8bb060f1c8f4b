#include "time_series_chart.h"

#include <QChart>
#include <QEvent>
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
  x_->setTitleText(tr("seconds since start"));
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
  // Short numbers need no "…": never truncate axis labels.
  for (QValueAxis* axis : {x_, left_, right_}) {
    if (!axis) continue;
    axis->setTruncateLabels(false);
    QFont f = axis->titleFont();
    f.setPointSizeF(std::max(6.0, f.pointSizeF() * 0.85));
    axis->setTitleFont(f);
  }
  // QChartView starts with a chart of its own and setChart() releases it without deleting it.
  QChart* default_chart = QChartView::chart();
  setChart(chart);
  delete default_chart;
  setRenderHint(QPainter::Antialiasing);
  setMinimumHeight(180);
  followPalette();
}

QString TimeSeriesChart::title() const { return chart()->title(); }

void TimeSeriesChart::followPalette() {
  // A dark window palette (the system's dark mode) gets the dark chart theme; the theme
  // resets series colours, so dashed limit lines take their partner's colour again.
  const bool dark = palette().color(QPalette::Window).lightness() < 128;
  const QChart::ChartTheme theme = dark ? QChart::ChartThemeDark : QChart::ChartThemeLight;
  if (chart()->theme() == theme) return;
  QList<QPair<QLineSeries*, Qt::PenStyle>> styles;
  for (QLineSeries* s : left_series_ + right_series_) styles.append({s, s->pen().style()});
  chart()->setTheme(theme);
  chart()->setMargins(QMargins(4, 4, 4, 4));
  chart()->legend()->setAlignment(Qt::AlignBottom);
  for (auto [series, style] : styles) {
    QPen pen = series->pen();
    pen.setStyle(style);
    series->setPen(pen);
  }
}

void TimeSeriesChart::changeEvent(QEvent* event) {
  QChartView::changeEvent(event);
  if (event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange) followPalette();
}

void TimeSeriesChart::setMarkers(const QList<Marker>& markers) {
  markers_ = markers;
  viewport()->update();
}

void TimeSeriesChart::drawForeground(QPainter* painter, const QRectF& rect) {
  QChartView::drawForeground(painter, rect);
  if (markers_.isEmpty() || chart()->series().isEmpty()) return;
  const QRectF plot = chart()->plotArea();
  QLineSeries* any = qobject_cast<QLineSeries*>(chart()->series().first());
  if (!any) return;
  painter->save();
  QPen pen(QColor(200, 120, 0));
  pen.setStyle(Qt::DotLine);
  pen.setWidthF(1.2);
  painter->setPen(pen);
  QFont f = painter->font();
  f.setPointSizeF(std::max(6.0, f.pointSizeF() * 0.75));
  painter->setFont(f);
  for (const Marker& m : markers_) {
    if (m.x < x_->min() || m.x > x_->max()) continue;
    const double x = chart()->mapToPosition(QPointF(m.x, 0), any).x();
    painter->drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
    painter->drawText(QPointF(x + 2, plot.top() + f.pointSizeF() + 2), m.label);
  }
  painter->restore();
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
  const double span = right - oldest;
  x_->setTickInterval(span <= 30 ? 5 : span <= 60 ? 10 : span <= 120 ? 20 : span <= 600 ? 60 : span <= 1800 ? 300 : 600);
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
