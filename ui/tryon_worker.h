// TryOnWorker: runs a try-on off the GUI thread and sends TryOnView values (images
// already converted for painting) back. What runs it is a function: the embedded
// TryOnPipeline, or a server's POST /tryon (remote_tryon.h).
//
// Ownership: borrows the TryOnPipeline (which must outlive the worker's thread), or owns
// the function.
// Thread safety: call its slots through queued connections.
#pragma once

#include <QByteArray>
#include <QObject>
#include <QString>

#include <functional>

#include "tryon_view.h"

namespace tierscope::tryon {
class TryOnPipeline;
struct TryOnResult;
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
  // Runs one job to a result; throws std::exception with a message for the user. Called on
  // the worker's thread.
  using TryOnFunction = std::function<tryon::TryOnResult(const TryOnJob& job)>;

  explicit TryOnWorker(tryon::TryOnPipeline& pipeline, QObject* parent = nullptr);
  explicit TryOnWorker(TryOnFunction run, QObject* parent = nullptr);

  // The result as the tab shows it: photos decoded, overlays tinted, rows listed.
  static TryOnView viewOf(const TryOnJob& job, const tryon::TryOnResult& result);

 public Q_SLOTS:
  void run(const tierscope::ui::TryOnJob& job);

 Q_SIGNALS:
  void finished(const tierscope::ui::TryOnView& view);
  void failed(const QString& message);

 private:
  TryOnFunction run_;
};

}  // namespace tierscope::ui

Q_DECLARE_METATYPE(tierscope::ui::TryOnJob)
