#include "classification_worker.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include "tierscope/inference/classifier.h"

namespace tierscope::ui {

ClassificationWorker::ClassificationWorker(ClassifyFunction classify, QObject* parent)
    : QObject(parent), classify_(std::move(classify)) {}

ClassificationWorker::ClassificationWorker(Classifier& classifier, QObject* parent)
    : ClassificationWorker(
          [&classifier](const QString& path, const QByteArray& bytes) {
            ClassificationRow row;
            row.path = path;
            try {
              const Classification c = classifier.classify(std::string_view(bytes.constData(), size_t(bytes.size())),
                                                           QFileInfo(path).fileName().toStdString());
              for (const ClassScore& s : c.predictions) {
                row.classes << QString::fromStdString(s.name);
                row.probabilities << s.probability;
              }
              row.category = QString::fromStdString(c.category);
              row.from_cache = c.from_cache;
              row.time_ms = c.processing_time_ms;
              row.width = c.image_width;
              row.height = c.image_height;
              row.doubt = QString::fromStdString(c.doubt);
            } catch (const std::exception& e) {
              row.error = QString::fromStdString(e.what());
            }
            return row;
          },
          parent) {}

QStringList ClassificationWorker::imageFilesIn(const QString& folder) {
  QStringList files;
  const QStringList patterns = {"*.jpg", "*.jpeg", "*.png", "*.bmp", "*.gif", "*.webp",
                                "*.JPG", "*.JPEG", "*.PNG", "*.BMP", "*.GIF", "*.WEBP"};
  for (const QFileInfo& f : QDir(folder).entryInfoList(patterns, QDir::Files, QDir::Name)) files << f.absoluteFilePath();
  files.removeDuplicates();
  return files;
}

ClassificationRow ClassificationWorker::classify(const QString& path) {
  ClassificationRow row;
  row.path = path;
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) {
    row.error = tr("cannot open: %1").arg(file.errorString());
    return row;
  }
  ClassificationRow row_out = classify_(path, file.readAll());
  row_out.path = path;
  return row_out;
}

void ClassificationWorker::classifyFile(const QString& path) { Q_EMIT fileClassified(classify(path)); }

void ClassificationWorker::classifyFolder(const QString& folder) {
  cancel_.store(false);
  const QStringList files = imageFilesIn(folder);
  const int total = int(files.size());
  Q_EMIT folderStarted(total);
  int done = 0;
  for (const QString& path : files) {
    if (cancel_.load()) break;
    const ClassificationRow row = classify(path);
    ++done;
    Q_EMIT folderRowReady(row, done, total);
  }
  Q_EMIT folderFinished(done, total, done < total);
}

}  // namespace tierscope::ui
