// TryOnWorker: runs the engine's try-on pipeline off the GUI thread and sends TryOnView
// values (images already converted for painting) back.
//
// Ownership: borrows the TryOnPipeline, which must outlive the worker's thread.
// Thread safety: call its slots through queued connections.
#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>

#include "tryon_view.h"

namespace tierscope::tryon {
class TryOnPipeline;
}

namespace tierscope::ui {

struct TryOnJob {
  QByteArray person;
  QByteArray garment;
  QString category;  // "" = auto, else upper_body / lower_body / dresses
  bool skin_fill = false;
  bool grabcut = false;
};

class TryOnWorker : public QObject {
  Q_OBJECT

 public:
  explicit TryOnWorker(tryon::TryOnPipeline& pipeline, QObject* parent = nullptr);

 public Q_SLOTS:
  void run(const tierscope::ui::TryOnJob& job);

 Q_SIGNALS:
  void finished(const tierscope::ui::TryOnView& view);
  void failed(const QString& message);

 private:
  tryon::TryOnPipeline& pipeline_;
};

}  // namespace tierscope::ui

Q_DECLARE_METATYPE(tierscope::ui::TryOnJob)
