// WhatIfWidget: the What-if tab — pick a trace (a file, a Zipf stream or the recorded
// live traffic of a namespace), policies and sizes, and
// see hit-ratio curves against Belady's optimal as they are computed on a WhatIfWorker
// thread (progress, cancel); export the curves as CSV and the chart as PNG.
//
// Ownership: a QWidget owned by its Qt parent; owns its worker thread and stops it in its
// destructor. Thread safety: GUI thread only.
#pragma once

#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QMap>
#include <QProgressBar>
#include <QPushButton>
#include <QThread>
#include <QWidget>

#include "whatif_worker.h"

class QValueAxis;
class QLogValueAxis;

namespace tierscope {
class Engine;
}

namespace tierscope::ui {

class WhatIfWidget : public QWidget {
  Q_OBJECT

 public:
  // With an engine, the source can also be a namespace's recorded live traffic.
  explicit WhatIfWidget(Engine* engine = nullptr, QWidget* parent = nullptr);
  // Live traffic from `worker`'s source (taken over), e.g. a server's; the namespaces to
  // offer come later through setLiveNamespaces().
  explicit WhatIfWidget(WhatIfWorker* worker, QWidget* parent = nullptr);
  // The namespaces whose live traffic can be replayed (the current choice is kept).
  void setLiveNamespaces(const QStringList& names);
  ~WhatIfWidget() override;

  // What Run does with the fields as they are; false (and a message) for bad input.
  bool run();
  void cancel();
  bool running() const { return running_; }
  bool exportCsv(const QString& path, QString* error = nullptr) const;
  bool exportPng(const QString& path) const;

  QLineEdit* traceEdit() const { return trace_; }
  // "A trace file or Zipf" (index 0), then "Live traffic: <namespace>" per namespace.
  QComboBox* sourceBox() const { return source_; }
  QLineEdit* sizesEdit() const { return sizes_; }
  QCheckBox* arcBox() const { return arc_; }
  QLabel* statusLabel() const { return status_; }
  QProgressBar* progress() const { return progress_; }
  QLineSeries* series(const QString& policy) const { return series_.value(policy); }
  // Results so far: policy -> (size -> hit ratio).
  const QMap<QString, QMap<quint64, double>>& results() const { return results_; }

 Q_SIGNALS:
  void requestRun(const tierscope::ui::WhatIfRequest& request);
  void runFinished(bool cancelled);

 private:
  void onPoint(const QString& policy, quint64 size, double ratio, int done, int total);
  void redraw();

  QThread thread_;
  WhatIfWorker* worker_;
  bool running_ = false;
  QMap<QString, QMap<quint64, double>> results_;
  QString trace_name_;

  QComboBox* source_;
  QLineEdit* trace_;
  QLineEdit* zipf_;
  QLineEdit* sizes_;
  QCheckBox *lru_, *wtinylfu_, *arc_, *opt_;
  QPushButton *run_button_, *cancel_button_, *csv_button_, *png_button_;
  QProgressBar* progress_;
  QLabel* status_;
  QChartView* chart_view_;
  QLogValueAxis* x_;
  QValueAxis* y_;
  QMap<QString, QLineSeries*> series_;
};

}  // namespace tierscope::ui
