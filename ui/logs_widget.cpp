#include "logs_widget.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace tierscope::ui {

void LogFilter::setMinimumLevel(int level) {
  minimum_level_ = level;
  invalidateFilter();
}

void LogFilter::setSearch(const QString& text) {
  search_ = text;
  invalidateFilter();
}

bool LogFilter::filterAcceptsRow(int row, const QModelIndex& parent) const {
  const QModelIndex level = sourceModel()->index(row, LogModel::kLevel, parent);
  if (sourceModel()->data(level, LogModel::kLevelRole).toInt() < minimum_level_) return false;
  if (search_.isEmpty()) return true;
  const QModelIndex message = sourceModel()->index(row, LogModel::kMessage, parent);
  return sourceModel()->data(message).toString().contains(search_, Qt::CaseInsensitive);
}

LogsWidget::LogsWidget(LogModel& model, QWidget* parent) : QWidget(parent), model_(model) {
  filter_.setSourceModel(&model_);
  level_ = new QComboBox;
  for (auto [name, level] : {std::pair{tr("all (trace)"), 0}, std::pair{tr("debug"), 1}, std::pair{tr("info"), 2},
                             std::pair{tr("warnings"), 3}, std::pair{tr("errors"), 4}}) {
    level_->addItem(name, level);
  }
  level_->setCurrentIndex(2);
  filter_.setMinimumLevel(2);
  search_ = new QLineEdit;
  search_->setPlaceholderText(tr("Search messages"));
  search_->setClearButtonEnabled(true);
  follow_ = new QCheckBox(tr("Follow"));
  follow_->setChecked(true);
  follow_->setToolTip(tr("Keep the newest line in view"));
  auto* clear = new QPushButton(tr("Clear"));
  auto* bar = new QHBoxLayout;
  bar->addWidget(new QLabel(tr("Level")));
  bar->addWidget(level_);
  bar->addWidget(search_, 1);
  bar->addWidget(follow_);
  bar->addWidget(clear);
  view_ = new QTableView;
  view_->setModel(&filter_);
  view_->horizontalHeader()->setStretchLastSection(true);
  view_->verticalHeader()->hide();
  view_->setWordWrap(false);
  view_->setSelectionBehavior(QAbstractItemView::SelectRows);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(bar);
  layout->addWidget(view_, 1);

  connect(level_, &QComboBox::currentIndexChanged, this, [this] { filter_.setMinimumLevel(level_->currentData().toInt()); });
  connect(search_, &QLineEdit::textChanged, &filter_, &LogFilter::setSearch);
  connect(clear, &QPushButton::clicked, &model_, &LogModel::clear);
  connect(&filter_, &QAbstractItemModel::rowsInserted, this, [this] {
    if (follow_->isChecked()) view_->scrollToBottom();
  });
}

}  // namespace tierscope::ui
