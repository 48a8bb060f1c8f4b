// ClassificationRow: one classified image (or one failure) as the GUI shows it; sent
// from the classification worker thread to the GUI by value over queued signals.
//
// A plain value type: copy freely, no thread-safety concerns.
#pragma once

#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

namespace tierscope::ui {

struct ClassificationRow {
  QString path;
  QStringList classes;          // top-k, most probable first
  QList<double> probabilities;  // same order, 0..1
  QString category;             // try-on category
  bool from_cache = false;
  double time_ms = 0;
  int width = 0;
  int height = 0;
  QString error;  // non-empty: the image could not be classified
  QString doubt;  // non-empty: classified, but the top class should not be trusted (why)

  bool ok() const { return error.isEmpty(); }
};

}  // namespace tierscope::ui

Q_DECLARE_METATYPE(tierscope::ui::ClassificationRow)
