// TimeSeriesChart: a chart view of line series over a sliding time window, with one or
// two value axes. Series are filled wholesale with setPoints() (QXYSeries::replace),
// which the dashboard calls from its fixed-rate redraw timer.
//
// Ownership: a QWidget owned by its Qt parent; owns its chart, axes and series.
// Thread safety: GUI thread only.
#pragma once

#include <QChartView>
#include <QLineSeries>
#include <QValueAxis>

namespace tierscope::ui {

class TimeSeriesChart : public QChartView {
  Q_OBJECT

 public:
  TimeSeriesChart(const QString& title, const QString& left_unit, const QString& right_unit = {},
                  QWidget* parent = nullptr);

  // Adds a series on the left (or right) axis; `dashed_like` draws it dashed in that
  // series' colour (limits drawn against usage).
  QLineSeries* addSeries(const QString& name, bool right_axis = false, QLineSeries* dashed_like = nullptr);

  // Fixed range for an axis (e.g. 0..100 %); otherwise axes follow the data.
  void setFixedRange(bool right_axis, double low, double high);
  // Shows the newest `seconds` of data ending at `newest`, and rescales unfixed axes.
  void showWindow(double newest, double seconds);

  // Vertical lines where a setting changed (x = seconds since start), labelled.
  struct Marker {
    double x = 0;
    QString label;
  };
  void setMarkers(const QList<Marker>& markers);
  const QList<Marker>& markers() const { return markers_; }
  QList<QLineSeries*> allSeries() const { return left_series_ + right_series_; }
  QString title() const;

 protected:
  void drawForeground(QPainter* painter, const QRectF& rect) override;
  void changeEvent(QEvent* event) override;

 private:
  QValueAxis* x_;
  QValueAxis* left_;
  QValueAxis* right_ = nullptr;
  bool left_fixed_ = false;
  bool right_fixed_ = false;
  QList<QLineSeries*> left_series_, right_series_;
  QList<Marker> markers_;
  void followPalette();  // light or dark chart theme, as the application's palette
};

// Appends a point of a step line that holds `y` from `x` on; y <= 0 (no limit) draws nothing.
void appendStep(QList<QPointF>& line, double x, double y);

}  // namespace tierscope::ui
