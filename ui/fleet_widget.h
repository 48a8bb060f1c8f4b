// FleetWidget: the console's view of several tierscope-servers at once — a row per
// instance (FleetTableModel), the fleet's aggregated request rate and how requests were
// answered (L1, L2, Redis, origin, weighted by each instance's rate), drawn from a ring
// buffer on a fixed one-second timer, and a fleet-wide invalidation (namespace + glob).
// Double-clicking an instance asks to show its own dashboard.
//
// Ownership: a QWidget owned by its Qt parent; the model is not owned. Thread safety:
// GUI thread only.
#pragma once

#include <QPointF>
#include <QWidget>

#include "fleet_table_model.h"
#include "ring_buffer.h"

class QLabel;
class QLineEdit;
class QLineSeries;
class QPushButton;
class QTableView;
class QTimer;

namespace tierscope::ui {

class TimeSeriesChart;

class FleetWidget : public QWidget {
  Q_OBJECT

 public:
  explicit FleetWidget(FleetTableModel* model, QWidget* parent = nullptr);

  QTableView* table() const { return table_; }
  QLineEdit* namespaceEdit() const { return namespace_edit_; }
  QLineEdit* patternEdit() const { return pattern_edit_; }
  QPushButton* invalidateButton() const { return invalidate_button_; }
  QLabel* summaryLabel() const { return summary_; }
  QLineSeries* requestsSeries() const { return requests_series_; }
  QLineSeries* l1Series() const { return l1_series_; }
  QLineSeries* redisSeries() const { return redis_series_; }
  // Takes the fleet's aggregate now (the timer does this every second).
  void sampleAggregate();

 Q_SIGNALS:
  void instanceActivated(int row);
  // Invalidate `pattern` (a glob over keys) in `ns` ("" = every namespace) fleet-wide.
  void invalidateRequested(const QString& ns, const QString& pattern);

 private:
  struct Point {
    double seconds = 0;
    FleetAggregate fleet;
  };

  FleetTableModel* model_;
  QTableView* table_;
  QLabel* summary_;
  TimeSeriesChart* requests_chart_;
  TimeSeriesChart* shares_chart_;
  QLineSeries* requests_series_;
  QLineSeries *l1_series_, *l2_series_, *redis_series_, *origin_series_, *failed_series_;
  QLineEdit* namespace_edit_;
  QLineEdit* pattern_edit_;
  QPushButton* invalidate_button_;
  QTimer* timer_;
  RingBuffer<Point> history_{600};
  double seconds_ = 0;
};

}  // namespace tierscope::ui
