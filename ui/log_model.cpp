#include "log_model.h"

#include <QBrush>
#include <QColor>
#include <QMetaObject>

namespace tierscope::ui {

void LogModel::append(const LogLine& line) {
  if (static_cast<int>(lines_.size()) >= kCapacity) {
    beginRemoveRows({}, 0, 0);
    lines_.pop_front();
    endRemoveRows();
  }
  const int row = static_cast<int>(lines_.size());
  beginInsertRows({}, row, row);
  lines_.push_back(line);
  endInsertRows();
  if (line.level >= spdlog::level::warn && line.level != spdlog::level::off) {
    ++unseen_problems_;
    Q_EMIT unseenProblemsChanged(unseen_problems_);
  }
}

void LogModel::clear() {
  beginResetModel();
  lines_.clear();
  endResetModel();
  resetUnseenProblems();
}

void LogModel::resetUnseenProblems() {
  if (unseen_problems_ == 0) return;
  unseen_problems_ = 0;
  Q_EMIT unseenProblemsChanged(0);
}

int LogModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : static_cast<int>(lines_.size()); }
int LogModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : kColumnCount; }

QVariant LogModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= static_cast<int>(lines_.size())) return {};
  const LogLine& l = lines_[static_cast<size_t>(index.row())];
  if (role == kLevelRole) return l.level;
  if (role == Qt::DisplayRole) {
    switch (index.column()) {
      case kTime: return l.time.toString(QStringLiteral("HH:mm:ss.zzz"));
      case kLevel: {
        const auto name = spdlog::level::to_string_view(static_cast<spdlog::level::level_enum>(l.level));
        return QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
      }
      case kMessage: return l.message;
    }
  }
  if (role == Qt::ForegroundRole && index.column() == kLevel) {
    if (l.level >= spdlog::level::err) return QBrush(QColor(192, 57, 43));
    if (l.level == spdlog::level::warn) return QBrush(QColor(185, 119, 14));
  }
  return {};
}

QVariant LogModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case kTime: return tr("Time");
    case kLevel: return tr("Level");
    case kMessage: return tr("Message");
  }
  return {};
}

void LogSink::sink_it_(const spdlog::details::log_msg& msg) {
  LogLine line;
  line.time = QDateTime::fromMSecsSinceEpoch(
      std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count());
  line.level = msg.level;
  line.message = QString::fromUtf8(msg.payload.data(), static_cast<qsizetype>(msg.payload.size()));
  if (!model_) return;
  QMetaObject::invokeMethod(model_.data(), [model = model_, line] {
    if (model) model->append(line);
  }, Qt::QueuedConnection);
}

}  // namespace tierscope::ui
