// ClassificationWorker: classifies off the GUI thread — single images and whole folders
// (cancellable, with progress) — and sends ClassificationRow values back. What classifies
// is a function: the embedded Classifier, or a server's POST /predict
// (remote_classification.h).
//
// Ownership: borrows the Classifier (which must outlive the worker's thread), or owns
// the function.
// Thread safety: call its slots through queued connections; requestCancel() may be
// called from any thread.
#pragma once

#include <QByteArray>
#include <QObject>
#include <atomic>
#include <functional>

#include "classification_row.h"

namespace tierscope {
class Classifier;
}

namespace tierscope::ui {

class ClassificationWorker : public QObject {
  Q_OBJECT

 public:
  // Classifies one image's bytes (`path` names it); called on the worker's thread.
  using ClassifyFunction = std::function<ClassificationRow(const QString& path, const QByteArray& bytes)>;

  explicit ClassificationWorker(Classifier& classifier, QObject* parent = nullptr);
  explicit ClassificationWorker(ClassifyFunction classify, QObject* parent = nullptr);

  // Stops a folder run after the image in progress.
  void requestCancel() { cancel_.store(true); }

  // Image files a folder run picks up (by extension, case-insensitive).
  static QStringList imageFilesIn(const QString& folder);

 public Q_SLOTS:
  void classifyFile(const QString& path);
  void classifyFolder(const QString& folder);

 Q_SIGNALS:
  void fileClassified(const tierscope::ui::ClassificationRow& row);
  void folderStarted(int total);
  void folderRowReady(const tierscope::ui::ClassificationRow& row, int done, int total);
  void folderFinished(int done, int total, bool cancelled);

 private:
  ClassificationRow classify(const QString& path);

  ClassifyFunction classify_;
  std::atomic<bool> cancel_{false};
};

}  // namespace tierscope::ui
