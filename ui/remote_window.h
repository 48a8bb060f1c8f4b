// RemoteWindow: the console over a tierscope-server instead of an embedded engine — the
// dashboard and its tuning, fed by a RemoteEngineWorker on its own thread. Tuning goes to
// the server as `PUT /config`; what the server says about it shows on the status bar.
//
// Ownership: owns the worker thread and stops it in its destructor. Thread safety: GUI
// thread only.
#pragma once

#include <QMainWindow>
#include <QThread>
#include <QUrl>

class QLabel;

namespace tierscope::ui {

class DashboardWidget;
class RemoteEngineWorker;

class RemoteWindow : public QMainWindow {
  Q_OBJECT

 public:
  RemoteWindow(const QUrl& server, const QString& api_key, QWidget* parent = nullptr);
  ~RemoteWindow() override;

  DashboardWidget* dashboard() const { return dashboard_; }
  QLabel* connectionLabel() const { return connection_label_; }
  bool connected() const { return connected_; }
  // The last error the server or the network reported (empty when none).
  const QString& lastError() const { return last_error_; }
  // The last change the server applied (keys).
  const QStringList& lastApplied() const { return last_applied_; }

 private:
  QThread worker_thread_;
  RemoteEngineWorker* worker_;
  DashboardWidget* dashboard_;
  QLabel* connection_label_;
  bool connected_ = false;
  QString last_error_;
  QStringList last_applied_;
};

}  // namespace tierscope::ui
