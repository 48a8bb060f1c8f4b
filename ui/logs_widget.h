// LogsWidget: the Logs tab — the engine's operator-facing lines (L1/L2 HIT at debug,
// loads, cleanups, errors) with a minimum-level filter, a search box and follow mode.
//
// Ownership: a QWidget owned by its Qt parent; borrows the LogModel (must outlive it).
// Thread safety: GUI thread only.
#pragma once

#include <QCheckBox>
#include <QComboBox>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QWidget>

#include "log_model.h"

namespace tierscope::ui {

// Rows at or above a level whose message contains the search text.
class LogFilter : public QSortFilterProxyModel {
  Q_OBJECT

 public:
  using QSortFilterProxyModel::QSortFilterProxyModel;
  void setMinimumLevel(int level);
  void setSearch(const QString& text);

 protected:
  bool filterAcceptsRow(int row, const QModelIndex& parent) const override;

 private:
  int minimum_level_ = 0;
  QString search_;
};

class LogsWidget : public QWidget {
  Q_OBJECT

 public:
  explicit LogsWidget(LogModel& model, QWidget* parent = nullptr);
  LogFilter* filter() { return &filter_; }
  QComboBox* levelBox() const { return level_; }
  QLineEdit* searchBox() const { return search_; }
  QCheckBox* followBox() const { return follow_; }
  QTableView* view() const { return view_; }

 private:
  LogModel& model_;
  LogFilter filter_;
  QComboBox* level_;
  QLineEdit* search_;
  QCheckBox* follow_;
  QTableView* view_;
};

}  // namespace tierscope::ui
