// CapacityWidget: the Capacity tab — each namespace's live hit-ratio curve (what the
// running traffic would hit at other sizes: "twice the memory would give +7 % hits"),
// updated every sample; a table of what more or less memory would do for every
// namespace; and auto-tuning (AUTO_TUNING_ENABLED): a switch, "tune now", the memory
// budget and the changes it made.
//
// Ownership: a QWidget owned by its Qt parent. Thread safety: GUI thread only; it asks
// for changes through its signals (connected to the EngineWorker, queued).
#pragma once

#include <QCheckBox>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QTableView>
#include <QWidget>

#include "curve_table_model.h"
#include "engine_sample.h"

class QChartView;
class QLineSeries;
class QScatterSeries;
class QLogValueAxis;
class QValueAxis;

namespace tierscope::ui {

class CapacityWidget : public QWidget {
  Q_OBJECT

 public:
  explicit CapacityWidget(QWidget* parent = nullptr);

  CurveTableModel* model() const { return model_; }
  QTableView* table() const { return table_; }
  QLabel* headline() const { return headline_; }
  QCheckBox* autoTuningSwitch() const { return auto_tuning_; }
  QPushButton* tuneNowButton() const { return tune_now_; }
  QListWidget* tuningLog() const { return tuning_log_; }
  QLineSeries* curveSeries() const { return curve_; }
  // The namespace whose curve is drawn.
  QString shownNamespace() const { return shown_; }
  void showNamespace(const QString& name);
  int samplesReceived() const { return samples_received_; }

 public Q_SLOTS:
  void addSample(const tierscope::ui::EngineSample& sample);

 Q_SIGNALS:
  void autoTuningToggled(bool on);
  void tuneNowRequested();

 private:
  void redraw();

  CurveTableModel* model_;
  QTableView* table_;
  QLabel* headline_;
  QLabel* budget_;
  QCheckBox* auto_tuning_;
  QPushButton* tune_now_;
  QListWidget* tuning_log_;
  QChartView* chart_view_;
  QLineSeries* curve_;
  QScatterSeries* now_point_;
  QLineSeries* now_line_;
  QLogValueAxis* x_;
  QValueAxis* y_;
  QString shown_;
  quint64 last_tuning_sequence_ = 0;
  int samples_received_ = 0;
};

}  // namespace tierscope::ui
