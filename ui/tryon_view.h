// TryOnView: one try-on answer as the GUI shows it — Qt images made on the worker
// thread (so the GUI thread only paints), the overlays, the stage table's rows, the
// verdict and its reasons. A value type sent over queued signals.
#pragma once

#include <QImage>
#include <QList>
#include <QMetaType>
#include <QPointF>
#include <QString>
#include <QStringList>

namespace tierscope::ui {

struct TryOnStageRow {
  QString name;
  double milliseconds = 0;
  bool from_cache = false;
};

struct TryOnLandmark {
  QString name;
  QPointF at;  // in the pixels of the photo it belongs to
};

struct TryOnView {
  QImage person;          // as decoded
  QImage garment;
  QImage composite;
  QImage person_overlay;   // regions tinted, person size (transparent elsewhere)
  QImage garment_overlay;  // parts tinted, garment size
  QList<TryOnLandmark> person_landmarks;
  QList<TryOnLandmark> garment_landmarks;
  QList<TryOnStageRow> stages;
  QString category;
  QString category_source;
  QString verdict;  // "compatible" or "partial"
  QStringList reasons;
  QStringList warnings;
  QStringList detectors;  // "face 0.85 haar alt2 at 0 deg", fallbacks marked
  double total_ms = 0;
  bool composite_from_cache = false;
  double outside_silhouette = 0;
  double torso_covered = 0;
  QByteArray composite_png;  // what "Save result" writes
};

}  // namespace tierscope::ui

Q_DECLARE_METATYPE(tierscope::ui::TryOnView)
