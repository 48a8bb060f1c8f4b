// AlertsWidget: the Alerts tab — system health (machine CPU and memory, process CPU and
// RSS), the monitor's rules with their state, a form to add or
// replace a rule (`name, metric_name, threshold, operator, duration_seconds`), removing
// the selected one, the metrics a rule can watch, and the transitions seen (fired,
// resolved) with their times.
//
// Ownership: a QWidget owned by its Qt parent. Thread safety: GUI thread only; changes go
// out through its signals (to the EngineWorker, queued).
#pragma once

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QTableView>
#include <QWidget>

#include "alert_table_model.h"
#include "engine_sample.h"

namespace tierscope::ui {

class AlertsWidget : public QWidget {
  Q_OBJECT

 public:
  explicit AlertsWidget(QWidget* parent = nullptr);

  AlertTableModel* model() const { return model_; }
  QTableView* table() const { return table_; }
  QLineEdit* nameEdit() const { return name_; }
  QComboBox* metricBox() const { return metric_; }
  QComboBox* operatorBox() const { return op_; }
  QDoubleSpinBox* thresholdBox() const { return threshold_; }
  QDoubleSpinBox* durationBox() const { return duration_; }
  QPushButton* addButton() const { return add_; }
  QPushButton* removeButton() const { return remove_; }
  QListWidget* history() const { return history_; }
  QLabel* healthLabel() const { return health_; }
  int firing() const { return firing_; }

 public Q_SLOTS:
  void addSample(const tierscope::ui::EngineSample& sample);

 Q_SIGNALS:
  void addRuleRequested(const QString& name, const QString& metric, const QString& op, double threshold,
                        double duration_seconds);
  void removeRuleRequested(const QString& name);

 private:
  AlertTableModel* model_;
  QTableView* table_;
  QLineEdit* name_;
  QComboBox* metric_;
  QComboBox* op_;
  QDoubleSpinBox* threshold_;
  QDoubleSpinBox* duration_;
  QPushButton* add_;
  QPushButton* remove_;
  QListWidget* history_;
  QLabel* health_;
  QMap<QString, QString> last_state_;
  int firing_ = 0;
};

}  // namespace tierscope::ui
