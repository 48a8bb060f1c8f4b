// LogModel: the operator-facing log lines (spdlog) as a table — time, level, message —
// holding the newest kCapacity lines. LogSink feeds it from any thread; lines reach the
// model on the GUI thread through a queued call, so logging never waits for the GUI.
//
// Ownership: LogModel is a QObject; LogSink holds a QPointer to it (lines logged after
// the model is gone are dropped). Thread safety: LogModel on the GUI thread only;
// LogSink from any thread.
#pragma once

#include <spdlog/sinks/base_sink.h>

#include <QAbstractTableModel>
#include <QDateTime>
#include <QPointer>
#include <deque>
#include <memory>
#include <mutex>

namespace tierscope::ui {

struct LogLine {
  QDateTime time;
  int level = 0;  // spdlog::level::level_enum
  QString message;
};

class LogModel : public QAbstractTableModel {
  Q_OBJECT

 public:
  static constexpr int kCapacity = 10'000;
  enum Column { kTime, kLevel, kMessage, kColumnCount };
  // Role of the level as an int (for filtering).
  static constexpr int kLevelRole = Qt::UserRole + 1;
  using QAbstractTableModel::QAbstractTableModel;

  void append(const LogLine& line);
  void clear();
  // Warnings and errors since the count was last reset (the status-bar badge).
  int unseenProblems() const { return unseen_problems_; }
  void resetUnseenProblems();

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 Q_SIGNALS:
  void unseenProblemsChanged(int count);

 private:
  std::deque<LogLine> lines_;
  int unseen_problems_ = 0;
};

// An spdlog sink that hands every line to a LogModel on the GUI thread.
class LogSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit LogSink(LogModel* model) : model_(model) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  QPointer<LogModel> model_;
};

}  // namespace tierscope::ui

Q_DECLARE_METATYPE(tierscope::ui::LogLine)
